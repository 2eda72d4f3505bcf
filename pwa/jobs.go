package pwa

import (
	"fmt"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"pitlane/paperwork"
	"pitlane/store"
	"pitlane/web"
)

func (p *PWA) mountJobs(g fiber.Router, routes *web.Routes) {
	routes.Customer(g, fiber.MethodGet, "/jobs", p.jobs)
	routes.Customer(g, fiber.MethodGet, "/jobs/:job", p.job)
	routes.Customer(g, fiber.MethodPost, "/jobs/:job/lines/:line", p.decideLine)
	routes.Customer(g, fiber.MethodGet, "/jobs/:job/invoice.pdf", p.jobInvoice)
}

type jobsData struct {
	Jobs []store.Job
	Cars map[uint64]store.Vehicle
}

// jobs lists the customer's work orders.
func (p *PWA) jobs(c *fiber.Ctx) error {
	me := web.PrincipalOf(c)
	jobs, err := p.Store.CustomerJobs(me.CustomerID)
	if err != nil {
		return err
	}
	cars, err := p.Store.CustomerVehicles(me.CustomerID)
	if err != nil {
		return err
	}
	d := jobsData{Jobs: jobs, Cars: map[uint64]store.Vehicle{}}
	for _, car := range cars {
		d.Cars[car.ID] = car
	}
	v, err := p.view(c, "pwa.jobs.title")
	if err != nil {
		return err
	}
	if err := p.withStageLabels(v); err != nil {
		return err
	}
	v.Data = d
	return p.render(c, fiber.StatusOK, "jobs", v)
}

type jobData struct {
	Job      store.Job
	Car      store.Vehicle
	Proposed store.Totals
	Approved store.Totals
	Flash    string // catalogue key of the notice after a decision
	// LineItems are the inspection items lines came from, by line ID: the
	// customer decides on a line seeing its item's photos and videos.
	LineItems map[int]store.InspectionItem
}

// withStageLabels gives v the dealership's names of job stages.
func (p *PWA) withStageLabels(v *view) error {
	ws, err := p.Store.Workshop()
	v.stageLabels = ws.StageLabels
	return err
}

// Hundredths formats a quantity or tax rate kept in hundredths.
func (v *view) Hundredths(n int64) string {
	d := 2
	switch {
	case n%100 == 0:
		d = 0
	case n%10 == 0:
		d = 1
	}
	return v.Loc.Number(float64(n)/100, d)
}

// customerJob reads the :job of the paired customer; another customer's job
// does not exist for them.
func (p *PWA) customerJob(c *fiber.Ctx) (jobData, error) {
	me := web.PrincipalOf(c)
	id, err := strconv.ParseUint(c.Params("job"), 10, 64)
	if err != nil {
		return jobData{}, store.NotFound()
	}
	j, err := p.Store.CustomerJob(me.CustomerID, id)
	if err != nil {
		return jobData{}, err
	}
	d := jobData{Job: j, Proposed: store.Sum(j.Lines, store.LineProposed), Approved: store.Sum(j.Lines, store.LineApproved),
		LineItems: map[int]store.InspectionItem{}}
	for _, l := range j.Lines {
		if l.Item > 0 && l.Item <= len(j.Inspection) {
			d.LineItems[l.ID] = j.Inspection[l.Item-1]
		}
	}
	if d.Car, err = p.Store.Vehicle(j.VehicleID); err != nil && !store.Is(err, store.CodeNotFound) {
		return d, err
	}
	return d, nil
}

// job shows a work order: its stage, the estimate with a decision per
// proposed line, and the invoice once there is one.
func (p *PWA) job(c *fiber.Ctx) error {
	d, err := p.customerJob(c)
	if err != nil {
		return err
	}
	v, err := p.view(c, "pwa.job.title")
	if err != nil {
		return err
	}
	if err := p.withStageLabels(v); err != nil {
		return err
	}
	switch c.Query("done") {
	case "approved":
		d.Flash = "pwa.job.decided_approved"
	case "declined":
		d.Flash = "pwa.job.decided_declined"
	}
	v.Data = d
	return p.render(c, fiber.StatusOK, "job", v)
}

// decideLine records the customer's approval or refusal of one line: a
// plain form post, so it works without JavaScript.
func (p *PWA) decideLine(c *fiber.Ctx) error {
	if err := fromThisApp(c); err != nil {
		return err
	}
	me := web.PrincipalOf(c)
	d, err := p.customerJob(c)
	if err != nil {
		return err
	}
	line, err := strconv.Atoi(c.Params("line"))
	if err != nil {
		return store.NotFound()
	}
	decision := c.FormValue("decision")
	if decision != "approve" && decision != "decline" {
		return store.Invalid("decision", "pwa.job.error.decision")
	}
	if _, err := p.Store.DecideLine(customerActor(c, me), me.CustomerID, d.Job.ID, line, decision == "approve"); err != nil {
		return err
	}
	word := "approved"
	if decision == "decline" {
		word = "declined"
	}
	return c.Redirect(fmt.Sprintf("%sjobs/%d?done=%s#line-%d", Scope, d.Job.ID, word, line), fiber.StatusSeeOther)
}

// jobInvoice serves the job's invoice to the customer it belongs to: the
// PDF uploaded from the accounting system, or the one Pitlane prints.
func (p *PWA) jobInvoice(c *fiber.Ctx) error {
	d, err := p.customerJob(c)
	if err != nil {
		return err
	}
	if inv := d.Job.Invoice; inv != nil && inv.Upload != "" {
		c.Set(fiber.HeaderVary, "Cookie")
		return web.SendFile(c, web.File{Path: p.Media.Path(inv.Upload), Type: "application/pdf",
			Name: "invoice-" + inv.Number + ".pdf", ETag: `"` + inv.Upload + `"`})
	}
	st, err := p.Store.Settings()
	if err != nil {
		return err
	}
	cu, err := p.Store.Customer(d.Job.CustomerID)
	if err != nil {
		return err
	}
	data, err := paperwork.Invoice(st, p.Media, d.Job, d.Car, cu, paperwork.Lang(cu, st))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/pdf")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`inline; filename="invoice-%s.pdf"`, d.Job.Invoice.Number))
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderVary, "Cookie")
	return c.Send(data)
}
