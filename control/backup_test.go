package control

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"pitlane/store"
)

// TestBackup: the command line's backup is the same through the socket as
// on a stopped appliance, and is recorded as the command line's.
func TestBackup(t *testing.T) {
	impls := map[string]func(t *testing.T, dir string, s *store.Store) Admin{
		"local": func(t *testing.T, dir string, s *store.Store) Admin { return Local{Store: s} },
		"socket": func(t *testing.T, dir string, s *store.Store) Admin {
			serve(t, dir, Local{Store: s}, io.Discard)
			c := NewClient(dir)
			t.Cleanup(func() { c.Close() })
			return c
		},
	}
	for name, connect := range impls {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			s := openStore(t, dir)
			a := connect(t, dir, s)
			ctx := context.Background()
			folder := t.TempDir()
			rec, err := a.Backup(ctx, BackupRequest{Folder: folder})
			if err != nil {
				t.Fatalf("Backup: %v", err)
			}
			if !rec.Verified || rec.Trigger != store.BackupCLI || rec.By != store.CLI.Name || rec.Folder != folder {
				t.Errorf("record %+v", rec)
			}
			if _, err := os.Stat(filepath.Join(folder, rec.File)); err != nil {
				t.Errorf("backup file: %v", err)
			}
			if _, err := a.Backup(ctx, BackupRequest{Folder: "relative"}); err == nil || !strings.Contains(err.Error(), "absolute") {
				t.Errorf("relative folder: %v", err)
			}
			_, err = a.Backup(ctx, BackupRequest{Folder: filepath.Join(folder, "nope")})
			if e, ok := store.AsError(err); !ok || len(e.Fields) != 1 || e.Fields[0].Key != "backup.error.folder_missing" {
				t.Errorf("missing folder: %#v", err)
			}
			if _, err := a.Backup(ctx, BackupRequest{}); !store.Is(err, store.CodeInvalid) {
				t.Errorf("no folder anywhere: %v", err)
			}
		})
	}
}
