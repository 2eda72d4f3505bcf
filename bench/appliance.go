package bench

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"pitlane/auth"
	"pitlane/config"
	"pitlane/media"
	"pitlane/search"
	"pitlane/server"
	"pitlane/store"
	"pitlane/ui"
)

// benchPassword is every benchmark account's password.
const benchPassword = "bench-password-1234"

// appliance is the real server running in-process on a loopback port, with
// one account per role and a manager API key.
type appliance struct {
	st     *store.Store
	base   string // http://127.0.0.1:port
	users  []string
	apiKey string
	keyID  uint64
	// search is the search index, built before the first scenario.
	search *search.Index
	// gc is the garbage collector's settings, made as pitlane serve makes
	// them.
	gc string
	// job and week are what the job and calendar-week scenarios show.
	job  uint64
	week time.Time
	stop func() error
}

// startAppliance wires the server as `pitlane serve --tls off` does and
// listens on 127.0.0.1. stop shuts it down and revokes the API key.
func startAppliance(ctx context.Context, dir string, st *store.Store, log *slog.Logger) (*appliance, error) {
	a := &appliance{st: st}
	for _, role := range store.Roles {
		name, err := ensureUser(st, role)
		if err != nil {
			return nil, fmt.Errorf("create %s account: %w", role, err)
		}
		a.users = append(a.users, name)
	}
	a.apiKey = ui.APIKeyPrefix + auth.NewToken()
	key, err := st.CreateAPIKey(seedActor, "pitlane-bench", store.RoleManager, a.apiKey[:len(ui.APIKeyPrefix)+6], auth.HashToken(a.apiKey))
	if err != nil {
		return nil, fmt.Errorf("create API key: %w", err)
	}
	a.keyID = key.ID
	m, err := media.Open(dir)
	if err != nil {
		return nil, err
	}
	ix, stopSearch, err := startSearch(ctx, dir, st, log)
	if err != nil {
		return nil, fmt.Errorf("build the search index: %w", err)
	}
	a.search = ix
	a.gc = server.TuneGC()
	cfg := config.Defaults()
	cfg.DataDir, cfg.TLS, cfg.Addr, cfg.HTTPAddr = dir, "off", "127.0.0.1:0", ""
	srv, err := server.New(server.Options{Config: cfg, Store: st, Media: m, Version: "bench", Logger: log, Search: ix})
	if err != nil {
		return nil, errors.Join(err, stopSearch())
	}
	sctx, cancel := context.WithCancel(ctx)
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(sctx, func(url string) { ready <- url }) }()
	select {
	case a.base = <-ready:
	case err := <-done:
		cancel()
		return nil, errors.Join(fmt.Errorf("start server: %w", err), stopSearch())
	}
	a.stop = func() error {
		cancel()
		err := <-done
		return errors.Join(err, stopSearch(), st.RevokeAPIKey(seedActor, a.keyID))
	}
	if err := a.healthy(ctx); err != nil {
		return nil, errors.Join(fmt.Errorf("server at %s does not answer: %w", a.base, err), a.stop())
	}
	return a, nil
}

// ensureUser creates the benchmark account of role, or resets the password
// of the one a reused data folder already holds.
func ensureUser(st *store.Store, role store.Role) (string, error) {
	hash, err := auth.HashPassword(benchPassword)
	if err != nil {
		return "", err
	}
	username := "bench-" + string(role)
	_, err = st.CreateUser(seedActor, store.NewUser{Username: username, Name: "Bench " + string(role), Role: role, PasswordHash: hash})
	if !store.Is(err, store.CodeConflict) {
		return username, err
	}
	u, err := st.UserByUsername(username)
	if err != nil {
		return "", err
	}
	if u.Disabled {
		if _, err := st.SetDisabled(seedActor, u.ID, false); err != nil {
			return "", err
		}
	}
	return username, st.SetPassword(seedActor, u.ID, hash)
}
