// Package pdf makes A4 documents whose text is Unicode, so Romanian ș and ț
// and Italian accents print as written.
package pdf

import (
	"time"

	"github.com/jung-kurt/gofpdf"

	"pitlane/fonts"
)

// Font is the family name documents set with SetFont; styles "" and "B".
const Font = "DejaVu"

// New starts an A4 portrait document in millimetres with Font registered,
// titled title. created is its creation date (fixed, so the same input
// gives the same bytes).
func New(title string, created time.Time) *gofpdf.Fpdf {
	f := gofpdf.New("P", "mm", "A4", "")
	// gofpdf's core fonts are cp1252, which has no ș or ț.
	f.AddUTF8FontFromBytes(Font, "", fonts.Regular)
	f.AddUTF8FontFromBytes(Font, "B", fonts.Bold)
	f.SetTitle(title, true)
	f.SetCreator("Pitlane", true)
	f.SetCreationDate(created)
	f.SetModificationDate(created)
	f.SetFont(Font, "", 11)
	return f
}
