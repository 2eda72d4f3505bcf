package web

import (
	"crypto/sha256"
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
	fsys   fs.FS
	prefix string // URL path the files are served under, ending in "/"
	hashes map[string]string
}

// NewAssets hashes every file under dir of fsys, to be served at prefix.
func NewAssets(fsys fs.FS, dir, prefix string) (*Assets, error) {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		return nil, err
	}
	a := &Assets{fsys: sub, prefix: prefix, hashes: map[string]string{}}
	err = fs.WalkDir(sub, ".", func(name string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		data, err := fs.ReadFile(sub, name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		a.hashes[name] = hex.EncodeToString(sum[:6])
		return nil
	})
	return a, err
}

// URL is the address of the named file at its current version.
func (a *Assets) URL(name string) string { return a.prefix + name + "?v=" + a.hashes[name] }

// Hash is the named file's content hash ("" when there is no such file).
func (a *Assets) Hash(name string) string { return a.hashes[name] }

// Names lists the files, sorted.
func (a *Assets) Names() []string {
	names := make([]string, 0, len(a.hashes))
	for n := range a.hashes {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Serve answers GET prefix*: a request carrying the current hash may be
// cached for a year, any other must revalidate.
func (a *Assets) Serve(c *fiber.Ctx) error {
	name := path.Clean(c.Params("*"))
	hash, ok := a.hashes[name]
	if !ok {
		return store.NotFound()
	}
	data, err := fs.ReadFile(a.fsys, name)
	if err != nil {
		return store.NotFound()
	}
	if c.Query("v") == hash {
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
