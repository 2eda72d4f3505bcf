package pdf

import (
	"bytes"
	"time"
)

// History is a car's service history ready to print, every text already
// translated and every amount formatted.
type History struct {
	Title    string
	Made     time.Time
	Dealer   []string
	Car      []string // plate and model, VIN, first registration
	Sections []HistorySection
}

// HistorySection is one heading and its lines: the jobs, the odometer
// readings, the work recommended for later.
type HistorySection struct {
	Heading string
	Rows    []string
	Empty   string // shown when there are no rows
}

// Render prints the history as an A4 PDF.
func (h History) Render() ([]byte, error) {
	f := New(h.Title, h.Made)
	f.SetMargins(18, 18, 18)
	f.SetAutoPageBreak(true, 18)
	f.AddPage()
	for i, l := range h.Dealer {
		if i == 0 {
			f.SetFont(Font, "B", 12)
		} else {
			f.SetFont(Font, "", 9)
		}
		f.CellFormat(0, 5, l, "", 1, "L", false, 0, "")
	}
	f.Ln(6)
	f.SetFont(Font, "B", 16)
	f.CellFormat(0, 9, h.Title, "", 1, "L", false, 0, "")
	f.SetFont(Font, "", 11)
	for _, l := range h.Car {
		f.CellFormat(0, 6, l, "", 1, "L", false, 0, "")
	}
	for _, s := range h.Sections {
		f.Ln(5)
		f.SetFont(Font, "B", 12)
		f.CellFormat(0, 7, s.Heading, "B", 1, "L", false, 0, "")
		f.SetFont(Font, "", 10)
		if len(s.Rows) == 0 {
			f.MultiCell(0, 5, s.Empty, "", "L", false)
		}
		for _, r := range s.Rows {
			f.MultiCell(0, 5, r, "", "L", false)
			f.Ln(1)
		}
	}
	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
