package ui

import (
	"crypto/subtle"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"pitlane/auth"
	"pitlane/store"
	"pitlane/web"
)

// loadSession attaches the signed-in staff member, if the cookie names a
// live session. Sessions past half their life are extended, so an active
// user stays signed in and the store is written at most twice a day per
// session.
func (u *UI) loadSession(c *fiber.Ctx) error {
	token := c.Cookies(sessionCookie)
	if token == "" {
		return c.Next()
	}
	hash := auth.HashToken(token)
	sess, user, err := u.sessions.lookup(u.Store, hash)
	if store.Is(err, store.CodeNotFound) {
		u.clearCookie(c, sessionCookie)
		return c.Next()
	}
	if err != nil {
		return err
	}
	if time.Until(sess.Expires) < sessionTTL/2 {
		exp := time.Now().Add(sessionTTL)
		if err := u.Store.ExtendSession(hash, exp); err != nil {
			return err
		}
		u.setCookie(c, sessionCookie, token, exp)
	}
	web.SetPrincipal(c, &web.Principal{Kind: "staff", UserID: user.ID, Name: user.Name, Username: user.Username,
		Role: user.Role, Lang: user.Lang, SessionHash: hash, CSRF: sess.CSRF})
	return c.Next()
}

// sessionCache keeps the sessions recently looked up with their accounts,
// each with the store's write count it was read at: any committed write
// (a logout, a disabled account, a changed role or password) moves that
// count, so an entry is used only while nothing at all was written since,
// and only before its session expires.
type sessionCache struct {
	mu      sync.Mutex
	entries map[string]sessionEntry
}

type sessionEntry struct {
	writes uint64
	sess   store.Session
	user   store.User
}

// maxCachedSessions bounds the cache; past it, the cache starts afresh.
const maxCachedSessions = 4096

func (sc *sessionCache) lookup(st *store.Store, hash string) (store.Session, store.User, error) {
	writes := st.Writes()
	sc.mu.Lock()
	e, ok := sc.entries[hash]
	sc.mu.Unlock()
	if ok && e.writes == writes && e.sess.Expires.After(time.Now()) {
		return e.sess, e.user, nil
	}
	sess, user, err := st.SessionUser(hash)
	if err != nil {
		return sess, user, err
	}
	user.PasswordHash = "" // no page needs it: not kept in memory
	sc.mu.Lock()
	if sc.entries == nil || len(sc.entries) >= maxCachedSessions {
		sc.entries = map[string]sessionEntry{}
	}
	sc.entries[hash] = sessionEntry{writes: writes, sess: sess, user: user}
	sc.mu.Unlock()
	return sess, user, nil
}

func (u *UI) setCookie(c *fiber.Ctx, name, value string, expires time.Time) {
	c.Cookie(&fiber.Cookie{Name: name, Value: value, Path: "/", Expires: expires, HTTPOnly: true,
		Secure: c.Protocol() == "https", SameSite: fiber.CookieSameSiteLaxMode})
}

func (u *UI) clearCookie(c *fiber.Ctx, name string) {
	u.setCookie(c, name, "", time.Unix(1, 0))
}

// anonCSRF returns the double-submit token of a visitor who is not signed in
// (login and first-run forms), setting its cookie if needed.
func (u *UI) anonCSRF(c *fiber.Ctx) string {
	if t := c.Cookies(csrfCookie); len(t) >= 40 {
		return t
	}
	t := auth.NewToken()
	u.setCookie(c, csrfCookie, t, time.Now().Add(24*time.Hour))
	return t
}

// checkCSRF refuses a state-changing request whose form token does not match
// the session's (or, before sign-in, the cookie's), and one whose Origin is
// another site.
func (u *UI) checkCSRF(c *fiber.Ctx) error {
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return c.Next()
	}
	if origin := c.Get(fiber.HeaderOrigin); origin != "" && origin != "null" {
		o, err := url.Parse(origin)
		if err != nil || !strings.EqualFold(o.Host, c.Hostname()) {
			return csrfError()
		}
	}
	want := c.Cookies(csrfCookie)
	if p := web.PrincipalOf(c); p != nil {
		want = p.CSRF
	}
	got := c.Get("X-CSRF-Token")
	if got == "" {
		got = c.Query(csrfField)
	}
	// An upload's form puts the token in its action's query: its body is
	// read by the handler as it streams in, never here.
	if got == "" && web.SmallBody(c) {
		got = c.FormValue(csrfField)
	}
	if want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return csrfError()
	}
	return c.Next()
}

func csrfError() error {
	return &store.Error{Code: store.CodeForbidden, Key: "errors.csrf"}
}

// localPath keeps a post-login redirect on this site.
func localPath(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}
