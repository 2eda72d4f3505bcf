package ui

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"pitlane/store"
)

type dashboardData struct {
	Counts       store.Counts
	Stages       []string
	Appointments []store.AgendaRow
	Ready        []store.Job
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
	if d.Appointments, err = u.Store.Agenda(dayStart, dayStart.AddDate(0, 0, 1)); err != nil {
		return err
	}
	if d.Ready, err = u.Store.JobsInStage(store.StageReady, 10); err != nil {
		return err
	}
	v.Data = d
	return u.render(c, fiber.StatusOK, "dashboard", v)
}
