package ui

import (
	"fmt"
	"net/url"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"pitlane/store"
	"pitlane/upload"
	"pitlane/web"
)

// MessageRoles read and answer the customers' messages; the store keeps
// the list, which search follows too.
var MessageRoles = store.MessageRoles

func (u *UI) mountMessages(g fiber.Router, routes *web.Routes) {
	routes.Staff(g, fiber.MethodGet, "/messages", MessageRoles, u.inboxPage)
	// Before /messages/:customer, which would take them for a customer.
	routes.Staff(g, fiber.MethodGet, "/messages/events", MessageRoles, u.messageEvents)
	routes.Staff(g, fiber.MethodGet, "/messages/media/:media", MessageRoles, u.mediaFile)
	routes.Staff(g, fiber.MethodGet, "/messages/:customer", MessageRoles, u.threadPage)
	routes.Staff(g, fiber.MethodPost, "/messages/:customer", MessageRoles, u.reply)
	routes.Streamed(fiber.MethodPost, "/messages/:customer")
	routes.Staff(g, fiber.MethodPost, "/messages/:customer/assign", MessageRoles, u.assignThread)
}

// inboxData is the inbox page.
type inboxData struct {
	Page        store.InboxPage
	Departments []string
	// The filter: one department, the unassigned, or all.
	Department string
	Unassigned bool
	Filter     string // as a query string, for the next page's link
	// Version is the state the page shows, for its live updates.
	Version uint64
}

func (u *UI) inboxPage(c *fiber.Ctx) error {
	v, err := u.view(c, "messages.inbox")
	if err != nil {
		return err
	}
	state, err := u.Store.MessagesState()
	if err != nil {
		return err
	}
	d := inboxData{Departments: v.Settings.Departments, Department: c.Query("department"),
		Unassigned: c.Query("unassigned") == "1", Version: state.Version}
	switch {
	case d.Unassigned:
		d.Department, d.Filter = "", "unassigned=1&"
	case d.Department != "":
		d.Filter = "department=" + url.QueryEscape(d.Department) + "&"
	}
	d.Page, err = u.Store.Inbox(store.InboxQuery{Department: d.Department, Unassigned: d.Unassigned, After: c.Query("after")})
	if err != nil {
		return err
	}
	v.Data = d
	return u.render(c, fiber.StatusOK, "messages", v)
}

// threadData is a customer's thread, with the reply form.
type threadData struct {
	Customer store.Customer
	Thread   store.Thread
	Messages []store.Message
	// Older is the before= of the link to older messages, Newer the
	// after= of the link to newer ones; 0 for none.
	Older, Newer uint64
	// At is the message the page was opened at (a search result), shown
	// found; 0 for none.
	At uint64
	// New are the customer's messages no one had seen before this page.
	New         map[uint64]bool
	Departments []string
	Text        string // what was typed, kept when sending failed
	Version     uint64
	Limits      upload.Shown
}

func customerParam(c *fiber.Ctx) (uint64, error) {
	id, err := strconv.ParseUint(c.Params("customer"), 10, 64)
	if err != nil {
		return 0, store.NotFound()
	}
	return id, nil
}

// threadPage shows a customer's thread; seeing it reads the customer's
// messages.
func (u *UI) threadPage(c *fiber.Ctx) error {
	id, err := customerParam(c)
	if err != nil {
		return err
	}
	v, err := u.threadView(c, id)
	if err != nil {
		return err
	}
	return u.render(c, fiber.StatusOK, "message_thread", v)
}

func (u *UI) threadView(c *fiber.Ctx, id uint64) (*View, error) {
	cu, err := u.Store.Customer(id)
	if err != nil {
		return nil, err
	}
	q := store.ThreadQuery{CustomerID: id, Limit: 50}
	q.Before, _ = strconv.ParseUint(c.Query("before"), 10, 64)
	q.After, _ = strconv.ParseUint(c.Query("after"), 10, 64)
	q.At, _ = strconv.ParseUint(c.Query("at"), 10, 64)
	p, err := u.Store.ThreadPage(q)
	if err != nil {
		return nil, err
	}
	t, msgs := p.Thread, p.Messages
	d := threadData{Customer: cu, Thread: t, Messages: msgs, At: p.At, New: map[uint64]bool{}, Limits: u.Uploads.Shown()}
	for _, m := range msgs {
		if m.Direction == store.DirectionIn && m.Unread() {
			d.New[m.ID] = true
		}
	}
	if p.Older && len(msgs) > 0 {
		d.Older = msgs[0].ID
	}
	if p.Newer && len(msgs) > 0 {
		d.Newer = msgs[len(msgs)-1].ID
	}
	// The customer's newest messages are read once a page shows them, not
	// while staff read older ones.
	if t.UnreadStaff > 0 && !p.Newer {
		if _, err := u.Store.MarkRead(id, store.ReaderStaff); err != nil {
			return nil, err
		}
	}
	state, err := u.Store.MessagesState()
	if err != nil {
		return nil, err
	}
	d.Version = state.Version
	v, err := u.view(c, "messages.title")
	if err != nil {
		return nil, err
	}
	d.Departments = v.Settings.Departments
	v.Data = &d
	return v, nil
}

// reply sends the dealership's message (text, photos, videos) to the
// customer, whose phones are notified. The files are kept only once the
// whole message is accepted.
func (u *UI) reply(c *fiber.Ctx) error {
	id, err := customerParam(c)
	if err != nil {
		return err
	}
	if _, err := u.Store.Customer(id); err != nil {
		return err
	}
	form, err := upload.Read(c, u.Media, u.Uploads, u.Logger)
	if err != nil {
		return u.replyFailed(c, id, err, "")
	}
	defer form.Discard()
	text := form.Value("text")
	if err := store.CheckMessage(text, form.Files()); err != nil {
		return u.replyFailed(c, id, err, text)
	}
	atts, err := form.Commit()
	if err != nil {
		return err
	}
	m, err := u.Store.StaffMessage(web.Actor(c), id, text, atts)
	if err != nil {
		return u.replyFailed(c, id, err, text)
	}
	to := fmt.Sprintf("/messages/%d#m%d", id, m.ID)
	if web.WantsJSON(c) {
		return c.JSON(fiber.Map{"url": to})
	}
	return redirect(c, to)
}

// replyFailed shows why a reply was refused, keeping what was typed: in
// the page, or as JSON for the page's script.
func (u *UI) replyFailed(c *fiber.Ctx, id uint64, err error, text string) error {
	e, ok := store.AsError(err)
	if !ok || e.Code != store.CodeInvalid {
		return err
	}
	v, verr := u.threadView(c, id)
	if verr != nil {
		return verr
	}
	if web.WantsJSON(c) {
		return c.Status(fiber.StatusUnprocessableEntity).JSON(fiber.Map{"error": web.ProblemText(v.Lang, e)})
	}
	v.fail(err)
	v.Data.(*threadData).Text = text
	return u.render(c, fiber.StatusUnprocessableEntity, "message_thread", v)
}

func (u *UI) assignThread(c *fiber.Ctx) error {
	id, err := customerParam(c)
	if err != nil {
		return err
	}
	if _, err := u.Store.AssignThread(web.Actor(c), id, c.FormValue("department")); err != nil {
		return err
	}
	return redirect(c, fmt.Sprintf("/messages/%d?done=messages.assigned", id))
}
