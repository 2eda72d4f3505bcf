package search

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/blevesearch/bleve/v2"

	"pitlane/store"
)

// pageSize is how many changes one batch applies: big enough to amortise a
// batch, small enough that a search never waits long behind one.
const pageSize = 500

// settle is how long the indexer lets changes gather before applying them
// when it is not behind: under a stream of writes it then applies a batch
// every settle rather than one per commit. Each batch is a segment to search
// and merge, and the fewer there are, the faster every search.
const settle = 100 * time.Millisecond

// maxFailures is how many batches in a row may fail before the index is
// taken for broken and rebuilt.
const maxFailures = 3

var errNoIndex = errors.New("no search index is open")

// Run keeps the index up to date until ctx ends or the index is closed:
// it builds the index if there is none, applies the change feed from the
// position the index remembers (so after a crash it catches up), and then
// waits for the next change.
func (ix *Index) Run(ctx context.Context) {
	if !ix.enter() {
		return
	}
	defer ix.tasks.Done()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(ix.life, cancel)
	defer stop()

	if s, err := ix.Status(); err == nil && s.Ready && s.Lag > 0 {
		ix.log.Info("search index catching up with the database", "changes", s.Lag)
	}
	failures := 0
	for ctx.Err() == nil {
		if !ix.ready() {
			if err := ix.Rebuild(ctx, nil); err != nil {
				if ctx.Err() == nil {
					ix.log.Error("building the search index failed; retrying in a minute", "err", err)
					sleep(ctx, time.Minute)
				}
				continue
			}
		}
		wake := ix.st.Changed()
		n, err := ix.step()
		switch {
		case err != nil:
			failures++
			ix.log.Error("updating the search index failed", "err", err, "attempt", failures)
			if failures >= maxFailures {
				ix.discard()
				failures = 0
			}
			sleep(ctx, time.Duration(failures)*time.Second)
		case n == pageSize:
			failures = 0
		case n > 0:
			failures = 0
			sleep(ctx, settle)
		default:
			failures = 0
			select {
			case <-wake:
				sleep(ctx, settle)
			case <-ctx.Done():
			}
		}
	}
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

func (ix *Index) ready() bool {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.idx != nil
}

// discard drops an index that keeps failing, so Run rebuilds it.
func (ix *Index) discard() {
	ix.writeMu.Lock()
	defer ix.writeMu.Unlock()
	ix.mu.Lock()
	idx := ix.idx
	ix.idx, ix.gen = nil, ""
	ix.mu.Unlock()
	if idx != nil {
		idx.Close()
	}
	ix.log.Warn("the search index keeps failing: rebuilding it")
}

// step applies the next page of changes to the index in use and returns
// how many it read.
func (ix *Index) step() (int, error) {
	ix.writeMu.Lock()
	defer ix.writeMu.Unlock()
	ix.mu.RLock()
	idx := ix.idx
	ix.mu.RUnlock()
	if idx == nil {
		return 0, errNoIndex
	}
	pos, n, err := ix.applyNext(idx, ix.pos)
	if err != nil || n == 0 {
		return n, err
	}
	ix.pos = pos
	ix.seq.Store(pos.Seq)
	return n, nil
}

// applyNext applies the page of changes after pos to idx, with the new
// position in the same batch, and returns that position.
func (ix *Index) applyNext(idx bleve.Index, pos position) (position, int, error) {
	changes, err := ix.st.Changes(pos.Seq, pageSize)
	if err != nil || len(changes) == 0 {
		return pos, 0, err
	}
	b := idx.NewBatch()
	l := &loader{st: ix.st}
	done := map[string]bool{}
	for _, c := range changes {
		if kindNamed(c.Kind) == nil {
			continue
		}
		if err := ix.reindex(b, l, done, ref{kind: Kind(c.Kind), id: c.ID}); err != nil {
			return pos, 0, err
		}
	}
	last := changes[len(changes)-1]
	pos = position{Version: mappingVersion, Seq: last.Seq, Mark: markOf(last)}
	if err := setPosition(b, pos); err != nil {
		return pos, 0, err
	}
	if err := idx.Batch(b); err != nil {
		return pos, 0, err
	}
	return pos, len(changes), nil
}

// reindex puts a record's document as the store has it now in the batch
// (or its deletion, if it is gone), with the documents that embed it. What
// the change said happened does not matter: applying the current state is
// right however often and in whatever order changes are replayed.
func (ix *Index) reindex(b *bleve.Batch, l *loader, done map[string]bool, r ref) error {
	k := kindNamed(string(r.kind))
	id := k.docID(r.id)
	if done[id] {
		return nil
	}
	done[id] = true
	rec := r.rec
	if rec == nil {
		got, err := ix.st.Record(string(k.name), r.id)
		if store.Is(err, store.CodeNotFound) {
			b.Delete(id)
			return nil
		}
		if err != nil {
			return err
		}
		rec = got.Value
	}
	if err := b.Index(id, k.doc(l, rec)); err != nil {
		return err
	}
	if k.embeds == nil {
		return nil
	}
	related, err := k.embeds(ix.st, rec)
	if err != nil {
		return err
	}
	for _, rr := range related {
		if err := ix.reindex(b, l, done, rr); err != nil {
			return err
		}
	}
	return nil
}

func setPosition(b *bleve.Batch, pos position) error {
	data, err := json.Marshal(pos)
	if err != nil {
		return err
	}
	b.SetInternal([]byte(stateKey), data)
	return nil
}
