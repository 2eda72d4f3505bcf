package paperwork

import (
	"fmt"
	"strings"
	"time"

	"pitlane/i18n"
	"pitlane/pdf"
	"pitlane/store"
)

// History prints a car's service history: its jobs with the work billed,
// its odometer readings and the work recommended for later; useful when
// the car is sold. Amounts are with tax.
func History(st store.Settings, v store.Vehicle, jobs []store.Job, lang i18n.Lang, now time.Time) ([]byte, error) {
	loc := i18n.Locale{Lang: lang, Currency: st.Currency, Location: st.Location()}
	t := func(key string, args ...any) string { return i18n.T(lang, key, args...) }
	h := pdf.History{Title: t("history.title"), Made: now, Dealer: nonEmpty(st.Name, st.Address, st.Phone, st.Email),
		Car: nonEmpty(strings.TrimSpace(fmt.Sprintf("%s · %s %s %s", v.Plate, v.Make, v.Model, v.Version)))}
	if v.VIN != "" {
		h.Car = append(h.Car, "VIN "+v.VIN)
	}
	if !v.Registered.IsZero() {
		h.Car = append(h.Car, t("history.registered", "date", loc.Date(v.Registered)))
	}
	work := pdf.HistorySection{Heading: t("history.jobs"), Empty: t("history.none")}
	later := pdf.HistorySection{Heading: t("history.recommended"), Empty: t("history.none")}
	for _, j := range jobs {
		row := loc.Date(j.Opened) + " · " + j.Number
		if j.CheckIn != nil {
			row += " · " + loc.Number(float64(j.CheckIn.Km), 0) + " km"
		}
		var done []string
		for _, l := range j.Lines {
			switch l.Status {
			case store.LineApproved:
				done = append(done, l.Description)
			case store.LineDeclined:
				later.Rows = append(later.Rows, loc.Date(j.Opened)+" · "+l.Description+" · "+loc.Money(l.Gross()))
			}
		}
		if j.Description != "" {
			row += "\n" + j.Description
		}
		if len(done) > 0 {
			row += "\n" + strings.Join(done, "; ")
		}
		if j.Invoice != nil {
			row += "\n" + t("invoice.title", "number", j.Invoice.Number) + " · " + loc.Money(j.Invoice.Totals.Gross)
		}
		work.Rows = append(work.Rows, row)
	}
	km := pdf.HistorySection{Heading: t("history.odometer"), Empty: t("history.none")}
	for i := len(v.Odometer) - 1; i >= 0; i-- {
		r := v.Odometer[i]
		km.Rows = append(km.Rows, loc.Date(r.At)+" · "+loc.Number(float64(r.Km), 0)+" km")
	}
	h.Sections = []pdf.HistorySection{work, km, later}
	return h.Render()
}
