package backup

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"time"

	"filippo.io/age"
	"github.com/klauspost/compress/zstd"

	"pitlane/store"
)

var (
	ageMagic  = []byte("age-encryption.org/v1\n")
	zstdMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}
)

// maxManifest bounds the manifest a reader accepts.
const maxManifest = 64 << 20

// Verify reads the backup at path through, as a restore would, without
// touching any data folder: it decrypts it, checks every entry against the
// manifest's size and SHA-256, opens the database copy read-only in a
// temporary folder, runs bbolt's consistency check and compares its record
// counts and media references with the manifest. Any failure is an *Error
// that says what is wrong.
func Verify(ctx context.Context, path string, key Key, progress func(Progress)) (Manifest, error) {
	return verify(ctx, path, key, progress, 0)
}

func verify(ctx context.Context, path string, key Key, progress func(Progress), share float64) (Manifest, error) {
	tmp, err := os.MkdirTemp("", "pitlane-verify-*")
	if err != nil {
		return Manifest{}, err
	}
	defer os.RemoveAll(tmp)
	m, err := unpack(ctx, path, key, tmp, false, progress, &pacer{share: share})
	if err == nil {
		err = checkDatabase(tmp, m)
	}
	if err != nil && ctx.Err() != nil {
		// A cancelled read shows up as whatever the decoder made of it.
		return m, ctx.Err()
	}
	return m, err
}

// unpack reads the archive at path, writing its database to dir and, with
// keepMedia, its media files under dir/media. It checks every entry against
// the manifest; the database itself is for checkDatabase.
func unpack(ctx context.Context, path string, key Key, dir string, keepMedia bool, progress func(Progress), pace *pacer) (Manifest, error) {
	var m Manifest
	f, err := os.Open(path)
	if err != nil {
		return m, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return m, err
	}
	counted := &readCounter{ctx: ctx, r: f, total: fi.Size(), progress: progress, pace: pace}
	plain, err := open(bufio.NewReaderSize(counted, 1<<20), key)
	if err != nil {
		return m, err
	}
	zr, err := zstd.NewReader(plain, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxWindow(64<<20))
	if err != nil {
		return m, err
	}
	defer zr.Close()

	got := map[string]Entry{}
	haveManifest := false
	tr := tar.NewReader(zr)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return m, readError(err)
		}
		switch {
		case haveManifest:
			return m, refuse(keyDamaged, fmt.Errorf("entry %q after the manifest", hdr.Name))
		case hdr.Typeflag != tar.TypeReg:
			return m, refuse(keyDamaged, fmt.Errorf("entry %q is not a regular file", hdr.Name))
		case hdr.Name == manifestEntry:
			if m, err = readManifest(tr, hdr.Size); err != nil {
				return m, err
			}
			haveManifest = true
			continue
		case !validEntryName(hdr.Name):
			return m, refuse(keyDamaged, fmt.Errorf("unexpected entry %q", hdr.Name))
		}
		if _, dup := got[hdr.Name]; dup {
			return m, refuse(keyDamaged, fmt.Errorf("entry %q twice", hdr.Name))
		}
		e, err := extract(tr, hdr.Name, dir, keepMedia || hdr.Name == dbEntry, keepMedia)
		if err != nil {
			return m, err
		}
		got[hdr.Name] = e
	}
	// Read to the very end: age authenticates its last chunk and zstd
	// checks its frame's checksum only there.
	if _, err := io.Copy(io.Discard, zr); err != nil {
		return m, readError(err)
	}
	if !haveManifest {
		return m, refuse(keyTruncated, errors.New("no manifest"))
	}
	if err := checkEntries(m, got); err != nil {
		return m, err
	}
	if m.Schema > store.SchemaVersion() {
		return m, refuse(keySchemaNewer, store.ErrSchemaTooNew, "schema", m.Schema, "known", store.SchemaVersion())
	}
	return m, nil
}

// open recognises the archive and returns its plain (compressed) stream.
func open(r *bufio.Reader, key Key) (io.Reader, error) {
	head, _ := r.Peek(len(ageMagic))
	switch {
	case bytes.HasPrefix(head, ageMagic):
	case bytes.HasPrefix(head, zstdMagic):
		return r, nil
	case len(head) < len(ageMagic) && (bytes.HasPrefix(ageMagic, head) || bytes.HasPrefix(zstdMagic, head)):
		return nil, refuse(keyTruncated, errors.New("the file ends in its header"))
	default:
		return nil, refuse(keyNotBackup, nil)
	}
	ids, err := key.identities()
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, refuse(keyEncrypted, nil)
	}
	plain, err := age.Decrypt(r, ids...)
	var nomatch *age.NoIdentityMatchError
	switch {
	case errors.As(err, &nomatch):
		return nil, refuse(keyWrongKey, nil)
	case err != nil:
		return nil, readError(err)
	}
	pr := bufio.NewReader(plain)
	if head, err := pr.Peek(len(zstdMagic)); err != nil || !bytes.Equal(head, zstdMagic) {
		if err != nil {
			return nil, readError(err)
		}
		return nil, refuse(keyNotBackup, nil)
	}
	return pr, nil
}

// readError tells a file cut short from one whose bytes changed.
func readError(err error) error {
	var e *Error
	switch {
	case errors.As(err, &e), errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return refuse(keyTruncated, err)
	}
	return refuse(keyDamaged, err)
}

func readManifest(r io.Reader, size int64) (Manifest, error) {
	var m Manifest
	if size > maxManifest {
		return m, refuse(keyDamaged, errors.New("manifest too large"))
	}
	data, err := io.ReadAll(io.LimitReader(r, size))
	if err != nil {
		return m, readError(err)
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return m, refuse(keyDamaged, fmt.Errorf("manifest: %w", err))
	}
	switch {
	case m.App != "pitlane":
		return m, refuse(keyNotBackup, nil)
	case m.Format > FormatVersion:
		return m, refuse(keyFormatNewer, nil, "format", m.Format)
	}
	return m, nil
}

// extract copies one entry to its place under dir (or nowhere when !keep),
// hashing it on the way, and with durable syncs it to disk: a restore
// needs that, a verification's throw-away copy does not (and flushing a
// whole database copy would only compete with the appliance's own writes).
func extract(r io.Reader, name, dir string, keep, durable bool) (Entry, error) {
	dst := io.Discard
	var f *os.File
	if keep {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return Entry{}, err
		}
		var err error
		if f, err = os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600); err != nil {
			return Entry{}, err
		}
		defer f.Close()
		dst = f
	}
	h := sha256.New()
	n, err := io.CopyBuffer(io.MultiWriter(dst, h), r, make([]byte, copyBuffer))
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			return Entry{}, err // the disk we extract to, not the archive
		}
		return Entry{}, readError(err)
	}
	if f != nil {
		if durable {
			if err := f.Sync(); err != nil {
				return Entry{}, err
			}
		}
		if err := f.Close(); err != nil {
			return Entry{}, err
		}
	}
	return Entry{Name: name, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// checkEntries compares what the archive held with what its manifest says.
func checkEntries(m Manifest, got map[string]Entry) error {
	listed := map[string]bool{}
	for _, want := range m.Entries {
		listed[want.Name] = true
		have, ok := got[want.Name]
		if !ok {
			return refuse(keyChecksum, errors.New("missing"), "entry", want.Name)
		}
		if have != want {
			return refuse(keyChecksum, fmt.Errorf("%d bytes with SHA-256 %s, manifest says %d bytes with %s",
				have.Size, have.SHA256, want.Size, want.SHA256), "entry", want.Name)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(got)) {
		if !listed[name] {
			return refuse(keyDamaged, fmt.Errorf("entry %q is not in the manifest", name))
		}
	}
	if !listed[dbEntry] {
		return refuse(keyDamaged, errors.New("no database"))
	}
	return nil
}

// checkDatabase opens the database copy in dir read-only and checks it
// against the manifest.
func checkDatabase(dir string, m Manifest) error {
	st, err := store.Open(dir, store.Options{ReadOnly: true, LockTimeout: time.Second,
		Logger: slog.New(slog.DiscardHandler)})
	switch {
	case errors.Is(err, store.ErrSchemaTooNew):
		return refuse(keySchemaNewer, err, "schema", m.Schema, "known", store.SchemaVersion())
	case err != nil:
		return refuse(keyIntegrity, err)
	}
	defer st.Close()
	if err := st.Check(); err != nil {
		return refuse(keyIntegrity, err)
	}
	counts, err := st.BucketCounts()
	if err != nil {
		return refuse(keyIntegrity, err)
	}
	for _, name := range slices.Sorted(maps.Keys(mergeKeys(counts, m.Counts))) {
		if counts[name] != m.Counts[name] {
			return refuse(keyCounts, fmt.Errorf("%s: %d records, manifest says %d", name, counts[name], m.Counts[name]),
				"bucket", name)
		}
	}
	refs, err := st.MediaRefs()
	if err != nil {
		return refuse(keyIntegrity, err)
	}
	carried := map[string]bool{}
	for _, e := range m.Entries {
		carried[e.Name] = true
	}
	for _, h := range refs {
		if !carried[mediaEntryName(h)] && !slices.Contains(m.MissingMedia, h) {
			return refuse(keyMediaLost, nil, "hash", h)
		}
	}
	return nil
}

func mergeKeys(a, b map[string]int64) map[string]int64 {
	out := maps.Clone(a)
	for k := range b {
		if _, ok := out[k]; !ok {
			out[k] = 0
		}
	}
	return out
}

// readCounter reports how much of the file has been read, and stops the
// read when the work is cancelled.
type readCounter struct {
	ctx      context.Context
	r        io.Reader
	done     int64
	total    int64
	progress func(Progress)
	reported time.Time
	pace     *pacer
}

func (c *readCounter) Read(p []byte) (int, error) {
	if err := c.pace.step(c.ctx); err != nil {
		return 0, err
	}
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := c.r.Read(p)
	c.done += int64(n)
	if c.progress != nil {
		if now := time.Now(); now.Sub(c.reported) >= progressEvery || err == io.EOF {
			c.reported = now
			c.progress(Progress{Phase: PhaseVerify, Done: c.done, Total: c.total})
		}
	}
	return n, err
}
