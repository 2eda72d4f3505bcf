package pwa

import (
	"fmt"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"pitlane/store"
	"pitlane/upload"
	"pitlane/web"
)

// The customer's side of messages: the thread with the dealership, the
// form that writes to it (text, photos and videos from the camera or the
// gallery) and the files, served only to the customer's own phones.

func (p *PWA) mountMessages(g fiber.Router, routes *web.Routes) {
	routes.Customer(g, fiber.MethodGet, "/messages", p.messages)
	routes.Customer(g, fiber.MethodPost, "/messages", p.sendMessage)
	routes.Streamed(fiber.MethodPost, Scope+"messages")
	routes.Customer(g, fiber.MethodGet, "/media/:media", p.mediaFile)
}

// threadPage is how many messages the thread shows at once.
const threadPage = 50

// threadData is the messages page.
type threadData struct {
	Thread   store.Thread
	Messages []store.Message
	// Older is the before= of the link to older messages, 0 for none.
	Older uint64
	// New are the messages the customer had not seen before this page.
	New    map[uint64]bool
	Text   string // what the customer typed, kept when sending failed
	Error  string // why it failed, translated
	Limits upload.Shown
}

// messages shows the thread; seeing it reads the dealership's messages.
func (p *PWA) messages(c *fiber.Ctx) error {
	me := web.PrincipalOf(c)
	before, _ := strconv.ParseUint(c.Query("before"), 10, 64)
	return p.renderThread(c, fiber.StatusOK, me.CustomerID, before, "", "")
}

func (p *PWA) renderThread(c *fiber.Ctx, status int, customerID, before uint64, text, problem string) error {
	t, msgs, more, err := p.Store.Thread(customerID, before, threadPage)
	if err != nil {
		return err
	}
	d := threadData{Thread: t, Messages: msgs, New: map[uint64]bool{}, Text: text, Error: problem, Limits: p.Uploads.Shown()}
	for _, m := range msgs {
		if m.Direction == store.DirectionOut && m.Unread() {
			d.New[m.ID] = true
		}
	}
	if more && len(msgs) > 0 {
		d.Older = msgs[0].ID
	}
	if t.UnreadCustomer > 0 {
		if _, err := p.Store.MarkRead(customerID, store.ReaderCustomer); err != nil {
			return err
		}
	}
	v, err := p.view(c, "messages.title")
	if err != nil {
		return err
	}
	v.Data = d
	return p.render(c, status, "messages", v)
}

// sendMessage stores what the customer wrote, with the files, which are
// kept only once the whole message is accepted. Without JavaScript the
// form posts and the answer is the thread again; the page's script asks
// for JSON instead, to show its progress bar and the error in place.
func (p *PWA) sendMessage(c *fiber.Ctx) error {
	if err := fromThisApp(c); err != nil {
		return err
	}
	me := web.PrincipalOf(c)
	form, err := upload.Read(c, p.Media, p.Uploads, p.Logger)
	if err != nil {
		return p.sendFailed(c, me, err, "")
	}
	defer form.Discard()
	text := form.Value("text")
	if err := store.CheckMessage(text, form.Files()); err != nil {
		return p.sendFailed(c, me, err, text)
	}
	atts, err := form.Commit()
	if err != nil {
		return err
	}
	m, err := p.Store.CustomerMessage(customerActor(c, me), me.CustomerID, me.DeviceID, text, atts)
	if err != nil {
		return p.sendFailed(c, me, err, text)
	}
	to := fmt.Sprintf("%smessages#m%d", Scope, m.ID)
	if web.WantsJSON(c) {
		return c.JSON(fiber.Map{"url": to})
	}
	return c.Redirect(to, fiber.StatusSeeOther)
}

// sendFailed shows why a message was refused, keeping what was typed.
func (p *PWA) sendFailed(c *fiber.Ctx, me *web.Principal, err error, text string) error {
	e, ok := store.AsError(err)
	if !ok || e.Code != store.CodeInvalid {
		return err
	}
	st, serr := p.Store.Settings()
	if serr != nil {
		return serr
	}
	problem := web.ProblemText(web.Lang(c, st.Lang), e)
	if web.WantsJSON(c) {
		return c.Status(fiber.StatusUnprocessableEntity).JSON(fiber.Map{"error": problem})
	}
	return p.renderThread(c, fiber.StatusUnprocessableEntity, me.CustomerID, 0, text, problem)
}

// mediaFile serves a photo, video, thumbnail or PDF of the customer's own
// messages, appointments and jobs. Another customer's file is not found,
// even by its hash.
func (p *PWA) mediaFile(c *fiber.Ctx) error {
	me := web.PrincipalOf(c)
	f, err := p.Store.MediaFile(me.CustomerID, c.Params("media"))
	if err != nil {
		return err
	}
	return web.SendFile(c, web.File{Path: p.Media.Path(f.Hash), Type: f.Type, Name: f.Name, ETag: `"` + f.Hash + `"`})
}

// inboxData is the home page's messages card.
type inboxData struct {
	Thread store.Thread
}

// inbox reads what the home page's messages card shows.
func (p *PWA) inbox(customerID uint64) (inboxData, error) {
	t, _, _, err := p.Store.Thread(customerID, 0, 1)
	return inboxData{Thread: t}, err
}
