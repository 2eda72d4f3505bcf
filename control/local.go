package control

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"pitlane/auth"
	"pitlane/backup"
	"pitlane/demo"
	"pitlane/media"
	"pitlane/search"
	"pitlane/store"
)

// Local carries out the operations on a database this process holds, as
// the command line (store.CLI) for the audit log.
type Local struct {
	Store *store.Store
	// Backups takes backups; nil: one made for the call.
	Backups *backup.Runner
	// Search is the service's search index; nil: Reindex opens the data
	// folder's for the call.
	Search *search.Index
}

var _ Admin = Local{}

// AddUser checks and hashes the password, then creates the account.
func (l Local) AddUser(_ context.Context, nu NewUser) (User, error) {
	if err := auth.CheckPassword("password", nu.Password); err != nil {
		return User{}, err
	}
	hash, err := auth.HashPassword(nu.Password)
	if err != nil {
		return User{}, err
	}
	u, err := l.Store.CreateUser(store.CLI, store.NewUser{Username: nu.Username, Name: nu.Name, Role: nu.Role,
		Lang: nu.Lang, PasswordHash: hash})
	if err != nil {
		return User{}, err
	}
	return userFrom(u), nil
}

// Users lists the accounts by username.
func (l Local) Users(context.Context) ([]User, error) {
	list, err := l.Store.Users()
	if err != nil {
		return nil, err
	}
	out := make([]User, len(list))
	for i, u := range list {
		out[i] = userFrom(u)
	}
	return out, nil
}

// SetPassword replaces an account's password and signs it out everywhere.
func (l Local) SetPassword(_ context.Context, username, password string) error {
	if err := auth.CheckPassword("password", password); err != nil {
		return err
	}
	u, err := l.Store.UserByUsername(username)
	if err != nil {
		return err
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	return l.Store.SetPassword(store.CLI, u.ID, hash)
}

// SetDisabled disables or enables an account.
func (l Local) SetDisabled(_ context.Context, username string, disabled bool) (User, error) {
	u, err := l.Store.UserByUsername(username)
	if err != nil {
		return User{}, err
	}
	u, err = l.Store.SetDisabled(store.CLI, u.ID, disabled)
	if err != nil {
		return User{}, err
	}
	return userFrom(u), nil
}

// SeedDemo loads the demo garage as of now, in the dealership's time zone.
func (l Local) SeedDemo(context.Context) (demo.Result, error) {
	st, err := l.Store.Settings()
	if err != nil {
		return demo.Result{}, err
	}
	return demo.Seed(l.Store, time.Now(), st.Location())
}

// Snapshot writes the copy beside path first and renames it into place, so
// path never holds half a database.
func (l Local) Snapshot(_ context.Context, path string) (int64, error) {
	if !filepath.IsAbs(path) {
		return 0, fmt.Errorf("snapshot path %q must be absolute", path)
	}
	path = filepath.Clean(path)
	if sameFile(path, l.Store.Path()) {
		return 0, errors.New("a snapshot cannot overwrite the database it copies: choose another path")
	}
	tmp := path + ".partial"
	n, err := l.Store.Snapshot(tmp)
	if err != nil {
		os.Remove(tmp)
		return 0, fmt.Errorf("write snapshot: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return 0, fmt.Errorf("write snapshot: %w", err)
	}
	return n, nil
}

// Backup takes a backup as the command line (store.CLI).
func (l Local) Backup(ctx context.Context, req BackupRequest) (store.BackupRecord, error) {
	if req.Folder != "" && !filepath.IsAbs(req.Folder) {
		return store.BackupRecord{}, fmt.Errorf("backup folder %q must be absolute", req.Folder)
	}
	r := l.Backups
	if r == nil {
		m, err := media.Open(filepath.Dir(l.Store.Path()))
		if err != nil {
			return store.BackupRecord{}, err
		}
		r = backup.NewRunner(backup.Config{Store: l.Store, Media: m})
	}
	return r.Run(ctx, backup.Request{Folder: req.Folder, Key: backup.Key{Passphrase: req.Passphrase, Recipient: req.Recipient},
		Trigger: store.BackupCLI, Actor: store.CLI})
}

func sameFile(a, b string) bool {
	if a == filepath.Clean(b) {
		return true
	}
	sa, errA := os.Stat(a)
	sb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(sa, sb)
}
