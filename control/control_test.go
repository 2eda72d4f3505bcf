package control

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"pitlane/auth"
	"pitlane/store"
)

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func openStore(t *testing.T, dir string) *store.Store {
	t.Helper()
	s, err := store.Open(dir, store.Options{Logger: quiet(), LockTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// syncBuffer is a log destination the server goroutines may share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// serve runs the control socket of dir in the background until the test
// ends, and returns once it answers.
func serve(t *testing.T, dir string, admin Admin, log io.Writer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, dir, admin, slog.New(slog.NewTextHandler(log, nil))) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
		if _, err := os.Stat(SocketPath(dir)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("socket file left behind after shutdown: %v", err)
		}
	})
	for deadline := time.Now().Add(5 * time.Second); ; {
		c, err := dial(dir)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("control socket does not answer: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

const goodPassword = "correct-horse-battery"

// TestAdmin runs the same scenarios against the store directly and through
// the socket: the command line must not notice the difference.
func TestAdmin(t *testing.T) {
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

			u, err := a.AddUser(ctx, NewUser{Username: "Anna", Name: "Anna Bianchi", Role: store.RoleManager, Lang: "it",
				Password: goodPassword})
			if err != nil {
				t.Fatalf("AddUser: %v", err)
			}
			if u.Username != "anna" || u.Role != store.RoleManager || u.Lang != "it" || u.Created.IsZero() {
				t.Errorf("AddUser = %+v", u)
			}
			stored, err := s.UserByUsername("anna")
			if err != nil {
				t.Fatal(err)
			}
			if ok, _ := auth.VerifyPassword(stored.PasswordHash, goodPassword); !ok {
				t.Error("stored password does not verify")
			}

			t.Run("errors keep code, key and fields", func(t *testing.T) {
				cases := []struct {
					name  string
					nu    NewUser
					code  store.Code
					field string
				}{
					{"taken", NewUser{Username: "anna", Name: "Other", Role: store.RoleSales, Password: goodPassword},
						store.CodeConflict, "username"},
					{"short password", NewUser{Username: "bob", Name: "Bob", Role: store.RoleSales, Password: "short"},
						store.CodeInvalid, "password"},
					{"bad role", NewUser{Username: "bob", Name: "Bob", Role: "boss", Password: goodPassword},
						store.CodeInvalid, "role"},
				}
				for _, tc := range cases {
					t.Run(tc.name, func(t *testing.T) {
						_, err := a.AddUser(ctx, tc.nu)
						e, ok := store.AsError(err)
						if !ok {
							t.Fatalf("error %v (%T) is not a store error", err, err)
						}
						if e.Code != tc.code || len(e.Fields) != 1 || e.Fields[0].Field != tc.field || e.Fields[0].Key == "" {
							t.Fatalf("error = %+v, want %s on %s", e, tc.code, tc.field)
						}
						// The store's own answer, which the socket must not alter.
						_, direct := Local{Store: s}.AddUser(ctx, tc.nu)
						if !reflect.DeepEqual(err, direct) {
							t.Errorf("error = %#v, the store says %#v", err, direct)
						}
						if msg := Message(err); !strings.HasPrefix(msg, tc.field+": ") || strings.Contains(msg, "[[") {
							t.Errorf("Message = %q", msg)
						}
					})
				}
			})

			t.Run("list", func(t *testing.T) {
				if _, err := a.AddUser(ctx, NewUser{Username: "carla", Name: "Carla", Role: store.RoleWorkshop,
					Password: goodPassword}); err != nil {
					t.Fatal(err)
				}
				users, err := a.Users(ctx)
				if err != nil {
					t.Fatal(err)
				}
				var names []string
				for _, u := range users {
					names = append(names, u.Username+"/"+string(u.Role))
				}
				if !slices.Equal(names, []string{"anna/manager", "carla/workshop"}) {
					t.Errorf("Users = %v", names)
				}
			})

			t.Run("passwd", func(t *testing.T) {
				if err := a.SetPassword(ctx, "carla", "a-new-long-password"); err != nil {
					t.Fatal(err)
				}
				u, _ := s.UserByUsername("carla")
				if ok, _ := auth.VerifyPassword(u.PasswordHash, "a-new-long-password"); !ok {
					t.Error("new password does not verify")
				}
				if err := a.SetPassword(ctx, "nobody", "a-new-long-password"); !store.Is(err, store.CodeNotFound) {
					t.Errorf("unknown user: %v, want not found", err)
				}
				if err := a.SetPassword(ctx, "carla", "short"); !store.Is(err, store.CodeInvalid) {
					t.Errorf("short password: %v, want invalid", err)
				}
			})

			t.Run("disable and enable", func(t *testing.T) {
				u, err := a.SetDisabled(ctx, "carla", true)
				if err != nil || !u.Disabled {
					t.Fatalf("disable: %+v, %v", u, err)
				}
				if u, err = a.SetDisabled(ctx, "carla", false); err != nil || u.Disabled {
					t.Fatalf("enable: %+v, %v", u, err)
				}
				_, err = a.SetDisabled(ctx, "anna", true)
				if e, ok := store.AsError(err); !ok || e.Code != store.CodeConflict || !strings.HasSuffix(e.Key, "last_manager") {
					t.Errorf("disabling the last manager: %v, want a last_manager conflict", err)
				}
			})

			t.Run("snapshot", func(t *testing.T) {
				copyDir := t.TempDir()
				n, err := a.Snapshot(ctx, filepath.Join(copyDir, store.FileName))
				if err != nil || n == 0 {
					t.Fatalf("Snapshot = %d, %v", n, err)
				}
				c := openStore(t, copyDir)
				if _, err := c.UserByUsername("carla"); err != nil {
					t.Errorf("snapshot lacks carla: %v", err)
				}
				if _, err := a.Snapshot(ctx, "relative.db"); err == nil || !strings.Contains(err.Error(), "absolute") {
					t.Errorf("relative path: %v", err)
				}
				if _, err := a.Snapshot(ctx, s.Path()); err == nil {
					t.Error("snapshot over the live database was allowed")
				}
				if err := s.Ping(); err != nil {
					t.Errorf("database after refused snapshot: %v", err)
				}
			})

			t.Run("demo", func(t *testing.T) {
				res, err := a.SeedDemo(ctx)
				if err != nil || res.Customers < 60 || len(res.Logins) != 4 {
					t.Fatalf("SeedDemo = %+v, %v", res, err)
				}
				if res, err = a.SeedDemo(ctx); err != nil || res.Customers != 0 || res.Users != 0 {
					t.Errorf("second SeedDemo = %+v, %v", res, err)
				}
			})
		})
	}
}

func TestPasswordsAreNotLogged(t *testing.T) {
	dir := t.TempDir()
	var log syncBuffer
	serve(t, dir, Local{Store: openStore(t, dir)}, &log)
	c := NewClient(dir)
	defer c.Close()
	ctx := context.Background()
	if _, err := c.AddUser(ctx, NewUser{Username: "anna", Name: "Anna", Role: store.RoleManager, Password: goodPassword}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AddUser(ctx, NewUser{Username: "anna", Name: "Anna", Role: store.RoleManager, Password: "other-secret-pw"}); err == nil {
		t.Fatal("duplicate account accepted")
	}
	out := log.String()
	if !strings.Contains(out, "user.add") {
		t.Errorf("operations not logged: %q", out)
	}
	if strings.Contains(out, goodPassword) || strings.Contains(out, "other-secret-pw") {
		t.Errorf("log shows a password: %q", out)
	}
}

func TestConnect(t *testing.T) {
	t.Run("opens the store when nothing runs", func(t *testing.T) {
		dir := t.TempDir()
		for range 2 { // the second time proves the first released the lock
			a, closer, err := Connect(dir)
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := a.(Local); !ok {
				t.Errorf("Connect = %T, want Local", a)
			}
			if _, err := a.AddUser(context.Background(), NewUser{Username: "anna", Name: "Anna",
				Role: store.RoleManager, Password: goodPassword}); err != nil && !store.Is(err, store.CodeConflict) {
				t.Fatal(err)
			}
			closer.Close()
		}
	})

	t.Run("uses the socket when the service runs", func(t *testing.T) {
		dir := t.TempDir()
		s := openStore(t, dir)
		serve(t, dir, Local{Store: s}, io.Discard)
		a, closer, err := Connect(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer closer.Close()
		if _, ok := a.(*Client); !ok {
			t.Fatalf("Connect = %T, want *Client", a)
		}
		if _, err := a.AddUser(context.Background(), NewUser{Username: "anna", Name: "Anna", Role: store.RoleManager,
			Password: goodPassword}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.UserByUsername("anna"); err != nil {
			t.Errorf("user added through the socket is not in the service's store: %v", err)
		}
	})

	t.Run("fails clearly when the store is held and nobody answers", func(t *testing.T) {
		dir := t.TempDir()
		openStore(t, dir)
		_, _, err := Connect(dir)
		if !errors.Is(err, ErrNotAnswering) || !strings.Contains(err.Error(), "pitlane stop") {
			t.Errorf("Connect: %v, want ErrNotAnswering", err)
		}
	})

	t.Run("ignores a socket left by a crash", func(t *testing.T) {
		dir := t.TempDir()
		leaveStaleSocket(t, dir)
		a, closer, err := Connect(dir)
		if err != nil {
			t.Fatal(err)
		}
		closer.Close()
		if _, ok := a.(Local); !ok {
			t.Errorf("Connect = %T, want Local", a)
		}
		// and the service replaces it when it starts
		serve(t, dir, Local{Store: openStore(t, dir)}, io.Discard)
	})
}

// leaveStaleSocket leaves a socket file nobody listens on, as a crash does.
func leaveStaleSocket(t *testing.T, dir string) {
	t.Helper()
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: SocketPath(dir), Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	ln.SetUnlinkOnClose(false)
	ln.Close()
	if _, err := os.Stat(SocketPath(dir)); err != nil {
		t.Fatal(err)
	}
}
