package control

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"pitlane/search"
)

// Reindex rebuilds the search index: the service's own, or, when no
// service runs, the data folder's, opened for the call.
func (l Local) Reindex(ctx context.Context, progress func(search.Progress)) (search.Progress, error) {
	ix := l.Search
	if ix == nil {
		// Only what goes wrong: the command prints the progress itself.
		log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
		var err error
		if ix, err = search.Open(filepath.Dir(l.Store.Path()), l.Store, log); err != nil {
			return search.Progress{}, err
		}
		defer ix.Close()
	}
	var last search.Progress
	err := ix.Rebuild(ctx, func(p search.Progress) {
		last = p
		if progress != nil {
			progress(p)
		}
	})
	return last, err
}

// SearchStatus reports the service's search index.
func (l Local) SearchStatus(context.Context) (search.Status, error) {
	if l.Search == nil {
		return search.Status{}, errors.New("no search index is open in this process")
	}
	return l.Search.Status()
}

// reindexPoll is how often the command asks the service how a rebuild is
// going.
const reindexPoll = time.Second

// Reindex has the service rebuild its search index, reporting progress
// from the service's status while the rebuild runs.
func (c *Client) Reindex(ctx context.Context, progress func(search.Progress)) (search.Progress, error) {
	type result struct {
		p   search.Progress
		err error
	}
	done := make(chan result, 1)
	go func() {
		p, err := call[search.Progress](ctx, c, opReindex, empty{})
		done <- result{p, err}
	}()
	tick := time.NewTicker(reindexPoll)
	defer tick.Stop()
	for {
		select {
		case r := <-done:
			if r.err == nil && progress != nil {
				progress(r.p)
			}
			return r.p, r.err
		case <-tick.C:
			if progress == nil {
				continue
			}
			if s, err := c.SearchStatus(ctx); err == nil && s.Rebuild != nil {
				progress(*s.Rebuild)
			}
		}
	}
}

// SearchStatus asks the service about its search index.
func (c *Client) SearchStatus(ctx context.Context) (search.Status, error) {
	return call[search.Status](ctx, c, opSearchStatus, empty{})
}
