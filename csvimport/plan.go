package csvimport

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"

	"pitlane/i18n"
	"pitlane/store"
)

// Options is what reading a file's values needs from the dealership.
type Options struct {
	Now time.Time
	// Location is the dealership's time zone, in which reading dates fall.
	Location *time.Location
}

// RowError is one thing wrong with one row of the file, said with a
// catalogue key so each user reads it in their own language.
type RowError struct {
	Row int
	// Field is the Field at fault, "" for the row as a whole.
	Field string
	Key   string
	Args  []any
	// Existing is the record on file the row collides with, 0 if none: a
	// car when Vehicle is set, else a customer.
	Existing uint64
	Vehicle  bool
}

// Message says what is wrong in language l, after the name of the field.
func (e RowError) Message(l i18n.Lang) string {
	msg := i18n.T(l, e.Key, e.Args...)
	if f, ok := FieldByName(e.Field); ok {
		return i18n.T(l, f.Label()) + ": " + msg
	}
	return msg
}

// Plan is a file read through a mapping: the customers to write, each with
// their cars, and the rows that cannot be imported as they are.
type Plan struct {
	Customers []store.ImportCustomer
	Errors    []RowError
	// Rows is the number of data rows.
	Rows int
	cols map[string]int // field → column
}

// rowData is what one row says.
type rowData struct {
	row                      int
	customer                 store.Customer
	hasCompany, hasMarketing bool
	number                   uint64
	vehicle                  *store.Vehicle
	reading                  *store.Reading
}

// MakePlan reads every row of t through mapping m. Rows that name the same
// customer (by e-mail, phone, mobile, tax code, VAT number or customer
// number; by name and address when they have none of those) become one
// customer with all their cars. A row that disagrees with an earlier row of
// the same customer, or lists a car an earlier row listed, is an error: the
// file must say which is right.
func MakePlan(t *Table, m Mapping, o Options) (*Plan, error) {
	if err := m.Check(len(t.Columns)); err != nil {
		return nil, err
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	cols := map[string]int{}
	for i, f := range m {
		if f != "" {
			cols[f] = i
		}
	}
	p := &Plan{Rows: len(t.Rows), cols: cols}
	var rows []rowData
	plates, vins := map[string]int{}, map[string]int{}
	for _, r := range t.Rows {
		rd, errs := parseRow(r, cols, o)
		if len(errs) == 0 && rd.vehicle != nil {
			if first, ok := plates[store.NormalizePlate(rd.vehicle.Plate)]; ok {
				errs = append(errs, RowError{Row: r.Number, Field: "plate", Key: "imports.error.car_twice", Args: []any{"row", first}})
			}
			if first, ok := vins[rd.vehicle.VIN]; ok && rd.vehicle.VIN != "" {
				errs = append(errs, RowError{Row: r.Number, Field: "vin", Key: "imports.error.car_twice", Args: []any{"row", first}})
			}
		}
		if len(errs) > 0 {
			p.Errors = append(p.Errors, errs...)
			continue
		}
		if rd.vehicle != nil {
			plates[store.NormalizePlate(rd.vehicle.Plate)] = r.Number
			if rd.vehicle.VIN != "" {
				vins[rd.vehicle.VIN] = r.Number
			}
		}
		rows = append(rows, rd)
	}
	for _, g := range group(rows) {
		ic, errs := merge(g)
		p.Errors = append(p.Errors, errs...)
		p.Customers = append(p.Customers, ic)
	}
	p.sortErrors(p.Errors)
	return p, nil
}

// sortErrors orders errors as the file reads: by row, then by column.
func (p *Plan) sortErrors(errs []RowError) {
	slices.SortStableFunc(errs, func(a, b RowError) int {
		return cmp.Or(cmp.Compare(a.Row, b.Row), cmp.Compare(p.column(a.Field), p.column(b.Field)))
	})
}

// column is where field is in the file: a name or an address may be made
// of several columns. A whole-row error comes first.
func (p *Plan) column(field string) int {
	if field == "" {
		return -1
	}
	parts := map[string][]string{"name": {"name", "first_name", "last_name"},
		"address": {"address", "postcode", "city", "province"}}[field]
	if parts == nil {
		parts = []string{field}
	}
	col := len(p.cols) + 1
	for _, f := range parts {
		if i, ok := p.cols[f]; ok {
			col = min(col, i)
		}
	}
	return col
}

// parseRow reads one row's values and checks them with the store's rules.
func parseRow(r Row, cols map[string]int, o Options) (rowData, []RowError) {
	rd := rowData{row: r.Number}
	var errs []RowError
	bad := func(field, key string, args ...any) {
		errs = append(errs, RowError{Row: r.Number, Field: field, Key: key, Args: args})
	}
	get := func(f string) string {
		if i, ok := cols[f]; ok {
			return cleanCell(r.Cell(i))
		}
		return ""
	}
	c := store.Customer{Name: get("name"), Phone: get("phone"), Mobile: get("mobile"), Email: get("email"),
		TaxCode: get("tax_code"), VAT: get("vat"), Notes: get("notes"),
		Address: joinAddress(get("address"), get("postcode"), get("city"), get("province"))}
	if c.Name == "" {
		c.Name = strings.TrimSpace(get("first_name") + " " + get("last_name"))
	}
	if s := get("lang"); s != "" {
		var err error
		if c.Lang, err = parseLang(s); err != nil {
			bad("lang", "users.error.lang_invalid")
		}
	}
	if s := get("company"); s != "" {
		var err error
		rd.hasCompany = true
		if c.Company, err = parseYesNo(s); err != nil {
			bad("company", "imports.error.yes_no", "value", s)
		}
	}
	if s := get("marketing"); s != "" {
		var err error
		rd.hasMarketing = true
		if c.Marketing, err = parseYesNo(s); err != nil {
			bad("marketing", "imports.error.yes_no", "value", s)
		}
		c.MarketingSource = "import"
	}
	if s := get("customer_id"); s != "" {
		var err error
		if rd.number, err = parseNumberRef(s); err != nil {
			bad("customer_id", "common.error.invalid_number")
		}
	}
	var err error
	rd.customer, err = store.CheckCustomer(c, o.Now)
	errs = append(errs, storeErrors(r.Number, err)...)

	hasCar := false
	for _, f := range Fields {
		if _, ok := cols[f.Name]; ok && f.Vehicle && get(f.Name) != "" {
			hasCar = true
		}
	}
	if !hasCar {
		return rd, errs
	}
	v := store.Vehicle{Plate: get("plate"), VIN: get("vin"), Make: get("make"), Model: get("model"),
		Version: get("version"), Colour: get("colour")}
	if s := get("fuel"); s != "" {
		if v.Fuel, err = parseFuel(s); err != nil {
			bad("fuel", "imports.error.fuel", "value", s)
		}
	}
	if s := get("year"); s != "" {
		if v.Year, err = parseYear(s); err != nil {
			bad("year", "vehicles.error.year_invalid")
		}
	}
	if s := get("registered"); s != "" {
		if v.Registered, err = parseDate(s); err != nil {
			bad("registered", "common.error.invalid_date")
		}
	}
	if s := get("km"); s != "" {
		km, err := parseInt(s)
		if err != nil {
			bad("km", "vehicles.error.odometer_invalid")
		}
		rd.reading = &store.Reading{Km: km, Source: "import"}
		if d := get("km_date"); d != "" {
			day, err := parseDate(d)
			if err != nil {
				bad("km_date", "common.error.invalid_date")
			}
			// Noon, as the car page dates a reading typed without a time.
			rd.reading.At = time.Date(day.Year(), day.Month(), day.Day(), 12, 0, 0, 0, o.Location)
		}
		v.Odometer = []store.Reading{*rd.reading}
	}
	checked, err := store.CheckVehicle(v, o.Now)
	errs = append(errs, storeErrors(r.Number, err)...)
	checked.Odometer = nil
	rd.vehicle = &checked
	return rd, errs
}

// joinAddress writes an address split over columns as one line:
// "Via Roma 1, 40121 Bologna (BO)".
func joinAddress(street, postcode, city, province string) string {
	town := strings.TrimSpace(postcode + " " + city)
	if province != "" {
		town = strings.TrimSpace(town + " (" + province + ")")
	}
	if street == "" || town == "" {
		return street + town
	}
	return street + ", " + town
}

// storeFields names the store's fields as the import calls them.
var storeFields = map[string]string{"odometer": "km", "marketing_source": "marketing", "customer_id": ""}

// vehicleKeys are the whole-row store errors that are about a car.
var vehicleKeys = []string{"imports.error.other_owner", "imports.error.plate_vin_differ"}

// storeErrors turns a store error into row errors; nil gives none.
func storeErrors(row int, err error) []RowError {
	e, ok := store.AsError(err)
	if !ok {
		return nil
	}
	if len(e.Fields) == 0 {
		return []RowError{{Row: row, Key: e.Key, Args: e.Args, Existing: e.Existing,
			Vehicle: strings.HasPrefix(e.Key, "vehicles.") || slices.Contains(vehicleKeys, e.Key)}}
	}
	var out []RowError
	for _, f := range e.Fields {
		name := f.Field
		if n, ok := storeFields[name]; ok {
			name = n
		}
		field, _ := FieldByName(name)
		out = append(out, RowError{Row: row, Field: name, Key: f.Key, Args: f.Args, Existing: e.Existing,
			Vehicle: field.Vehicle})
	}
	return out
}

// group puts together the rows of one customer, keeping the file's order.
func group(rows []rowData) [][]rowData {
	parent := make([]int, len(rows))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	owner := map[string]int{}
	for i, rd := range rows {
		keys := rd.customer.MatchKeys()
		if rd.number != 0 {
			keys = append(keys, "number:"+strconv.FormatUint(rd.number, 10))
		}
		if len(keys) == 0 {
			keys = []string{"name:" + store.FoldName(rd.customer.Name) + "\x00" + store.FoldName(rd.customer.Address)}
		}
		for _, k := range keys {
			if j, ok := owner[k]; ok {
				a, b := find(i), find(j)
				parent[max(a, b)] = min(a, b)
			} else {
				owner[k] = i
			}
		}
	}
	var out [][]rowData
	index := map[int]int{}
	for i, rd := range rows {
		root := find(i)
		n, ok := index[root]
		if !ok {
			n = len(out)
			index[root] = n
			out = append(out, nil)
		}
		out[n] = append(out[n], rd)
	}
	return out
}

// customerFields are the values of one customer that rows may repeat; each
// says how two values are compared, so "ROSSI MARIO" repeats "Mario Rossi".
var customerFields = []struct {
	name string
	get  func(*store.Customer) *string
	same func(a, b string) bool
}{
	{"name", func(c *store.Customer) *string { return &c.Name }, store.SameName},
	{"email", func(c *store.Customer) *string { return &c.Email }, nil},
	{"phone", func(c *store.Customer) *string { return &c.Phone }, samePhone},
	{"mobile", func(c *store.Customer) *string { return &c.Mobile }, samePhone},
	{"tax_code", func(c *store.Customer) *string { return &c.TaxCode }, sameTaxID},
	{"vat", func(c *store.Customer) *string { return &c.VAT }, sameTaxID},
	{"address", func(c *store.Customer) *string { return &c.Address }, nil},
	{"lang", func(c *store.Customer) *string { return &c.Lang }, nil},
	{"notes", func(c *store.Customer) *string { return &c.Notes }, nil},
}

func samePhone(a, b string) bool { return store.NormalizePhone(a) == store.NormalizePhone(b) }
func sameTaxID(a, b string) bool { return store.NormalizeTaxID(a) == store.NormalizeTaxID(b) }

// merge makes one customer of a group's rows. A row that gives a value the
// customer already has from an earlier row, differently, is left out whole.
func merge(rows []rowData) (store.ImportCustomer, []RowError) {
	ic := store.ImportCustomer{}
	from := map[string]int{} // field → row it was taken from
	var errs []RowError
	for _, rd := range rows {
		var conflicts []RowError
		for _, f := range customerFields {
			have, give := *f.get(&ic.Customer), *f.get(&rd.customer)
			same := f.same
			if same == nil {
				same = func(a, b string) bool { return a == b }
			}
			if have != "" && give != "" && !same(have, give) {
				conflicts = append(conflicts, RowError{Row: rd.row, Field: f.name, Key: "imports.error.differs",
					Args: []any{"row", from[f.name]}})
			}
		}
		if ic.HasCompany && rd.hasCompany && ic.Customer.Company != rd.customer.Company {
			conflicts = append(conflicts, RowError{Row: rd.row, Field: "company", Key: "imports.error.differs", Args: []any{"row", from["company"]}})
		}
		if ic.HasMarketing && rd.hasMarketing && ic.Customer.Marketing != rd.customer.Marketing {
			conflicts = append(conflicts, RowError{Row: rd.row, Field: "marketing", Key: "imports.error.differs", Args: []any{"row", from["marketing"]}})
		}
		if ic.Number != 0 && rd.number != 0 && ic.Number != rd.number {
			conflicts = append(conflicts, RowError{Row: rd.row, Field: "customer_id", Key: "imports.error.differs", Args: []any{"row", from["customer_id"]}})
		}
		if len(conflicts) > 0 {
			errs = append(errs, conflicts...)
			continue
		}
		for _, f := range customerFields {
			if dst, v := f.get(&ic.Customer), *f.get(&rd.customer); *dst == "" && v != "" {
				*dst, from[f.name] = v, rd.row
			}
		}
		if !ic.HasCompany && rd.hasCompany {
			ic.HasCompany, ic.Customer.Company, from["company"] = true, rd.customer.Company, rd.row
		}
		if !ic.HasMarketing && rd.hasMarketing {
			ic.HasMarketing, ic.Customer.Marketing, from["marketing"] = true, rd.customer.Marketing, rd.row
			ic.Customer.MarketingSource = "import"
		}
		if ic.Number == 0 && rd.number != 0 {
			ic.Number, from["customer_id"] = rd.number, rd.row
		}
		ic.Rows = append(ic.Rows, rd.row)
		if rd.vehicle != nil {
			ic.Vehicles = append(ic.Vehicles, store.ImportVehicle{Row: rd.row, Vehicle: *rd.vehicle, Reading: rd.reading})
		}
	}
	return ic, errs
}
