package ui

import (
	"fmt"
	"html/template"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"pitlane/auth"
	"pitlane/pwa"
	"pitlane/store"
	"pitlane/web"
)

// Pairing a customer's phone: staff show a one-time QR code (or print it),
// see the customer's paired devices and disconnect one. Every member of
// staff may: the counter, the workshop and the office all hand out codes.

type pairingData struct {
	Customer store.Customer
	Link     string
	// Token goes back with "Print", so the sheet carries the same code.
	Token   string
	QR      template.URL
	Expires time.Time
	// Warning says why the link may not work on the customer's phone.
	Warning string
	WarnArg string
}

// linkBase is where pairing links point: --public-url, else the address
// staff reached this page at.
func (u *UI) linkBase(c *fiber.Ctx) string { return pwa.LinkBase(c, u.PublicURL) }

// createPairLink makes a fresh link and shows it as a QR code. The token is
// shown once, like an API key: only its hash is stored.
func (u *UI) createPairLink(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	cu, err := u.Store.Customer(id)
	if err != nil {
		return err
	}
	token, link, err := u.Store.CreatePairLink(web.Actor(c), id, store.DefaultPairTTL)
	if err != nil {
		return err
	}
	base := u.linkBase(c)
	full := base + pwa.PairPath(token)
	qr, err := pwa.QRDataURL(full)
	if err != nil {
		return err
	}
	v, err := u.view(c, "pairing.title")
	if err != nil {
		return err
	}
	d := pairingData{Customer: cu, Link: full, Token: token, QR: qr, Expires: link.Expires}
	d.Warning, d.WarnArg = linkWarning(base)
	v.Data = d
	return u.render(c, fiber.StatusCreated, "pairing", v)
}

// linkWarning names the problem with a link base a phone cannot use well:
// a loopback host it cannot reach, or plain HTTP, where it cannot install
// the app.
func linkWarning(base string) (key, host string) {
	b, err := url.Parse(base)
	if err != nil {
		return "", ""
	}
	h := b.Hostname()
	if ip := net.ParseIP(h); h == "localhost" || strings.HasSuffix(h, ".localhost") || (ip != nil && ip.IsLoopback()) {
		return "pairing.warn_local", b.Host
	}
	if b.Scheme != "https" {
		return "pairing.warn_http", ""
	}
	return "", ""
}

// pairingSheet prints the link staff were just shown as a one-page PDF in
// the customer's language. The token comes back in the form; a link that is
// spent, expired or another customer's is not printed.
func (u *UI) pairingSheet(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	token := c.FormValue("token")
	link, err := u.Store.PairLinkByHash(auth.HashToken(token))
	if err != nil {
		return err
	}
	if link.CustomerID != id {
		return store.NotFound()
	}
	cu, err := u.Store.Customer(id)
	if err != nil {
		return err
	}
	st, err := u.Store.Settings()
	if err != nil {
		return err
	}
	doc, err := pwa.PairingSheet(pwa.Sheet{Settings: st, Customer: cu.Name, Link: u.linkBase(c) + pwa.PairPath(token),
		Expires: link.Expires, Lang: pwa.SheetLang(cu, st), Printed: time.Now()})
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderContentType, "application/pdf")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`inline; filename="pitlane-app-%d.pdf"`, id))
	return c.Send(doc)
}

// revokeDevice disconnects one of the customer's devices at once.
func (u *UI) revokeDevice(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	device, err := strconv.ParseUint(c.Params("device"), 10, 64)
	if err != nil {
		return store.NotFound()
	}
	if _, err := u.Store.RevokeDevice(web.Actor(c), id, device); err != nil {
		return err
	}
	return redirect(c, fmt.Sprintf("/customers/%d?done=pairing.device_revoked#devices", id))
}
