package pwa

import (
	"fmt"
	"math"
	"regexp"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"pitlane/auth"
	"pitlane/store"
	"pitlane/web"
)

// The device credential: a random token in an HttpOnly cookie, scoped to
// the app, renewed while the device is used.
const (
	deviceCookie = "pl_device"
	// deviceCookieLife is the longest browsers keep a cookie (Chrome caps
	// expiry at 400 days); it restarts whenever the device is seen, so a
	// phone in use stays paired.
	deviceCookieLife = 400 * 24 * time.Hour
	customerKey      = "pitlane.customer"
	// staleKey marks a request whose device cookie no longer works.
	staleKey = "pitlane.stale_device"
)

// PairPath is the path of the link that pairs a phone with token.
func PairPath(token string) string { return "/pair/" + token }

// LinkBase is the scheme and host pairing links start with: publicURL when
// the appliance is configured with one, else the address the request came
// to (as staff reach the appliance, so may the customer's phone on the same
// network).
func LinkBase(c *fiber.Ctx, publicURL string) string {
	if publicURL != "" {
		return strings.TrimRight(publicURL, "/")
	}
	return c.Protocol() + "://" + c.Hostname()
}

// pair opens a pairing link: the device that opens it is paired to the
// link's customer and lands in the app. Bad links count against the
// caller's address.
func (p *PWA) pair(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	ip := c.IP()
	if blocked, wait := p.pairLimit.Blocked(ip); blocked {
		c.Set(fiber.HeaderRetryAfter, fmt.Sprint(int(math.Ceil(wait.Seconds()))))
		return p.pairFailed(c, fiber.StatusTooManyRequests, "pwa.pair.too_many")
	}
	// A link preview (a chat app unfurling the link staff sent) must not
	// spend the link meant for the customer's phone.
	if isLinkPreview(c.Get(fiber.HeaderUserAgent)) {
		return p.message(c, fiber.StatusOK, func(v *view) messageData {
			return messageData{Heading: v.t("pwa.pair.connect", "name", v.Settings.Name), Text: v.t("pwa.pair.open_on_phone")}
		})
	}
	credential := auth.NewToken()
	_, err := p.Store.Pair(store.Actor{IP: ip}, auth.HashToken(c.Params("token")),
		DeviceName(c.Get(fiber.HeaderUserAgent)), auth.HashToken(credential))
	if e, ok := store.AsError(err); ok && e.Code == store.CodeNotFound {
		p.pairLimit.Fail(ip)
		status := fiber.StatusGone
		if e.Key == store.KeyPairUnknown {
			status = fiber.StatusNotFound
		}
		return p.pairFailed(c, status, e.Key)
	}
	if err != nil {
		return err
	}
	p.setDeviceCookie(c, credential)
	return c.Redirect(Scope, fiber.StatusSeeOther)
}

// pairFailed says why a link did not pair, in the browser's language, and
// offers to call the dealership for a new one.
func (p *PWA) pairFailed(c *fiber.Ctx, status int, key string) error {
	return p.message(c, status, func(v *view) messageData {
		return messageData{Heading: v.t("pwa.pair.failed"), Text: v.t(key), Call: true}
	})
}

func (p *PWA) setDeviceCookie(c *fiber.Ctx, credential string) {
	c.Cookie(&fiber.Cookie{Name: deviceCookie, Value: credential, Path: strings.TrimSuffix(Scope, "/"),
		MaxAge: int(deviceCookieLife.Seconds()), Expires: time.Now().Add(deviceCookieLife),
		HTTPOnly: true, Secure: c.Protocol() == "https", SameSite: fiber.CookieSameSiteLaxMode})
}

func (p *PWA) clearDeviceCookie(c *fiber.Ctx) {
	c.Cookie(&fiber.Cookie{Name: deviceCookie, Value: "", Path: strings.TrimSuffix(Scope, "/"), MaxAge: -1,
		Expires: time.Unix(1, 0), HTTPOnly: true, Secure: c.Protocol() == "https", SameSite: fiber.CookieSameSiteLaxMode})
}

// loadDevice resolves the device cookie to its customer on every request,
// so a revoked device loses access with the next one. Routes declared with
// web.Routes.Customer refuse requests it leaves anonymous.
func (p *PWA) loadDevice(c *fiber.Ctx) error {
	// Fiber matches a group's middleware by string prefix: "/appointments"
	// comes through "/app" too, and is none of the app's business.
	if path := c.Path(); path != "/app" && !strings.HasPrefix(path, Scope) {
		return c.Next()
	}
	credential := c.Cookies(deviceCookie)
	if credential == "" {
		return c.Next()
	}
	d, cu, err := p.Store.DeviceByCredential(auth.HashToken(credential))
	if store.Is(err, store.CodeNotFound) {
		p.clearDeviceCookie(c)
		c.Locals(staleKey, true)
		return c.Next()
	}
	if err != nil {
		return err
	}
	if time.Since(d.LastSeen) >= store.TouchEvery {
		if err := p.Store.TouchDevice(d.ID); err != nil {
			return err
		}
		p.setDeviceCookie(c, credential)
	}
	web.SetPrincipal(c, &web.Principal{Kind: "customer", CustomerID: cu.ID, DeviceID: d.ID, Name: cu.Name, Lang: cu.Lang})
	c.Locals(customerKey, &cu)
	return c.Next()
}

// linkPreview matches the user agents of services that fetch a link to show
// a preview of it, which would otherwise spend a pairing link sent by chat.
// Named one by one: a pattern as loose as "bot" also matches phones (Cubot).
var linkPreview = regexp.MustCompile(`(?i)googlebot|bingbot|twitterbot|linkedinbot|telegrambot|discordbot|slackbot|slack-imgproxy|` +
	`applebot|redditbot|pinterestbot|yandexbot|duckduckbot|facebookexternalhit|facebot|whatsapp|skypeuripreview|` +
	`embedly|iframely|google-pagerenderer|preview`)

func isLinkPreview(ua string) bool { return ua == "" || linkPreview.MatchString(ua) }

// DeviceName names a browser for staff from its User-Agent, without words of
// any language: "Chrome · Android", "Safari · iPhone".
func DeviceName(ua string) string {
	has := func(s ...string) bool {
		for _, x := range s {
			if strings.Contains(ua, x) {
				return true
			}
		}
		return false
	}
	var system string
	switch {
	case has("iPhone"):
		system = "iPhone"
	case has("iPad"):
		system = "iPad"
	case has("Android"):
		system = "Android"
	case has("CrOS"):
		system = "ChromeOS"
	case has("Windows"):
		system = "Windows"
	case has("Macintosh", "Mac OS X"):
		system = "Mac"
	case has("Linux"):
		system = "Linux"
	}
	var browser string
	switch {
	case has("SamsungBrowser/"):
		browser = "Samsung Internet"
	case has("Edg/", "EdgA/", "EdgiOS/"):
		browser = "Edge"
	case has("OPR/", "OPT/", "OPiOS/"):
		browser = "Opera"
	case has("Firefox/", "FxiOS/"):
		browser = "Firefox"
	case has("CriOS/", "Chrome/", "Chromium/"):
		browser = "Chrome"
	case has("Safari/", "AppleWebKit/") && (system == "iPhone" || system == "iPad" || system == "Mac"):
		browser = "Safari"
	}
	switch {
	case browser != "" && system != "":
		return browser + " · " + system
	case browser != "":
		return browser
	case system != "":
		return system
	}
	return "?"
}
