package backup

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"pitlane/media"
	"pitlane/store"
)

func init() {
	// age's default costs a second and 256 MB per passphrase; the format
	// is the same at any cost.
	scryptWorkFactor = 10
}

func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

var staff = store.Actor{Kind: "user", UserID: 1, Name: "Giulia Bianchi"}

// appliance is a data folder with its store and media open.
type appliance struct {
	dir   string
	st    *store.Store
	media *media.Store
	logo  []byte
}

// newAppliance opens a fresh data folder with a few customers and a logo.
func newAppliance(t *testing.T) *appliance {
	t.Helper()
	a := openAppliance(t, t.TempDir())
	for i := range 20 {
		mustCustomer(t, a.st, i)
	}
	a.logo = pngBytes(t)
	f, err := a.media.Put(bytes.NewReader(a.logo), 1<<20, "image/png")
	if err != nil {
		t.Fatal(err)
	}
	st, err := a.st.Settings()
	if err != nil {
		t.Fatal(err)
	}
	st.Logo, st.LogoType = f.Hash, f.Type
	if _, err := a.st.SaveSettings(staff, st); err != nil {
		t.Fatal(err)
	}
	return a
}

func openAppliance(t *testing.T, dir string) *appliance {
	t.Helper()
	st, err := store.Open(dir, store.Options{Logger: quiet(), LockTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	m, err := media.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return &appliance{dir: dir, st: st, media: m}
}

func mustCustomer(t testing.TB, st *store.Store, i int) store.Customer {
	t.Helper()
	c, err := st.CreateCustomer(staff, customer(i))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func customer(i int) store.Customer {
	return store.Customer{Name: fmt.Sprintf("Cliente %d", i), Email: fmt.Sprintf("c%d@example.it", i)}
}

func pngBytes(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	img.Set(3, 3, color.RGBA{R: 200, A: 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// backupOf writes a backup of a into a new folder and returns its path.
func backupOf(t *testing.T, a *appliance, key Key) string {
	t.Helper()
	res, err := Create(t.Context(), a.st, a.media, t.TempDir(), Options{Key: key, Version: "test"})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	return res.Path
}

// treeOf reads every file under dir, by path relative to it.
func treeOf(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		data, err := io.ReadAll(f)
		rel, _ := filepath.Rel(dir, path)
		out[rel] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// siblings lists the entries of dir's parent folder.
func siblings(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Dir(dir))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func wantKey(t *testing.T, err error, key string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %s", key)
	}
	if got := KeyOf(err); got != key {
		t.Fatalf("error %q has key %q, want %s", err, got, key)
	}
}
