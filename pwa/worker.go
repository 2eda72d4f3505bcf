package pwa

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
	"text/template"

	"github.com/gofiber/fiber/v2"
)

// workerSource is the service worker, a template filled with its version
// and the files it keeps for offline use.
//
//go:embed sw.js
var workerSource []byte

var workerTemplate = template.Must(template.New("sw.js").Parse(string(workerSource)))

// offlinePath is the page the service worker shows when it is offline and
// has no copy of the page asked for.
const offlinePath = Scope + "offline"

// serviceWorker serves sw.js from the app's folder, so its scope is the
// app. It is never cached by HTTP: the browser compares it byte for byte to
// find an update, and its version changes with any file it precaches.
func (p *PWA) serviceWorker(c *fiber.Ctx) error {
	st, err := p.Store.Settings()
	if err != nil {
		return err
	}
	icons := iconVersion(st)
	shell := []string{offlinePath, Scope + "theme.css?v=" + icons}
	for _, name := range p.assets.Names() {
		shell = append(shell, p.assets.URL(name))
	}
	for _, ic := range appIcons {
		shell = append(shell, Scope+"icons/"+ic.name+"?v="+icons)
	}
	version := p.code + "-" + icons
	list, err := json.Marshal(shell)
	if err != nil {
		return err
	}
	var b strings.Builder
	err = workerTemplate.Execute(&b, map[string]any{
		"Version": fmt.Sprintf("%q", version), "Shell": string(list), "Offline": fmt.Sprintf("%q", offlinePath),
		"Scope": fmt.Sprintf("%q", Scope),
	})
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-cache")
	c.Set(fiber.HeaderContentType, "text/javascript; charset=utf-8")
	return c.SendString(b.String())
}

// offline is the page shown without a network and without a saved copy of
// the page: it says so, and how to call the dealership.
func (p *PWA) offline(c *fiber.Ctx) error {
	v, err := p.view(c, "pwa.offline.title")
	if err != nil {
		return err
	}
	// The service worker keeps one copy of it: no customer data.
	v.Customer = nil
	return p.render(c, fiber.StatusOK, "offline", v)
}
