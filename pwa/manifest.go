package pwa

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"pitlane/i18n"
	"pitlane/store"
)

// manifest describes the app to the browser that installs it. It is read
// without the device cookie (browsers fetch it anonymously), so it says
// nothing about the customer.
type manifest struct {
	ID              string         `json:"id"`
	Name            string         `json:"name"`
	ShortName       string         `json:"short_name"`
	Description     string         `json:"description"`
	Lang            string         `json:"lang"`
	Dir             string         `json:"dir"`
	StartURL        string         `json:"start_url"`
	Scope           string         `json:"scope"`
	Display         string         `json:"display"`
	ThemeColor      string         `json:"theme_color"`
	BackgroundColor string         `json:"background_color"`
	Icons           []manifestIcon `json:"icons"`
}

type manifestIcon struct {
	Src     string `json:"src"`
	Sizes   string `json:"sizes"`
	Type    string `json:"type"`
	Purpose string `json:"purpose"`
}

func (p *PWA) manifest(c *fiber.Ctx) error {
	v, err := p.view(c, "pwa.title")
	if err != nil {
		return err
	}
	st := v.Settings
	m := manifest{ID: Scope, Name: st.Name, ShortName: shortName(st.Name), Description: i18n.T(v.Lang, "pwa.manifest.description", "name", st.Name),
		Lang: string(v.Lang), Dir: "ltr", StartURL: Scope, Scope: Scope, Display: "standalone",
		ThemeColor: st.Theme(), BackgroundColor: st.Theme()}
	for _, ic := range appIcons {
		if ic.manifest {
			m.Icons = append(m.Icons, manifestIcon{Src: v.Icon(ic.name), Sizes: fmt.Sprintf("%dx%d", ic.size, ic.size),
				Type: "image/png", Purpose: ic.purpose})
		}
	}
	body, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	// no-cache: a new name or colour reaches installed apps at their next check.
	c.Set(fiber.HeaderCacheControl, "no-cache")
	c.Set(fiber.HeaderVary, "Accept-Language")
	c.Set(fiber.HeaderContentType, "application/manifest+json")
	return c.Send(body)
}

// shortName is the name under the home-screen icon: the dealership's name
// if it fits in 12 characters (what launchers show uncut), else its first
// word that does, else its first 12 letters.
func shortName(name string) string {
	name = strings.TrimSpace(name)
	if utf8.RuneCountInString(name) <= 12 {
		return name
	}
	for _, w := range strings.Fields(name) {
		if n := utf8.RuneCountInString(w); n >= 3 && n <= 12 {
			return w
		}
	}
	r := []rune(name)
	return strings.TrimSpace(string(r[:12]))
}

// iconVersion changes when what the icons show changes.
func iconVersion(st store.Settings) string {
	sum := sha256.Sum256([]byte(st.Theme() + "\x00" + initial(st.Name)))
	return hex.EncodeToString(sum[:4])
}

// themeCSS is the dealership's colour for the app's stylesheet: the CSP
// allows no inline style, so it is a stylesheet of its own.
func (p *PWA) themeCSS(c *fiber.Ctx) error {
	st, err := p.Store.Settings()
	if err != nil {
		return err
	}
	fg := "#ffffff"
	if light(st.Theme()) {
		fg = "#111111"
	}
	cacheFor(c, c.Query("v") == iconVersion(st))
	c.Set(fiber.HeaderContentType, "text/css; charset=utf-8")
	return c.SendString(":root { --brand: " + st.Theme() + "; --brand-fg: " + fg + "; }\n")
}

// icon serves one of the app's icons in the current theme.
func (p *PWA) icon(c *fiber.Ctx) error {
	st, err := p.Store.Settings()
	if err != nil {
		return err
	}
	for _, ic := range appIcons {
		if ic.name == c.Params("name") {
			png, err := p.icons.get(ic, st.Theme(), initial(st.Name))
			if err != nil {
				return err
			}
			cacheFor(c, c.Query("v") == iconVersion(st))
			c.Set(fiber.HeaderContentType, "image/png")
			return c.Send(png)
		}
	}
	return store.NotFound()
}

// cacheFor lets a versioned URL be cached for a year and makes any other
// be checked each time.
func cacheFor(c *fiber.Ctx, versioned bool) {
	if versioned {
		c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
	} else {
		c.Set(fiber.HeaderCacheControl, "no-cache")
	}
}
