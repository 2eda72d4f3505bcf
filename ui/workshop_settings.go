package ui

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"pitlane/i18n"
	"pitlane/store"
	"pitlane/web"
)

type workshopSettingsData struct {
	Workshop    store.Workshop
	Slots       []int
	Hours       []int
	ClosedDays  string
	Technicians string
	Services    string
	Feeds       []feedLink
	Stages      []stageField
}

// stageField is one stage's name in the form: the dealership's, and the
// catalogue's shown as the placeholder.
type stageField struct {
	Stage, Label, Default string
}

// Technicians are typed one per line as "name | department", service types
// as "name | department | minutes | price" (price in currency units, "45.50").
func (u *UI) workshopSettingsView(c *fiber.Ctx, ws store.Workshop, typed map[string]string) (*View, error) {
	v, err := u.view(c, "calendar.setup.title")
	if err != nil {
		return nil, err
	}
	d := workshopSettingsData{Workshop: ws, Slots: store.SlotLengths(), ClosedDays: strings.Join(ws.ClosedDays, "\n")}
	for h := range 24 {
		d.Hours = append(d.Hours, h)
	}
	var lines []string
	for _, t := range ws.Technicians {
		lines = append(lines, t.Name+" | "+t.Department)
	}
	d.Technicians = strings.Join(lines, "\n")
	lines = nil
	for _, s := range ws.Services {
		lines = append(lines, fmt.Sprintf("%s | %s | %d | %s", s.Name, s.Department, s.Minutes, formatMinor(s.PriceMinor)))
	}
	d.Services = strings.Join(lines, "\n")
	d.Feeds = u.feedLinks(c, v.Settings, ws)
	for _, st := range store.Stages {
		d.Stages = append(d.Stages, stageField{Stage: st, Label: ws.StageLabel(st), Default: i18n.T(v.Lang, "stage."+st)})
	}
	if typed != nil {
		d.ClosedDays, d.Technicians, d.Services = typed["closed_days"], typed["technicians"], typed["services"]
	}
	v.Data = d
	return v, nil
}

// withStageLabels gives v the dealership's names of job stages, for a page
// that shows stages.
func (u *UI) withStageLabels(v *View) error {
	ws, err := u.Store.Workshop()
	v.StageLabels = ws.StageLabels
	return err
}

func formatMinor(n int64) string { return fmt.Sprintf("%d.%02d", n/100, n%100) }

// parseMinor reads "45", "45.5" or "45,50" as minor units.
func parseMinor(s string) (int64, bool) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", ".")
	whole, frac, _ := strings.Cut(s, ".")
	if len(frac) > 2 || whole == "" {
		return 0, false
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w < 0 || w > 1e9 {
		return 0, false
	}
	f := int64(0)
	if frac != "" {
		if f, err = strconv.ParseInt((frac + "0")[:2], 10, 64); err != nil || f < 0 {
			return 0, false
		}
	}
	return w*100 + f, true
}

func (u *UI) workshopSettingsPage(c *fiber.Ctx) error {
	ws, err := u.Store.Workshop()
	if err != nil {
		return err
	}
	v, err := u.workshopSettingsView(c, ws, nil)
	if err != nil {
		return err
	}
	return u.render(c, fiber.StatusOK, "workshop_settings", v)
}

func (u *UI) saveWorkshopSettings(c *fiber.Ctx) error {
	ws, err := u.Store.Workshop()
	if err != nil {
		return err
	}
	ws.SlotMinutes, _ = strconv.Atoi(c.FormValue("slot_minutes"))
	ws.ReminderHour, _ = strconv.Atoi(c.FormValue("reminder_hour"))
	ws.ClosedDays = strings.Split(c.FormValue("closed_days"), "\n")
	ws.Technicians = nil
	for _, line := range strings.Split(c.FormValue("technicians"), "\n") {
		name, dept, _ := strings.Cut(line, "|")
		ws.Technicians = append(ws.Technicians, store.Technician{Name: name, Department: dept})
	}
	ws.Services = nil
	var bad error
	for _, line := range strings.Split(c.FormValue("services"), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		parts := strings.Split(line, "|")
		for len(parts) < 4 {
			parts = append(parts, "")
		}
		minutes, err := strconv.Atoi(strings.TrimSpace(parts[2]))
		price, ok := parseMinor(parts[3])
		if err != nil || !ok {
			bad = store.Invalid("services", "calendar.error.service_line", "line", strings.TrimSpace(line))
			break
		}
		ws.Services = append(ws.Services, store.ServiceType{Name: parts[0], Department: parts[1], Minutes: minutes, PriceMinor: price})
	}
	ws.StageLabels = map[string]string{}
	for _, st := range store.Stages {
		ws.StageLabels[st] = c.FormValue("stage_" + st)
	}
	if bad == nil {
		_, bad = u.Store.SaveWorkshop(web.Actor(c), ws)
	}
	if bad != nil {
		if _, ok := store.AsError(bad); !ok {
			return bad
		}
		v, err := u.workshopSettingsView(c, ws, map[string]string{"closed_days": c.FormValue("closed_days"),
			"technicians": c.FormValue("technicians"), "services": c.FormValue("services")})
		if err != nil {
			return err
		}
		v.fail(bad)
		return u.render(c, web.Status(bad), "workshop_settings", v)
	}
	return redirect(c, "/settings/workshop?done=settings.saved")
}
