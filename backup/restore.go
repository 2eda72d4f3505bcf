package backup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"pitlane/store"
)

// RestoreResult says what a restore did.
type RestoreResult struct {
	Manifest Manifest
	// Previous is where the data folder that was replaced now is ("" when
	// there was none).
	Previous string
	// KeptTLS says the machine's certificates were carried over.
	KeptTLS bool
}

// machineDirs are the data folder's contents that belong to the machine,
// not to the dealership: a restore keeps the current ones. The local CA
// staff devices already trust stays trusted; a new PC makes its own at
// its first start, as a fresh install does. Backups never carry private
// keys, so a backup file on a NAS is not a way into the appliance.
var machineDirs = []string{"tls"}

// Restore replaces the data folder dataDir with the backup in file. It
// refuses while a Pitlane process holds dataDir. It unpacks and verifies
// the whole backup into a new folder beside dataDir first, so a backup that
// is damaged, incomplete, from a newer Pitlane or locked with another
// passphrase is refused with the data folder untouched; only then is
// dataDir renamed aside (to dataDir.before-restore-TIME) and the new folder
// renamed into its place. The search index is not carried: the appliance
// rebuilds it from the restored database when it starts.
func Restore(ctx context.Context, file, dataDir string, key Key, now time.Time, progress func(Progress)) (RestoreResult, error) {
	var res RestoreResult
	dataDir = filepath.Clean(dataDir)
	hold, err := holdDataDir(dataDir)
	if err != nil {
		return res, err
	}
	released := false
	release := func() {
		if hold != nil && !released {
			hold.Close()
			released = true
		}
	}
	defer release()

	parent, base := filepath.Split(dataDir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return res, err
	}
	tmp, err := os.MkdirTemp(parent, base+".restoring-*")
	if err != nil {
		return res, fmt.Errorf("create a folder beside %s to restore into: %w", dataDir, err)
	}
	ok := false
	defer func() {
		if !ok {
			os.RemoveAll(tmp)
		}
	}()
	if res.Manifest, err = unpack(ctx, file, key, tmp, true, progress, nil); err != nil {
		if ctx.Err() != nil {
			return res, ctx.Err()
		}
		return res, err
	}
	if err := checkDatabase(tmp, res.Manifest); err != nil {
		return res, err
	}
	for _, d := range machineDirs {
		kept, err := copyTree(filepath.Join(dataDir, d), filepath.Join(tmp, d))
		if err != nil {
			return res, fmt.Errorf("keep %s from the current data folder: %w", d, err)
		}
		res.KeptTLS = res.KeptTLS || (kept && d == "tls")
	}
	if err := syncTree(tmp); err != nil {
		return res, err
	}

	release()
	if _, err := os.Stat(dataDir); err == nil {
		res.Previous = dataDir + ".before-restore-" + now.UTC().Format("20060102-150405")
		if err := os.Rename(dataDir, res.Previous); err != nil {
			return res, fmt.Errorf("move the current data folder aside (is a file in it open?): %w", err)
		}
	}
	if err := os.Rename(tmp, dataDir); err != nil {
		if res.Previous != "" {
			if rerr := os.Rename(res.Previous, dataDir); rerr != nil {
				return res, fmt.Errorf("put the restored folder in place: %w; and the previous data is still in %s: %v", err, res.Previous, rerr)
			}
		}
		return res, fmt.Errorf("put the restored folder in place: %w", err)
	}
	ok = true
	return res, syncDir(parent)
}

// holdDataDir takes a shared lock on dataDir's database, if there is one,
// so no Pitlane starts on it during the restore. A running one holds it
// already: then the restore is refused.
func holdDataDir(dataDir string) (io.Closer, error) {
	if _, err := os.Stat(filepath.Join(dataDir, store.FileName)); errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	st, err := store.Open(dataDir, store.Options{ReadOnly: true, LockTimeout: 500 * time.Millisecond,
		Logger: slog.New(slog.DiscardHandler)})
	switch {
	case errors.Is(err, store.ErrLocked):
		return nil, ErrRunning
	case errors.Is(err, store.ErrSchemaTooNew):
		// Replacing a newer database with an older backup is the user's
		// call; the newer one is kept aside.
		return nil, nil
	case err != nil:
		// A damaged database is a reason to restore, not to refuse.
		return nil, nil
	}
	return st, nil
}

// copyTree copies the folder src to dst, if src exists.
func copyTree(src, dst string) (bool, error) {
	if _, err := os.Stat(src); errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			return os.MkdirAll(target, info.Mode().Perm()|0o700)
		case d.Type().IsRegular():
			return copyFile(path, target, info.Mode().Perm())
		}
		return nil // sockets, links: nothing a certificate store needs
	})
	return err == nil, err
}

func copyFile(src, dst string, mode fs.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// syncTree makes the restored folder durable before it takes the data
// folder's place: files were synced as written, folders are synced here.
func syncTree(root string) error {
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		return syncDir(path)
	})
}
