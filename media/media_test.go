package media

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"image"
	"image/color"
	"image/png"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func pngBytes(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.RGBA{R: 200, A: 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// files lists every file under dir, relative, so a test can see exactly what
// an upload left behind (including temporary files).
func files(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestPut(t *testing.T) {
	img := pngBytes(t)
	sum := sha256.Sum256(img)
	hash := hex.EncodeToString(sum[:])
	size := int64(len(img))
	text := []byte("this is not a picture, whatever its name says\n")

	tests := []struct {
		name      string
		body      []byte
		max       int64
		types     []string
		wantErr   error
		wantFiles []string
	}{
		{"png under the limit", img, 1 << 20, []string{"image/jpeg", "image/png"}, nil, []string{hash[:2] + "/" + hash}},
		{"png exactly at the limit", img, size, []string{"image/png"}, nil, []string{hash[:2] + "/" + hash}},
		{"png one byte over the limit", img, size - 1, []string{"image/png"}, ErrTooLarge, nil},
		{"text is refused whatever the file name", text, 1 << 20, []string{"image/png", "image/jpeg"}, ErrType, nil},
		{"png when only PDFs are accepted", img, 1 << 20, []string{"application/pdf"}, ErrType, nil},
		{"empty upload", nil, 1 << 20, []string{"image/png"}, ErrType, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Open(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			f, err := s.Put(bytes.NewReader(tt.body), tt.max, tt.types...)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Put error = %v, want %v", err, tt.wantErr)
			}
			if got := files(t, s.dir); !slices.Equal(got, tt.wantFiles) {
				t.Errorf("media folder holds %q, want %q", got, tt.wantFiles)
			}
			if err != nil {
				return
			}
			want := File{Hash: hash, Size: size, Type: "image/png"}
			if f != want {
				t.Errorf("Put = %+v, want %+v", f, want)
			}
			stored, err := os.ReadFile(s.Path(f.Hash))
			if err != nil || !bytes.Equal(stored, tt.body) {
				t.Errorf("stored file differs from the upload (%d bytes, %v)", len(stored), err)
			}
		})
	}
}

func TestPutSameContentTwice(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	img := pngBytes(t)
	first, err := s.Put(bytes.NewReader(img), 1<<20, "image/png")
	if err != nil {
		t.Fatal(err)
	}
	second, err := s.Put(bytes.NewReader(img), 1<<20, "image/png")
	if err != nil {
		t.Fatal(err)
	}
	if first != second {
		t.Errorf("same content stored as %+v and %+v", first, second)
	}
	if got := files(t, s.dir); len(got) != 1 {
		t.Errorf("media folder holds %q, want one file", got)
	}
}

func TestPath(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	valid := strings.Repeat("ab", 32)
	if got, want := s.Path(valid), filepath.Join(s.dir, "ab", valid); got != want {
		t.Errorf("Path(valid) = %q, want %q", got, want)
	}
	tests := []struct{ name, hash string }{
		{"empty", ""},
		{"traversal", "../../etc/passwd"},
		{"traversal padded to 64", "../../../../../../../../../../../../../../../../../../../etc/passwd"},
		{"absolute", "/etc/passwd"},
		{"short", "abcdef"},
		{"uppercase", strings.ToUpper(valid)},
		{"65 characters", valid + "a"},
		{"not hex", strings.Repeat("zz", 32)},
		{"trailing newline", valid + "\n"},
		{"backslash", `..\..\` + valid[6:]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := s.Path(tt.hash)
			rel, err := filepath.Rel(s.dir, p)
			if err != nil || rel == "." || strings.HasPrefix(rel, "..") || filepath.IsAbs(rel) {
				t.Fatalf("Path(%q) = %q, outside the media folder %q", tt.hash, p, s.dir)
			}
			if _, err := os.Stat(p); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("Path(%q) = %q names something that exists (%v)", tt.hash, p, err)
			}
		})
	}
}

func TestStageTooLargeSaysWhichLimit(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	video := append(ftyp("isom", "isom", "mp41"), make([]byte, 5000)...)
	limit := func(ctype string) (int64, bool) {
		switch ctype {
		case "video/mp4":
			return 4000, true
		case "image/png":
			return 1 << 20, true
		}
		return 0, false
	}
	_, err = s.Stage(bytes.NewReader(video), limit)
	var tl *TooLargeError
	if !errors.As(err, &tl) || !errors.Is(err, ErrTooLarge) || tl.Type != "video/mp4" || tl.Max != 4000 {
		t.Fatalf("err = %v, want a video/mp4 TooLargeError of 4000", err)
	}
	if got := files(t, s.dir); len(got) != 0 {
		t.Errorf("a refused upload left %v", got)
	}
	st, err := s.Stage(bytes.NewReader(pngBytes(t)), limit)
	if err != nil {
		t.Fatal(err)
	}
	if got := files(t, s.dir); len(got) != 1 || !strings.HasPrefix(got[0], tempPrefix) {
		t.Errorf("staged: %v", got)
	}
	st.Discard()
	if got := files(t, s.dir); len(got) != 0 {
		t.Errorf("discarded upload left %v", got)
	}
}

func TestOpenRemovesStaleUploads(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	stale, fresh := filepath.Join(s.dir, tempPrefix+"stale"), filepath.Join(s.dir, tempPrefix+"fresh")
	for _, p := range []string{stale, fresh} {
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-25 * time.Hour)
	if err := os.Chtimes(stale, old, old); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Error("a day-old temporary upload was kept")
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Error("an upload that may still be running was removed")
	}
}

// TestRemoveUnreferenced: files a record points at stay, whatever their
// age; a file no record points at goes once it is old enough, not before;
// and content stored again is young again, so the record about to point at
// it finds it.
func TestRemoveUnreferenced(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	put := func(content string, age time.Duration) string {
		t.Helper()
		f, err := s.Put(strings.NewReader(content), 1<<20, "text/plain")
		if err != nil {
			t.Fatal(err)
		}
		at := time.Now().Add(-age)
		if err := os.Chtimes(s.Path(f.Hash), at, at); err != nil {
			t.Fatal(err)
		}
		return f.Hash
	}
	kept := put("a photo a message points at\n", 30*24*time.Hour)
	orphan := put("a photo of a check-in the store refused\n", 2*24*time.Hour)
	fresh := put("a photo whose message is being written\n", time.Minute)
	again := put("a photo sent again today\n", 3*24*time.Hour)
	if _, err := s.Put(strings.NewReader("a photo sent again today\n"), 1<<20, "text/plain"); err != nil {
		t.Fatal(err)
	}
	// A stray file that is no stored content is not the sweep's business.
	stray := filepath.Join(dir, "media", "notes.txt")
	if err := os.WriteFile(stray, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}

	refs := []string{kept}
	n, size, err := s.RemoveUnreferenced(refs, 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 || size != int64(len("a photo of a check-in the store refused\n")) {
		t.Errorf("removed %d files of %d bytes; want the one orphan", n, size)
	}
	for hash, want := range map[string]bool{kept: true, orphan: false, fresh: true, again: true} {
		if _, err := os.Stat(s.Path(hash)); (err == nil) != want {
			t.Errorf("%s: present %v, want %v", hash[:8], err == nil, want)
		}
	}
	if _, err := os.Stat(stray); err != nil {
		t.Error("a file that is not stored content was removed")
	}
	// The orphan uploaded again is stored again.
	if _, err := s.Put(strings.NewReader("a photo of a check-in the store refused\n"), 1<<20, "text/plain"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(s.Path(orphan)); err != nil {
		t.Error("content removed as an orphan could not be stored again")
	}
}
