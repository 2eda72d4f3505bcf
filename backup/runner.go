// Package backup takes online, verified backups of the appliance's database
// and media, keeps them on a daily schedule with retention, and restores them.
package backup

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"pitlane/media"
	"pitlane/store"
)

// Runner takes the appliance's backups one at a time — from the Backups
// page, the command line or the daily schedule — verifies each, records
// the outcome in the store and applies the retention.
type Runner struct {
	store   *store.Store
	media   *media.Store
	version string
	log     *slog.Logger
	now     func() time.Time
	share   float64
	every   time.Duration
	wake    chan struct{}
	hook    func() // tests: called at each progress report

	mu       sync.Mutex
	life     context.Context // ends when the appliance stops; see Serve
	running  bool
	idle     chan struct{} // closed when the running backup ends
	trigger  string
	started  time.Time
	progress Progress
}

// Config is what a Runner needs.
type Config struct {
	Store   *store.Store
	Media   *media.Store
	Version string
	Logger  *slog.Logger
	// Now replaces the clock in tests.
	Now func() time.Time
	// CPUShare paces backups (see DefaultCPUShare, the default); 1: as fast
	// as they go, for when nobody is using the appliance.
	CPUShare float64
}

// NewRunner prepares a runner. Serve starts its schedule.
func NewRunner(c Config) *Runner {
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.CPUShare == 0 {
		c.CPUShare = DefaultCPUShare
	}
	return &Runner{store: c.Store, media: c.Media, version: c.Version, log: c.Logger, now: c.Now, share: c.CPUShare,
		every: scheduleEvery, wake: make(chan struct{}, 1), life: context.Background()}
}

// Request is one backup to take.
type Request struct {
	// Folder is where to write it; empty: the configured folder.
	Folder string
	// Key seals it; the zero Key: the configured recipient, if any.
	Key     Key
	Trigger string // store.BackupManual, BackupScheduled or BackupCLI
	Actor   store.Actor
}

// Status is what the Backups page shows while a backup runs.
type Status struct {
	Running  bool      `json:"running"`
	Trigger  string    `json:"trigger,omitempty"`
	Started  time.Time `json:"started,omitzero"`
	Progress Progress  `json:"progress"`
}

// Status says whether a backup is running and how far it is.
func (r *Runner) Status() Status {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.running {
		return Status{}
	}
	return Status{Running: true, Trigger: r.trigger, Started: r.started, Progress: r.progress}
}

// Run takes a backup, verifies it and records the outcome, and returns the
// record. The error says why the backup failed (the record says it too),
// or that another backup is running (ErrBusy, and nothing is recorded).
func (r *Runner) Run(ctx context.Context, req Request) (store.BackupRecord, error) {
	if err := r.begin(req); err != nil {
		return store.BackupRecord{}, err
	}
	defer r.end()
	return r.run(ctx, req)
}

// Start takes a backup in the background, for the Backups page, which
// follows it through Status.
func (r *Runner) Start(req Request) error {
	// What the page can tell at once, it tells at once, rather than as a
	// failed backup in the list.
	folder := req.Folder
	if folder == "" {
		bs, err := r.store.BackupSettings()
		if err != nil {
			return err
		}
		if folder = bs.Folder; folder == "" {
			return store.Invalid("folder", keyNoFolder)
		}
	}
	if err := CheckFolder(folder); err != nil {
		return err
	}
	if err := r.begin(req); err != nil {
		return err
	}
	go func() {
		defer r.end()
		r.run(context.Background(), req)
	}()
	return nil
}

func (r *Runner) begin(req Request) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.life.Err(); err != nil {
		return err
	}
	if r.running {
		return ErrBusy
	}
	r.running, r.idle, r.trigger, r.started, r.progress = true, make(chan struct{}), req.Trigger, r.now(), Progress{}
	return nil
}

func (r *Runner) end() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.running = false
	close(r.idle)
}

// waitIdle waits for a running backup to end.
func (r *Runner) waitIdle() {
	r.mu.Lock()
	idle, running := r.idle, r.running
	r.mu.Unlock()
	if running {
		<-idle
	}
}

func (r *Runner) setProgress(p Progress) {
	r.mu.Lock()
	r.progress = p
	r.mu.Unlock()
	if r.hook != nil {
		r.hook()
	}
}

// lifetime ends ctx also when the appliance stops.
func (r *Runner) lifetime(ctx context.Context) (context.Context, context.CancelFunc) {
	r.mu.Lock()
	life := r.life
	r.mu.Unlock()
	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(life, cancel)
	return ctx, func() { stop(); cancel() }
}

func (r *Runner) run(ctx context.Context, req Request) (store.BackupRecord, error) {
	ctx, cancel := r.lifetime(ctx)
	defer cancel()
	start := r.now()
	bs, err := r.store.BackupSettings()
	if err != nil {
		return store.BackupRecord{}, err
	}
	folder := req.Folder
	if folder == "" {
		folder = bs.Folder
	}
	if folder == "" {
		return store.BackupRecord{}, store.Invalid("folder", keyNoFolder)
	}
	key := req.Key
	if key.IsZero() {
		key.Recipient = bs.Recipient
	}
	rec := store.BackupRecord{Folder: folder, Created: start.UTC(), Trigger: req.Trigger, By: req.Actor.Name,
		Encrypted: key.Passphrase != "" || key.Recipient != ""}

	res, err := Create(ctx, r.store, r.media, folder, Options{Key: key, Version: r.version, Now: r.now, Progress: r.setProgress,
		CPUShare: r.share})
	if err == nil {
		rec.File, rec.Size, rec.Created = filepath.Base(res.Path), res.Size, res.Manifest.Created
		var m Manifest
		if m, err = res.Verify(ctx, r.setProgress); err == nil {
			rec.Verified, rec.Records, rec.Media, rec.MissingMedia = true, m.Records(), m.MediaFiles(), len(m.MissingMedia)
		} else if rmErr := os.Remove(res.Path); rmErr == nil {
			// A backup that does not verify must not pass for one, nor
			// count as the day's backup in the retention.
			r.log.Warn("backup failed its verification and was deleted", "file", res.Path)
		}
	}
	if err != nil {
		rec.Error = err.Error()
		var e *Error
		switch {
		case errors.As(err, &e):
			rec.ErrorKey, rec.ErrorArgs = e.Key, argStrings(e.Args)
		case errors.Is(err, context.Canceled):
			rec.ErrorKey = "backup.error.cancelled"
		default:
			if se, ok := store.AsError(err); ok {
				rec.ErrorKey, rec.ErrorArgs = se.Key, argStrings(se.Args)
				if len(se.Fields) > 0 { // a folder that went missing, say
					rec.ErrorKey, rec.ErrorArgs = se.Fields[0].Key, argStrings(se.Fields[0].Args)
				}
			}
		}
	}
	rec.Duration = r.now().Sub(start)
	saved, serr := r.store.AddBackupRecord(req.Actor, rec)
	if serr != nil {
		r.log.Error("record a backup", "err", serr)
		saved = rec
	}
	if err != nil {
		r.log.Error("backup failed", "trigger", req.Trigger, "folder", folder, "err", err)
		return saved, err
	}
	r.log.Info("backup written and verified", "trigger", req.Trigger, "file", res.Path, "bytes", res.Size,
		"records", rec.Records, "media", rec.Media, "took", rec.Duration.Round(time.Millisecond))
	if folder == bs.Folder {
		r.prune(bs)
	}
	return saved, nil
}

// prune applies the retention to the configured folder, after a backup
// that verified: a failing disk never costs the backups already there.
func (r *Runner) prune(bs store.BackupSettings) {
	st, err := r.store.Settings()
	if err != nil {
		r.log.Error("backup retention: read the settings", "err", err)
		return
	}
	deleted, err := Prune(bs.Folder, Retention{Daily: bs.KeepDaily, Weekly: bs.KeepWeekly, Monthly: bs.KeepMonthly},
		st.Location(), r.now())
	if len(deleted) > 0 {
		r.log.Info("old backups deleted by the retention", "folder", bs.Folder, "files", deleted)
	}
	if err != nil {
		r.log.Error("backup retention", "folder", bs.Folder, "err", err)
	}
}

// Settings returns the backup settings.
func (r *Runner) Settings() (store.BackupSettings, error) { return r.store.BackupSettings() }

// SaveSettings checks the settings — the folder must exist and be
// writable, the recipient must be an age public key — and stores them.
// The schedule sees them at once.
func (r *Runner) SaveSettings(a store.Actor, bs store.BackupSettings) (store.BackupSettings, error) {
	if err := CheckSettings(bs); err != nil {
		return bs, err
	}
	prev, err := r.store.BackupSettings()
	if err != nil {
		return bs, err
	}
	bs.Since = prev.Since
	if bs.Folder != "" && (prev.Folder == "" || bs.Since.IsZero()) {
		bs.Since = r.now().UTC()
	}
	saved, err := r.store.SaveBackupSettings(a, bs)
	if err == nil {
		select {
		case r.wake <- struct{}{}:
		default:
		}
	}
	return saved, err
}

// CheckSettings reports every problem with bs at once: those the store
// finds, and whether the folder is usable and the recipient an age key.
// Problems already found (a number that is not one) go first in seen.
func CheckSettings(bs store.BackupSettings, seen ...store.FieldError) error {
	fields := seen
	for _, err := range []error{bs.Check(), checkFolderIfSet(bs.Folder), CheckRecipient(bs.Recipient)} {
		e, ok := store.AsError(err)
		if !ok && err != nil {
			return err
		}
		if ok {
			for _, f := range e.Fields {
				if !hasField(fields, f.Field) {
					fields = append(fields, f)
				}
			}
		}
	}
	if len(fields) > 0 {
		return &store.Error{Code: store.CodeInvalid, Key: "errors.invalid", Fields: fields}
	}
	return nil
}

func checkFolderIfSet(folder string) error {
	if folder == "" {
		return nil
	}
	return CheckFolder(folder)
}

func hasField(fields []store.FieldError, name string) bool {
	for _, f := range fields {
		if f.Field == name {
			return true
		}
	}
	return false
}

// File returns the path of the backup called name in the configured
// folder, for a download: only a name this feature writes, only there.
func (r *Runner) File(name string) (string, error) {
	bs, err := r.store.BackupSettings()
	if err != nil {
		return "", err
	}
	if bs.Folder == "" || !IsName(name) {
		return "", store.NotFound()
	}
	path := filepath.Join(bs.Folder, name)
	if fi, err := os.Stat(path); err != nil || !fi.Mode().IsRegular() {
		return "", store.NotFound()
	}
	return path, nil
}
