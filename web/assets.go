package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"path"
	"sort"

	"github.com/gofiber/fiber/v2"

	"pitlane/store"
)

// Assets are a package's embedded static files, linked with their content
// hash in the URL so that browsers may keep them for a year.
type Assets struct {
	prefix string // URL path the files are served under, ending in "/"
	files  map[string]asset
}

type asset struct {
	fsys fs.FS
	hash string
}

// shared holds the scripts both the staff UI and the customers' app use.
//
//go:embed static
var shared embed.FS

// NewAssets hashes every file under dir of fsys, and the shared scripts, to
// be served at prefix.
func NewAssets(fsys fs.FS, dir, prefix string) (*Assets, error) {
	a := &Assets{prefix: prefix, files: map[string]asset{}}
	if err := a.add(shared, "static"); err != nil {
		return nil, err
	}
	return a, a.add(fsys, dir)
}

func (a *Assets) add(fsys fs.FS, dir string) error {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		return err
	}
	return fs.WalkDir(sub, ".", func(name string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		data, err := fs.ReadFile(sub, name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		a.files[name] = asset{fsys: sub, hash: hex.EncodeToString(sum[:6])}
		return nil
	})
}

// URL is the address of the named file at its current version.
func (a *Assets) URL(name string) string { return a.prefix + name + "?v=" + a.files[name].hash }

// Hash is the named file's content hash ("" when there is no such file).
func (a *Assets) Hash(name string) string { return a.files[name].hash }

// Names lists the files, sorted.
func (a *Assets) Names() []string {
	names := make([]string, 0, len(a.files))
	for n := range a.files {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Serve answers GET prefix*: a request carrying the current hash may be
// cached for a year, any other must revalidate.
func (a *Assets) Serve(c *fiber.Ctx) error {
	name := path.Clean(c.Params("*"))
	f, ok := a.files[name]
	if !ok {
		return store.NotFound()
	}
	data, err := fs.ReadFile(f.fsys, name)
	if err != nil {
		return store.NotFound()
	}
	if c.Query("v") == f.hash {
		c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
	} else {
		c.Set(fiber.HeaderCacheControl, "no-cache")
	}
	c.Type(path.Ext(name))
	return c.Send(data)
}

// TemplateSources returns the text of every file in dir of fsys by name,
// for the tests that check the catalogue keys templates use.
func TemplateSources(fsys fs.FS, dir string) (map[string]string, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, e := range entries {
		b, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		out[e.Name()] = string(b)
	}
	return out, nil
}
