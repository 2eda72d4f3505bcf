package search

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
)

// buildPage is how many records a rebuild reads and indexes per batch.
const buildPage = 2000

// Progress is how far a rebuild has come.
type Progress struct {
	Done  int  `json:"done"`  // records indexed
	Total int  `json:"total"` // records there were when it started
	Kind  Kind `json:"kind,omitempty"`
	// Elapsed is the time since it started.
	Elapsed time.Duration `json:"elapsed"`
	// Finished is set on the last report, with the documents then in the
	// index (records written meanwhile included).
	Finished  bool   `json:"finished,omitempty"`
	Documents uint64 `json:"documents,omitempty"`
}

// build is a rebuild under way, which later callers of Rebuild join.
type build struct {
	started time.Time
	done    chan struct{}
	err     error

	mu sync.Mutex
	p  Progress
}

func (b *build) progress() Progress {
	b.mu.Lock()
	defer b.mu.Unlock()
	p := b.p
	if !p.Finished {
		p.Elapsed = time.Since(b.started)
	}
	return p
}

func (b *build) update(f func(p *Progress)) {
	b.mu.Lock()
	f(&b.p)
	b.mu.Unlock()
}

// progressEvery is how often Rebuild reports progress.
const progressEvery = 500 * time.Millisecond

// Rebuild makes a new index from every record in the store, aside from the
// index in use, which searches keep using meanwhile; it then applies the
// changes made during the build and switches to the new index. If a rebuild
// is already under way, Rebuild waits for that one instead of starting
// another. progress, if not nil, is called every half second and once at
// the end. A rebuild stops only when the index is closed: ctx ending stops
// the wait, not the rebuild.
func (ix *Index) Rebuild(ctx context.Context, progress func(Progress)) error {
	ix.buildMu.Lock()
	if ix.life.Err() != nil {
		ix.buildMu.Unlock()
		return ErrClosed
	}
	b := ix.build
	if b == nil {
		b = &build{started: time.Now(), done: make(chan struct{})}
		ix.build = b
		ix.tasks.Add(1)
		go func() {
			defer ix.tasks.Done()
			err := ix.runBuild(b)
			ix.buildMu.Lock()
			b.err, ix.build = err, nil
			ix.buildMu.Unlock()
			close(b.done)
		}()
	}
	ix.buildMu.Unlock()
	report := func() {
		if progress != nil {
			progress(b.progress())
		}
	}
	tick := time.NewTicker(progressEvery)
	defer tick.Stop()
	for {
		select {
		case <-b.done:
			report()
			return b.err
		case <-tick.C:
			report()
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (ix *Index) runBuild(b *build) error {
	ctx := ix.life
	log := ix.log
	total := 0
	for _, k := range kinds {
		n, err := ix.st.RecordCount(string(k.name))
		if err != nil {
			return err
		}
		total += n
	}
	b.update(func(p *Progress) { p.Total = total })
	// The position comes first: whatever is written while the records are
	// read is in the feed after it, and is applied again at the end.
	pos, err := ix.feedEnd()
	if err != nil {
		return err
	}
	gen := fmt.Sprintf("index-%d", time.Now().UnixNano())
	path := filepath.Join(ix.dir, gen)
	log.Info("building the search index", "records", total, "folder", path)
	idx, err := newIndex(path)
	if err != nil {
		return fmt.Errorf("create search index: %w", err)
	}
	switched := false
	defer func() {
		if !switched {
			idx.Close()
			if err := os.RemoveAll(path); err != nil {
				log.Warn("removing an unfinished search index", "path", path, "err", err)
			}
		}
	}()

	nextLog := time.Now().Add(5 * time.Second)
	done := 0
	l := &loader{st: ix.st}
	for _, k := range kinds {
		b.update(func(p *Progress) { p.Kind = k.name })
		var after uint64
		for {
			if err := ctx.Err(); err != nil {
				return ErrClosed
			}
			recs, err := ix.st.RecordPage(string(k.name), after, buildPage)
			if err != nil {
				return err
			}
			if len(recs) == 0 {
				break
			}
			batch := idx.NewBatch()
			for _, r := range recs {
				if err := batch.Index(k.docID(r.ID), k.doc(l, r.Value)); err != nil {
					return err
				}
			}
			if err := idx.Batch(batch); err != nil {
				return fmt.Errorf("index %ss: %w", k.name, err)
			}
			after = recs[len(recs)-1].ID
			done += len(recs)
			b.update(func(p *Progress) { p.Done = done })
			if time.Now().After(nextLog) {
				log.Info("building the search index", "done", done, "total", total)
				nextLog = time.Now().Add(5 * time.Second)
			}
		}
	}
	if err := persistPosition(ctx, idx, pos); err != nil {
		return err
	}
	// A query reads a posting list per term and segment: merged into one,
	// a freshly built index answers several times faster.
	if err := mergeAll(ctx, idx); err != nil {
		log.Warn("merging the new search index", "err", err)
	}
	// Catch up aside first, so the switch below holds writers back briefly.
	for {
		var n int
		if pos, n, err = ix.applyNext(idx, pos); err != nil {
			return err
		}
		if n == 0 {
			break
		}
	}

	ix.writeMu.Lock()
	defer ix.writeMu.Unlock()
	for {
		var n int
		if pos, n, err = ix.applyNext(idx, pos); err != nil {
			return err
		}
		if n == 0 {
			break
		}
	}
	if err := writeCurrent(ix.dir, gen); err != nil {
		return err
	}
	ix.pos = pos
	ix.seq.Store(pos.Seq)
	ix.mu.Lock()
	old, oldGen := ix.idx, ix.gen
	ix.idx, ix.gen = idx, gen
	ix.mu.Unlock()
	switched = true
	if old != nil {
		if err := old.Close(); err != nil {
			log.Warn("closing the replaced search index", "err", err)
		}
		if err := os.RemoveAll(filepath.Join(ix.dir, oldGen)); err != nil {
			log.Warn("removing the replaced search index", "err", err)
		}
	}
	docs, _ := idx.DocCount()
	b.update(func(p *Progress) {
		p.Finished, p.Documents, p.Kind, p.Elapsed = true, docs, "", time.Since(b.started)
	})
	log.Info("search index built", "documents", docs, "took", time.Since(b.started).Round(time.Millisecond))
	return nil
}

// feedEnd is the position at the newest change in the feed.
func (ix *Index) feedEnd() (position, error) {
	pos := position{Version: mappingVersion}
	last, err := ix.st.LastSeq()
	if err != nil || last == 0 {
		return pos, err
	}
	changes, err := ix.st.Changes(last-1, 1)
	if err != nil {
		return pos, err
	}
	if len(changes) == 1 {
		pos.Seq, pos.Mark = changes[0].Seq, markOf(changes[0])
	}
	return pos, nil
}

// persistPosition writes pos and waits until it and every document before
// it are on disk, so a new index is never switched to before it would
// survive a crash.
func persistPosition(ctx context.Context, idx bleve.Index, pos position) error {
	b := idx.NewBatch()
	if err := setPosition(b, pos); err != nil {
		return err
	}
	persisted := make(chan error, 1)
	b.SetPersistedCallback(func(err error) { persisted <- err })
	if err := idx.Batch(b); err != nil {
		return err
	}
	select {
	case err := <-persisted:
		return err
	case <-ctx.Done():
		return ErrClosed
	}
}

func mergeAll(ctx context.Context, idx bleve.Index) error {
	adv, err := idx.Advanced()
	if err != nil {
		return err
	}
	if s, ok := adv.(*scorch.Scorch); ok {
		return s.ForceMerge(ctx, nil)
	}
	return nil
}

// writeCurrent points the current file at gen, atomically.
func writeCurrent(dir, gen string) error {
	tmp := filepath.Join(dir, currentFile+".tmp")
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	_, err = f.WriteString(gen + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(dir, currentFile))
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("switch to the new search index: %w", err)
	}
	// The rename is durable once the folder is; Windows cannot sync one.
	if runtime.GOOS != "windows" {
		if d, err := os.Open(dir); err == nil {
			err = d.Sync()
			d.Close()
			if err != nil && !errors.Is(err, os.ErrInvalid) {
				return err
			}
		}
	}
	return nil
}
