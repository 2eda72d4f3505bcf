package pdf

import (
	"bytes"
	"time"

	"github.com/jung-kurt/gofpdf"
)

// Invoice is an invoice ready to print: every text already in the
// customer's language and every amount already formatted, so this package
// knows nothing of catalogues or currencies.
type Invoice struct {
	Title   string // "Invoice 2026-0001"
	Issued  time.Time
	Dealer  []string // name first, then address lines, phone, e-mail
	Logo    []byte   // PNG or JPEG, may be nil
	LogoPNG bool
	To      []string // customer's name and address
	About   string   // the car and the job number
	Heads   [5]string
	Lines   [][5]string // description, quantity, unit price, tax rate, amount
	Totals  [][2]string // label, amount; the last is the grand total
}

// Render prints the invoice as an A4 PDF.
func (in Invoice) Render() ([]byte, error) {
	f := New(in.Title, in.Issued)
	f.SetMargins(18, 18, 18)
	f.AddPage()
	y := 18.0
	if len(in.Logo) > 0 {
		typ := "JPG"
		if in.LogoPNG {
			typ = "PNG"
		}
		f.RegisterImageOptionsReader("logo", gofpdfImage(typ), bytes.NewReader(in.Logo))
		if f.Err() {
			f.ClearError()
		} else {
			f.ImageOptions("logo", 18, y, 0, 18, false, gofpdfImage(typ), 0, "")
			y += 22
		}
	}
	f.SetXY(18, y)
	for i, l := range in.Dealer {
		if i == 0 {
			f.SetFont(Font, "B", 12)
		} else {
			f.SetFont(Font, "", 9)
		}
		f.CellFormat(90, 5, l, "", 1, "L", false, 0, "")
	}
	f.SetXY(120, y)
	f.SetFont(Font, "", 10)
	for _, l := range in.To {
		f.SetX(120)
		f.CellFormat(72, 5, l, "", 1, "L", false, 0, "")
	}
	f.Ln(8)
	f.SetFont(Font, "B", 16)
	f.CellFormat(0, 9, in.Title, "", 1, "L", false, 0, "")
	f.SetFont(Font, "", 10)
	f.MultiCell(0, 5, in.About, "", "L", false)
	f.Ln(4)
	widths := [5]float64{84, 20, 26, 18, 26}
	align := [5]string{"L", "R", "R", "R", "R"}
	f.SetFont(Font, "B", 9)
	for i, h := range in.Heads {
		f.CellFormat(widths[i], 7, h, "B", 0, align[i], false, 0, "")
	}
	f.Ln(-1)
	f.SetFont(Font, "", 9)
	for _, l := range in.Lines {
		for i, c := range l {
			f.CellFormat(widths[i], 6, c, "", 0, align[i], false, 0, "")
		}
		f.Ln(-1)
	}
	f.Ln(3)
	for i, t := range in.Totals {
		if i == len(in.Totals)-1 {
			f.SetFont(Font, "B", 11)
		}
		f.CellFormat(148, 6, t[0], "", 0, "R", false, 0, "")
		f.CellFormat(26, 6, t[1], "", 1, "R", false, 0, "")
	}
	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func gofpdfImage(typ string) gofpdf.ImageOptions { return gofpdf.ImageOptions{ImageType: typ} }
