package csvimport

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"pitlane/store"
)

func TestJobs(t *testing.T) {
	s := openStore(t)
	dir := filepath.Join(t.TempDir(), "imports")
	os.MkdirAll(dir, 0o700)
	os.WriteFile(filepath.Join(dir, "left-over.csv"), []byte("x"), 0o600)
	j := NewJobs(dir, s, nil)
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("files left by an earlier run were kept: %v", entries)
	}

	for name, data := range map[string]string{"empty": "", "workbook": "PK\x03\x04rest", "not_text": "\x00\x01\x02", "no_rows": "Name;Phone\n"} {
		_, err := j.Add(name+".csv", []byte(data), "Marta")
		if e, ok := store.AsError(err); !ok || e.Fields[0].Key != "imports.error."+name {
			t.Errorf("Add(%s) = %v", name, err)
		}
	}

	up, err := j.Add(`C:\Users\marta\clienti.csv`, []byte(garageFile), "Marta")
	if err != nil {
		t.Fatal(err)
	}
	if up.Name != "clienti.csv" || up.State != StateReady || up.Format.Delimiter != ';' || up.Mapping[0] != "name" {
		t.Errorf("upload = %+v", up)
	}
	if _, err := os.Stat(filepath.Join(dir, up.ID+".csv")); err != nil {
		t.Fatalf("uploaded file not kept: %v", err)
	}

	t.Run("a new format suggests the mapping afresh", func(t *testing.T) {
		f := up.Format
		f.Delimiter = ','
		got, err := j.Configure(up.ID, f, Mapping{"notes"})
		if err != nil || len(got.Mapping) != 1 || got.Mapping[0] == "notes" {
			t.Fatalf("Configure = %+v, %v", got.Mapping, err)
		}
		if got, err = j.Configure(up.ID, up.Format, up.Mapping); err != nil || got.Mapping[1] != "mobile" {
			t.Fatalf("Configure back = %+v, %v", got.Mapping, err)
		}
	})

	t.Run("check, then import; one at a time", func(t *testing.T) {
		if err := j.Start(up.ID, clerk, true, Options{Now: t0, Location: rome}); err != nil {
			t.Fatal(err)
		}
		j.Wait(up.ID, 5*time.Second)
		got, _ := j.Get(up.ID)
		if got.State != StateChecked || got.Result == nil || !got.Result.DryRun || got.Result.Customers.Created != 3 {
			t.Fatalf("after the check: %+v", got)
		}
		other, err := j.Add("other.csv", []byte(garageFile), "Ana")
		if err != nil {
			t.Fatal(err)
		}
		j.mu.Lock()
		j.busy = other.ID
		j.mu.Unlock()
		if err := j.Start(up.ID, clerk, false, Options{Now: t0}); !store.Is(err, store.CodeConflict) {
			t.Fatalf("a second import started beside another: %v", err)
		}
		j.mu.Lock()
		j.busy = ""
		j.mu.Unlock()
		if err := j.Start(up.ID, clerk, false, Options{Now: t0, Location: rome}); err != nil {
			t.Fatal(err)
		}
		j.Wait(up.ID, 5*time.Second)
		got, _ = j.Get(up.ID)
		if got.State != StateDone || got.Result.DryRun || got.Result.Customers.Created != 3 || got.Done != got.Total {
			t.Fatalf("after the import: %+v", got)
		}
		if _, err := os.Stat(filepath.Join(dir, up.ID+".csv")); !os.IsNotExist(err) {
			t.Errorf("imported file still kept: %v", err)
		}
		if err := j.Start(up.ID, clerk, false, Options{Now: t0}); err == nil {
			t.Error("a finished import started again")
		}
	})

	t.Run("an hour on, an upload is forgotten", func(t *testing.T) {
		up, _ := j.Add("late.csv", []byte(garageFile), "Marta")
		j.expire(up.ID)
		if _, ok := j.Get(up.ID); ok {
			t.Error("expired upload still listed")
		}
		if _, err := os.Stat(filepath.Join(dir, up.ID+".csv")); !os.IsNotExist(err) {
			t.Errorf("expired file still kept: %v", err)
		}
	})
}
