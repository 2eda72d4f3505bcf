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
	"net/http"
	"os"
	"path/filepath"
	"regexp"
)

// Store is the media folder.
type Store struct{ dir string }

// Open uses dataDir/media, creating it if needed.
func Open(dataDir string) (*Store, error) {
	dir := filepath.Join(dataDir, "media")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create media folder: %w", err)
	}
	return &Store{dir: dir}, nil
}

// ErrTooLarge means the upload is over the size limit.
var ErrTooLarge = errors.New("file too large")

// ErrType means the content is not of an accepted type.
var ErrType = errors.New("file type not accepted")

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
	tmp, err := os.CreateTemp(s.dir, ".upload-*")
	if err != nil {
		return File{}, fmt.Errorf("create temporary file: %w", err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	h := sha256.New()
	head := make([]byte, 512)
	n, err := io.ReadFull(r, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return File{}, fmt.Errorf("read upload: %w", err)
	}
	head = head[:n]
	ctype := http.DetectContentType(head)
	if !accepted(ctype, types) {
		return File{}, ErrType
	}
	size, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(io.MultiReader(bytes.NewReader(head), r), max+1))
	if err != nil {
		return File{}, fmt.Errorf("write upload: %w", err)
	}
	if size > max {
		return File{}, ErrTooLarge
	}
	if err := tmp.Sync(); err != nil {
		return File{}, fmt.Errorf("sync upload: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return File{}, err
	}
	f := File{Hash: hex.EncodeToString(h.Sum(nil)), Size: size, Type: ctype}
	dst := s.Path(f.Hash)
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return File{}, err
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return File{}, fmt.Errorf("store upload: %w", err)
	}
	return f, nil
}

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
