package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"pitlane/store"
)

// serving is `pitlane serve` running in the background.
type serving struct {
	cmd    *exec.Cmd
	stderr *syncBuffer
	exited chan error
	base   string
}

// startServer serves dir without TLS on a free port and waits for /healthz.
func startServer(t *testing.T, dir string) *serving {
	t.Helper()
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	s := &serving{cmd: pitlaneCmd("serve", "--data", dir, "--tls", "off", "--addr", addr), stderr: &syncBuffer{},
		exited: make(chan error, 1), base: "http://" + addr}
	s.cmd.Stderr = s.stderr
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.exited <- s.cmd.Wait() }()
	t.Cleanup(func() {
		if s.cmd.ProcessState == nil {
			s.cmd.Process.Kill()
			<-s.exited
		}
		if t.Failed() {
			t.Logf("server stderr:\n%s", s.stderr.String())
		}
	})
	client := &http.Client{Timeout: 5 * time.Second}
	eventually(t, "healthz", func() error {
		res, err := client.Get(s.base + "/healthz")
		if err != nil {
			return err
		}
		defer res.Body.Close()
		var h struct {
			SchemaVersion int `json:"schema_version"`
		}
		if err := json.NewDecoder(res.Body).Decode(&h); err != nil {
			return err
		}
		if res.StatusCode != http.StatusOK || h.SchemaVersion != store.SchemaVersion() {
			return fmt.Errorf("status %d, schema %d", res.StatusCode, h.SchemaVersion)
		}
		return nil
	})
	return s
}

func (s *serving) stop(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-s.exited:
		if err != nil {
			t.Fatalf("server exited with %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("server still running 10 s after SIGTERM")
	}
}

func hasUser(t *testing.T, dir, username string) bool {
	t.Helper()
	return regexp.MustCompile(`(?m)^` + username + `\s`).MatchString(ok(t, "", "user", "list", "--data", dir))
}

// TestBackupAndRestore: a backup taken through the running service, a
// restore refused while it runs and with the wrong passphrase, then done
// once it is stopped, and the restored appliance starts.
func TestBackupAndRestore(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("stops the server with SIGTERM")
	}
	root := t.TempDir()
	dir, folder := filepath.Join(root, "data"), filepath.Join(root, "backups")
	if err := os.Mkdir(folder, 0o700); err != nil {
		t.Fatal(err)
	}
	ok(t, "a-long-password\n", "user", "add", "--data", dir, "--username", "ana", "--name", "Ana Pop", "--role", "manager")
	srv := startServer(t, dir)

	out := ok(t, "", "backup", "--data", dir, "--to", folder)
	plain := regexp.MustCompile(`verified: (\S+\.tar\.zst)\n`).FindStringSubmatch(out)
	if plain == nil {
		t.Fatalf("backup printed %q", out)
	}
	out = ok(t, "correct horse\n", "backup", "--data", dir, "--to", folder, "--passphrase-file", "-")
	sealed := regexp.MustCompile(`verified: (\S+\.tar\.zst\.age)\n`).FindStringSubmatch(out)
	if sealed == nil || !strings.Contains(out, "encrypted") {
		t.Fatalf("encrypted backup printed %q", out)
	}
	if n := strings.Count(srv.stderr.String(), "op=backup"); n != 2 {
		t.Errorf("the service ran %d backups, want both through its control socket", n)
	}
	failsWith(t, 2, "--to DIR", "", "backup", "--data", dir)
	failsWith(t, 1, "does not exist", "", "backup", "--data", dir, "--to", filepath.Join(root, "nope"))

	// After the backups: this account must not survive the restore.
	ok(t, "another-long-password\n", "user", "add", "--data", dir, "--username", "bob", "--name", "Bob", "--role", "sales")
	failsWith(t, 1, "stop the service (pitlane stop)", "", "restore", plain[1], "--data", dir)
	if !hasUser(t, dir, "bob") {
		t.Fatal("the refused restore changed the running appliance")
	}
	srv.stop(t)

	failsWith(t, 1, "Wrong passphrase", "not the passphrase\n", "restore", sealed[1], "--data", dir, "--passphrase-file", "-")
	failsWith(t, 1, "encrypted", "", "restore", sealed[1], "--data", dir)
	failsWith(t, 2, "one backup file", "", "restore", "--data", dir)
	if !hasUser(t, dir, "bob") {
		t.Fatal("a refused restore changed the data folder")
	}

	out = ok(t, "correct horse\n", "restore", sealed[1], "--data", dir, "--passphrase-file", "-")
	if !strings.Contains(out, "Backup verified") || !strings.Contains(out, "Restored into "+dir) {
		t.Errorf("restore printed %q", out)
	}
	if !hasUser(t, dir, "ana") || hasUser(t, dir, "bob") {
		t.Errorf("after the restore: ana %v, bob %v; want ana only", hasUser(t, dir, "ana"), hasUser(t, dir, "bob"))
	}
	previous, _ := filepath.Glob(dir + ".before-restore-*")
	if len(previous) != 1 {
		t.Fatalf("previous data folders: %v", previous)
	}
	if !hasUser(t, previous[0], "bob") {
		t.Error("the previous data folder was not kept whole")
	}
	startServer(t, dir).stop(t)
}
