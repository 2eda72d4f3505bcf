package api

import (
	"github.com/gofiber/fiber/v2"

	"pitlane/store"
	"pitlane/web"
)

func (a *API) mountJobs(g fiber.Router, routes *web.Routes) {
	routes.Staff(g, fiber.MethodPost, "/jobs", web.AllStaff, a.createJob)
	routes.Staff(g, fiber.MethodGet, "/jobs/:id", web.AllStaff, a.job)
	routes.Staff(g, fiber.MethodPost, "/jobs/:id/checkin", web.AllStaff, a.checkInJob)
	routes.Staff(g, fiber.MethodPost, "/jobs/:id/stage", web.AllStaff, a.setJobStage)
	routes.Staff(g, fiber.MethodPost, "/jobs/:id/lines", web.AllStaff, a.addLine)
	routes.Staff(g, fiber.MethodPost, "/jobs/:id/invoice", web.AllStaff, a.issueInvoice)
}

// jobOut is a job with its totals, as the API answers it.
type jobOut struct {
	store.Job
	Estimate store.Totals `json:"estimate"` // lines not declined
	Approved store.Totals `json:"approved"`
}

func jobJSON(c *fiber.Ctx, status int, j store.Job) error {
	return c.Status(status).JSON(jobOut{Job: j,
		Estimate: store.Sum(j.Lines, store.LineProposed, store.LineApproved),
		Approved: store.Sum(j.Lines, store.LineApproved)})
}

func (a *API) createJob(c *fiber.Ctx) error {
	var in store.Job
	if err := decode(c, &in); err != nil {
		return err
	}
	j, err := a.Store.CreateJob(web.Actor(c), store.Job{VehicleID: in.VehicleID, Description: in.Description})
	if err != nil {
		return err
	}
	return jobJSON(c, fiber.StatusCreated, j)
}

func (a *API) job(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	j, err := a.Store.Job(id)
	if err != nil {
		return err
	}
	return jobJSON(c, fiber.StatusOK, j)
}

func (a *API) checkInJob(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	var in store.CheckIn
	if err := decode(c, &in); err != nil {
		return err
	}
	j, err := a.Store.CheckInJob(web.Actor(c), id, store.CheckIn{Km: in.Km, Fuel: in.Fuel, Damage: in.Damage})
	if err != nil {
		return err
	}
	return jobJSON(c, fiber.StatusOK, j)
}

func (a *API) setJobStage(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	var in struct {
		Stage string `json:"stage"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	j, err := a.Store.SetJobStage(web.Actor(c), id, in.Stage)
	if err != nil {
		return err
	}
	return jobJSON(c, fiber.StatusOK, j)
}

func (a *API) addLine(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	var in store.Line
	if err := decode(c, &in); err != nil {
		return err
	}
	j, err := a.Store.AddLine(web.Actor(c), id, store.Line{Kind: in.Kind, Description: in.Description,
		Qty: in.Qty, UnitPrice: in.UnitPrice, TaxRate: in.TaxRate, Status: in.Status})
	if err != nil {
		return err
	}
	return jobJSON(c, fiber.StatusCreated, j)
}

func (a *API) issueInvoice(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	j, err := a.Store.IssueInvoice(web.Actor(c), id, "", "")
	if err != nil {
		return err
	}
	return jobJSON(c, fiber.StatusCreated, j)
}
