package ui

import (
	"bufio"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"pitlane/csvimport"
	"pitlane/i18n"
	"pitlane/store"
	"pitlane/web"
)

// ImportRoles may import and export customers and cars: the office, who
// keep the records, not the floor.
var ImportRoles = []store.Role{store.RoleBackoffice, store.RoleManager}

const (
	// previewRows is how many rows the mapping page shows as mapped.
	previewRows = 20
	// maxErrorLines is how many row errors a page lists; a file with more
	// has a problem the first ones show.
	maxErrorLines = 500
	// waitForResult is how long starting a check or an import waits for it
	// to end, so a small file's result shows without a progress page.
	waitForResult = 2 * time.Second
)

type importsData struct {
	Uploads []csvimport.Upload
	Running *csvimport.Upload
	MaxMB   int
}

func (u *UI) importsView(c *fiber.Ctx) (*View, error) {
	v, err := u.view(c, "imports.title")
	if err != nil {
		return nil, err
	}
	d := importsData{Uploads: u.imports.List(), MaxMB: csvimport.MaxFileBytes >> 20}
	for i := range d.Uploads {
		if d.Uploads[i].State.Running() {
			d.Running = &d.Uploads[i]
		}
	}
	v.Data = d
	return v, nil
}

func (u *UI) importsPage(c *fiber.Ctx) error {
	v, err := u.importsView(c)
	if err != nil {
		return err
	}
	return u.render(c, fiber.StatusOK, "imports", v)
}

// uploadImport keeps an uploaded file for mapping. What the browser says the
// file is counts for nothing (Windows calls a .csv an Excel file); its
// bytes are checked instead.
func (u *UI) uploadImport(c *fiber.Ctx) error {
	up, err := u.addUpload(c)
	if err == nil {
		return redirect(c, "/imports/"+up.ID)
	}
	if _, ok := store.AsError(err); !ok {
		return err
	}
	v, verr := u.importsView(c)
	if verr != nil {
		return verr
	}
	v.fail(err)
	return u.render(c, web.Status(err), "imports", v)
}

func (u *UI) addUpload(c *fiber.Ctx) (csvimport.Upload, error) {
	fh, err := c.FormFile("file")
	if err != nil || fh.Size == 0 {
		return csvimport.Upload{}, store.Invalid("file", "imports.error.no_file")
	}
	tooLarge := store.Invalid("file", "imports.error.too_large", "max", fmt.Sprintf("%d MB", csvimport.MaxFileBytes>>20))
	if fh.Size > csvimport.MaxFileBytes {
		return csvimport.Upload{}, tooLarge
	}
	f, err := fh.Open()
	if err != nil {
		return csvimport.Upload{}, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, csvimport.MaxFileBytes+1))
	if err != nil {
		return csvimport.Upload{}, err
	}
	if len(data) > csvimport.MaxFileBytes {
		return csvimport.Upload{}, tooLarge
	}
	return u.imports.Add(fh.Filename, data, web.PrincipalOf(c).Name)
}

// importColumn is one column of the file on the mapping form.
type importColumn struct {
	Index    int
	Number   int // Index+1, to call a column without a name
	Name     string
	Examples []string
	Field    string
	Error    string
}

type previewRow struct {
	Number int
	Values []string
	Errors []string
}

type errorLine struct {
	Row  int
	Text string
	Link string
}

type importData struct {
	Upload         csvimport.Upload
	Columns        []importColumn
	CustomerFields []csvimport.Field
	VehicleFields  []csvimport.Field
	Encodings      []string
	Delimiter      string
	PreviewFields  []string // label keys
	Preview        []previewRow
	Rows           int
	Errors         []errorLine
	MoreErrors     int
}

// importPage shows an upload as far as it has gone: the mapping form with a
// preview, the check's findings, the progress of an import, or its summary.
func (u *UI) importPage(c *fiber.Ctx) error {
	up, ok := u.imports.Get(c.Params("id"))
	if !ok {
		return store.NotFound()
	}
	return u.renderImport(c, fiber.StatusOK, up, nil)
}

func (u *UI) renderImport(c *fiber.Ctx, status int, up csvimport.Upload, failure error) error {
	v, err := u.view(c, "imports.title")
	if err != nil {
		return err
	}
	d := importData{Upload: up, Encodings: csvimport.Encodings, Delimiter: delimiterName(up.Format.Delimiter)}
	for _, f := range csvimport.Fields {
		if f.Vehicle {
			d.VehicleFields = append(d.VehicleFields, f)
		} else {
			d.CustomerFields = append(d.CustomerFields, f)
		}
	}
	if up.Result != nil {
		d.Errors, d.MoreErrors = errorLines(v.Lang, up.Result.Errors)
	}
	switch {
	case up.State.Running():
		// The page follows the work by reloading itself: no script needed.
		c.Set("Refresh", "2")
	case up.State != csvimport.StateDone:
		t, _, err := u.imports.Table(up.ID)
		if err != nil {
			return err
		}
		u.mappingData(v, &d, t)
	}
	if failure != nil {
		v.fail(failure)
	}
	for i := range d.Columns {
		d.Columns[i].Error = v.Errors["col"+strconv.Itoa(i)]
	}
	v.Data = d
	return u.render(c, status, "import", v)
}

// mappingData fills the mapping form and the preview of the first rows as
// mapped, with what is wrong with each in the page's language.
func (u *UI) mappingData(v *View, d *importData, t *csvimport.Table) {
	d.Rows = len(t.Rows)
	head := &csvimport.Table{Columns: t.Columns, Rows: t.Rows[:min(previewRows, len(t.Rows))]}
	for i, name := range t.Columns {
		col := importColumn{Index: i, Number: i + 1, Name: name}
		if i < len(d.Upload.Mapping) {
			col.Field = d.Upload.Mapping[i]
		}
		for _, r := range head.Rows {
			if s := strings.TrimSpace(r.Cell(i)); s != "" && len(col.Examples) < 3 {
				col.Examples = append(col.Examples, s)
			}
		}
		d.Columns = append(d.Columns, col)
	}
	var mapped []int
	for i, f := range d.Upload.Mapping {
		if ff, ok := csvimport.FieldByName(f); ok {
			mapped = append(mapped, i)
			d.PreviewFields = append(d.PreviewFields, ff.Label())
		}
	}
	errs := map[int][]string{}
	st := v.Settings
	if p, err := csvimport.MakePlan(head, d.Upload.Mapping, csvimport.Options{Now: time.Now(), Location: st.Location()}); err == nil {
		for _, e := range p.Errors {
			errs[e.Row] = append(errs[e.Row], e.Message(v.Lang))
		}
	} else {
		v.fail(err)
	}
	for _, r := range head.Rows {
		row := previewRow{Number: r.Number, Errors: errs[r.Number]}
		for _, i := range mapped {
			row.Values = append(row.Values, strings.TrimSpace(r.Cell(i)))
		}
		d.Preview = append(d.Preview, row)
	}
}

// errorLines says each row error in language l, with a link to the record
// the row collides with.
func errorLines(l i18n.Lang, errs []csvimport.RowError) ([]errorLine, int) {
	var out []errorLine
	for _, e := range errs[:min(len(errs), maxErrorLines)] {
		line := errorLine{Row: e.Row, Text: e.Message(l)}
		switch {
		case e.Existing != 0 && e.Vehicle:
			line.Link = fmt.Sprintf("/vehicles/%d", e.Existing)
		case e.Existing != 0:
			line.Link = fmt.Sprintf("/customers/%d", e.Existing)
		}
		out = append(out, line)
	}
	return out, len(errs) - len(out)
}

func delimiterName(r rune) string {
	if r == '\t' {
		return "tab"
	}
	return string(r)
}

func delimiterFrom(s string, current rune) rune {
	switch s {
	case "tab":
		return '\t'
	case ",", ";":
		return rune(s[0])
	}
	return current
}

// saveImport takes the mapping form: the file's format and each column's
// field, then a preview, a check (a dry run) or the import.
func (u *UI) saveImport(c *fiber.Ctx) error {
	id := c.Params("id")
	up, ok := u.imports.Get(id)
	if !ok {
		return store.NotFound()
	}
	f := up.Format
	// The format fields are on every mapping form; a form without them
	// (an old tab) keeps the format.
	if d := c.FormValue("delimiter"); d != "" {
		if enc := c.FormValue("encoding"); slices.Contains(csvimport.Encodings, enc) {
			f.Encoding = enc
		}
		f.Delimiter = delimiterFrom(d, f.Delimiter)
		f.Header = c.FormValue("header") != ""
	}
	m := make(csvimport.Mapping, len(up.Mapping))
	for i := range m {
		m[i] = c.FormValue("col" + strconv.Itoa(i))
	}
	up, err := u.imports.Configure(id, f, m)
	if err == nil {
		switch action := c.FormValue("action"); action {
		case "check", "import":
			st, serr := u.Store.Settings()
			if serr != nil {
				return serr
			}
			err = u.imports.Start(id, web.Actor(c), action == "check", csvimport.Options{Now: time.Now(), Location: st.Location()})
			if err == nil {
				u.imports.Wait(id, waitForResult)
			}
		}
	}
	if err != nil {
		if _, ok := store.AsError(err); !ok {
			return err
		}
		if up, ok = u.imports.Get(id); !ok {
			return store.NotFound()
		}
		return u.renderImport(c, web.Status(err), up, err)
	}
	return redirect(c, "/imports/"+id)
}

func (u *UI) exportCustomers(c *fiber.Ctx) error {
	return u.export(c, "customers", csvimport.Exporter.Customers)
}

func (u *UI) exportVehicles(c *fiber.Ctx) error {
	return u.export(c, "vehicles", csvimport.Exporter.Vehicles)
}

// export streams a CSV file for the dealership's spreadsheets. Handing over
// every customer's details is worth an audit entry.
func (u *UI) export(c *fiber.Ctx, name string, write func(csvimport.Exporter, io.Writer) error) error {
	st, err := u.Store.Settings()
	if err != nil {
		return err
	}
	if err := u.Store.Audit(web.Actor(c), "customer_export", "", 0, name+".csv"); err != nil {
		return err
	}
	e := csvimport.Exporter{Store: u.Store, Lang: web.Lang(c, st.Lang), Delimiter: csvimport.Delimiter(st.Lang),
		Location: st.Location()}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s-%s.csv"`, name,
		time.Now().In(st.Location()).Format(time.DateOnly)))
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		// The status is sent by now: a failure can only cut the file short.
		if err := write(e, w); err != nil {
			u.Logger.Error("export failed", "file", name, "err", err)
		}
	})
	return nil
}

// newImportJobs keeps uploads in the data folder, which holds the database
// file, so that they stay on the appliance's own disk.
func newImportJobs(d Deps) *csvimport.Jobs {
	return csvimport.NewJobs(filepath.Join(filepath.Dir(d.Store.Path()), "imports"), d.Store, d.Logger)
}
