package ui

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"pitlane/store"
)

type dashboardData struct {
	Counts       store.Counts
	Stages       []string
	Appointments []agendaRow
	Ready        []store.Job
}

// agendaRow is flat on purpose: templates look fields up by reflection,
// and embedded structs make every lookup search them.
type agendaRow struct {
	ID                                        uint64
	Start, End                                time.Time
	Service, Department, Customer, Plate, Car string
}

// dashboard shows the day at a glance: today's appointments, jobs by stage,
// cars ready for pickup.
func (u *UI) dashboard(c *fiber.Ctx) error {
	v, err := u.view(c, "dashboard.title")
	if err != nil {
		return err
	}
	counts, err := u.Store.Counts()
	if err != nil {
		return err
	}
	loc := v.Loc.Location
	now := time.Now().In(loc)
	dayStart := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	d := dashboardData{Counts: counts, Stages: store.Stages}
	rows, err := u.Store.Agenda(dayStart, dayStart.AddDate(0, 0, 1))
	if err != nil {
		return err
	}
	for _, r := range rows {
		d.Appointments = append(d.Appointments, agendaRow{ID: r.ID, Start: r.Start, End: r.End, Service: r.Service,
			Department: r.Department, Customer: r.Customer, Plate: r.Plate, Car: r.Car})
	}
	if d.Ready, err = u.Store.JobsInStage(store.StageReady, 10); err != nil {
		return err
	}
	v.Data = d
	return u.render(c, fiber.StatusOK, "dashboard", v)
}
