package ui

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"pitlane/i18n"
	"pitlane/store"
	"pitlane/web"
)

// The inspection checklist is edited as text, one item per line. Default
// items show in the reader's language and are kept as their catalogue keys,
// so each customer still reads them in theirs.

func (u *UI) checklistPage(c *fiber.Ctx) error {
	v, err := u.view(c, "checklist.title")
	if err != nil {
		return err
	}
	items, err := u.Store.InspectionTemplate()
	if err != nil {
		return err
	}
	lines := make([]string, len(items))
	for i, it := range items {
		lines[i] = checklistName(v.Lang, it)
	}
	v.Form["items"] = strings.Join(lines, "\n")
	return u.render(c, fiber.StatusOK, "checklist", v)
}

func checklistName(lang i18n.Lang, item string) string {
	for _, k := range store.DefaultInspection {
		if k == item {
			return i18n.T(lang, "inspection."+k)
		}
	}
	return item
}

func (u *UI) saveChecklist(c *fiber.Ctx) error {
	v, err := u.view(c, "checklist.title")
	if err != nil {
		return err
	}
	byName := map[string]string{}
	for _, k := range store.DefaultInspection {
		byName[strings.ToLower(i18n.T(v.Lang, "inspection."+k))] = k
	}
	var items []string
	for _, l := range strings.Split(c.FormValue("items"), "\n") {
		l = strings.TrimSpace(l)
		if k, ok := byName[strings.ToLower(l)]; ok {
			l = k
		}
		items = append(items, l)
	}
	if err := u.Store.SetInspectionTemplate(web.Actor(c), items); err != nil {
		if _, ok := store.AsError(err); !ok {
			return err
		}
		v.keep(c, "items")
		v.fail(err)
		return u.render(c, web.Status(err), "checklist", v)
	}
	return redirect(c, "/workshop/checklist?done=checklist.saved")
}
