package ui

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"pitlane/i18n"
	"pitlane/store"
)

// The page cache keeps the content of pages many staff load and reload (a
// job, the calendar) much as the dashboard keeps its body, but per store
// write count rather than change-feed position: the first view after any
// committed write renders afresh, whether or not the write added to the
// feed (regenerating a calendar feed's link does not, for one). An entry is
// also per page and request inputs (the key its handler names), language,
// staff member (and so role), notice and day, so nothing one person sees
// reaches another. The session's CSRF token is the only per-request value
// in it: the content is rendered with a placeholder there and cut into a
// frame, as the layout is.

type pageKey struct {
	page, key   string
	lang        i18n.Lang
	userID      uint64
	role        store.Role
	title       string
	flash       string
	day         time.Time
	writes      uint64
	settingsVer uint64
}

type pageCache struct {
	mark  string // placeholder for the CSRF token, random per process
	mark2 string // another, to check a page's frame once

	mu      sync.Mutex
	writes  uint64
	entries map[pageKey]*frame
	size    int
	checked map[string]bool // page → its frames fill as rendering does
}

// Bounds of the cache; past either, it starts afresh.
const (
	maxCachedPages     = 256
	maxCachedPageBytes = 16 << 20
)

// plainToken reports whether a CSRF token is made of what auth.NewToken
// makes it of (base64url): nothing any template context escapes, so the
// placeholder's spot takes it as it is.
func plainToken(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_':
		default:
			return false
		}
	}
	return s != ""
}

func newPageCache() (*pageCache, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, err
	}
	return &pageCache{mark: "plcsrf" + hex.EncodeToString(b[:8]), mark2: "plcsrf" + hex.EncodeToString(b[8:])}, nil
}

// pageCacheLocal holds, for render, the key a handler's page is stored under.
const pageCacheLocal = "pitlane.pagecache"

// cachedPage serves page from the cache for key (everything of the request
// the handler reads: path parameters, query) if it holds it, reporting
// true. Otherwise it remembers the key, with the write count read now,
// before the handler reads anything, so that render stores the page.
// Only pages of signed-in staff are kept.
func (u *UI) cachedPage(c *fiber.Ctx, title, page, key string) (bool, error) {
	v, err := u.view(c, title)
	if err != nil || v.Me == nil || !plainToken(v.CSRF) {
		return false, err
	}
	if f, err := u.frames.get(v); f == nil || err != nil {
		return false, err
	}
	now := time.Now().In(v.Loc.Location)
	k := pageKey{page: page, key: key, lang: v.Lang, userID: v.Me.UserID, role: v.Me.Role, title: v.Title,
		flash: v.Flash, day: time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location()),
		writes: v.writes, settingsVer: v.settingsVersion}
	if f := u.pageCache.get(k); f != nil {
		err := u.renderFramed(c, fiber.StatusOK, page, v, f)
		if !errors.Is(err, errNoFrame) {
			return true, err
		}
		// The settings changed under the layout's frames: render afresh.
	}
	c.Locals(pageCacheLocal, &k)
	return false, nil
}

// errNoFrame: a cached page's content has no layout frame to go in.
var errNoFrame = errors.New("a cached page without the layout's frame")

func (pc *pageCache) get(k pageKey) *frame {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if pc.writes != k.writes {
		return nil
	}
	return pc.entries[k]
}

func (pc *pageCache) put(k pageKey, f *frame) {
	n := 0
	for _, p := range f.parts {
		n += len(p)
	}
	pc.mu.Lock()
	defer pc.mu.Unlock()
	switch {
	case k.writes < pc.writes:
		return // read before a newer entry's: already out of date
	case k.writes > pc.writes || pc.entries == nil || len(pc.entries) >= maxCachedPages || pc.size+n > maxCachedPageBytes:
		pc.writes, pc.entries, pc.size = k.writes, map[pageKey]*frame{}, 0
	}
	pc.entries[k] = f
	pc.size += n
}

// cacheable returns the key render should store v's page under, or nil.
func (u *UI) cacheable(c *fiber.Ctx, status int, page string, v *View) *pageKey {
	k, _ := c.Locals(pageCacheLocal).(*pageKey)
	if f, err := u.frames.get(v); f == nil || err != nil {
		return nil
	}
	if k == nil || status != fiber.StatusOK || k.page != page || v.Me == nil || v.Me.UserID != k.userID ||
		v.Lang != k.lang || v.Title != k.title || v.Flash != k.flash || v.Error != "" || len(v.Errors) > 0 || len(v.Form) > 0 {
		return nil
	}
	return k
}

// contentFrame renders page's content for v with the placeholder for the
// CSRF token and cuts it there. The first time for each page it checks
// that a frame fills as rendering does, rendering again with another
// placeholder; a page that does not is never cached.
func (u *UI) contentFrame(page string, v *View) (*frame, error) {
	pc := u.pageCache
	pc.mu.Lock()
	checked, known := pc.checked[page]
	pc.mu.Unlock()
	if known && !checked {
		return nil, nil
	}
	render := func(mark string) (*frame, error) {
		fv := *v
		fv.CSRF = mark
		var buf bytes.Buffer
		if err := u.pages[v.Lang][page].ExecuteTemplate(&buf, "content", &fv); err != nil {
			return nil, err
		}
		return cutAt(buf.Bytes(), mark), nil
	}
	f, err := render(pc.mark)
	if err != nil || known {
		return f, err
	}
	g, err := render(pc.mark2)
	if err != nil {
		return nil, err
	}
	ok := len(f.parts) == len(g.parts)
	for i := 0; ok && i < len(f.parts); i++ {
		ok = bytes.Equal(f.parts[i], g.parts[i])
	}
	pc.mu.Lock()
	if pc.checked == nil {
		pc.checked = map[string]bool{}
	}
	pc.checked[page] = ok
	pc.mu.Unlock()
	if !ok {
		return nil, nil
	}
	return f, nil
}

// cutAt splits b at every mark, each a CSRF slot.
func cutAt(b []byte, mark string) *frame {
	f := &frame{}
	for {
		at := bytes.Index(b, []byte(mark))
		if at < 0 {
			f.parts = append(f.parts, b)
			return f
		}
		f.parts = append(f.parts, b[:at])
		f.kinds = append(f.kinds, slotCSRF)
		b = b[at+len(mark):]
	}
}
