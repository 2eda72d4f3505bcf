package csvimport

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"pitlane/store"
)

// MaxFileBytes is the largest file an import takes: some 100,000 customers,
// more than any one dealership has.
const MaxFileBytes = 20 << 20

// keepFor is how long an uploaded file and its result are kept.
const keepFor = time.Hour

// State is where an uploaded file is on its way in.
type State string

const (
	StateReady     State = "ready" // being mapped
	StateChecking  State = "checking"
	StateChecked   State = "checked"
	StateImporting State = "importing"
	StateDone      State = "done"
	StateFailed    State = "failed"
)

// Running says a check or import of the file is under way.
func (s State) Running() bool { return s == StateChecking || s == StateImporting }

// Upload is one uploaded file as the pages show it.
type Upload struct {
	ID      string
	Name    string
	Size    int64
	By      string
	Created time.Time
	Format  Format
	Mapping Mapping
	State   State
	// Done and Total are the rows written so far and in all, while running.
	Done, Total int
	// Result is the last check's or the import's.
	Result *Result
}

type upload struct {
	Upload
	path     string
	finished chan struct{} // closed when the running check or import ends
	expired  bool
}

// Jobs keeps the uploaded files, each in a folder of the data folder with
// its format and mapping, for an hour or until it is imported, and runs one
// check or import at a time in the background: imports write large
// transactions one after another, and two at once would only take turns.
type Jobs struct {
	dir   string
	store *store.Store
	log   *slog.Logger
	ttl   time.Duration

	mu      sync.Mutex
	uploads map[string]*upload
	busy    string // the upload being checked or imported
}

// NewJobs keeps uploads in dir. Files left there by an earlier run are
// removed: what they were for was only ever in memory.
func NewJobs(dir string, st *store.Store, log *slog.Logger) *Jobs {
	if log == nil {
		log = slog.Default()
	}
	if entries, err := os.ReadDir(dir); err == nil {
		for _, e := range entries {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
	return &Jobs{dir: dir, store: st, log: log, ttl: keepFor, uploads: map[string]*upload{}}
}

// Add keeps an uploaded file and guesses its format and mapping. A file
// that is not a readable text table is refused with a typed error saying
// why.
func (j *Jobs) Add(name string, data []byte, by string) (Upload, error) {
	switch err := CheckText(data); {
	case len(data) == 0:
		return Upload{}, store.Invalid("file", "imports.error.empty")
	case errors.Is(err, ErrWorkbook):
		return Upload{}, store.Invalid("file", "imports.error.workbook")
	case err != nil:
		return Upload{}, store.Invalid("file", "imports.error.not_text")
	}
	f := Detect(data)
	t, err := Read(data, f)
	if err != nil {
		return Upload{}, readError(err)
	}
	if len(t.Rows) == 0 {
		return Upload{}, store.Invalid("file", "imports.error.no_rows")
	}
	id := newID()
	if err := os.MkdirAll(j.dir, 0o700); err != nil {
		return Upload{}, fmt.Errorf("create import folder: %w", err)
	}
	path := filepath.Join(j.dir, id+".csv")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return Upload{}, fmt.Errorf("keep uploaded file: %w", err)
	}
	// Old browsers send the whole Windows path.
	name = name[strings.LastIndexAny(name, `/\`)+1:]
	u := &upload{Upload: Upload{ID: id, Name: name, Size: int64(len(data)), By: by, Created: time.Now(),
		Format: f, Mapping: Suggest(t.Columns), State: StateReady}, path: path}
	j.mu.Lock()
	j.uploads[id] = u
	j.mu.Unlock()
	time.AfterFunc(j.ttl, func() { j.expire(id) })
	return u.Upload, nil
}

// readError says why Read refused a file, for the person who uploaded it.
func readError(err error) error {
	var le *LineError
	switch {
	case errors.Is(err, ErrTooManyRows):
		return store.Invalid("file", "imports.error.too_many_rows", "max", MaxRows)
	case errors.Is(err, ErrTooManyColumns):
		return store.Invalid("file", "imports.error.too_many_columns", "max", MaxColumns)
	case errors.As(err, &le):
		return store.Invalid("file", "imports.error.unreadable", "line", le.Line)
	}
	return err
}

func newID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// expire forgets an upload an hour on; one still running goes when it ends.
func (j *Jobs) expire(id string) {
	j.mu.Lock()
	defer j.mu.Unlock()
	u, ok := j.uploads[id]
	if !ok {
		return
	}
	if u.State.Running() {
		u.expired = true
		return
	}
	os.Remove(u.path)
	delete(j.uploads, id)
}

// Get returns an upload as it is now.
func (j *Jobs) Get(id string) (Upload, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	u, ok := j.uploads[id]
	if !ok {
		return Upload{}, false
	}
	return u.Upload, true
}

// List returns the uploads, newest first.
func (j *Jobs) List() []Upload {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := make([]Upload, 0, len(j.uploads))
	for _, u := range j.uploads {
		out = append(out, u.Upload)
	}
	slices.SortFunc(out, func(a, b Upload) int { return b.Created.Compare(a.Created) })
	return out
}

// Table reads an upload's file in its format.
func (j *Jobs) Table(id string) (*Table, Upload, error) {
	u, ok := j.Get(id)
	if !ok {
		return nil, u, store.NotFound()
	}
	if u.State == StateDone {
		return nil, u, store.Conflict("imports.error.finished")
	}
	data, err := os.ReadFile(j.path(id))
	if err != nil {
		return nil, u, fmt.Errorf("read uploaded file: %w", err)
	}
	t, err := Read(data, u.Format)
	if err != nil {
		return nil, u, readError(err)
	}
	return t, u, nil
}

func (j *Jobs) path(id string) string { return filepath.Join(j.dir, id+".csv") }

// Configure sets how an upload is read and mapped. A new format gives new
// columns, so their mapping is suggested afresh; either way the last check
// no longer holds.
func (j *Jobs) Configure(id string, f Format, m Mapping) (Upload, error) {
	j.mu.Lock()
	u, ok := j.uploads[id]
	if !ok {
		j.mu.Unlock()
		return Upload{}, store.NotFound()
	}
	if u.State.Running() || u.State == StateDone {
		j.mu.Unlock()
		return u.Upload, store.Conflict("imports.error.finished")
	}
	changed := u.Format != f
	j.mu.Unlock()
	if changed {
		data, err := os.ReadFile(u.path)
		if err != nil {
			return Upload{}, fmt.Errorf("read uploaded file: %w", err)
		}
		t, err := Read(data, f)
		if err != nil {
			return Upload{}, readError(err)
		}
		m = Suggest(t.Columns)
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if u.State.Running() || u.State == StateDone {
		return u.Upload, store.Conflict("imports.error.finished")
	}
	u.Format, u.Mapping, u.State, u.Result = f, m, StateReady, nil
	return u.Upload, nil
}

// Start checks (dryRun) or imports an upload in the background, with the
// mapping it has. Only one runs at a time: while one does, Start returns a
// conflict naming it.
func (j *Jobs) Start(id string, a store.Actor, dryRun bool, o Options) error {
	t, u, err := j.Table(id)
	if err != nil {
		return err
	}
	if err := u.Mapping.Check(len(t.Columns)); err != nil {
		return err
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	up, ok := j.uploads[id]
	if !ok {
		return store.NotFound()
	}
	if j.busy != "" {
		return &store.Error{Code: store.CodeConflict, Key: "imports.error.busy", Args: []any{"name", j.uploads[j.busy].Name}}
	}
	if up.State.Running() || up.State == StateDone {
		return store.Conflict("imports.error.finished")
	}
	j.busy = id
	up.State, up.Done, up.Total, up.Result = StateImporting, 0, len(t.Rows), nil
	if dryRun {
		up.State = StateChecking
	}
	up.finished = make(chan struct{})
	go j.run(up, t, up.Mapping, a, dryRun, o)
	return nil
}

func (j *Jobs) run(u *upload, t *Table, m Mapping, a store.Actor, dryRun bool, o Options) {
	res, err := j.execute(t, m, a, dryRun, o, func(done, total int) {
		j.mu.Lock()
		u.Done, u.Total = done, total
		j.mu.Unlock()
	})
	j.mu.Lock()
	defer j.mu.Unlock()
	j.busy = ""
	switch {
	case err != nil:
		j.log.Error("import failed", "file", u.Name, "dry_run", dryRun, "err", err)
		u.State = StateFailed
	case dryRun:
		u.State = StateChecked
	default:
		u.State = StateDone
	}
	u.Result = &res
	if u.State == StateDone || u.expired {
		os.Remove(u.path)
	}
	if u.expired {
		delete(j.uploads, u.ID)
	}
	close(u.finished)
}

func (j *Jobs) execute(t *Table, m Mapping, a store.Actor, dryRun bool, o Options, progress func(done, total int)) (Result, error) {
	p, err := MakePlan(t, m, o)
	if err != nil {
		return Result{}, err
	}
	return Run(j.store, a, p, dryRun, progress)
}

// Wait waits up to d for the upload's running check or import to end, so a
// small file's result can be shown at once.
func (j *Jobs) Wait(id string, d time.Duration) {
	j.mu.Lock()
	u, ok := j.uploads[id]
	var done chan struct{}
	if ok && u.State.Running() {
		done = u.finished
	}
	j.mu.Unlock()
	if done == nil {
		return
	}
	select {
	case <-done:
	case <-time.After(d):
	}
}
