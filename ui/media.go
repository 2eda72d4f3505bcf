package ui

import (
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"pitlane/store"
	"pitlane/upload"
	"pitlane/web"
)

// WorkshopRoles see the workshop's files (an appointment request's photos,
// a job's check-in and inspection photos, an uploaded invoice): whoever
// may open a job or an appointment.
var WorkshopRoles = web.AllStaff

// mediaFile serves a file of a message or of the workshop, with range
// requests (videos are played as they download), to a role that may see
// what holds it. A file the media folder holds for something else (a
// private document) is not served here.
func (u *UI) mediaFile(c *fiber.Ctx) error {
	f, err := u.Store.MediaFile(0, c.Params("media"))
	if err != nil {
		return err
	}
	role := web.PrincipalOf(c).Role
	if !(f.Message && slices.Contains(MessageRoles, role)) && !(f.Workshop && slices.Contains(WorkshopRoles, role)) {
		return store.NotFound()
	}
	return web.SendFile(c, web.File{Path: u.Media.Path(f.Hash), Type: f.Type, Name: f.Name, ETag: `"` + f.Hash + `"`})
}

// jobFormFailed shows the job page again with err's messages and what was
// typed in an upload's form (read by upload, not by fiber). An inspection
// item's form is named by the route, for its row to show the messages.
func (u *UI) jobFormFailed(c *fiber.Ctx, err error, form *upload.Form, fields ...string) error {
	if _, ok := store.AsError(err); !ok {
		return err
	}
	v, d, verr := u.jobView(c)
	if verr != nil {
		return verr
	}
	if form != nil {
		for _, f := range fields {
			v.Form[f] = form.Value(f)
		}
	}
	v.Form["item"] = c.Params("item")
	v.fail(err)
	v.Data = d
	return u.render(c, web.Status(err), "job", v)
}

// uploadInvoice closes the job with the invoice the accounting system
// made: its PDF (checked by content) and its number.
func (u *UI) uploadInvoice(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	form, err := upload.ReadPDF(c, u.Media, upload.MaxPDF, u.Logger)
	if err != nil {
		return u.jobFormFailed(c, err, nil)
	}
	defer form.Discard()
	if form.Files() == 0 {
		return u.jobFormFailed(c, store.Invalid("file", "jobs.error.invoice_pdf"), form, "number")
	}
	if strings.TrimSpace(form.Value("number")) == "" {
		return u.jobFormFailed(c, store.Invalid("number", "jobs.error.invoice_number"), form, "number")
	}
	files, err := form.Commit()
	if err != nil {
		return err
	}
	if _, err := u.Store.IssueInvoice(web.Actor(c), id, form.Value("number"), files[0].Media); err != nil {
		return u.jobFormFailed(c, err, form, "number")
	}
	return jobDone(c, id, "jobs.invoiced_done", "invoice")
}
