package ui

import (
	"html/template"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"pitlane/i18n"
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
	now := time.Now().In(v.Loc.Location)
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, v.Loc.Location)
	if v.Body, err = u.dash.body(u, v, day); err != nil {
		return err
	}
	return u.render(c, fiber.StatusOK, "dashboard", v)
}

// dashboardCache keeps the dashboard's body, rendered per language, with
// the change-feed position and day it was read at. Every write that could
// change it moves the feed (settings too), so while nothing is written every
// staff member's refresh reuses one read and one rendering, and the first
// view after a write reads afresh.
type dashboardCache struct {
	mu     sync.Mutex
	seq    uint64
	day    time.Time
	bodies map[i18n.Lang]template.HTML
}

func (dc *dashboardCache) body(u *UI, v *View, day time.Time) (template.HTML, error) {
	seq := v.seq
	dc.mu.Lock()
	if dc.seq == seq && dc.day.Equal(day) {
		if b, ok := dc.bodies[v.Lang]; ok {
			dc.mu.Unlock()
			return b, nil
		}
	}
	dc.mu.Unlock()
	var err error
	if v.Data, err = loadDashboard(u.Store, day); err != nil {
		return "", err
	}
	if err := u.withStageLabels(v); err != nil {
		return "", err
	}
	b, err := u.renderPart("dashboard", "dashboard_body", v)
	if err != nil {
		return "", err
	}
	dc.mu.Lock()
	if dc.seq != seq || !dc.day.Equal(day) {
		dc.seq, dc.day, dc.bodies = seq, day, map[i18n.Lang]template.HTML{}
	}
	dc.bodies[v.Lang] = b
	dc.mu.Unlock()
	return b, nil
}

// loadDashboard reads what the dashboard shows. The feed position is read
// before it, so a change committed meanwhile makes the next view reload.
func loadDashboard(st *store.Store, day time.Time) (*dashboardData, error) {
	counts, err := st.Counts()
	if err != nil {
		return nil, err
	}
	d := &dashboardData{Counts: counts, Stages: store.Stages}
	rows, err := st.Agenda(day, day.AddDate(0, 0, 1))
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		d.Appointments = append(d.Appointments, agendaRow{ID: r.ID, Start: r.Start, End: r.End, Service: r.Service,
			Department: r.Department, Customer: r.Customer, Plate: r.Plate, Car: r.Car})
	}
	if d.Ready, err = st.JobsInStage(store.StageReady, 10); err != nil {
		return nil, err
	}
	return d, nil
}
