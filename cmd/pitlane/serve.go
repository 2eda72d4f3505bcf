package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/kardianos/service"

	"pitlane/auth"
	"pitlane/backup"
	"pitlane/config"
	"pitlane/control"
	"pitlane/installer"
	"pitlane/media"
	"pitlane/notify"
	"pitlane/remind"
	"pitlane/search"
	"pitlane/server"
	"pitlane/store"
)

const (
	// setupLinkTTL is how long the first-run link works.
	setupLinkTTL = 24 * time.Hour
	// purgeEvery is how often expired sessions are deleted.
	purgeEvery = time.Hour
	// mediaPurgeEvery is how often uploaded files no record uses are
	// looked for, and mediaOrphanAge how old such a file must be to go:
	// far longer than the request that stores a file and then its record.
	mediaPurgeEvery = 24 * time.Hour
	mediaOrphanAge  = 24 * time.Hour
	// exitLimit is the most a stop may take: the server lets requests finish
	// for less than that, then the process exits whatever is left.
	exitLimit = 9500 * time.Millisecond
)

func cmdServe(ctx context.Context, e *env, args []string) error {
	cfg, err := config.Parse("pitlane serve", args, e.getenv, io.Discard)
	if errors.Is(err, flag.ErrHelp) {
		config.PrintHelp(e.stdout, "pitlane serve")
		return errHelp
	}
	if err != nil {
		return usageError{fmt.Errorf("serve: %w (pitlane serve --help lists the options)", err)}
	}
	log := newLogger(cfg, e.stderr)
	slog.SetDefault(log)
	run := func(ctx context.Context) error { return serve(ctx, cfg, e.stdout, log) }
	if service.Interactive() {
		return run(ctx)
	}
	// Started by the service manager: it says when to stop.
	svc, err := installer.NewService(installer.ServiceOptions{DataDir: cfg.DataDir, Logger: log}, run)
	if err != nil {
		return err
	}
	return svc.Run()
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// serve runs the appliance until ctx ends, then lets running requests
// finish, stops the control socket and closes the database. It is the run
// function both in a terminal and under the service manager.
func serve(ctx context.Context, cfg config.Config, stdout io.Writer, log *slog.Logger) error {
	stopped := make(chan struct{})
	defer close(stopped)
	go exitIfStuck(ctx, stopped, log)

	gc := server.TuneGC()
	log.Info("starting Pitlane", "version", version, "data", cfg.DataDir, "tls", cfg.TLS, "addr", cfg.Addr, "gc", gc)
	st, err := store.Open(cfg.DataDir, store.Options{Logger: log})
	if errors.Is(err, store.ErrLocked) {
		return fmt.Errorf("the database in %s is in use by another Pitlane process: is the service running? Stop it (pitlane stop) or use another --data folder", cfg.DataDir)
	}
	if err != nil {
		return err
	}
	defer func() {
		if err := st.Close(); err != nil {
			log.Error("closing the database", "err", err)
		}
	}()
	med, err := media.Open(cfg.DataDir)
	if err != nil {
		return err
	}
	index, err := search.Open(cfg.DataDir, st, log)
	if err != nil {
		return err
	}
	defer func() {
		if err := index.Close(); err != nil {
			log.Error("closing the search index", "err", err)
		}
	}()
	certs, err := installer.NewTLS(ctx, installer.TLSOptions{Mode: cfg.TLS, DataDir: cfg.DataDir, Domain: cfg.Domain,
		Email: cfg.Email, ACMEDirectory: cfg.ACMECA, HTTPPort: port(cfg.HTTPAddr), HTTPSPort: port(cfg.Addr),
		Logger: log})
	if err != nil {
		return fmt.Errorf("prepare TLS (--tls %s): %w", cfg.TLS, err)
	}
	defer certs.Close()
	backups := backup.NewRunner(backup.Config{Store: st, Media: med, Version: version, Logger: log})
	srv, err := server.New(server.Options{Config: cfg, Store: st, Media: med, TLS: certs, Version: version, Logger: log,
		Backups: backups, Search: index})
	if err != nil {
		return err
	}
	token, err := setupToken(st)
	if err != nil {
		return fmt.Errorf("create the first-run link: %w", err)
	}
	sender, err := notify.SelfProcess()
	if err != nil {
		return err
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var background sync.WaitGroup
	background.Go(func() {
		if err := control.Serve(ctx, cfg.DataDir, control.Local{Store: st, Backups: backups, Search: index}, log); err != nil {
			log.Error("control socket stopped: pitlane user and demo commands cannot reach this server", "err", err)
		}
	})
	background.Go(func() { purgeSessions(ctx, st, log) })
	background.Go(func() { purgeMedia(ctx, st, med, log) })
	background.Go(func() { index.Run(ctx) })
	background.Go(func() {
		if err := (&notify.Notifier{Store: st, Logger: log, Process: sender}).Run(ctx); err != nil {
			log.Error("notifier stopped: customers get no push notifications", "err", err)
		}
	})
	background.Go(func() { backups.Serve(ctx) })
	background.Go(func() { remind.Run(ctx, st, remind.Interval, log) })
	err = srv.Serve(ctx, func(url string) {
		if token != "" {
			announceSetup(stdout, log, cfg.PublicURL, url, token)
		}
	})
	cancel()
	background.Wait()
	if err != nil {
		return err
	}
	log.Info("stopped")
	return nil
}

// exitIfStuck ends the process if stopping takes longer than exitLimit
// after ctx ends: service managers and scripts expect a prompt exit, and
// every acknowledged write is already on disk.
func exitIfStuck(ctx context.Context, stopped <-chan struct{}, log *slog.Logger) {
	select {
	case <-stopped:
		return
	case <-ctx.Done():
	}
	t := time.NewTimer(exitLimit)
	defer t.Stop()
	select {
	case <-stopped:
	case <-t.C:
		log.Error("shutdown is taking too long; exiting anyway")
		os.Exit(1)
	}
}

// setupToken returns a new first-run token while no staff account exists,
// and "" once one does. Each start replaces the previous token.
func setupToken(st *store.Store) (string, error) {
	has, err := st.HasUsers()
	if err != nil || has {
		return "", err
	}
	token := auth.NewToken()
	return token, st.SetSetupToken(auth.HashToken(token), time.Now().Add(setupLinkTTL))
}

// announceSetup shows the first-run link where the person installing
// Pitlane looks: the log, and the terminal.
func announceSetup(stdout io.Writer, log *slog.Logger, publicURL, url, token string) {
	if publicURL != "" {
		url = publicURL
	}
	link := url + "/setup/" + token
	log.Warn("no staff account yet: open the one-time setup link to create the manager account", "link", link,
		"valid_for", setupLinkTTL.String())
	fmt.Fprintf(stdout, "\nNo staff account yet. Create the manager account at this one-time link (valid 24 hours):\n\n    %s\n\n", link)
}

func purgeSessions(ctx context.Context, st *store.Store, log *slog.Logger) {
	t := time.NewTicker(purgeEvery)
	defer t.Stop()
	for {
		if n, err := st.PurgeSessions(); err != nil {
			log.Error("deleting expired sessions", "err", err)
		} else if n > 0 {
			log.Info("expired sessions deleted", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// purgeMedia deletes, at start and then daily, the uploaded files no
// record points at (from forms the store refused) once they are a day old.
func purgeMedia(ctx context.Context, st *store.Store, med *media.Store, log *slog.Logger) {
	t := time.NewTicker(mediaPurgeEvery)
	defer t.Stop()
	for {
		refs, err := st.MediaRefs()
		if err == nil {
			var n int
			var size int64
			n, size, err = med.RemoveUnreferenced(refs, mediaOrphanAge)
			if n > 0 {
				log.Info("uploaded files no record uses were deleted", "count", n, "bytes", size)
			}
		}
		if err != nil {
			log.Error("deleting uploaded files no record uses", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// port is the port of a HOST:PORT address, 0 when there is none (the TLS
// defaults then apply).
func port(addr string) int {
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		return 0
	}
	n, err := strconv.Atoi(p)
	if err != nil {
		n, _ = net.LookupPort("tcp", p)
	}
	return n
}
