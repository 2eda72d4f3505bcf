package ui

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"pitlane/paperwork"
	"pitlane/store"
	"pitlane/upload"
	"pitlane/web"
)

type jobData struct {
	Job      store.Job
	Vehicle  store.Vehicle
	Customer store.Customer
	Stages   []string
	Kinds    []string
	Estimate store.Totals // every line not declined
	Approved store.Totals
	// Appointment is the one the job was opened from; zero if none.
	Appointment store.Appointment
	// The limits of the check-in's and inspection's photos and videos, and
	// of an invoice PDF.
	Limits   upload.Shown
	MaxPDFMB int64
}

// Fuel levels offered at check-in, in eighths of a tank.
var fuelLevels = []int{0, 1, 2, 3, 4, 5, 6, 7, 8}

// FuelLevels is the list the check-in form offers.
func (v *View) FuelLevels() []int { return fuelLevels }

// Hundredths formats a value kept in hundredths (quantities, tax rates).
func (v *View) Hundredths(n int64) string {
	d := 2
	switch {
	case n%100 == 0:
		d = 0
	case n%10 == 0:
		d = 1
	}
	return v.Loc.Number(float64(n)/100, d)
}

// Tread formats a tread depth kept in tenths of a millimetre.
func (v *View) Tread(tenths int) string { return v.Loc.Number(float64(tenths)/10, 1) }

func (u *UI) jobView(c *fiber.Ctx) (*View, jobData, error) {
	id, err := paramID(c)
	if err != nil {
		return nil, jobData{}, err
	}
	j, err := u.Store.Job(id)
	if err != nil {
		return nil, jobData{}, err
	}
	v, err := u.view(c, "jobs.title")
	if err != nil {
		return nil, jobData{}, err
	}
	d := jobData{Job: j, Stages: store.Stages, Kinds: store.LineKinds,
		Estimate: store.Sum(j.Lines, store.LineProposed, store.LineApproved),
		Approved: store.Sum(j.Lines, store.LineApproved), Limits: u.Uploads.Shown(), MaxPDFMB: upload.MB(upload.MaxPDF)}
	if d.Vehicle, err = u.Store.Vehicle(j.VehicleID); err != nil && !store.Is(err, store.CodeNotFound) {
		return nil, d, err
	}
	if d.Customer, err = u.Store.Customer(j.CustomerID); err != nil && !store.Is(err, store.CodeNotFound) {
		return nil, d, err
	}
	if j.AppointmentID != 0 {
		if d.Appointment, err = u.Store.Appointment(j.AppointmentID); err != nil && !store.Is(err, store.CodeNotFound) {
			return nil, d, err
		}
	}
	return v, d, u.withStageLabels(v)
}

// jobPage shows one work order: check-in, stage, inspection, estimate, invoice.
func (u *UI) jobPage(c *fiber.Ctx) error {
	if done, err := u.cachedPage(c, "jobs.title", "job", c.Params("id")); done || err != nil {
		return err
	}
	v, d, err := u.jobView(c)
	if err != nil {
		return err
	}
	v.Data = d
	return u.render(c, fiber.StatusOK, "job", v)
}

// jobFailed shows the job page again with err's messages and what was typed.
func (u *UI) jobFailed(c *fiber.Ctx, err error, fields ...string) error {
	if _, ok := store.AsError(err); !ok {
		return err
	}
	v, d, verr := u.jobView(c)
	if verr != nil {
		return verr
	}
	v.keep(c, fields...)
	v.fail(err)
	v.Data = d
	return u.render(c, web.Status(err), "job", v)
}

func jobDone(c *fiber.Ctx, id uint64, key, anchor string) error {
	return redirect(c, fmt.Sprintf("/jobs/%d?done=%s#%s", id, key, anchor))
}

// parseHundredths reads "1.5", "1,5" or "22" as hundredths (150, 2200).
func parseHundredths(s string) (int64, bool) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", ".")
	if s == "" {
		return 0, false
	}
	whole, frac, _ := strings.Cut(s, ".")
	if len(frac) > 2 || strings.HasPrefix(whole, "-") || strings.HasPrefix(whole, "+") {
		return 0, false
	}
	frac += strings.Repeat("0", 2-len(frac))
	if whole == "" {
		whole = "0"
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w > 1_000_000_000 {
		return 0, false
	}
	f, err := strconv.ParseInt(frac, 10, 64)
	if err != nil {
		return 0, false
	}
	return w*100 + f, true
}

var lineFields = []string{"kind", "description", "qty", "unit_price", "tax_rate"}

// lineFromForm reads an estimate line; prices are in the currency's major
// unit with two decimals, as every currency the dealership may pick.
func lineFromForm(c *fiber.Ctx) (store.Line, error) {
	l := store.Line{Kind: c.FormValue("kind"), Description: c.FormValue("description")}
	var bad store.Validation
	var ok bool
	if l.Qty, ok = parseHundredths(c.FormValue("qty")); !ok {
		bad.Add("qty", "jobs.error.line_qty")
	}
	if l.UnitPrice, ok = parseHundredths(c.FormValue("unit_price")); !ok {
		bad.Add("unit_price", "jobs.error.line_price")
	}
	if l.TaxRate, ok = parseHundredths(c.FormValue("tax_rate")); !ok {
		bad.Add("tax_rate", "jobs.error.line_tax")
	}
	if c.FormValue("approved") == "1" {
		l.Status = store.LineApproved
	}
	return l, bad.Err()
}

// createJob opens a work order on a car directly (not from an appointment).
func (u *UI) createJob(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	j, err := u.Store.CreateJob(web.Actor(c), store.Job{VehicleID: id, Description: c.FormValue("description")})
	if err != nil {
		if _, ok := store.AsError(err); ok {
			return u.vehicleFailed(c, err, "description")
		}
		return err
	}
	return redirect(c, fmt.Sprintf("/jobs/%d?done=jobs.opened_done", j.ID))
}

func (u *UI) checkInJob(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	fields := []string{"km", "fuel", "damage"}
	form, err := upload.Read(c, u.Media, u.Uploads, u.Logger)
	if err != nil {
		return u.jobFormFailed(c, err, nil)
	}
	defer form.Discard()
	km, err := strconv.Atoi(strings.TrimSpace(strings.NewReplacer(".", "", " ", "").Replace(form.Value("km"))))
	if err != nil {
		return u.jobFormFailed(c, store.Invalid("km", "vehicles.error.odometer_invalid"), form, fields...)
	}
	fuel, err := strconv.Atoi(form.Value("fuel"))
	if err != nil {
		return u.jobFormFailed(c, store.Invalid("fuel", "jobs.error.fuel"), form, fields...)
	}
	if err := store.CheckFiles(form.Files()); err != nil {
		return u.jobFormFailed(c, err, form, fields...)
	}
	atts, err := form.Commit()
	if err != nil {
		return err
	}
	ci := store.CheckIn{Km: km, Fuel: fuel, Damage: form.Value("damage"), Attachments: atts}
	if _, err := u.Store.CheckInJob(web.Actor(c), id, ci); err != nil {
		return u.jobFormFailed(c, err, form, fields...)
	}
	return jobDone(c, id, "jobs.checked_in_done", "checkin")
}

// jobAction runs act on the job the path names, then goes back to the
// job's page at anchor with the notice done, or shows the page again with
// the store's refusal (on fields, when they are the form's).
func (u *UI) jobAction(c *fiber.Ctx, done, anchor string, act func(a store.Actor, id uint64) (store.Job, error), fields ...string) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	if _, err := act(web.Actor(c), id); err != nil {
		return u.jobFailed(c, err, fields...)
	}
	return jobDone(c, id, done, anchor)
}

func (u *UI) setJobStage(c *fiber.Ctx) error {
	return u.jobAction(c, "jobs.stage_done", "stage", func(a store.Actor, id uint64) (store.Job, error) {
		return u.Store.SetJobStage(a, id, c.FormValue("stage"))
	})
}

func (u *UI) assignTechnician(c *fiber.Ctx) error {
	return u.jobAction(c, "jobs.saved", "stage", func(a store.Actor, id uint64) (store.Job, error) {
		return u.Store.AssignTechnician(a, id, c.FormValue("technician"))
	}, "technician")
}

func (u *UI) startInspection(c *fiber.Ctx) error {
	return u.jobAction(c, "jobs.saved", "inspection", u.Store.StartInspection)
}

func itemParam(c *fiber.Ctx) (int, error) {
	n, err := strconv.Atoi(c.Params("item"))
	if err != nil || n < 0 {
		return 0, store.NotFound()
	}
	return n, nil
}

func (u *UI) setInspectionItem(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	item, err := itemParam(c)
	if err != nil {
		return err
	}
	form, err := upload.Read(c, u.Media, u.Uploads, u.Logger)
	if err != nil {
		return u.jobFormFailed(c, err, nil)
	}
	defer form.Discard()
	it := store.InspectionItem{Status: form.Value("status"), Note: form.Value("note")}
	if tr := strings.TrimSpace(form.Value("tread")); tr != "" {
		mm, ok := parseHundredths(tr)
		if !ok {
			return u.jobFormFailed(c, store.Invalid("tread", "jobs.error.tread"), form)
		}
		it.Tread = int(mm / 10)
	}
	if it.Attachments, err = form.Commit(); err != nil {
		return err
	}
	if _, err := u.Store.SetInspectionItem(web.Actor(c), id, item, it); err != nil {
		return u.jobFormFailed(c, err, form)
	}
	return jobDone(c, id, "jobs.saved", fmt.Sprintf("item-%d", item))
}

func (u *UI) lineFromItem(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	item, err := itemParam(c)
	if err != nil {
		return err
	}
	l, err := lineFromForm(c)
	if err != nil {
		return u.jobFailed(c, err)
	}
	if _, err := u.Store.LineFromItem(web.Actor(c), id, item, l); err != nil {
		return u.jobFailed(c, err)
	}
	return jobDone(c, id, "jobs.line_added", "estimate")
}

func (u *UI) addLine(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	l, err := lineFromForm(c)
	if err == nil {
		_, err = u.Store.AddLine(web.Actor(c), id, l)
	}
	if err != nil {
		return u.jobFailed(c, err, lineFields...)
	}
	return jobDone(c, id, "jobs.line_added", "estimate")
}

// updateLine saves the changes to one estimate line; the store sends it
// back to the customer to decide again.
func (u *UI) updateLine(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	line, err := strconv.Atoi(c.Params("line"))
	if err != nil {
		return store.NotFound()
	}
	l, err := lineFromForm(c)
	if err == nil {
		l.ID = line
		_, err = u.Store.UpdateLine(web.Actor(c), id, l)
	}
	if err == nil {
		return jobDone(c, id, "jobs.line_saved", fmt.Sprintf("line-%d", line))
	}
	if _, ok := store.AsError(err); !ok {
		return err
	}
	v, d, verr := u.jobView(c)
	if verr != nil {
		return verr
	}
	v.fail(err)
	// The line's own form shows what was typed and why it was refused,
	// not the form that adds a line.
	v.Form["edit_line"] = strconv.Itoa(line)
	for _, f := range lineFields {
		v.Form["edit_"+f] = c.FormValue(f)
		if msg, ok := v.Errors[f]; ok {
			v.Errors["edit_"+f] = msg
			delete(v.Errors, f)
		}
	}
	v.Data = d
	return u.render(c, web.Status(err), "job", v)
}

// lineForm is the edit form of one estimate line: the line as it is, or
// what was typed and why it was refused.
type lineForm struct {
	JobID  uint64
	Line   store.Line
	Open   bool
	Kinds  []string
	CSRF   string
	Values map[string]string
	Errors map[string]string
}

// DefaultTax is the dealership's tax rate, as the forms that add a line
// start with it.
func (v *View) DefaultTax() string { return formatMinor(v.Settings.TaxRate) }

// TaxField is the tax rate of the form that adds a line: what was typed,
// or the dealership's rate until the form comes back.
func (v *View) TaxField() Field {
	f := v.Required("tax_rate", "jobs.tax_rate", "text")
	if _, typed := v.Form["tax_rate"]; !typed {
		f.Value = v.DefaultTax()
	}
	return f
}

// LineForm prepares the edit form of line l of job jobID. Amounts are
// written as typed, with a point and no grouping, so saving them unchanged
// reads them back the same.
func (v *View) LineForm(jobID uint64, l store.Line) lineForm {
	f := lineForm{JobID: jobID, Line: l, Kinds: store.LineKinds, CSRF: v.CSRF, Errors: map[string]string{},
		Values: map[string]string{"kind": l.Kind, "description": l.Description, "qty": formatMinor(l.Qty),
			"unit_price": formatMinor(l.UnitPrice), "tax_rate": formatMinor(l.TaxRate)}}
	if v.Form["edit_line"] == strconv.Itoa(l.ID) {
		f.Open = true
		for _, name := range lineFields {
			f.Values[name], f.Errors[name] = v.Form["edit_"+name], v.Errors["edit_"+name]
		}
	}
	return f
}

// fileRemoval is the list of a check-in's or an inspection item's files
// with a button to take each off.
type fileRemoval struct {
	JobID uint64
	Item  int // store.CheckInFiles for the check-in
	Files []store.Attachment
	CSRF  string
}

// FileRemoval prepares the removal list of item's files (store.CheckInFiles:
// the check-in's) on job jobID.
func (v *View) FileRemoval(jobID uint64, item int, files []store.Attachment) fileRemoval {
	return fileRemoval{JobID: jobID, Item: item, Files: files, CSRF: v.CSRF}
}

// removeJobFile takes a photo or video attached by mistake off the
// check-in or an inspection item, and goes back to it.
func (u *UI) removeJobFile(c *fiber.Ctx) error {
	item, err := strconv.Atoi(c.FormValue("item"))
	if err != nil || item < store.CheckInFiles {
		return store.NotFound()
	}
	anchor := "checkin"
	if item != store.CheckInFiles {
		anchor = "item-" + strconv.Itoa(item)
	}
	return u.jobAction(c, "jobs.file_removed", anchor, func(a store.Actor, id uint64) (store.Job, error) {
		return u.Store.RemoveJobFile(a, id, item, c.Params("hash"))
	})
}

func (u *UI) removeLine(c *fiber.Ctx) error {
	line, err := strconv.Atoi(c.Params("line"))
	if err != nil {
		return store.NotFound()
	}
	return u.jobAction(c, "jobs.saved", "estimate", func(a store.Actor, id uint64) (store.Job, error) {
		return u.Store.RemoveLine(a, id, line)
	})
}

func (u *UI) issueInvoice(c *fiber.Ctx) error {
	return u.jobAction(c, "jobs.invoiced_done", "invoice", func(a store.Actor, id uint64) (store.Job, error) {
		return u.Store.IssueInvoice(a, id, "", "")
	})
}

// jobInvoice serves the job's invoice PDF: the one uploaded from the
// accounting system, or the one Pitlane prints, in the customer's language.
func (u *UI) jobInvoice(c *fiber.Ctx) error {
	_, d, err := u.jobView(c)
	if err != nil {
		return err
	}
	if inv := d.Job.Invoice; inv != nil && inv.Upload != "" {
		return web.SendFile(c, web.File{Path: u.Media.Path(inv.Upload), Type: "application/pdf",
			Name: "invoice-" + inv.Number + ".pdf", ETag: `"` + inv.Upload + `"`})
	}
	st, err := u.Store.Settings()
	if err != nil {
		return err
	}
	data, err := paperwork.Invoice(st, u.Media, d.Job, d.Vehicle, d.Customer, paperwork.Lang(d.Customer, st))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/pdf")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`inline; filename="invoice-%s.pdf"`, d.Job.Invoice.Number))
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(data)
}

// jobVersion tells the job page's live-update module when the job changed
// (a customer's decision, say), so it reloads only then.
func (u *UI) jobVersion(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	j, err := u.Store.Job(id)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{"updated": j.Updated.UnixNano()})
}

// vehicleHistory prints the car's service history, in the owner's language.
func (u *UI) vehicleHistory(c *fiber.Ctx) error {
	_, d, err := u.vehicleView(c, "vehicles.title")
	if err != nil {
		return err
	}
	st, err := u.Store.Settings()
	if err != nil {
		return err
	}
	data, err := paperwork.History(st, d.Vehicle, d.Jobs, paperwork.Lang(d.Owner, st), time.Now())
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/pdf")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`inline; filename="history-%s.pdf"`, store.NormalizePlate(d.Vehicle.Plate)))
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(data)
}
