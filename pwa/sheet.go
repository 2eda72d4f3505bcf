package pwa

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/jung-kurt/gofpdf"

	"pitlane/i18n"
	"pitlane/pdf"
	"pitlane/store"
)

// Sheet is what a printed pairing sheet says: whose it is, the link in its
// QR code, until when it works, in the customer's language.
type Sheet struct {
	Settings store.Settings
	Customer string
	Link     string
	Expires  time.Time
	Lang     i18n.Lang
	Printed  time.Time
}

// sheetSteps are the instructions, in order.
var sheetSteps = []string{"pwa.sheet.step_scan", "pwa.sheet.step_open", "pwa.sheet.step_install", "pwa.sheet.step_once"}

// SheetLang is the language a customer's sheet is printed in: theirs, else
// the dealership's.
func SheetLang(c store.Customer, st store.Settings) i18n.Lang {
	if l, ok := i18n.Parse(c.Lang); ok {
		return l
	}
	if l, ok := i18n.Parse(st.Lang); ok {
		return l
	}
	return i18n.English
}

// PairingSheet lays out one A4 page to hand or post to the customer: the
// dealership's name, the QR code, and four short steps.
func PairingSheet(s Sheet) ([]byte, error) {
	t := func(key string, args ...any) string { return i18n.T(s.Lang, key, args...) }
	loc := i18n.Locale{Lang: s.Lang, Currency: s.Settings.Currency, Location: s.Settings.Location()}
	const pageW, pageH, margin = 210.0, 297.0, 20.0
	width := pageW - 2*margin

	f := pdf.New(t("pwa.sheet.title", "name", s.Settings.Name), s.Printed)
	f.SetMargins(margin, margin, margin)
	f.SetAutoPageBreak(false, 0)
	f.AddPage()

	f.SetFont(pdf.Font, "B", 22)
	f.MultiCell(width, 10, s.Settings.Name, "", "C", false)
	f.Ln(3)
	f.SetFont(pdf.Font, "", 14)
	f.MultiCell(width, 7, t("pwa.sheet.heading"), "", "C", false)
	f.SetFont(pdf.Font, "", 11)
	f.SetTextColor(80, 80, 80)
	f.MultiCell(width, 6, t("pwa.sheet.for", "name", s.Customer), "", "C", false)
	f.SetTextColor(0, 0, 0)

	png, err := QRCode(s.Link, 10)
	if err != nil {
		return nil, err
	}
	opts := gofpdf.ImageOptions{ImageType: "PNG"}
	f.RegisterImageOptionsReader("qr", opts, bytes.NewReader(png))
	const qr = 80.0
	y := f.GetY() + 6
	f.ImageOptions("qr", (pageW-qr)/2, y, qr, qr, false, opts, 0, "")
	f.SetY(y + qr + 1)
	// The link in print too, for a phone whose camera will not read it.
	f.SetFont(pdf.Font, "", 8)
	f.MultiCell(width, 4, s.Link, "", "C", false)
	f.Ln(8)

	f.SetFont(pdf.Font, "B", 13)
	f.MultiCell(width, 7, t("pwa.sheet.how"), "", "L", false)
	f.Ln(2)
	for i, key := range sheetSteps {
		f.SetFont(pdf.Font, "B", 12)
		f.CellFormat(9, 6.5, fmt.Sprintf("%d.", i+1), "", 0, "L", false, 0, "")
		f.SetFont(pdf.Font, "", 12)
		f.MultiCell(width-9, 6.5, t(key, "date", loc.DateTime(s.Expires)), "", "L", false)
		f.Ln(2.5)
	}

	var contact []string
	for _, part := range []string{s.Settings.Address, s.Settings.Phone, s.Settings.Website} {
		if part = strings.TrimSpace(part); part != "" {
			contact = append(contact, part)
		}
	}
	f.SetY(pageH - margin - 12)
	f.SetDrawColor(200, 200, 200)
	f.Line(margin, f.GetY(), pageW-margin, f.GetY())
	f.Ln(3)
	f.SetFont(pdf.Font, "", 10)
	f.MultiCell(width, 5, strings.Join(contact, " · "), "", "C", false)

	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		return nil, fmt.Errorf("pairing sheet: %w", err)
	}
	return buf.Bytes(), nil
}
