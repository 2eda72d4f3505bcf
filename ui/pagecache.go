package ui

import (
	"bytes"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/klauspost/compress/gzip"

	"pitlane/i18n"
	"pitlane/store"
)

// The page cache keeps whole pages many staff load and reload (a job, the
// calendar), much as the dashboard keeps its body, but per store write
// count rather than change-feed position: the first view after any
// committed write renders afresh, whether or not the write added to the
// feed (regenerating a calendar feed's link does not, for one). An entry is
// also per page and request inputs (the key its handler names), language,
// staff member (and so role), session (its CSRF token is in every form),
// notice and day, so nothing one person sees reaches another.
//
// A page is kept as the bytes sent, and a reload hands those very bytes to
// the response without copying them. Moving the bytes is most of what a
// reload costs (a busy week is 66 KB, two thirds of its time in the
// kernel), so a page is sent gzipped to browsers that take it, which all do.

type pageKey struct {
	page, key   string
	lang        i18n.Lang
	userID      uint64
	role        store.Role
	csrf        string
	title       string
	flash       string
	day         time.Time
	writes      uint64
	settingsVer uint64
}

type pageCache struct {
	mu      sync.Mutex
	writes  uint64
	entries map[pageKey]*cachedBody
	size    int
	last    map[string]int // page → the size it last rendered at
}

// cachedBody is a page as rendered, and gzipped once a browser asked for it
// so (every browser does: a busy week goes over the network at a tenth of
// its size).
type cachedBody struct {
	plain []byte
	once  sync.Once
	gz    []byte
}

// gzipped returns the page gzipped, compressing it the first time.
func (b *cachedBody) gzipped() []byte {
	b.once.Do(func() {
		var buf bytes.Buffer
		buf.Grow(len(b.plain) / 4)
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
		zw.Write(b.plain)
		zw.Close()
		b.gz = buf.Bytes()
	})
	return b.gz
}

// Bounds of the cache; past either, it starts afresh. A hundred staff
// sessions each holding a busy week and a job fit.
const (
	maxCachedPages     = 1024
	maxCachedPageBytes = 32 << 20
)

// pageCacheLocal holds, for render, the key a handler's page is stored under.
const pageCacheLocal = "pitlane.pagecache"

// cachedPage serves page from the cache for key (everything of the request
// the handler reads: path parameters, query) if it holds it, reporting
// true. Otherwise it remembers the key, with the write count read now,
// before the handler reads anything, so that render stores the page.
// Only pages of signed-in staff are kept.
func (u *UI) cachedPage(c *fiber.Ctx, title, page, key string) (bool, error) {
	v, err := u.view(c, title)
	if err != nil || v.Me == nil {
		return false, err
	}
	now := time.Now().In(v.Loc.Location)
	k := pageKey{page: page, key: key, lang: v.Lang, userID: v.Me.UserID, role: v.Me.Role, csrf: v.CSRF, title: v.Title,
		flash: v.Flash, day: time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location()),
		writes: v.writes, settingsVer: v.settingsVersion}
	if body := u.pageCache.get(k); body != nil {
		sendPage(c, fiber.StatusOK, body)
		return true, nil
	}
	c.Locals(pageCacheLocal, &k)
	return false, nil
}

func (pc *pageCache) get(k pageKey) *cachedBody {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if pc.writes != k.writes {
		return nil
	}
	return pc.entries[k]
}

func (pc *pageCache) put(k pageKey, body *cachedBody) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if pc.last == nil {
		pc.last = map[string]int{}
	}
	pc.last[k.page] = len(body.plain)
	switch {
	case k.writes < pc.writes:
		return // read before a newer entry's: already out of date
	case k.writes > pc.writes || pc.entries == nil || len(pc.entries) >= maxCachedPages || pc.size+len(body.plain) > maxCachedPageBytes:
		pc.writes, pc.entries, pc.size = k.writes, map[pageKey]*cachedBody{}, 0
	}
	pc.entries[k] = body
	pc.size += len(body.plain)
}

// sizeHint is the size page last rendered at, to render it again without
// growing the buffer.
func (pc *pageCache) sizeHint(page string) int {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	return pc.last[page]
}

// cacheable returns the key render should store v's page under, or nil.
func (u *UI) cacheable(c *fiber.Ctx, status int, page string, v *View) *pageKey {
	k, _ := c.Locals(pageCacheLocal).(*pageKey)
	if k == nil || status != fiber.StatusOK || k.page != page || v.Me == nil || v.Me.UserID != k.userID || v.CSRF != k.csrf ||
		v.Lang != k.lang || v.Title != k.title || v.Flash != k.flash || v.Error != "" || len(v.Errors) > 0 || len(v.Form) > 0 {
		return nil
	}
	return k
}

// renderCached renders page for v, stores it under k and sends it.
func (u *UI) renderCached(c *fiber.Ctx, k *pageKey, page string, v *View) error {
	var buf bytes.Buffer
	buf.Grow(u.pageCache.sizeHint(page) + 512)
	if err := u.renderPage(&buf, page, v); err != nil {
		return err
	}
	body := &cachedBody{plain: buf.Bytes()}
	u.pageCache.put(*k, body)
	sendPage(c, fiber.StatusOK, body)
	return nil
}

// sendPage answers with body, gzipped if the browser takes it so. The
// response refers to the cached bytes rather than copying them.
func sendPage(c *fiber.Ctx, status int, body *cachedBody) {
	c.Vary(fiber.HeaderAcceptEncoding)
	if c.Request().Header.HasAcceptEncoding("gzip") {
		c.Response().SetBodyRaw(body.gzipped())
		c.Set(fiber.HeaderContentEncoding, "gzip")
	} else {
		c.Response().SetBodyRaw(body.plain)
	}
	pageHeaders(c, status)
}
