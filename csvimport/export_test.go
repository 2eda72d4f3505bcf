package csvimport

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"pitlane/demo"
	"pitlane/i18n"
	"pitlane/store"
)

func export(t *testing.T, s *store.Store, l i18n.Lang, vehicles bool) []byte {
	t.Helper()
	e := Exporter{Store: s, Lang: l, Delimiter: Delimiter(string(l)), Location: rome}
	var buf bytes.Buffer
	write := e.Customers
	if vehicles {
		write = e.Vehicles
	}
	if err := write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// An exported file imported again, in any language, finds every record on
// file and changes nothing.
func TestExportImportRoundTrip(t *testing.T) {
	s := openStore(t)
	if _, err := demo.Seed(s, t0, rome); err != nil {
		t.Fatal(err)
	}
	tricky, err := s.CreateCustomer(clerk, store.Customer{Name: "=HYPERLINK(\"http://x\")", Company: true, VAT: "RO 1234567",
		Phone: "+40 21 000 0000", Lang: "ro", Marketing: true, MarketingSource: "paper", Notes: "Line one;\n\"two\", three"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateVehicle(clerk, store.Vehicle{CustomerID: tricky.ID, Plate: "B 123 XYZ", VIN: "UU1HSDAAG55123456", Make: "DACIA",
		Model: "Spring", Fuel: "electric", Year: 2023, Registered: time.Date(2023, 5, 2, 0, 0, 0, 0, time.UTC), Colour: "Alb",
		Odometer: []store.Reading{{At: t0.Add(-48 * time.Hour), Km: 12500, Source: "checkin"}}}); err != nil {
		t.Fatal(err)
	}
	before, _ := s.Counts()
	seq, _ := s.LastSeq()
	for _, l := range i18n.Supported {
		for _, vehicles := range []bool{false, true} {
			data := export(t, s, l, vehicles)
			res := importFile(t, s, string(data), false)
			if len(res.Errors) > 0 {
				t.Fatalf("%s vehicles=%v: errors %+v (%s)", l, vehicles, res.Errors[0], res.Errors[0].Message(i18n.English))
			}
			if res.Customers.Created+res.Customers.Updated+res.Vehicles.Created+res.Vehicles.Updated != 0 ||
				res.Customers.Unchanged != int(before.Customers) {
				t.Errorf("%s vehicles=%v: import of the export = %+v, want everything unchanged", l, vehicles, res)
			}
			if vehicles && res.Vehicles.Unchanged != int(before.Vehicles) {
				t.Errorf("%s: %d cars unchanged of %d", l, res.Vehicles.Unchanged, before.Vehicles)
			}
		}
	}
	if after, _ := s.LastSeq(); after != seq {
		t.Errorf("re-importing exports wrote %d changes", after-seq)
	}
}

func TestExportFormat(t *testing.T) {
	s := openStore(t)
	c, _ := s.CreateCustomer(clerk, store.Customer{Name: "Nicolò Ștefănescu", Phone: "+39 051 123456", Notes: "=1+1"})
	if _, err := s.CreateVehicle(clerk, store.Vehicle{CustomerID: c.ID, Plate: "AB123CD", Make: "Fiat", Fuel: "lpg",
		Odometer: []store.Reading{{At: t0, Km: 1000}, {At: t0.Add(time.Hour), Km: 1500}}}); err != nil {
		t.Fatal(err)
	}
	it := export(t, s, i18n.Italian, false)
	if !bytes.HasPrefix(it, []byte("\uFEFFN. cliente;Nome cliente;Azienda;Telefono;")) {
		t.Errorf("Italian export starts %q", it[:min(60, len(it))])
	}
	if !strings.Contains(string(it), "1;Nicolò Ștefănescu;No;+39 051 123456;;;;;;;No;'=1+1\r\n") {
		t.Errorf("Italian export = %q", it)
	}
	en := export(t, s, i18n.English, true)
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(en, []byte("\uFEFF"))))
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"AB123CD", "", "Fiat", "", "", "", "LPG", "", "", "1500", "2026-03-14", "1", "Nicolò Ștefănescu", "+39 051 123456", "", "", "", ""}
	if len(recs) != 2 || recs[0][0] != "Plate" || strings.Join(recs[1], "|") != strings.Join(want, "|") {
		t.Errorf("English car export = %q", recs)
	}
}
