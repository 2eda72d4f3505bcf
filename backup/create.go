package backup

import (
	"archive/tar"
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"filippo.io/age"
	"github.com/klauspost/compress/zstd"

	"pitlane/media"
	"pitlane/store"
)

// Options tune Create.
type Options struct {
	Key     Key
	Version string // the app version, for the manifest
	// Now replaces the clock in tests.
	Now func() time.Time
	// Progress, when set, hears how far the backup is, from the goroutine
	// that writes it.
	Progress func(Progress)
	// CPUShare paces the backup to this share of one CPU on average (see
	// DefaultCPUShare); 0 or 1: as fast as it goes.
	CPUShare float64
}

// Progress is how far a backup, verification or restore has come.
type Progress struct {
	Phase string `json:"phase"` // "database", "media", "verify"
	Done  int64  `json:"done"`  // bytes so far
	Total int64  `json:"total"` // bytes in all
}

// The phases Progress reports.
const (
	PhaseDatabase = "database"
	PhaseMedia    = "media"
	PhaseVerify   = "verify"
)

// Result describes a backup written to disk.
type Result struct {
	Path      string
	Size      int64
	Encrypted bool
	Manifest  Manifest
	opener    Key // opens the file to verify it; see Key.seal
	share     float64
}

// Verify reads the backup just written back from disk and checks it (see
// the function Verify), with a key that opens it even when it was sealed
// to a recipient whose identity is not on this machine.
func (r Result) Verify(ctx context.Context, progress func(Progress)) (Manifest, error) {
	return verify(ctx, r.Path, r.opener, progress, r.share)
}

// snapshotter is where a backup reads the database: the store, or a test's
// stand-in.
type snapshotter interface {
	StreamSnapshot(fn func(info store.SnapshotInfo, write func(io.Writer) (int64, error)) error) error
}

// Create writes a backup of the database and the media it references into
// folder while the appliance keeps serving: the database is copied inside
// one read transaction, so it is consistent as of its first byte while
// writers go on. The file appears under its real name only once complete
// and synced to disk. Create does not verify; Result.Verify does.
func Create(ctx context.Context, st *store.Store, med *media.Store, folder string, o Options) (Result, error) {
	return create(ctx, st, med.Path, folder, o)
}

func create(ctx context.Context, src snapshotter, mediaPath func(hash string) string, folder string, o Options) (res Result, err error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if err := CheckFolder(folder); err != nil {
		return res, err
	}
	recipients, opener, err := o.Key.seal()
	if err != nil {
		return res, err
	}
	res.opener, res.share = opener, o.CPUShare
	created := o.Now().UTC()
	res.Encrypted = len(recipients) > 0
	name, tmp, f, err := createPartial(folder, created, res.Encrypted)
	if err != nil {
		return res, refuse(keyWrite, err, "folder", folder)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()

	buf := bufio.NewWriterSize(f, 1<<20)
	var sink io.Writer = buf
	var sealer io.WriteCloser
	if res.Encrypted {
		if sealer, err = age.Encrypt(buf, recipients...); err != nil {
			return res, err
		}
		sink = sealer
	}
	// One encoding goroutine and the fastest level: the appliance keeps
	// its other cores for the people using it while the backup runs.
	zw, err := zstd.NewWriter(sink, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1))
	if err != nil {
		return res, err
	}
	w := &archiveWriter{ctx: ctx, tw: tar.NewWriter(zw), modTime: created, progress: o.Progress,
		pace: &pacer{share: o.CPUShare}, buf: make([]byte, copyBuffer)}
	m := Manifest{Format: FormatVersion, App: "pitlane", AppVersion: o.Version, Created: created}

	var refs []string
	err = src.StreamSnapshot(func(info store.SnapshotInfo, write func(io.Writer) (int64, error)) error {
		m.Schema, m.Counts, refs = info.Schema, info.Counts, info.Media
		w.total = info.Size + mediaBytes(mediaPath, refs)
		w.phase = PhaseDatabase
		return w.entry(dbEntry, info.Size, func(dst io.Writer) error {
			_, err := write(dst)
			return err
		})
	})
	if err != nil {
		return res, writeError(ctx, err, folder)
	}
	w.phase = PhaseMedia
	for _, hash := range refs {
		if err := w.mediaFile(hash, mediaPath(hash)); errors.Is(err, fs.ErrNotExist) {
			m.MissingMedia = append(m.MissingMedia, hash)
		} else if err != nil {
			return res, writeError(ctx, err, folder)
		}
	}
	m.Entries = w.entries
	if err := w.manifest(m); err != nil {
		return res, writeError(ctx, err, folder)
	}
	for _, c := range []io.Closer{w.tw, zw} {
		if err := c.Close(); err != nil {
			return res, writeError(ctx, err, folder)
		}
	}
	if sealer != nil {
		if err := sealer.Close(); err != nil {
			return res, writeError(ctx, err, folder)
		}
	}
	if err := buf.Flush(); err != nil {
		return res, writeError(ctx, err, folder)
	}
	if err := f.Sync(); err != nil {
		return res, writeError(ctx, err, folder)
	}
	fi, err := f.Stat()
	if err != nil {
		return res, writeError(ctx, err, folder)
	}
	if err := f.Close(); err != nil {
		return res, writeError(ctx, err, folder)
	}
	res.Path = filepath.Join(folder, name)
	if err := os.Rename(tmp, res.Path); err != nil {
		return res, writeError(ctx, err, folder)
	}
	if err := syncDir(folder); err != nil {
		return res, writeError(ctx, err, folder)
	}
	res.Size, res.Manifest = fi.Size(), m
	return res, nil
}

// writeError explains a failed write, unless it is already explained or
// the backup was cancelled (bbolt's copy does not wrap the writer's error,
// so the context is asked).
func writeError(ctx context.Context, err error, folder string) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	return refuse(keyWrite, err, "folder", folder)
}

// createPartial opens a new partial file for a backup taken at t, under a
// name no other backup in folder has.
func createPartial(folder string, t time.Time, encrypted bool) (name, tmp string, f *os.File, err error) {
	for n := 1; n < 100; n++ {
		name = fileName(t, encrypted, n)
		if _, err := os.Lstat(filepath.Join(folder, name)); err == nil {
			continue
		}
		tmp = filepath.Join(folder, partialName(name))
		f, err = os.OpenFile(tmp, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return name, tmp, f, err
	}
	return "", "", nil, errors.New("too many backups within one second")
}

func mediaBytes(mediaPath func(string) string, refs []string) int64 {
	var n int64
	for _, h := range refs {
		if fi, err := os.Stat(mediaPath(h)); err == nil {
			n += fi.Size()
		}
	}
	return n
}

// archiveWriter writes tar entries, hashing each and reporting progress.
type archiveWriter struct {
	ctx      context.Context
	tw       *tar.Writer
	modTime  time.Time
	entries  []Entry
	phase    string
	done     int64
	total    int64
	progress func(Progress)
	reported time.Time
	pace     *pacer
	buf      []byte
}

// copyBuffer is the size of each read of the database and of media files:
// large reads keep system calls a small share of a backup's work.
const copyBuffer = 1 << 20

// entry writes one file of size bytes that fill writes.
func (w *archiveWriter) entry(name string, size int64, fill func(io.Writer) error) error {
	hdr := &tar.Header{Typeflag: tar.TypeReg, Name: name, Size: size, Mode: 0o600, ModTime: w.modTime}
	if err := w.tw.WriteHeader(hdr); err != nil {
		return err
	}
	h := sha256.New()
	cw := &entryWriter{w: w, dst: w.tw, h: h}
	if err := fill(cw); err != nil {
		return err
	}
	if cw.n != size {
		return fmt.Errorf("%s: wrote %d bytes, expected %d", name, cw.n, size)
	}
	w.entries = append(w.entries, Entry{Name: name, Size: size, SHA256: hex.EncodeToString(h.Sum(nil))})
	return nil
}

func (w *archiveWriter) mediaFile(hash, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	return w.entry(mediaEntryName(hash), fi.Size(), func(dst io.Writer) error {
		_, err := io.CopyN(dst, f, fi.Size())
		return err
	})
}

func (w *archiveWriter) manifest(m Manifest) error {
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	hdr := &tar.Header{Typeflag: tar.TypeReg, Name: manifestEntry, Size: int64(len(data)), Mode: 0o600, ModTime: w.modTime}
	if err := w.tw.WriteHeader(hdr); err != nil {
		return err
	}
	_, err = w.tw.Write(data)
	return err
}

// progressEvery spaces progress reports: a page polls once a second.
const progressEvery = 200 * time.Millisecond

func (w *archiveWriter) advance(n int) {
	w.done += int64(n)
	if w.progress == nil {
		return
	}
	if now := time.Now(); now.Sub(w.reported) >= progressEvery {
		w.reported = now
		w.progress(Progress{Phase: w.phase, Done: w.done, Total: w.total})
	}
}

// entryWriter passes an entry's bytes to the archive, hashing and counting
// them, and stops the copy when the backup is cancelled (which ends the
// read transaction at once).
type entryWriter struct {
	w   *archiveWriter
	dst io.Writer
	h   hash.Hash
	n   int64
}

func (e *entryWriter) Write(p []byte) (int, error) {
	if err := e.w.pace.step(e.w.ctx); err != nil {
		return 0, err
	}
	if err := e.w.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := e.dst.Write(p)
	e.h.Write(p[:n])
	e.n += int64(n)
	e.w.advance(n)
	return n, err
}

// ReadFrom copies r in large reads (io.Copy would use 32 KiB ones).
func (e *entryWriter) ReadFrom(r io.Reader) (int64, error) {
	var n int64
	for {
		m, err := r.Read(e.w.buf)
		if m > 0 {
			if _, werr := e.Write(e.w.buf[:m]); werr != nil {
				return n, werr
			}
			n += int64(m)
		}
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

// CheckFolder says whether backups can be written to folder: it must be an
// existing folder where this process may create files.
func CheckFolder(folder string) error {
	if folder == "" || !filepath.IsAbs(folder) {
		return store.Invalid("folder", "backup.error.folder_relative")
	}
	fi, err := os.Stat(folder)
	if err != nil || !fi.IsDir() {
		return store.Invalid("folder", "backup.error.folder_missing")
	}
	f, err := os.CreateTemp(folder, ".pitlane-write-test-*")
	if err != nil {
		return store.Invalid("folder", "backup.error.folder_not_writable")
	}
	f.Close()
	os.Remove(f.Name())
	return nil
}

// syncDir makes a rename in dir durable. Windows cannot open a folder for
// syncing; NTFS journals the rename itself.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
