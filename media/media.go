// Package media keeps uploaded files (photos, videos, scans, logos) in the
// data folder, named by the SHA-256 of their content.
package media

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

// Store is the media folder.
type Store struct {
	dir string
	// mu orders storing a file against removing an unreferenced one, so
	// content uploaded again is never removed under the record that is
	// about to point at it (see RemoveUnreferenced).
	mu sync.Mutex
}

// Open uses dataDir/media, creating it if needed.
func Open(dataDir string) (*Store, error) {
	dir := filepath.Join(dataDir, "media")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create media folder: %w", err)
	}
	removeStaleUploads(dir)
	return &Store{dir: dir}, nil
}

// removeStaleUploads deletes temporary upload files older than a day: an
// upload still running would have touched its file since.
func removeStaleUploads(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), tempPrefix) {
			continue
		}
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > 24*time.Hour {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// ErrTooLarge means the upload is over the size limit. The error Put and
// Stage return is a *TooLargeError, which says which limit.
var ErrTooLarge = errors.New("file too large")

// ErrType means the content is not of an accepted type.
var ErrType = errors.New("file type not accepted")

// TooLargeError is an upload over the limit for its type.
type TooLargeError struct {
	Type string // the sniffed type
	Max  int64  // the limit in bytes
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s file larger than %d bytes", e.Type, e.Max)
}

// Is makes errors.Is(err, ErrTooLarge) true.
func (e *TooLargeError) Is(target error) bool { return target == ErrTooLarge }

// File describes a stored file.
type File struct {
	Hash string
	Size int64
	Type string // sniffed from the content, never from the name
}

// Put stores r (at most max bytes) if its sniffed type is one of types, and
// returns its description. Writing goes through a synced temporary file and
// a rename, so a crash never leaves a half file under a real name.
func (s *Store) Put(r io.Reader, max int64, types ...string) (File, error) {
	st, err := s.Stage(r, func(ctype string) (int64, bool) { return max, accepted(ctype, types) })
	if err != nil {
		return File{}, err
	}
	return st.Commit()
}

// Limit says whether a sniffed type is accepted, and up to how many bytes.
type Limit func(ctype string) (max int64, ok bool)

// Staged is an upload written to a temporary file in the media folder,
// checked and hashed, but not yet stored under its name: a request with
// several files stores them only once all of them passed. Commit or
// Discard it.
type Staged struct {
	File
	s   *Store
	tmp string
}

// Stage reads r into a temporary file, refusing a type limit does not
// accept (from the first 512 bytes, before writing any) and stopping at
// the first byte over the type's limit. Nothing is left behind on error.
func (s *Store) Stage(r io.Reader, limit Limit) (*Staged, error) {
	head := make([]byte, 512)
	n, err := io.ReadFull(r, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("read upload: %w", err)
	}
	head = head[:n]
	ctype := Sniff(head)
	max, ok := limit(ctype)
	if !ok || n == 0 {
		return nil, ErrType
	}
	tmp, err := os.CreateTemp(s.dir, tempPrefix+"*")
	if err != nil {
		return nil, fmt.Errorf("create temporary file: %w", err)
	}
	keep := false
	defer func() {
		if !keep {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	size, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(io.MultiReader(bytes.NewReader(head), r), max+1))
	if err != nil {
		return nil, fmt.Errorf("write upload: %w", err)
	}
	if size > max {
		return nil, &TooLargeError{Type: ctype, Max: max}
	}
	if err := tmp.Sync(); err != nil {
		return nil, fmt.Errorf("sync upload: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return nil, err
	}
	keep = true
	return &Staged{File: File{Hash: hex.EncodeToString(h.Sum(nil)), Size: size, Type: ctype}, s: s, tmp: tmp.Name()}, nil
}

// Path is where the staged content is until Commit.
func (st *Staged) Path() string { return st.tmp }

// Commit stores the file under its hash (content already stored under it
// is kept as is) and returns its description.
func (st *Staged) Commit() (File, error) {
	dst := st.s.Path(st.Hash)
	st.s.mu.Lock()
	defer st.s.mu.Unlock()
	if _, err := os.Stat(dst); err == nil {
		// The same content is already there (and may be being served,
		// which on Windows forbids replacing it). Its time is brought up
		// to now: it is in use again, and if no record pointed at it, the
		// next RemoveUnreferenced leaves it to the record about to. On
		// Windows that fails while the file is open, being served; but
		// only files records point at are served, and those are kept
		// whatever their time, so the upload goes on.
		st.Discard()
		now := time.Now()
		_ = os.Chtimes(dst, now, now)
		return st.File, nil
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		st.Discard()
		return File{}, err
	}
	if err := os.Rename(st.tmp, dst); err != nil {
		st.Discard()
		return File{}, fmt.Errorf("store upload: %w", err)
	}
	return st.File, nil
}

// Discard removes the staged content.
func (st *Staged) Discard() { os.Remove(st.tmp) }

// tempPrefix names the files being uploaded; a crash can leave some, which
// Open removes once they are a day old.
const tempPrefix = ".upload-"

var hashPattern = regexp.MustCompile(`^[0-9a-f]{64}$`)

// Path is where the file with hash lives; an invalid hash gives a path that
// does not exist, never one outside the folder.
func (s *Store) Path(hash string) string {
	if !hashPattern.MatchString(hash) {
		return filepath.Join(s.dir, "invalid")
	}
	return filepath.Join(s.dir, hash[:2], hash)
}

func accepted(ctype string, types []string) bool {
	for _, t := range types {
		if t == ctype {
			return true
		}
	}
	return false
}

// RemoveUnreferenced deletes the stored files that are not in refs (sorted
// hashes: every file a record points at) and were stored or stored again
// more than olderThan ago. Such files come from forms the store then
// refused (a message to a customer merged away meanwhile, a check-in with
// a wrong odometer), which upload their files before the record is
// written. A file is stored before the record that points at it is
// committed, and storing it again refreshes its time, so with olderThan
// well above a request's duration no file a record points at, or is about
// to, is removed, whenever refs were read. It returns how many files it
// removed and their size.
func (s *Store) RemoveUnreferenced(refs []string, olderThan time.Duration) (removed int, size int64, err error) {
	dirs, err := os.ReadDir(s.dir)
	if err != nil {
		return 0, 0, err
	}
	var errs []error
	for _, d := range dirs {
		if !d.IsDir() || len(d.Name()) != 2 {
			continue
		}
		files, err := os.ReadDir(filepath.Join(s.dir, d.Name()))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, f := range files {
			hash := f.Name()
			if !hashPattern.MatchString(hash) || !strings.HasPrefix(hash, d.Name()) {
				continue
			}
			if _, found := slices.BinarySearch(refs, hash); found {
				continue
			}
			n, err := s.removeIfOlder(hash, time.Now().Add(-olderThan))
			if err != nil {
				errs = append(errs, err)
			} else if n >= 0 {
				removed++
				size += n
			}
		}
	}
	return removed, size, errors.Join(errs...)
}

// removeIfOlder removes the file with hash if it was last stored before
// cutoff, returning its size; -1 when it was kept.
func (s *Store) removeIfOlder(hash string, cutoff time.Time) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	path := s.Path(hash)
	info, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) || (err == nil && !info.ModTime().Before(cutoff)) {
		return -1, nil
	}
	if err != nil {
		return -1, err
	}
	if err := os.Remove(path); err != nil {
		return -1, err
	}
	return info.Size(), nil
}
