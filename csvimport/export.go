package csvimport

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"time"

	"pitlane/i18n"
	"pitlane/store"
)

// The export lives beside the import so that the columns one writes are the
// columns the other reads: an exported file, imported again, maps itself and
// changes nothing.

// Delimiter is the field separator for a dealership's spreadsheets. Excel
// splits a CSV file on the list separator of the PC's regional settings,
// which is ";" wherever the comma is the decimal separator, as in Italy and
// Romania; with "," there it would put each whole line in the first column.
func Delimiter(dealershipLang string) rune {
	if dealershipLang == "it" || dealershipLang == "ro" {
		return ';'
	}
	return ','
}

var (
	customerColumns = []string{"customer_id", "name", "company", "phone", "mobile", "email", "address", "tax_code",
		"vat", "lang", "marketing", "notes"}
	// A car's row names its owner by number and by what identifies them,
	// so the file also imports into another appliance.
	vehicleColumns = []string{"plate", "vin", "make", "model", "version", "year", "fuel", "colour", "registered",
		"km", "km_date", "customer_id", "name", "phone", "mobile", "email", "tax_code", "vat"}
)

// Exporter writes customers and cars as CSV files a spreadsheet opens.
type Exporter struct {
	Store     *store.Store
	Lang      i18n.Lang // of the column names and the yes/no and fuel words
	Delimiter rune
	Location  *time.Location // the dealership's zone, for reading dates
}

// pageSize is how many records each read takes: an export of any size reads
// the store a page at a time and streams it out.
const pageSize = 200

func (e Exporter) writer(w io.Writer, columns []string) (*csv.Writer, error) {
	// The byte-order mark is how Excel knows a CSV file is UTF-8; without
	// it accents come out garbled.
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return nil, err
	}
	cw := csv.NewWriter(w)
	cw.Comma, cw.UseCRLF = e.Delimiter, true
	head := make([]string, len(columns))
	for i, c := range columns {
		f, _ := FieldByName(c)
		head[i] = i18n.T(e.Lang, f.Label())
	}
	return cw, cw.Write(head)
}

// Customers writes every customer, oldest first.
func (e Exporter) Customers(w io.Writer) error {
	cw, err := e.writer(w, customerColumns)
	if err != nil {
		return err
	}
	after := ""
	for {
		page, err := e.Store.Customers(store.SortOldest, after, pageSize)
		if err != nil {
			return err
		}
		for _, c := range page.Customers {
			rec := []string{strconv.FormatUint(c.ID, 10), c.Name, e.yesNo(c.Company), c.Phone, c.Mobile, c.Email,
				c.Address, c.TaxCode, c.VAT, c.Lang, e.yesNo(c.Marketing), c.Notes}
			if err := cw.Write(safe(rec)); err != nil {
				return err
			}
		}
		cw.Flush()
		if err := cw.Error(); err != nil || page.Next == "" {
			return err
		}
		after = page.Next
	}
}

// Vehicles writes every car by plate, with its last odometer reading and
// its owner.
func (e Exporter) Vehicles(w io.Writer) error {
	cw, err := e.writer(w, vehicleColumns)
	if err != nil {
		return err
	}
	loc := e.Location
	if loc == nil {
		loc = time.UTC
	}
	after := ""
	for {
		page, err := e.Store.Vehicles(after, pageSize)
		if err != nil {
			return err
		}
		owners := map[uint64]store.Customer{}
		for _, v := range page.Vehicles {
			o, ok := owners[v.CustomerID]
			if !ok {
				if o, err = e.Store.Customer(v.CustomerID); err != nil && !store.Is(err, store.CodeNotFound) {
					return err
				}
				owners[v.CustomerID] = o
			}
			var year, fuel, registered, km, kmDate string
			if v.Year != 0 {
				year = strconv.Itoa(v.Year)
			}
			if v.Fuel != "" {
				fuel = i18n.T(e.Lang, "fuel."+v.Fuel)
			}
			if !v.Registered.IsZero() {
				// ISO dates, which spreadsheets read as dates in every locale.
				registered = v.Registered.UTC().Format(time.DateOnly)
			}
			if last, ok := lastReading(v.Odometer); ok {
				km, kmDate = strconv.Itoa(last.Km), last.At.In(loc).Format(time.DateOnly)
			}
			rec := []string{v.Plate, v.VIN, v.Make, v.Model, v.Version, year, fuel, v.Colour, registered, km, kmDate,
				strconv.FormatUint(v.CustomerID, 10), o.Name, o.Phone, o.Mobile, o.Email, o.TaxCode, o.VAT}
			if err := cw.Write(safe(rec)); err != nil {
				return err
			}
		}
		cw.Flush()
		if err := cw.Error(); err != nil || page.Next == "" {
			return err
		}
		after = page.Next
	}
}

// lastReading is the highest reading, which is also the latest: the store
// refuses an odometer that goes back.
func lastReading(rs []store.Reading) (store.Reading, bool) {
	var last store.Reading
	for _, r := range rs {
		if r.Km >= last.Km {
			last = r
		}
	}
	return last, len(rs) > 0
}

func (e Exporter) yesNo(b bool) string {
	if b {
		return i18n.T(e.Lang, "common.yes")
	}
	return i18n.T(e.Lang, "common.no")
}

// safe puts an apostrophe before a value a spreadsheet would run as a
// formula (a customer can type "=HYPERLINK(…)" as their name); the import
// takes it off again. A phone number such as "+39 333 1234567" is left as
// it is: it calls nothing.
func safe(rec []string) []string {
	for i, s := range rec {
		if s != "" && strings.ContainsRune(formulaStart, rune(s[0])) && strings.Trim(s, "0123456789 +-.,()/") != "" {
			rec[i] = "'" + s
		}
	}
	return rec
}
