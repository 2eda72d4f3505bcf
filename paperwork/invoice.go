// Package paperwork prints a job's invoice and a car's service history as
// PDFs, in the customer's language and the dealership's currency, with its
// branding.
package paperwork

import (
	"fmt"
	"os"
	"strings"

	"pitlane/i18n"
	"pitlane/media"
	"pitlane/pdf"
	"pitlane/store"
)

// Invoice returns the invoice of job j: the uploaded file when the accounting
// system made it, else one printed from its billed lines.
func Invoice(st store.Settings, files *media.Store, j store.Job, v store.Vehicle, c store.Customer, lang i18n.Lang) ([]byte, error) {
	if j.Invoice == nil {
		return nil, store.NotFound()
	}
	inv := j.Invoice
	if inv.Upload != "" {
		data, err := os.ReadFile(files.Path(inv.Upload))
		if err != nil {
			return nil, fmt.Errorf("read uploaded invoice %s: %w", inv.Number, err)
		}
		return data, nil
	}
	loc := i18n.Locale{Lang: lang, Currency: st.Currency, Location: st.Location()}
	t := func(key string, args ...any) string { return i18n.T(lang, key, args...) }
	doc := pdf.Invoice{
		Title:  t("invoice.title", "number", inv.Number),
		Issued: inv.Issued,
		To:     nonEmpty(c.Name, c.Address),
		About: strings.TrimSpace(fmt.Sprintf("%s · %s %s %s · %s", t("invoice.issued", "date", loc.Date(inv.Issued)),
			v.Plate, v.Make, v.Model, t("invoice.job", "number", j.Number))),
		Heads: [5]string{t("invoice.description"), t("invoice.qty"), t("invoice.unit_price"), t("invoice.tax_rate"), t("invoice.amount")},
	}
	doc.Dealer = nonEmpty(st.Name, st.Address, st.Phone, st.Email)
	if st.Logo != "" && files != nil && (st.LogoType == "image/png" || st.LogoType == "image/jpeg") {
		if data, err := os.ReadFile(files.Path(st.Logo)); err == nil {
			doc.Logo, doc.LogoPNG = data, st.LogoType == "image/png"
		}
	}
	for _, l := range inv.Lines {
		doc.Lines = append(doc.Lines, [5]string{l.Description, loc.Number(float64(l.Qty)/100, decimals(l.Qty)),
			loc.Money(l.UnitPrice), loc.Number(float64(l.TaxRate)/100, decimals(l.TaxRate)) + "%", loc.Money(l.Net())})
	}
	doc.Totals = [][2]string{
		{t("invoice.net"), loc.Money(inv.Totals.Net)},
		{t("invoice.tax"), loc.Money(inv.Totals.Tax)},
		{t("invoice.total"), loc.Money(inv.Totals.Gross)},
	}
	return doc.Render()
}

// Lang is the language an invoice is printed in: the customer's, else the
// dealership's.
func Lang(c store.Customer, st store.Settings) i18n.Lang {
	if l, ok := i18n.Parse(c.Lang); ok {
		return l
	}
	if l, ok := i18n.Parse(st.Lang); ok {
		return l
	}
	return i18n.English
}

// decimals is how many decimals a hundredths value needs: 2 → "1", 150 → "1.5".
func decimals(hundredths int64) int {
	switch {
	case hundredths%100 == 0:
		return 0
	case hundredths%10 == 0:
		return 1
	}
	return 2
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		for _, l := range strings.Split(s, "\n") {
			if l = strings.TrimSpace(l); l != "" {
				out = append(out, l)
			}
		}
	}
	return out
}
