package server_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"pitlane/store"
)

// upload sends a file from the import page's form, as a browser would.
func (b *browser) upload(name string, data []byte) (*http.Response, string) {
	b.e.t.Helper()
	_, page := b.get("/imports")
	m := csrfInput.FindStringSubmatch(page)
	if m == nil {
		b.e.t.Fatalf("/imports has no CSRF field: %.300s", page)
	}
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	w.WriteField("_csrf", m[1])
	fw, _ := w.CreateFormFile("file", name)
	fw.Write(data)
	w.Close()
	req := httptest.NewRequest(http.MethodPost, "/imports", &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return b.send(req)
}

func (e *env) office(lang string) *browser {
	b := e.browser()
	b.cookies["pl_session"] = e.as(store.RoleBackoffice).cookie
	b.lang = lang
	return b
}

var (
	selected = regexp.MustCompile(`<option value="([a-z_]+)" selected>`)
	// mappedColumn reads a column's select and its chosen field off the
	// mapping form (every column of an export has one).
	mappedColumn = regexp.MustCompile(`name="(col\d+)"[^>]*>(?s:.*?)<option value="([a-z_]*)" selected>`)
)

const importFile = `Ragione sociale;Cellulare;Email;Targa;Marca;Modello;Km
Mario Rossi;+39 333 1111111;mario@example.it;AB123CD;Fiat;Panda;48.200
Anna Neri;+39 333 2222222;anna@;CD456EF;Fiat;Tipo;
Ștefan Popescu;+40 721 000 111;stefan@example.ro;B 12 ABC;Dacia;Duster;"12.000"
`

func TestImportJourney(t *testing.T) {
	e := newEnv(t)
	b := e.office("it-IT,it;q=0.9")
	resp, _ := b.upload("clienti.csv", []byte(importFile))
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/imports/") {
		t.Fatalf("upload: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	page := resp.Header.Get("Location")
	_, body := b.get(page)
	var mapped []string
	for _, m := range selected.FindAllStringSubmatch(body, -1) {
		mapped = append(mapped, m[1])
	}
	if got := strings.Join(mapped, ","); !strings.Contains(got, "name,mobile,email,plate,make,model,km") {
		t.Errorf("suggested mapping = %s", got)
	}
	for _, want := range []string{"le prime righe (3 su 3)", "Ștefan Popescu", "Email: Inserisci un indirizzo email valido.", `value=";" selected`} {
		if !strings.Contains(body, want) {
			t.Errorf("mapping page lacks %q", want)
		}
	}

	form := url.Values{"encoding": {"utf-8"}, "delimiter": {";"}, "header": {"on"}}
	for i, f := range []string{"name", "mobile", "email", "plate", "make", "model", "km"} {
		form.Set(fmt.Sprintf("col%d", i), f)
	}
	before, _ := e.st.Counts()
	seq, _ := e.st.LastSeq()
	form.Set("action", "check")
	resp, body = b.submit(page, page, form)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("check: %d %.300s", resp.StatusCode, body)
	}
	_, body = b.get(page)
	for _, want := range []string{"Risultato del controllo", "Riga 3:", "Email: Inserisci un indirizzo email valido.",
		`data-count="customers-created">2<`, "Righe non importate: 1 su 3"} {
		if !strings.Contains(body, want) {
			t.Errorf("check result lacks %q: %.2000s", want, body)
		}
	}
	if after, _ := e.st.Counts(); after.Customers != before.Customers || after.Vehicles != before.Vehicles {
		t.Errorf("the check wrote records: %+v", after)
	}
	if after, _ := e.st.LastSeq(); after != seq {
		t.Errorf("the check wrote %d changes", after-seq)
	}

	form.Set("action", "import")
	b.submit(page, page, form)
	_, body = b.get(page)
	for _, want := range []string{"Importazione completata", `data-count="customers-created">2<`, `data-count="vehicles-created">2<`, "Riga 3:"} {
		if !strings.Contains(body, want) {
			t.Errorf("summary lacks %q", want)
		}
	}
	if c, err := e.st.CustomerByEmail("stefan@example.ro"); err != nil || c.Name != "Ștefan Popescu" {
		t.Errorf("imported customer = %+v, %v", c, err)
	}
	_, list := b.get("/customers")
	if !strings.Contains(list, "Ștefan Popescu") {
		t.Error("the customer list does not show the imported customer")
	}
	if resp, _ := b.submit("/imports", page, form); resp.StatusCode != http.StatusConflict {
		t.Errorf("importing a finished file again: %d", resp.StatusCode)
	}

	t.Run("the same file again updates nothing", func(t *testing.T) {
		resp, _ := b.upload("clienti.csv", []byte(importFile))
		page := resp.Header.Get("Location")
		form.Set("action", "import")
		b.submit(page, page, form)
		_, body := b.get(page)
		if !strings.Contains(body, `data-count="customers-created">0<`) || !strings.Contains(body, `data-count="customers-updated">0<`) ||
			!strings.Contains(body, `data-count="customers-unchanged">2<`) {
			t.Errorf("second import summary: %.1500s", body)
		}
	})
}

func TestImportUploadRefusals(t *testing.T) {
	e := newEnv(t)
	b := e.office("en")
	big := bytes.Repeat([]byte("Name;Phone\nMario Rossi;333 1234567\n"), 20<<20/34+1)
	tests := []struct {
		name, file string
		data       []byte
		want       string
	}{
		{"Excel workbook", "clienti.xlsx", []byte("PK\x03\x04\x14\x00\x06\x00rest"), "This is an Excel workbook"},
		{"binary file named .csv", "photo.csv", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), "This is not a text file"},
		{"empty file", "empty.csv", nil, "Choose a CSV file to upload."},
		{"over 20 MB", "huge.csv", big, "The file is larger than 20 MB"},
		{"only column names", "head.csv", []byte("Name;Phone\n"), "The file has no rows to import."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := b.upload(tt.file, tt.data)
			if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, tt.want) {
				t.Errorf("%d, body lacks %q: %.500s", resp.StatusCode, tt.want, body)
			}
		})
	}
}

func TestImportRoles(t *testing.T) {
	e := newEnv(t)
	e.run(t, []scenario{
		{name: "back office sees the page", path: "/imports", as: store.RoleBackoffice, status: 200,
			contains: []string{"Import and export", `href="/customers/export.csv"`}},
		{name: "and the menu link", path: "/", as: store.RoleManager, status: 200, contains: []string{`href="/imports"`}},
		{name: "sales may not import", path: "/imports", as: store.RoleSales, status: 403},
		{name: "nor see the menu link", path: "/", as: store.RoleSales, status: 200, notContains: []string{`href="/imports"`}},
		{name: "workshop may not export", path: "/customers/export.csv", as: store.RoleWorkshop, status: 403},
		{name: "unknown upload", path: "/imports/0123456789abcdef", as: store.RoleManager, status: 404},
	})
}

func TestExportCSV(t *testing.T) {
	e := newEnv(t)
	c, _ := e.st.CreateCustomer(store.CLI, store.Customer{Name: "Nicolò Ștefănescu", Mobile: "+39 333 1234567", Notes: "a;b"})
	if _, err := e.st.CreateVehicle(store.CLI, store.Vehicle{CustomerID: c.ID, Plate: "AB123CD", Make: "Fiat", Fuel: "diesel",
		Odometer: []store.Reading{{At: time.Now().Add(-time.Hour), Km: 48200}}}); err != nil {
		t.Fatal(err)
	}
	b := e.office("en")
	resp, body := b.get("/customers/export.csv")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/csv; charset=utf-8" ||
		!strings.HasPrefix(resp.Header.Get("Content-Disposition"), `attachment; filename="customers-`) {
		t.Fatalf("export: %d %v", resp.StatusCode, resp.Header)
	}
	if !strings.HasPrefix(body, "\uFEFFCustomer no.,Customer name,Company,Phone,Mobile,") ||
		!strings.Contains(body, "\r\n1,Nicolò Ștefănescu,No,,+39 333 1234567,,,,,,No,a;b\r\n") {
		t.Errorf("English dealership export = %q", body)
	}
	if entries, _, _ := e.st.AuditLog(store.AuditFilter{Action: "customer_export"}); len(entries) != 1 {
		t.Errorf("export audit = %+v", entries)
	}

	st, _ := e.st.Settings()
	st.Lang = "it"
	if _, err := e.st.SaveSettings(store.CLI, st); err != nil {
		t.Fatal(err)
	}
	_, body = b.get("/vehicles/export.csv")
	if !strings.HasPrefix(body, "\uFEFFPlate;VIN;Make;") || !strings.Contains(body, "AB123CD;;Fiat;;;;Diesel;;;48200;") {
		t.Errorf("Italian dealership export = %q", body)
	}

	t.Run("an export imported again creates nothing", func(t *testing.T) {
		for _, path := range []string{"/customers/export.csv", "/vehicles/export.csv"} {
			_, data := b.get(path)
			resp, _ := b.upload("export.csv", []byte(data))
			page := resp.Header.Get("Location")
			_, body := b.get(page)
			form := url.Values{"encoding": {"utf-8"}, "delimiter": {";"}, "header": {"on"}, "action": {"import"}}
			for _, m := range mappedColumn.FindAllStringSubmatch(body, -1) {
				form.Set(m[1], m[2])
			}
			b.submit(page, page, form)
			_, body = b.get(page)
			for _, want := range []string{`data-count="customers-created">0<`, `data-count="customers-updated">0<`,
				`data-count="vehicles-created">0<`, `data-count="vehicles-updated">0<`, "All rows were imported"} {
				if !strings.Contains(body, want) {
					t.Errorf("%s imported again: summary lacks %q: %.3000s", path, want, body)
				}
			}
		}
	})
}
