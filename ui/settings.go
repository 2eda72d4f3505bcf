package ui

import (
	"errors"
	"os"
	"strings"

	"github.com/gofiber/fiber/v2"

	"pitlane/media"
	"pitlane/store"
	"pitlane/web"
)

const maxLogoBytes = 2 << 20

var logoTypes = []string{"image/png", "image/jpeg", "image/webp", "image/gif"}

var weekdays = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

type settingsData struct {
	Weekdays    []string
	Departments string
	Bays        string
	TimeZones   []string
	// TaxRate is the default tax rate as the form shows it, or as typed.
	TaxRate string
}

// commonZones are offered in the time-zone list; any IANA name is accepted.
var commonZones = []string{"Europe/Rome", "Europe/Bucharest", "Europe/London", "Europe/Dublin", "Europe/Paris",
	"Europe/Berlin", "Europe/Madrid", "Europe/Lisbon", "Europe/Vienna", "Europe/Zurich", "Europe/Athens",
	"Europe/Chisinau", "Europe/Warsaw", "UTC"}

func (u *UI) settingsView(c *fiber.Ctx, st store.Settings) (*View, error) {
	v, err := u.view(c, "settings.title")
	if err != nil {
		return nil, err
	}
	v.Settings = st
	var bays []string
	for _, b := range st.Bays {
		bays = append(bays, b.Name+" | "+b.Department)
	}
	v.Data = settingsData{Weekdays: weekdays, Departments: strings.Join(st.Departments, "\n"),
		Bays: strings.Join(bays, "\n"), TimeZones: commonZones, TaxRate: formatMinor(st.TaxRate)}
	return v, nil
}

func (u *UI) settingsPage(c *fiber.Ctx) error {
	st, err := u.Store.Settings()
	if err != nil {
		return err
	}
	v, err := u.settingsView(c, st)
	if err != nil {
		return err
	}
	return u.render(c, fiber.StatusOK, "settings", v)
}

// settingsFromForm reads the settings form over the current settings; the
// error is a tax rate that is not a number.
func settingsFromForm(c *fiber.Ctx, st store.Settings) (store.Settings, error) {
	st.Name, st.Address, st.Phone = c.FormValue("name"), c.FormValue("address"), c.FormValue("phone")
	st.Website, st.Email = c.FormValue("website"), c.FormValue("email")
	// A form without the field (an older page) keeps the colour.
	if tc := c.FormValue("theme_color"); tc != "" {
		st.ThemeColor = tc
	}
	st.Lang, st.Currency, st.TimeZone = c.FormValue("lang"), c.FormValue("currency"), strings.TrimSpace(c.FormValue("time_zone"))
	st.Departments = strings.Split(c.FormValue("departments"), "\n")
	st.Bays = nil
	for _, line := range strings.Split(c.FormValue("bays"), "\n") {
		name, dept, _ := strings.Cut(line, "|")
		st.Bays = append(st.Bays, store.Bay{Name: strings.TrimSpace(name), Department: strings.TrimSpace(dept)})
	}
	for i, d := range weekdays {
		st.Hours[i] = store.DayHours{Closed: c.FormValue("closed_"+d) != "", Open: c.FormValue("open_" + d), Close: c.FormValue("close_" + d)}
	}
	// A form without the field (an older page) keeps the rate; an emptied
	// one is refused, as no tax is 0.
	if formHas(c, "tax_rate") {
		rate, ok := parseHundredths(c.FormValue("tax_rate"))
		if !ok {
			return st, store.Invalid("tax_rate", "settings.error.tax_rate")
		}
		st.TaxRate = rate
	}
	return st, nil
}

// formHas says whether the posted form has the field, even empty.
func formHas(c *fiber.Ctx, name string) bool {
	if c.Request().PostArgs().Has(name) {
		return true
	}
	mf, err := c.MultipartForm()
	return err == nil && mf.Value[name] != nil
}

func (u *UI) saveSettings(c *fiber.Ctx) error {
	current, err := u.Store.Settings()
	if err != nil {
		return err
	}
	st, err := settingsFromForm(c, current)
	if err != nil {
		return u.settingsFailed(c, st, err)
	}
	if fh, err := c.FormFile("logo"); err == nil && fh.Size > 0 {
		f, err := fh.Open()
		if err != nil {
			return err
		}
		stored, err := u.Media.Put(f, maxLogoBytes, logoTypes...)
		f.Close()
		switch {
		case errors.Is(err, media.ErrTooLarge):
			return u.settingsFailed(c, st, store.Invalid("logo", "settings.error.logo_too_large", "max", "2 MB"))
		case errors.Is(err, media.ErrType):
			return u.settingsFailed(c, st, store.Invalid("logo", "settings.error.logo_type"))
		case err != nil:
			return err
		}
		st.Logo, st.LogoType = stored.Hash, stored.Type
	}
	if _, err := u.Store.SaveSettings(web.Actor(c), st); err != nil {
		return u.settingsFailed(c, st, err)
	}
	return redirect(c, "/settings?done=settings.saved")
}

// settingsFailed shows the form again with what was typed and what to fix.
func (u *UI) settingsFailed(c *fiber.Ctx, st store.Settings, err error) error {
	if _, ok := store.AsError(err); !ok {
		return err
	}
	v, verr := u.settingsView(c, st)
	if verr != nil {
		return verr
	}
	if formHas(c, "tax_rate") {
		d := v.Data.(settingsData)
		d.TaxRate = c.FormValue("tax_rate")
		v.Data = d
	}
	v.fail(err)
	return u.render(c, web.Status(err), "settings", v)
}

// logo serves the dealership's logo (public: the login page and the PWA show it).
func (u *UI) logo(c *fiber.Ctx) error {
	st, err := u.Store.Settings()
	if err != nil {
		return err
	}
	if st.Logo == "" {
		return store.NotFound()
	}
	data, err := os.ReadFile(u.Media.Path(st.Logo))
	if err != nil {
		return store.NotFound()
	}
	c.Set(fiber.HeaderContentType, st.LogoType)
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	return c.Send(data)
}
