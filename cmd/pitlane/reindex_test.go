package main

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"pitlane/search"
	"pitlane/store"
)

// TestReindex rebuilds the search index of a stopped appliance, then of a
// running one through its control socket.
func TestReindex(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("stops the server with SIGTERM")
	}
	dir := t.TempDir()
	failsWith(t, 1, "there is no Pitlane database", "", "reindex", "--data", dir)

	st, err := store.Open(dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		c, err := st.CreateCustomer(store.CLI, store.Customer{Name: fmt.Sprintf("Cliente %d", i)})
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			// Messages are records the index holds too.
			if _, err := st.StaffMessage(store.CLI, c.ID, "La sua auto è pronta.", nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	st.Close()

	out := ok(t, "", "reindex", "--data", dir)
	if !strings.Contains(out, "Rebuilding the search index of "+dir) || !strings.Contains(out, "Done: 4 records indexed") {
		t.Errorf("reindex of a stopped appliance printed:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(dir, search.DirName, "current")); err != nil {
		t.Errorf("no index after reindex: %v", err)
	}

	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	cmd := pitlaneCmd("serve", "--data", dir, "--tls", "off", "--addr", addr)
	var stdout, stderr syncBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
		if t.Failed() {
			t.Logf("server stderr:\n%s", stderr.String())
		}
	}()
	client := &http.Client{Timeout: 5 * time.Second}
	eventually(t, "healthz", func() error {
		res, err := client.Get("http://" + addr + "/healthz")
		if err != nil {
			return err
		}
		res.Body.Close()
		return nil
	})
	out = ok(t, "", "reindex", "--data", dir)
	if !strings.Contains(out, "Done: 4 records indexed") {
		t.Errorf("reindex through the running service printed:\n%s", out)
	}
	if !strings.Contains(stderr.String(), "op=search.reindex") {
		t.Error("the service did not log the reindex: it was not done through the socket")
	}
}
