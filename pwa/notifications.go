package pwa

import (
	"encoding/json"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"pitlane/store"
	"pitlane/web"
)

// Web push in the app: the page where the customer turns notifications on
// for this phone (the browser asks for permission only after that tap) and
// chooses the categories, and the calls its script makes with the
// browser's PushSubscription.

// notificationsData is the notifications page.
type notificationsData struct {
	// Key is the appliance's VAPID public key, which the browser binds the
	// subscription to.
	Key        string
	Categories []categoryChoice
	// Consent says the customer already agreed to marketing; without it,
	// switching marketing on says that doing so gives consent.
	Consent bool
	Saved   bool
}

type categoryChoice struct {
	Name string
	On   bool
}

func (p *PWA) notifications(c *fiber.Ctx) error {
	me := web.PrincipalOf(c)
	keys, err := p.Store.VAPIDKeys()
	if err != nil {
		return err
	}
	prefs, err := p.Store.PushPreferences(me.CustomerID)
	if err != nil {
		return err
	}
	v, err := p.view(c, "notify.title")
	if err != nil {
		return err
	}
	d := notificationsData{Key: keys.Public, Saved: c.Query("saved") == "1", Consent: v.Customer != nil && v.Customer.Marketing}
	for _, cat := range store.Categories {
		d.Categories = append(d.Categories, categoryChoice{Name: cat, On: prefs[cat]})
	}
	v.Data = d
	return p.render(c, fiber.StatusOK, "notifications", v)
}

// saveNotificationPrefs stores the categories form: a box left unticked is
// a category switched off.
func (p *PWA) saveNotificationPrefs(c *fiber.Ctx) error {
	if err := fromThisApp(c); err != nil {
		return err
	}
	me := web.PrincipalOf(c)
	on := store.PushPreferences{}
	for _, cat := range store.Categories {
		on[cat] = false
	}
	for _, v := range c.Request().PostArgs().PeekMulti("on") {
		on[string(v)] = true
	}
	if _, err := p.Store.SetPushPreferences(customerActor(c, me), me.CustomerID, on); err != nil {
		return err
	}
	return c.Redirect(Scope+"notifications?saved=1", fiber.StatusSeeOther)
}

// pushSubscription is PushSubscription.toJSON(), as the page posts it.
type pushSubscription struct {
	Endpoint string `json:"endpoint"`
	Keys     struct {
		P256dh string `json:"p256dh"`
		Auth   string `json:"auth"`
	} `json:"keys"`
}

// maxSubscriptionJSON bounds the body: a subscription is a few hundred bytes.
const maxSubscriptionJSON = 8 << 10

func readSubscription(c *fiber.Ctx) (pushSubscription, error) {
	var s pushSubscription
	if err := fromThisApp(c); err != nil {
		return s, err
	}
	// JSON only: another site's form cannot send it, and its script
	// cannot without a CORS preflight that is never granted.
	if !strings.HasPrefix(c.Get(fiber.HeaderContentType), fiber.MIMEApplicationJSON) {
		return s, fiber.ErrUnsupportedMediaType
	}
	if len(c.Body()) > maxSubscriptionJSON {
		return s, fiber.ErrRequestEntityTooLarge
	}
	if err := json.Unmarshal(c.Body(), &s); err != nil {
		return s, store.Invalid("endpoint", "notify.error.endpoint")
	}
	return s, nil
}

// subscribe keeps the subscription this phone's browser just made (or
// still has: the page sends it again on each visit, so a subscription the
// appliance dropped comes back).
func (p *PWA) subscribe(c *fiber.Ctx) error {
	s, err := readSubscription(c)
	if err != nil {
		return err
	}
	me := web.PrincipalOf(c)
	if _, err := p.Store.SavePushSubscription(customerActor(c, me), store.PushSubscription{Endpoint: s.Endpoint,
		P256dh: s.Keys.P256dh, Auth: s.Keys.Auth, DeviceID: me.DeviceID, CustomerID: me.CustomerID}); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// unsubscribe forgets this phone's subscription: the customer turned
// notifications off here.
func (p *PWA) unsubscribe(c *fiber.Ctx) error {
	s, err := readSubscription(c)
	if err != nil {
		return err
	}
	me := web.PrincipalOf(c)
	if err := p.Store.DeletePushSubscription(customerActor(c, me), me.DeviceID, s.Endpoint); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func customerActor(c *fiber.Ctx, me *web.Principal) store.Actor {
	return store.Actor{Kind: "customer", Name: me.Name, IP: c.IP()}
}

// fromThisApp refuses a state-changing request that another site's page
// made, as Go's http.CrossOriginProtection does: by the browser's
// Sec-Fetch-Site, else by Origin. The device cookie is SameSite=Lax, which
// already keeps it off other sites' POSTs; this also stops a sibling site
// (same site, other origin). A request with neither header is not from a
// browser page, so no one's cookie is being borrowed.
func fromThisApp(c *fiber.Ctx) error {
	switch c.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none":
	default:
		return store.Forbidden()
	}
	if origin := c.Get(fiber.HeaderOrigin); origin != "" {
		o, err := url.Parse(origin)
		if err != nil || !strings.EqualFold(o.Host, c.Hostname()) {
			return store.Forbidden()
		}
	}
	return nil
}
