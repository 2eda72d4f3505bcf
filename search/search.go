// Package search finds customers, vehicles, appointments, jobs and messages as staff type, from a Bleve index in the data folder that follows the store's change feed.
package search

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"

	"pitlane/store"
)

// DirName is the index's folder in the data folder. Everything in it can be
// rebuilt from the database, so backups leave it out.
const DirName = "search"

// currentFile names the index folder in use. A rebuild writes a new folder
// and then replaces this file, so a crash at any point leaves either the old
// index or the new one in use, never half of one.
const currentFile = "current"

// stateKey is where an index keeps its position: written in the same
// batch as the documents it accounts for, so the two never disagree.
const stateKey = "pitlane.position"

// ErrClosed is returned by work asked of a closed index.
var ErrClosed = errors.New("the search index is closed")

// Index is the search index of one data folder. It is safe for concurrent
// use: searches run while Run applies changes and a rebuild runs aside.
type Index struct {
	dir string
	st  *store.Store
	log *slog.Logger

	life context.Context // ends at Close
	stop context.CancelFunc

	// writeMu orders the writers: the feed follower's batches and a
	// rebuild's switch to its new index. It guards pos.
	writeMu sync.Mutex
	pos     position      // the last change idx accounts for
	seq     atomic.Uint64 // pos.Seq, for Status without waiting on a batch

	mu  sync.RWMutex // guards idx and gen; searches hold it for reading
	idx bleve.Index  // nil until an index is built
	gen string       // idx's folder in dir

	buildMu sync.Mutex // guards build and, with life, tasks.Add
	build   *build     // the rebuild under way, or nil
	tasks   sync.WaitGroup
}

// position is how far an index has followed the change feed, and the build
// that wrote it.
type position struct {
	Version int    `json:"version"`
	Seq     uint64 `json:"seq"`
	// Mark identifies the change at Seq, so an index made from another copy
	// of the database (a restored backup) is not mistaken for this one's.
	Mark string `json:"mark,omitempty"`
}

func markOf(c store.Change) string {
	return fmt.Sprintf("%d:%s:%d", c.At.UnixNano(), c.Kind, c.ID)
}

// Open opens the index of dataDir, or notes that it must be rebuilt when it
// is missing, unreadable, of another mapping version or made from another
// database; Run rebuilds it. Open fails only if the folder cannot be made.
func Open(dataDir string, st *store.Store, log *slog.Logger) (*Index, error) {
	if log == nil {
		log = slog.Default()
	}
	dir := filepath.Join(dataDir, DirName)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create search index folder: %w", err)
	}
	ix := &Index{dir: dir, st: st, log: log}
	ix.life, ix.stop = context.WithCancel(context.Background())
	if err := ix.openCurrent(); err != nil {
		log.Info("the search index will be rebuilt", "reason", err)
	}
	ix.removeStale()
	return ix, nil
}

// openCurrent opens the index the current file names and checks it.
func (ix *Index) openCurrent() error {
	name, err := os.ReadFile(filepath.Join(ix.dir, currentFile))
	if errors.Is(err, fs.ErrNotExist) {
		return errors.New("there is no index yet")
	}
	if err != nil {
		return err
	}
	gen := strings.TrimSpace(string(name))
	if !validGen(gen) {
		return fmt.Errorf("%s names %q, not an index folder", currentFile, gen)
	}
	idx, err := openIndex(filepath.Join(ix.dir, gen))
	if err != nil {
		return fmt.Errorf("open %s: %w", gen, err)
	}
	pos, err := readPosition(idx)
	if err == nil {
		err = ix.check(pos)
	}
	if err != nil {
		idx.Close()
		return err
	}
	ix.idx, ix.gen, ix.pos = idx, gen, pos
	ix.seq.Store(pos.Seq)
	return nil
}

// scorchConfig: batches return once searchable, not once on disk. Losing
// the last of them in a crash costs only reapplying them from the feed, and
// what is on disk is always a consistent snapshot of documents and position.
//
// The merge plan keeps few segments: a search reads every segment, and with
// Bleve's default of ten per size tier a busy index holds twenty, each
// multiplying the cost of every search. Segments under floorSegment
// documents count as that big, so the new ones a stream of writes makes
// are merged promptly, two at a time.
func scorchConfig() map[string]any {
	return map[string]any{"unsafe_batch": true, "bolt_timeout": "2s",
		"scorchMergePlanOptions": map[string]any{"MaxSegmentsPerTier": 4, "SegmentsPerMergeTask": 4,
			"FloorSegmentSize": floorSegment}}
}

const floorSegment = 10_000

func openIndex(path string) (bleve.Index, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, err
	}
	return bleve.OpenUsing(path, scorchConfig())
}

func newIndex(path string) (bleve.Index, error) {
	return bleve.NewUsing(path, newMapping(), scorch.Name, scorch.Name, scorchConfig())
}

func readPosition(idx bleve.Index) (position, error) {
	var pos position
	data, err := idx.GetInternal([]byte(stateKey))
	if err != nil {
		return pos, err
	}
	if data == nil {
		return pos, errors.New("the index has no position: its build did not finish")
	}
	if err := json.Unmarshal(data, &pos); err != nil {
		return pos, fmt.Errorf("read the index position: %w", err)
	}
	return pos, nil
}

// check refuses an index of another mapping version or another database.
func (ix *Index) check(pos position) error {
	if pos.Version != mappingVersion {
		return fmt.Errorf("the index has mapping version %d, this build uses %d", pos.Version, mappingVersion)
	}
	if pos.Seq == 0 {
		return nil
	}
	changes, err := ix.st.Changes(pos.Seq-1, 1)
	if err != nil {
		return err
	}
	if len(changes) == 0 || changes[0].Seq != pos.Seq || markOf(changes[0]) != pos.Mark {
		return fmt.Errorf("the index was made from another copy of the database (change %d differs)", pos.Seq)
	}
	return nil
}

// Generations are named index-N; nothing else in the folder is ours to open.
func validGen(name string) bool {
	rest, ok := strings.CutPrefix(name, "index-")
	if !ok || rest == "" {
		return false
	}
	for _, r := range rest {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// removeStale deletes what a crash or an earlier version left: folders of
// unfinished rebuilds and replaced indexes.
func (ix *Index) removeStale() {
	entries, err := os.ReadDir(ix.dir)
	if err != nil {
		ix.log.Warn("reading the search index folder", "err", err)
		return
	}
	for _, e := range entries {
		if e.Name() == currentFile || (e.Name() == ix.gen && ix.gen != "") {
			continue
		}
		if err := os.RemoveAll(filepath.Join(ix.dir, e.Name())); err != nil {
			ix.log.Warn("removing an old search index", "path", e.Name(), "err", err)
		}
	}
}

// enter registers work that Close must wait for; false once closed.
func (ix *Index) enter() bool {
	ix.buildMu.Lock()
	defer ix.buildMu.Unlock()
	if ix.life.Err() != nil {
		return false
	}
	ix.tasks.Add(1)
	return true
}

// Close stops Run and any rebuild, and closes the index.
func (ix *Index) Close() error {
	ix.buildMu.Lock()
	ix.stop()
	ix.buildMu.Unlock()
	ix.tasks.Wait()
	ix.writeMu.Lock()
	defer ix.writeMu.Unlock()
	ix.mu.Lock()
	idx := ix.idx
	ix.idx = nil
	ix.mu.Unlock()
	if idx == nil {
		return nil
	}
	return idx.Close()
}

// DiskSize is how many bytes the index folder holds.
func (ix *Index) DiskSize() (int64, error) {
	var n int64
	err := filepath.WalkDir(ix.dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			var info fs.FileInfo
			if info, err = d.Info(); err == nil {
				n += info.Size()
			}
		}
		// A merge may remove a file between listing and reading it.
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return err
	})
	return n, err
}

// Segments counts the segments the index has written to disk or merged
// since it opened. Applying changes returns before that work is done: while
// the count moves, the index is still busy with changes it has applied.
func (ix *Index) Segments() uint64 {
	ix.mu.RLock()
	idx := ix.idx
	ix.mu.RUnlock()
	if idx == nil {
		return 0
	}
	stats, _ := idx.StatsMap()["index"].(map[string]any)
	var n uint64
	for _, k := range []string{"TotPersistedSegments", "TotFileMergeZapBeg", "TotMemMergeBeg"} {
		v, _ := stats[k].(uint64)
		n += v
	}
	return n
}

// Quiet waits until quiet passes without the index writing or merging a
// segment (Segments stands still), or ctx ends.
func (ix *Index) Quiet(ctx context.Context, quiet time.Duration) error {
	for n := ix.Segments(); ; {
		t := time.NewTimer(quiet)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		m := ix.Segments()
		if m == n {
			return nil
		}
		n = m
	}
}

// Status is what the index can say about itself.
type Status struct {
	// Ready is true once an index is open; until the first build completes
	// searches find nothing.
	Ready bool `json:"ready"`
	// Seq is the last change of the feed the index accounts for; Lag how
	// many changes it has yet to apply.
	Seq uint64 `json:"seq"`
	Lag uint64 `json:"lag"`
	// Documents is how many records the index holds.
	Documents uint64 `json:"documents"`
	// Rebuild is the progress of a rebuild under way, if any.
	Rebuild *Progress `json:"rebuild,omitempty"`
}

// Status reports readiness, lag and any rebuild under way.
func (ix *Index) Status() (Status, error) {
	var s Status
	last, err := ix.st.LastSeq()
	if err != nil {
		return s, err
	}
	ix.mu.RLock()
	if ix.idx != nil {
		s.Ready, s.Seq = true, ix.seq.Load()
		s.Documents, err = ix.idx.DocCount()
	}
	ix.mu.RUnlock()
	if err != nil {
		return s, err
	}
	if last > s.Seq {
		s.Lag = last - s.Seq
	}
	ix.buildMu.Lock()
	if b := ix.build; b != nil {
		p := b.progress()
		s.Rebuild = &p
	}
	ix.buildMu.Unlock()
	return s, nil
}
