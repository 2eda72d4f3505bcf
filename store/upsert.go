package store

import (
	"errors"
	"slices"
	"strings"
	"time"
	"unicode"

	bolt "go.etcd.io/bbolt"
)

// What an import from another system needs from the store: the rules every
// form goes through, to list bad rows before anything is written, and an
// operation that writes a batch of customers with their cars, updating what
// is already on file instead of adding it twice.

// CheckCustomer returns c as the store would save it, or what is wrong with
// it, the same way CreateCustomer would say.
func CheckCustomer(c Customer, now time.Time) (Customer, error) {
	err := c.normalize(now)
	return c, err
}

// CheckVehicle is CheckCustomer for a car. Its owner is not checked: an
// imported car's owner may be in the same file, not yet on file.
func CheckVehicle(v Vehicle, now time.Time) (Vehicle, error) {
	err := normalizeCar(&v, now)
	return v, err
}

// MatchKeys are the normalised e-mail, phone numbers and tax numbers that
// make c one person: two records sharing any of them are the same customer.
// A phone and a mobile share one space, as do tax codes and VAT numbers, as
// in the store's own unique indexes.
func (c Customer) MatchKeys() []string {
	var keys []string
	for _, k := range c.identityKeys() {
		keys = append(keys, string(k.bucket)+":"+string(k.key))
	}
	return keys
}

// ImportCustomer is one customer of an import, with the cars the file lists
// for them. A text field left empty keeps what is on file, so a file with
// fewer columns than the record never blanks it.
type ImportCustomer struct {
	// Rows are the file rows the customer comes from, so that a failure can
	// name them.
	Rows     []int
	Customer Customer
	// HasCompany and HasMarketing say the file gives these yes/no values;
	// without them the values on file stay.
	HasCompany, HasMarketing bool
	// Number is the customer number a Pitlane export gives. It finds a
	// customer only together with the same name, so a number from another
	// appliance cannot update a stranger.
	Number   uint64
	Vehicles []ImportVehicle
}

// ImportVehicle is one car of an ImportCustomer, from file row Row.
type ImportVehicle struct {
	Row     int
	Vehicle Vehicle
	// Reading is the odometer reading the file gives, nil if none.
	Reading *Reading
}

// ImportCounts says what an import did (or, in a dry run, would do) to one
// kind of record.
type ImportCounts struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
}

// ImportFailure is a file row that could not be written, and why.
type ImportFailure struct {
	Row int
	Err *Error
}

// ImportResult is what ImportCustomers did.
type ImportResult struct {
	Customers ImportCounts
	Vehicles  ImportCounts
	Failures  []ImportFailure
}

var errDryRun = errors.New("dry run: roll back")

// ImportCustomers writes one batch of imported customers with their cars in
// one transaction (callers keep batches to a few hundred rows, so that no
// transaction grows huge). A customer already on file — by e-mail, phone,
// mobile, tax code or VAT number, else by number and name, else as the owner
// of a listed car with the same name, else, for a customer with none of
// those, by name and address — gets the fields that changed; a car is found
// by plate or VIN. A record the file gives as it is on file is left alone,
// so importing the same file twice changes nothing. A row that cannot be
// written is listed in the result's Failures and the others go ahead; only
// an internal error fails the whole batch.
//
// With dryRun the transaction is rolled back at the end: the result says
// exactly what an import would do, through the same code, and nothing is
// written.
func (s *Store) ImportCustomers(a Actor, batch []ImportCustomer, dryRun bool) (ImportResult, error) {
	var res ImportResult
	// Update, not the shared Batch: a large transaction would hold up the
	// small writes batched with it, and a dry run's rollback would fail them.
	err := s.db.Update(func(tx *bolt.Tx) error {
		res = ImportResult{}
		w := s.writer(tx)
		for _, ic := range batch {
			if err := s.importCustomer(w, a, ic, &res); err != nil {
				return err
			}
		}
		if dryRun {
			return errDryRun
		}
		return nil
	})
	switch {
	case errors.Is(err, errDryRun):
		return res, nil
	case err != nil:
		return ImportResult{}, err
	}
	if res.Customers.Created+res.Customers.Updated+res.Vehicles.Created+res.Vehicles.Updated > 0 {
		s.notifyFeed()
	}
	return res, nil
}

// importCustomer writes one customer and their cars inside the batch's
// transaction. Every check comes before the first write, so a row that fails
// leaves nothing of itself behind: the cars are checked first, and a
// customer none of whose rows can be imported is not written either.
func (s *Store) importCustomer(w writer, a Actor, ic ImportCustomer, res *ImportResult) error {
	failed := map[int]bool{}
	fail := func(rows []int, err error) error {
		e, ok := AsError(err)
		if !ok {
			return err
		}
		for _, row := range rows {
			if !failed[row] {
				failed[row] = true
				res.Failures = append(res.Failures, ImportFailure{Row: row, Err: e})
			}
		}
		return nil
	}
	in := ic.Customer
	if err := in.normalize(w.now); err != nil {
		return fail(ic.Rows, err)
	}
	old, found, err := findImportCustomer(w.tx, ic, in)
	if err != nil {
		return fail(ic.Rows, err)
	}
	var cars []carChange
	for _, iv := range ic.Vehicles {
		ch, err := checkImportedVehicle(w, old.ID, iv)
		if err != nil {
			if err := fail([]int{iv.Row}, err); err != nil {
				return err
			}
			continue
		}
		cars = append(cars, ch)
	}
	if len(failed) == len(ic.Rows) {
		return nil
	}
	var c Customer
	if !found {
		c = in
		if !ic.HasCompany {
			c.Company = false
		}
		c.Marketing = ic.HasMarketing && in.Marketing
		c.MarketingDate, c.MarketingSource = time.Time{}, ""
		if c.Marketing {
			c.MarketingDate, c.MarketingSource = w.now, "import"
		}
		if err := s.putNewCustomer(w, &c); err != nil {
			return fail(ic.Rows, err)
		}
		if err := w.audit(a, "customer_import", "customer", c.ID, c.Name); err != nil {
			return err
		}
		res.Customers.Created++
	} else {
		c = mergeCustomer(old, in, ic, w.now)
		if err := c.normalize(w.now); err != nil {
			return fail(ic.Rows, err)
		}
		if c == old {
			res.Customers.Unchanged++
		} else {
			if err := checkCustomerUnique(w.tx, &c); err != nil {
				return fail(ic.Rows, err)
			}
			if err := writeImportedCustomer(w, a, old, &c); err != nil {
				return err
			}
			res.Customers.Updated++
		}
	}
	for _, ch := range cars {
		// A typed error here comes before any write (two rows of one
		// customer with the same new car): that row fails, the rest go on.
		if err := s.writeImportedVehicleChange(w, a, c.ID, ch, res); err != nil {
			if err := fail([]int{ch.row}, err); err != nil {
				return err
			}
		}
	}
	return nil
}

// findImportCustomer finds the customer on file an imported one is.
func findImportCustomer(tx *bolt.Tx, ic ImportCustomer, in Customer) (Customer, bool, error) {
	custs := tx.Bucket(bCustomers)
	var ids []uint64
	for _, k := range in.identityKeys() {
		if id := tx.Bucket(k.bucket).Get(k.key); id != nil && !slices.Contains(ids, btoi(id)) {
			ids = append(ids, btoi(id))
		}
	}
	var c Customer
	switch {
	case len(ids) > 1:
		// Merging two customers is a decision for a person, not an import.
		return c, false, &Error{Code: CodeConflict, Key: "imports.error.several_customers",
			Args: []any{"first", ids[0], "second", ids[1]}, Existing: ids[0]}
	case len(ids) == 1:
		if err := getJSON(custs, itob(ids[0]), &c); err != nil {
			return c, false, err
		}
		// An e-mail or phone shared in a family must not give one person's
		// car to another: a different name is for a person to sort out.
		if !SameName(c.Name, in.Name) {
			return c, false, &Error{Code: CodeConflict, Key: "imports.error.name_differs", Existing: c.ID,
				Args: []any{"customer", c.ID, "name", c.Name}}
		}
		return c, true, nil
	}
	if ic.Number != 0 {
		if err := getJSON(custs, itob(ic.Number), &c); err == nil && SameName(c.Name, in.Name) {
			return c, true, nil
		}
	}
	for _, iv := range ic.Vehicles {
		id := tx.Bucket(bVehByPlate).Get([]byte(NormalizePlate(iv.Vehicle.Plate)))
		if id == nil {
			continue
		}
		var v Vehicle
		if err := getJSON(tx.Bucket(bVehicles), id, &v); err != nil {
			return c, false, err
		}
		if err := getJSON(custs, itob(v.CustomerID), &c); err == nil && SameName(c.Name, in.Name) {
			return c, true, nil
		}
	}
	if len(in.identityKeys()) > 0 {
		return Customer{}, false, nil
	}
	// Someone known by name alone: the one customer of that name and address
	// who has no e-mail, phone or tax number either.
	var match Customer
	n := 0
	prefix := []byte(FoldName(in.Name) + "\x00")
	cur := tx.Bucket(bCustByName).Cursor()
	for k, _ := cur.Seek(prefix); k != nil && strings.HasPrefix(string(k), string(prefix)); k, _ = cur.Next() {
		var cand Customer
		if err := getJSON(custs, k[len(k)-8:], &cand); err != nil {
			return Customer{}, false, err
		}
		if len(cand.identityKeys()) == 0 && FoldName(cand.Address) == FoldName(in.Address) {
			match, n = cand, n+1
		}
	}
	return match, n == 1, nil
}

// SameName says two names are one person's however they are cased, accented
// or ordered (old systems often write "ROSSI MARIO"), or when one has a
// middle name the other leaves out ("Mario Giuseppe Rossi"). A surname alone
// is not enough: families share them, and phones.
func SameName(a, b string) bool {
	wa, wb := nameWords(a), nameWords(b)
	if len(wa) > len(wb) {
		wa, wb = wb, wa
	}
	if len(wa) == 0 || (len(wa) == 1 && len(wb) > 1) {
		return len(wa) == len(wb)
	}
	for _, w := range wa {
		if !slices.Contains(wb, w) {
			return false
		}
	}
	return true
}

func nameWords(s string) []string {
	return strings.FieldsFunc(FoldName(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// mergeCustomer lays the file's values over the record on file. The name
// stays: the file's is the same name (findImportCustomer saw to it), maybe in
// capitals. A value the record already holds, written another way, is kept
// as it is, so that a re-import does not churn formatting.
func mergeCustomer(old, in Customer, ic ImportCustomer, now time.Time) Customer {
	c := old
	if in.Email != "" {
		c.Email = in.Email
	}
	// A number already on the record, in either field, is no change: files
	// often have one "phone" column for whatever number the customer gave.
	onFile := []string{NormalizePhone(old.Phone), NormalizePhone(old.Mobile)}
	known := true
	for _, p := range []string{in.Phone, in.Mobile} {
		if n := NormalizePhone(p); n != "" && !slices.Contains(onFile, n) {
			known = false
		}
	}
	if !known {
		if in.Phone != "" && NormalizePhone(in.Phone) != NormalizePhone(old.Phone) {
			c.Phone = in.Phone
		}
		if in.Mobile != "" && NormalizePhone(in.Mobile) != NormalizePhone(old.Mobile) {
			c.Mobile = in.Mobile
		}
	}
	if in.TaxCode != "" && NormalizeTaxID(in.TaxCode) != NormalizeTaxID(old.TaxCode) {
		c.TaxCode = in.TaxCode
	}
	if in.VAT != "" && NormalizeTaxID(in.VAT) != NormalizeTaxID(old.VAT) {
		c.VAT = in.VAT
	}
	if in.Address != "" {
		c.Address = in.Address
	}
	if in.Lang != "" {
		c.Lang = in.Lang
	}
	if in.Notes != "" {
		c.Notes = in.Notes
	}
	if ic.HasCompany {
		c.Company = in.Company
	}
	if ic.HasMarketing && in.Marketing != old.Marketing {
		c.Marketing, c.MarketingDate, c.MarketingSource = in.Marketing, time.Time{}, ""
		if c.Marketing {
			c.MarketingDate, c.MarketingSource = now, "import"
		}
	}
	return c
}

// writeImportedCustomer saves an updated customer with its indexes, history,
// feed and audit entries.
func writeImportedCustomer(w writer, a Actor, old Customer, c *Customer) error {
	c.Updated = w.now
	if err := deleteCustomerIndexes(w.tx, &old); err != nil {
		return err
	}
	if err := putCustomerIndexes(w.tx, c); err != nil {
		return err
	}
	if err := putJSON(w.tx.Bucket(bCustomers), itob(c.ID), c); err != nil {
		return err
	}
	if err := w.timeline(c.ID, "customer", c.ID, "imports.timeline.customer_updated"); err != nil {
		return err
	}
	if old.Marketing != c.Marketing {
		key := "timeline.marketing_off"
		if c.Marketing {
			key = "timeline.marketing_on"
		}
		if err := w.timeline(c.ID, "customer", c.ID, key); err != nil {
			return err
		}
	}
	if err := w.change("customer", c.ID, OpPut); err != nil {
		return err
	}
	return w.audit(a, "customer_import", "customer", c.ID, c.Name)
}

// carChange is what importing one car does: add v (old nil), or turn old
// into v.
type carChange struct {
	row int
	old *Vehicle
	v   Vehicle
}

// normalizeCar is normalize for a car whose owner may not be written yet.
func normalizeCar(v *Vehicle, now time.Time) error {
	err := v.normalize(now)
	if e, ok := AsError(err); ok {
		e.Fields = slices.DeleteFunc(slices.Clone(e.Fields), func(f FieldError) bool { return f.Field == "customer_id" })
		if len(e.Fields) == 0 {
			return nil
		}
	}
	return err
}

// checkImportedVehicle works out what importing iv for customer owner (0
// for a customer not yet on file) does, or why it cannot be done.
func checkImportedVehicle(w writer, owner uint64, iv ImportVehicle) (carChange, error) {
	in := iv.Vehicle
	in.ID, in.CustomerID, in.Odometer, in.Owners = 0, owner, nil, nil
	if err := normalizeCar(&in, w.now); err != nil {
		return carChange{}, err
	}
	byPlate := w.tx.Bucket(bVehByPlate).Get([]byte(NormalizePlate(in.Plate)))
	var byVIN []byte
	if in.VIN != "" {
		byVIN = w.tx.Bucket(bVehByVIN).Get([]byte(in.VIN))
	}
	if byPlate != nil && byVIN != nil && btoi(byPlate) != btoi(byVIN) {
		return carChange{}, &Error{Code: CodeConflict, Key: "imports.error.plate_vin_differ", Existing: btoi(byVIN)}
	}
	id := byPlate
	if id == nil {
		id = byVIN
	}
	if id == nil {
		if iv.Reading != nil {
			in.Odometer = []Reading{{At: readingTime(*iv.Reading, nil, w.now), Km: iv.Reading.Km, Source: "import"}}
		}
		return carChange{row: iv.Row, v: in}, normalizeCar(&in, w.now)
	}
	var old Vehicle
	if err := getJSON(w.tx.Bucket(bVehicles), id, &old); err != nil {
		return carChange{}, err
	}
	if old.CustomerID != owner {
		// A change of owner is recorded on the car's page, where staff see
		// its history; an old file must not move cars silently.
		return carChange{}, &Error{Code: CodeConflict, Key: "imports.error.other_owner", Existing: old.ID,
			Args: []any{"plate", old.Plate, "customer", old.CustomerID}}
	}
	v := mergeVehicle(old, in)
	if iv.Reading != nil && iv.Reading.Km > maxKm(old.Odometer) {
		// A lower or equal reading is older news than what is on file.
		v.Odometer = append(slices.Clone(old.Odometer),
			Reading{At: readingTime(*iv.Reading, old.Odometer, w.now), Km: iv.Reading.Km, Source: "import"})
	}
	if err := v.normalize(w.now); err != nil {
		return carChange{}, err
	}
	if !sameVehicle(v, old) {
		if err := checkVehicleUnique(w.tx, &v); err != nil {
			return carChange{}, err
		}
	}
	return carChange{row: iv.Row, old: &old, v: v}, nil
}

// writeImportedVehicleChange adds or updates a car checked by
// checkImportedVehicle, for customer owner.
func (s *Store) writeImportedVehicleChange(w writer, a Actor, owner uint64, ch carChange, res *ImportResult) error {
	switch {
	case ch.old == nil:
		ch.v.CustomerID = owner
		if err := s.putNewVehicle(w, &ch.v); err != nil {
			return err
		}
		res.Vehicles.Created++
		return w.audit(a, "customer_import", "vehicle", ch.v.ID, ch.v.Plate)
	case sameVehicle(ch.v, *ch.old):
		res.Vehicles.Unchanged++
		return nil
	}
	// Checked again: an earlier car of this batch may have taken its VIN.
	if err := checkVehicleUnique(w.tx, &ch.v); err != nil {
		return err
	}
	res.Vehicles.Updated++
	return writeImportedVehicle(w, a, *ch.old, &ch.v)
}

// readingTime dates an imported reading: the file's date when it is after
// every reading on file, otherwise now, so the history stays in order.
func readingTime(r Reading, onFile []Reading, now time.Time) time.Time {
	if r.At.IsZero() || r.At.After(now) {
		return now
	}
	for _, o := range onFile {
		if !r.At.After(o.At) {
			return now
		}
	}
	return r.At.UTC()
}

func maxKm(rs []Reading) int {
	m := -1
	for _, r := range rs {
		m = max(m, r.Km)
	}
	return m
}

// mergeVehicle lays the file's values over the car on file; names differing
// only in case ("FIAT", "Fiat") and a plate written another way are kept.
func mergeVehicle(old, in Vehicle) Vehicle {
	v := old
	if NormalizePlate(in.Plate) != NormalizePlate(old.Plate) {
		v.Plate = in.Plate
	}
	if in.VIN != "" {
		v.VIN = in.VIN
	}
	for _, f := range []struct {
		dst *string
		val string
	}{{&v.Make, in.Make}, {&v.Model, in.Model}, {&v.Version, in.Version}, {&v.Colour, in.Colour}} {
		if f.val != "" && FoldName(f.val) != FoldName(*f.dst) {
			*f.dst = f.val
		}
	}
	if in.Fuel != "" {
		v.Fuel = in.Fuel
	}
	if in.Year != 0 {
		v.Year = in.Year
	}
	if !in.Registered.IsZero() && !in.Registered.Equal(old.Registered) {
		v.Registered = in.Registered
	}
	return v
}

func sameVehicle(a, b Vehicle) bool {
	return a.Plate == b.Plate && a.VIN == b.VIN && a.Make == b.Make && a.Model == b.Model &&
		a.Version == b.Version && a.Colour == b.Colour && a.Fuel == b.Fuel && a.Year == b.Year &&
		a.Registered.Equal(b.Registered) && len(a.Odometer) == len(b.Odometer)
}

// writeImportedVehicle saves an updated car with its indexes, history, feed
// and audit entries.
func writeImportedVehicle(w writer, a Actor, old Vehicle, v *Vehicle) error {
	byPlate, byVIN := w.tx.Bucket(bVehByPlate), w.tx.Bucket(bVehByVIN)
	if err := byPlate.Delete([]byte(NormalizePlate(old.Plate))); err != nil {
		return err
	}
	if old.VIN != "" {
		if err := byVIN.Delete([]byte(old.VIN)); err != nil {
			return err
		}
	}
	if err := byPlate.Put([]byte(NormalizePlate(v.Plate)), itob(v.ID)); err != nil {
		return err
	}
	if v.VIN != "" {
		if err := byVIN.Put([]byte(v.VIN), itob(v.ID)); err != nil {
			return err
		}
	}
	v.Updated = w.now
	if err := putJSON(w.tx.Bucket(bVehicles), itob(v.ID), v); err != nil {
		return err
	}
	if err := w.timeline(v.CustomerID, "vehicle", v.ID, "imports.timeline.vehicle_updated", "plate", v.Plate); err != nil {
		return err
	}
	if err := w.change("vehicle", v.ID, OpPut); err != nil {
		return err
	}
	return w.audit(a, "customer_import", "vehicle", v.ID, v.Plate)
}
