package control

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime"
	"time"

	"pitlane/store"
)

const (
	// maxRequest bounds a request body: the largest is a new account.
	maxRequest = 1 << 20
	// shutdownGrace is how long a running operation gets to finish once the
	// service stops; it stays inside the 10 s the whole process has.
	shutdownGrace = 3 * time.Second
	// maxSocketPath is the longest path a Unix socket address may hold
	// (108 bytes with the terminating NUL, on Linux and on Windows).
	maxSocketPath = 107
)

// Serve answers the control socket of dataDir with admin until ctx ends. A
// socket file left behind by a crash is replaced.
func Serve(ctx context.Context, dataDir string, admin Admin, log *slog.Logger) error {
	path := SocketPath(dataDir)
	if len(path) > maxSocketPath {
		return fmt.Errorf("control socket path %s is longer than %d bytes: use a shorter data folder path", path, maxSocketPath)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove old control socket %s: %w", path, err)
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return fmt.Errorf("listen on control socket %s: %w", path, err)
	}
	// On Windows the data folder's access list guards the socket; chmod
	// there would only toggle the read-only flag.
	if runtime.GOOS != "windows" {
		if err := os.Chmod(path, 0o600); err != nil {
			ln.Close()
			return fmt.Errorf("restrict control socket %s: %w", path, err)
		}
	}
	srv := &http.Server{
		Handler:           handler(admin, log),
		ReadHeaderTimeout: 5 * time.Second,
		IdleTimeout:       time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Debug("control socket listening", "path", path)
	select {
	case err := <-errc:
		return fmt.Errorf("control socket %s: %w", path, err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	err = srv.Shutdown(sctx)
	// The listener unlinks its socket on close; this covers a forced stop.
	if rerr := os.Remove(path); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) && err == nil {
		err = rerr
	}
	return err
}

// handler serves the operations registry over HTTP. The password in a
// request is never logged.
func handler(admin Admin, log *slog.Logger) http.Handler {
	mux := http.NewServeMux()
	for name, op := range operations {
		mux.HandleFunc("POST /v1/"+name, func(w http.ResponseWriter, r *http.Request) {
			body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequest))
			var result any
			if err == nil {
				result, err = op(r.Context(), admin, body)
			}
			reply(w, result, err)
			switch {
			case err == nil && name == opPing:
				log.Debug("control operation", "op", name)
			case err == nil:
				log.Info("control operation", "op", name)
			case isTyped(err):
				log.Info("control operation refused", "op", name, "err", err)
			default:
				log.Error("control operation failed", "op", name, "err", err)
			}
		})
	}
	return mux
}

func isTyped(err error) bool {
	_, ok := store.AsError(err)
	return ok
}

func reply(w http.ResponseWriter, result any, err error) {
	var env envelope
	status := http.StatusOK
	if err != nil {
		env.Error = toWire(err)
		status = httpStatus(err)
	} else if env.Result, err = json.Marshal(result); err != nil {
		env.Error, status = toWire(err), http.StatusInternalServerError
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(env)
}

func httpStatus(err error) int {
	e, ok := store.AsError(err)
	if !ok {
		return http.StatusInternalServerError
	}
	switch e.Code {
	case store.CodeNotFound:
		return http.StatusNotFound
	case store.CodeConflict:
		return http.StatusConflict
	case store.CodeInvalid:
		return http.StatusUnprocessableEntity
	}
	return http.StatusBadRequest
}
