package backup

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"pitlane/store"
)

// TestRoundTrip backs up, verifies and restores a data folder plain, with a
// passphrase and to an age recipient, and finds the same records and logo.
func TestRoundTrip(t *testing.T) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		seal   Key // what writes the backup
		open   Key // what restores it
		suffix string
	}{
		{"plain", Key{}, Key{}, ".tar.zst"},
		{"passphrase", Key{Passphrase: "correct horse battery staple"}, Key{Passphrase: "correct horse battery staple"}, ".tar.zst.age"},
		{"recipient", Key{Recipient: id.Recipient().String()}, Key{Identity: "# key\n" + id.String() + "\n"}, ".tar.zst.age"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := newAppliance(t)
			before, err := a.st.BucketCounts()
			if err != nil {
				t.Fatal(err)
			}
			folder := t.TempDir()
			at := time.Date(2026, 11, 22, 2, 0, 5, 0, time.UTC)
			res, err := Create(t.Context(), a.st, a.media, folder, Options{Key: tc.seal, Version: "v1.2.3",
				Now: func() time.Time { return at }})
			if err != nil {
				t.Fatalf("Create: %v", err)
			}
			if want := filepath.Join(folder, "pitlane-20261122-020005"+tc.suffix); res.Path != want {
				t.Errorf("backup written to %s, want %s", res.Path, want)
			}
			if fi, err := os.Stat(res.Path); err != nil || fi.Size() != res.Size || res.Size == 0 {
				t.Errorf("file %v, size %d reported", err, res.Size)
			}
			if names := siblings(t, res.Path); len(names) != 1 {
				t.Errorf("folder holds %v, want only the backup", names)
			}
			m, err := res.Verify(t.Context(), nil)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if m.Schema != store.SchemaVersion() || m.AppVersion != "v1.2.3" || !m.Created.Equal(at) || m.MediaFiles() != 1 ||
				m.Counts["customers"] != 20 {
				t.Errorf("manifest %+v", m)
			}
			for name, n := range before {
				if m.Counts[name] != n {
					t.Errorf("manifest counts %d in %s, the store had %d", m.Counts[name], name, n)
				}
			}
			if _, err := Verify(t.Context(), res.Path, tc.open, nil); err != nil {
				t.Fatalf("Verify with the restoring key: %v", err)
			}

			target := filepath.Join(t.TempDir(), "data")
			rr, err := Restore(t.Context(), res.Path, target, tc.open, time.Now(), nil)
			if err != nil {
				t.Fatalf("Restore: %v", err)
			}
			if rr.Previous != "" || rr.Manifest.Counts["customers"] != 20 {
				t.Errorf("restore result %+v", rr)
			}
			b := openAppliance(t, target)
			c, err := b.st.CustomerByEmail("c7@example.it")
			if err != nil || c.Name != "Cliente 7" {
				t.Errorf("restored customer 7: %+v, %v", c, err)
			}
			st, _ := b.st.Settings()
			logo, err := os.ReadFile(b.media.Path(st.Logo))
			if err != nil || string(logo) != string(a.logo) {
				t.Errorf("restored logo: %d bytes, %v", len(logo), err)
			}
			if v, _ := b.st.Version(); v != store.SchemaVersion() {
				t.Errorf("restored schema %d", v)
			}
		})
	}
}

// TestRecipientBackupOpensOnlyWithItsIdentity: the one-off identity used to
// verify is forgotten; another identity is refused.
func TestRecipientBackupOpensOnlyWithItsIdentity(t *testing.T) {
	a := newAppliance(t)
	id, _ := age.GenerateX25519Identity()
	other, _ := age.GenerateX25519Identity()
	path := backupOf(t, a, Key{Recipient: id.Recipient().String()})
	_, err := Verify(t.Context(), path, Key{Identity: other.String()}, nil)
	wantKey(t, err, keyWrongKey)
	_, err = Verify(t.Context(), path, Key{}, nil)
	wantKey(t, err, keyEncrypted)
	if _, err := Verify(t.Context(), path, Key{Identity: id.String()}, nil); err != nil {
		t.Fatalf("Verify with the identity: %v", err)
	}
}

func TestCreateRefusesABadFolder(t *testing.T) {
	a := newAppliance(t)
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for name, folder := range map[string]string{
		"missing":  filepath.Join(t.TempDir(), "nope"),
		"a file":   file,
		"relative": "backups",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Create(t.Context(), a.st, a.media, folder, Options{})
			if e, ok := store.AsError(err); !ok || len(e.Fields) != 1 || e.Fields[0].Field != "folder" {
				t.Fatalf("Create into %s: %v, want a folder error", folder, err)
			}
		})
	}
}

func TestCreateCancelledLeavesNothing(t *testing.T) {
	a := newAppliance(t)
	folder := t.TempDir()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	_, err := Create(ctx, a.st, a.media, folder, Options{Progress: func(Progress) { cancel() }})
	if err == nil {
		t.Fatal("a cancelled backup succeeded")
	}
	if names := siblings(t, filepath.Join(folder, "x")); len(names) != 0 {
		t.Errorf("cancelled backup left %v", names)
	}
	// The read transaction ended: writers are not blocked.
	mustCustomer(t, a.st, 999)
}

func TestMissingMediaIsListedNotFatal(t *testing.T) {
	a := newAppliance(t)
	st, _ := a.st.Settings()
	if err := os.Remove(a.media.Path(st.Logo)); err != nil {
		t.Fatal(err)
	}
	path := backupOf(t, a, Key{})
	m, err := Verify(t.Context(), path, Key{}, nil)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if len(m.MissingMedia) != 1 || m.MissingMedia[0] != st.Logo || m.MediaFiles() != 0 {
		t.Errorf("manifest missing %v, %d media", m.MissingMedia, m.MediaFiles())
	}
}

func TestNames(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("CET", 3600))
	for _, tc := range []struct {
		enc  bool
		n    int
		want string
	}{
		{false, 1, "pitlane-20260102-020405.tar.zst"},
		{true, 1, "pitlane-20260102-020405.tar.zst.age"},
		{false, 2, "pitlane-20260102-020405-2.tar.zst"},
		{true, 12, "pitlane-20260102-020405-12.tar.zst.age"},
	} {
		name := fileName(at, tc.enc, tc.n)
		if name != tc.want {
			t.Errorf("fileName = %s, want %s", name, tc.want)
		}
		got, n, ok := nameTime(name)
		if !ok || !got.Equal(at) || n != tc.n {
			t.Errorf("nameTime(%s) = %v, %d, %v", name, got, n, ok)
		}
	}
	for _, name := range []string{"pitlane-20260102-020405.tar", "pitlane-20260102-020405-1.tar.zst",
		".pitlane-20260102-020405.tar.zst.partial", "pitlane-2026012-020405.tar.zst", "notes.txt",
		"pitlane-20260102-020405.tar.zst.age.bak"} {
		if IsName(name) {
			t.Errorf("IsName(%q) = true", name)
		}
	}
	if !strings.HasPrefix(partialName("x"), ".") {
		t.Error("partial files are not hidden")
	}
}
