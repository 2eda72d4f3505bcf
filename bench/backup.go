package bench

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"sync/atomic"

	"pitlane/backup"
	"pitlane/media"
	"pitlane/store"
)

// prepareBackupWrites is the writes scenario while backups of the whole
// dataset run back to back, each taken as the appliance takes it: the
// database copied inside a read transaction, compressed and written out,
// then read back and verified. Compared with "writes", it shows what a
// backup costs the people using the appliance meanwhile (the target: write
// p99 at most twice as long).
func prepareBackupWrites(ctx context.Context, a *appliance, concurrency int) (op, func(), error) {
	folder, err := os.MkdirTemp("", "pitlane-bench-backup-*")
	if err != nil {
		return nil, nil, err
	}
	m, err := media.Open(filepath.Dir(a.st.Path()))
	if err != nil {
		os.RemoveAll(folder)
		return nil, nil, err
	}
	// Paced as the appliance paces its own backups (backup.DefaultCPUShare).
	r := backup.NewRunner(backup.Config{Store: a.st, Media: m, Version: "bench", Logger: slog.New(slog.DiscardHandler)})
	bctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	var failed atomic.Pointer[error]
	go func() {
		defer close(done)
		for bctx.Err() == nil {
			rec, err := r.Run(bctx, backup.Request{Folder: folder, Trigger: store.BackupCLI, Actor: seedActor})
			if err != nil {
				if bctx.Err() == nil {
					failed.Store(&err)
				}
				return
			}
			os.Remove(filepath.Join(folder, rec.File))
		}
	}()
	write, _, err := prepareWrites(ctx, a, concurrency)
	if err != nil {
		cancel()
		<-done
		os.RemoveAll(folder)
		return nil, nil, err
	}
	do := func(ctx context.Context, w int) error {
		if err := failed.Load(); err != nil {
			return *err
		}
		return write(ctx, w)
	}
	return do, func() { cancel(); <-done; os.RemoveAll(folder) }, nil
}
