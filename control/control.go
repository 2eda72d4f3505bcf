// Package control lets CLI commands reach the running service through a local socket, since bbolt allows one process per database.
package control

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"path/filepath"
	"time"

	"pitlane/demo"
	"pitlane/search"
	"pitlane/store"
)

// SocketName is the control socket's file in the data folder. The folder is
// private to the service account (0700), and so is the socket (0600).
const SocketName = "control.sock"

// SocketPath is where the service for dataDir listens.
func SocketPath(dataDir string) string { return filepath.Join(dataDir, SocketName) }

// Admin is what the command line may do to a Pitlane data folder, whether
// the service holds it (Client) or nobody does (Local).
type Admin interface {
	AddUser(ctx context.Context, nu NewUser) (User, error)
	Users(ctx context.Context) ([]User, error)
	SetPassword(ctx context.Context, username, password string) error
	SetDisabled(ctx context.Context, username string, disabled bool) (User, error)
	SeedDemo(ctx context.Context) (demo.Result, error)
	// Snapshot writes a consistent copy of the database to path, which must
	// be absolute: the service does not share the caller's working folder.
	Snapshot(ctx context.Context, path string) (int64, error)
	// Backup takes a verified backup (see package backup) and returns its
	// record; a failed one is recorded too, and returned with the error.
	Backup(ctx context.Context, req BackupRequest) (store.BackupRecord, error)
	// VAPIDPublicKey is the web push application server key, made on first
	// use.
	VAPIDPublicKey(ctx context.Context) (string, error)
	// CreatePairLink makes a one-time link that pairs a customer's phone.
	CreatePairLink(ctx context.Context, r PairRequest) (PairLink, error)
	// Reindex rebuilds the search index from the database, telling
	// progress how far it has come, and returns the final report.
	Reindex(ctx context.Context, progress func(search.Progress)) (search.Progress, error)
	// SearchStatus reports on the running service's search index.
	SearchStatus(ctx context.Context) (search.Status, error)
}

// BackupRequest is a backup the command line asks for. The passphrase
// crosses the socket (private to the service account, like passwords for
// user add) and is never stored or logged.
type BackupRequest struct {
	// Folder must be absolute: the service does not share the caller's
	// working folder. Empty: the folder set on the Backups page.
	Folder     string `json:"folder,omitempty"`
	Passphrase string `json:"passphrase,omitempty"`
	Recipient  string `json:"recipient,omitempty"`
}

// NewUser is a staff account to create, with its password in clear: it is
// hashed by whoever holds the database.
type NewUser struct {
	Username string     `json:"username"`
	Name     string     `json:"name"`
	Role     store.Role `json:"role"`
	Lang     string     `json:"lang,omitempty"`
	Password string     `json:"password"`
}

// User is a staff account as the command line shows it: never its hash.
type User struct {
	Username string     `json:"username"`
	Name     string     `json:"name"`
	Role     store.Role `json:"role"`
	Lang     string     `json:"lang,omitempty"`
	Disabled bool       `json:"disabled,omitempty"`
	Created  time.Time  `json:"created"`
}

func userFrom(u store.User) User {
	return User{Username: u.Username, Name: u.Name, Role: u.Role, Lang: u.Lang, Disabled: u.Disabled, Created: u.Created}
}

// ErrNotAnswering means the database is held by a process whose control
// socket cannot be reached.
var ErrNotAnswering = errors.New("Pitlane is running but its control socket does not answer; stop the service (pitlane stop) and try again")

// How long Connect waits for the socket and for the database lock: a CLI
// command should fail fast, not hang.
const (
	dialTimeout = 500 * time.Millisecond
	pingTimeout = 2 * time.Second
	lockTimeout = 500 * time.Millisecond
)

// Connect reaches the Pitlane data folder dataDir: through the running
// service's control socket if one answers, or else by opening the database
// itself. Close the returned closer when done.
func Connect(dataDir string) (Admin, io.Closer, error) {
	c, err := dial(dataDir)
	if err == nil {
		return c, c, nil
	}
	if errors.Is(err, fs.ErrPermission) {
		return nil, nil, permissionError(dataDir)
	}
	s, err := store.Open(dataDir, store.Options{LockTimeout: lockTimeout, Logger: slog.Default()})
	switch {
	case errors.Is(err, store.ErrLocked):
		// The service may have opened the database a moment ago and not yet
		// its socket.
		if c, err := dial(dataDir); err == nil {
			return c, c, nil
		}
		return nil, nil, ErrNotAnswering
	case errors.Is(err, fs.ErrPermission):
		return nil, nil, permissionError(dataDir)
	case err != nil:
		return nil, nil, err
	}
	return Local{Store: s}, s, nil
}

// dial returns a client for dataDir's socket once the server behind it has
// answered a ping.
func dial(dataDir string) (*Client, error) {
	c := NewClient(dataDir)
	ctx, cancel := context.WithTimeout(context.Background(), pingTimeout)
	defer cancel()
	if err := c.ping(ctx); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

func permissionError(dataDir string) error {
	return fmt.Errorf("no permission to use the Pitlane data folder %s: run this command as the account the service runs as (root on Linux, an administrator on Windows)", dataDir)
}
