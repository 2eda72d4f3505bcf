package server_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"pitlane/store"
)

func TestBackupSettings(t *testing.T) {
	e := newEnv(t)
	folder := t.TempDir()
	file := filepath.Join(folder, "a-file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	form := func(folder, recipient string) url.Values {
		return url.Values{"folder": {folder}, "hour": {"3"}, "keep_daily": {"7"}, "keep_weekly": {"4"},
			"keep_monthly": {"12"}, "recipient": {recipient}}
	}
	e.run(t, []scenario{
		{name: "page before any backup", path: "/backups", as: store.RoleManager, status: http.StatusOK,
			contains:    []string{"<h1>Backups</h1>", "Choose a folder below", "No backups yet."},
			notContains: []string{`action="/backups/run"`}},
		{name: "missing folder", method: http.MethodPost, path: "/backups/settings", as: store.RoleManager,
			form: form(filepath.Join(folder, "nope"), ""), status: http.StatusUnprocessableEntity,
			contains: []string{"This folder does not exist on the Pitlane computer", filepath.Join(folder, "nope")}},
		{name: "missing folder, in Italian", method: http.MethodPost, path: "/backups/settings", as: store.RoleManager,
			form: form(filepath.Join(folder, "nope"), ""), header: map[string]string{"Accept-Language": "it"},
			status: http.StatusUnprocessableEntity, contains: []string{"Questa cartella non esiste"}},
		{name: "a file, not a folder", method: http.MethodPost, path: "/backups/settings", as: store.RoleManager,
			form: form(file, ""), status: http.StatusUnprocessableEntity, contains: []string{"does not exist"}},
		{name: "relative folder", method: http.MethodPost, path: "/backups/settings", as: store.RoleManager,
			form: form("backups", ""), status: http.StatusUnprocessableEntity, contains: []string{"full path"}},
		{name: "not an age key, and not a number", method: http.MethodPost, path: "/backups/settings", as: store.RoleManager,
			form:   func() url.Values { f := form(folder, "AGE-SECRET-KEY-1XYZ"); f.Set("keep_daily", "lots"); return f }(),
			status: http.StatusUnprocessableEntity, contains: []string{"starts with age1", "Enter a valid number.", `value="lots"`}},
		{name: "saved", method: http.MethodPost, path: "/backups/settings", as: store.RoleManager,
			form: form(folder, ""), status: http.StatusSeeOther, location: "/backups?done=backup.settings_saved"},
		{name: "page with a folder", path: "/backups", as: store.RoleManager, status: http.StatusOK,
			contains: []string{`value="` + folder + `"`, `action="/backups/run"`, `<option value="3" selected>03:00</option>`}},
	})
	bs, err := e.st.BackupSettings()
	if err != nil || bs.Folder != folder || bs.Hour != 3 {
		t.Errorf("stored settings %+v, %v", bs, err)
	}
}

// TestBackupNow: "Back up now", its progress, the verified backup in the
// list, and its download, whole and in part.
func TestBackupNow(t *testing.T) {
	e := newEnv(t)
	folder := t.TempDir()
	if _, err := e.st.SaveBackupSettings(store.CLI, store.BackupSettings{Folder: folder, Hour: 2, KeepDaily: 7}); err != nil {
		t.Fatal(err)
	}
	e.run(t, []scenario{{name: "back up now", method: http.MethodPost, path: "/backups/run", as: store.RoleManager,
		status: http.StatusSeeOther, location: "/backups?done=backup.started"}})

	deadline := time.Now().Add(20 * time.Second)
	for {
		_, body := e.do(scenario{method: http.MethodGet, path: "/backups/progress", as: store.RoleManager})
		var p struct {
			Running bool   `json:"running"`
			Label   string `json:"label"`
			Percent int    `json:"percent"`
		}
		if err := json.Unmarshal([]byte(body), &p); err != nil {
			t.Fatalf("progress %q: %v", body, err)
		}
		if !p.Running {
			break
		}
		if p.Label == "" || p.Percent < 0 || p.Percent > 100 {
			t.Errorf("progress %+v", p)
		}
		if time.Now().After(deadline) {
			t.Fatal("the backup is still running after 20 s")
		}
		time.Sleep(20 * time.Millisecond)
	}

	_, page := e.do(scenario{method: http.MethodGet, path: "/backups", as: store.RoleManager})
	link := regexp.MustCompile(`href="/backups/files/(pitlane-\d{8}-\d{6}\.tar\.zst)"`).FindStringSubmatch(page)
	if link == nil || !strings.Contains(page, "Verified") || !strings.Contains(page, "Manual · Test manager") {
		t.Fatalf("the list does not show the verified backup with its download: %.2000s", page)
	}
	data, err := os.ReadFile(filepath.Join(folder, link[1]))
	if err != nil {
		t.Fatal(err)
	}
	path := "/backups/files/" + link[1]
	resp, body := e.do(scenario{method: http.MethodGet, path: path, as: store.RoleManager})
	if resp.StatusCode != http.StatusOK || body != string(data) || resp.Header.Get("Accept-Ranges") != "bytes" ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), link[1]) {
		t.Fatalf("download: %d, %d bytes of %d, headers %v", resp.StatusCode, len(body), len(data), resp.Header)
	}
	resp, body = e.do(scenario{method: http.MethodGet, path: path, as: store.RoleManager,
		header: map[string]string{"Range": "bytes=4-99"}})
	if resp.StatusCode != http.StatusPartialContent || body != string(data[4:100]) ||
		resp.Header.Get("Content-Range") != "bytes 4-99/"+itoa(len(data)) {
		t.Fatalf("range: %d, %q, %q", resp.StatusCode, resp.Header.Get("Content-Range"), body)
	}
	resp, body = e.do(scenario{method: http.MethodGet, path: path, as: store.RoleManager,
		header: map[string]string{"Range": "bytes=-10"}})
	if resp.StatusCode != http.StatusPartialContent || body != string(data[len(data)-10:]) {
		t.Fatalf("suffix range: %d %q", resp.StatusCode, resp.Header.Get("Content-Range"))
	}
	e.run(t, []scenario{
		{name: "range past the end", path: path, as: store.RoleManager, header: map[string]string{"Range": "bytes=99999999-"},
			status: http.StatusRequestedRangeNotSatisfiable},
		{name: "not a backup name", path: "/backups/files/pitlane.db", as: store.RoleManager, status: http.StatusNotFound},
		{name: "outside the folder", path: "/backups/files/..%2f..%2fetc%2fpasswd", as: store.RoleManager, status: http.StatusNotFound},
		{name: "no such backup", path: "/backups/files/pitlane-20000101-000000.tar.zst", as: store.RoleManager, status: http.StatusNotFound},
		{name: "not for sales", path: path, as: store.RoleSales, status: http.StatusForbidden},
	})

	records, err := e.st.BackupRecords(10)
	if err != nil || len(records) != 1 || !records[0].Verified || records[0].Trigger != store.BackupManual ||
		records[0].By != "Test manager" {
		t.Fatalf("records %+v, %v", records, err)
	}
	entries, _, err := e.st.AuditLog(store.AuditFilter{Action: "backup_create"})
	if err != nil || len(entries) != 1 {
		t.Errorf("audit: %+v, %v", entries, err)
	}
}

func TestBackupNowWithoutFolder(t *testing.T) {
	e := newEnv(t)
	e.run(t, []scenario{{name: "no folder yet", method: http.MethodPost, path: "/backups/run", as: store.RoleManager,
		status: http.StatusUnprocessableEntity, contains: []string{"Choose the folder for backups first"}}})
}

func itoa(n int) string { return strconv.Itoa(n) }
