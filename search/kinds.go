package search

import (
	"fmt"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2/search/query"

	"pitlane/store"
)

// Kind is a sort of record search finds, named as in the change feed.
type Kind string

const (
	KindCustomer    Kind = "customer"
	KindVehicle     Kind = "vehicle"
	KindAppointment Kind = "appointment"
	KindJob         Kind = "job"
	KindMessage     Kind = "message"
)

// kind is everything search knows about one sort of record. Adding one
// (shared documents) is an entry in kinds and its fields in the mapping,
// with mappingVersion bumped.
type kind struct {
	name Kind
	// prefix starts its document IDs: short, as every ID is in the index.
	prefix string
	// url is the staff page of one record, with %d for its ID.
	url string
	// link, when set, is used instead of url: the page of a record
	// that has none of its own (a message is shown in its thread).
	link func(rec any) string
	// roles may see these records in results.
	roles []store.Role
	// doc is what the index holds of a record.
	doc func(l *loader, rec any) map[string]any
	// query finds records of this kind, or is nil when the input has
	// nothing to look for in them.
	query func(b *builder) query.Query
	// show is a record as a result: title and details, marked.
	show func(l *loader, rec any, p parsed) Hit
	// tiers, when set, are spans of weeks (as the week field holds them)
	// searched one after the other, each only if the one before held too few
	// matches, before all records are. A kind that grows without end (jobs)
	// matches common words by the ten thousand; the recent ones are wanted,
	// and finding them first spares ranking all the others.
	tiers []weekSpan
	// embeds lists records of other kinds whose documents carry this one's
	// fields, so a change here reindexes them (a customer's name is in the
	// documents of their cars).
	embeds func(st *store.Store, rec any) ([]ref, error)
}

// ref names one record.
type ref struct {
	kind Kind
	id   uint64
	rec  any // the record when already loaded, or nil
}

var allStaff = []store.Role{store.RoleSales, store.RoleBackoffice, store.RoleWorkshop, store.RoleManager}

// kinds are searched and grouped in this order.
var kinds = []*kind{
	{name: KindCustomer, prefix: "c", url: "/customers/%d", roles: allStaff,
		doc: customerDoc, query: customerQuery, show: showCustomer, embeds: customerEmbeds},
	{name: KindVehicle, prefix: "v", url: "/vehicles/%d", roles: allStaff,
		doc: vehicleDoc, query: vehicleQuery, show: showVehicle},
	{name: KindAppointment, prefix: "a", url: "/appointments/%d", roles: allStaff,
		doc: appointmentDoc, query: appointmentQuery, show: showAppointment, tiers: []weekSpan{{-1, 2}, {-12, 26}}},
	{name: KindJob, prefix: "j", url: "/jobs/%d", roles: allStaff,
		doc: jobDoc, query: jobQuery, show: showJob, tiers: []weekSpan{{-1, 0}, {-12, 0}, {-104, 0}}},
	{name: KindMessage, prefix: "m", link: messageLink, roles: store.MessageRoles,
		doc: messageDoc, query: messageQuery, show: showMessage, tiers: []weekSpan{{-1, 0}, {-12, 0}, {-104, 0}}},
}

func kindNamed(name string) *kind {
	for _, k := range kinds {
		if string(k.name) == name {
			return k
		}
	}
	return nil
}

// Kinds lists every kind, in display order.
func Kinds() []Kind {
	out := make([]Kind, len(kinds))
	for i, k := range kinds {
		out[i] = k.name
	}
	return out
}

// Visible lists the kinds role may find, in display order.
func Visible(role store.Role) []Kind {
	var out []Kind
	for _, k := range kinds {
		if k.visibleTo(role) {
			out = append(out, k.name)
		}
	}
	return out
}

func (k *kind) visibleTo(role store.Role) bool {
	for _, r := range k.roles {
		if r == role {
			return true
		}
	}
	return false
}

func (k *kind) docID(id uint64) string { return fmt.Sprintf("%s%d", k.prefix, id) }

// urlOf is the staff page of a record of this kind.
func (k *kind) urlOf(id uint64, rec any) string {
	if k.link != nil {
		return k.link(rec)
	}
	return fmt.Sprintf(k.url, id)
}

// loader reads what documents and results show of related records,
// remembering the last customer and car: a rebuild meets a customer's cars
// one after the other.
type loader struct {
	st      *store.Store
	custID  uint64
	cust    store.Customer
	vehID   uint64
	vehicle store.Vehicle
}

func (l *loader) customer(id uint64) store.Customer {
	if id != l.custID {
		c, err := l.st.Customer(id)
		if err != nil {
			c = store.Customer{}
		}
		l.custID, l.cust = id, c
	}
	return l.cust
}

func (l *loader) car(id uint64) store.Vehicle {
	if id != l.vehID {
		v, err := l.st.Vehicle(id)
		if err != nil {
			v = store.Vehicle{}
		}
		l.vehID, l.vehicle = id, v
	}
	return l.vehicle
}

// Customers: name, phones, e-mail, tax code and VAT number.

func customerDoc(_ *loader, rec any) map[string]any {
	c := rec.(store.Customer)
	return map[string]any{
		fName:       c.Name,
		fEmail:      c.Email,
		fEmailWords: emailWords(c.Email),
		fPhone:      phoneForms(c.Phone, c.Mobile),
		fTax:        taxForms(c.TaxCode, c.VAT),
	}
}

func customerQuery(b *builder) query.Query {
	p := b.p
	qs := []query.Query{b.words(fName, fEmailWords)}
	if p.digits != "" {
		qs = append(qs, b.prefix(fPhone, p.digits, minPhonePrefix))
	}
	if p.email != "" {
		qs = append(qs, b.prefix(fEmail, p.email, minEmailPrefix))
	}
	if len(p.taxID) >= minTaxPrefix {
		qs = append(qs, b.prefix(fTax, p.taxID, minTaxPrefix))
	}
	return disjunction(qs)
}

func showCustomer(_ *loader, rec any, p parsed) Hit {
	c := rec.(store.Customer)
	h := Hit{Title: p.markWords(c.Name)}
	for _, ph := range []string{c.Phone, c.Mobile} {
		if ph != "" {
			h.Details = append(h.Details, p.markPhone(ph))
		}
	}
	if c.Email != "" {
		h.Details = append(h.Details, p.markEmail(c.Email))
	}
	for _, id := range []string{c.TaxCode, c.VAT} {
		if id != "" {
			h.Details = append(h.Details, p.markCompact(id, p.taxID, store.NormalizeTaxID))
		}
	}
	return h
}

func customerEmbeds(st *store.Store, rec any) ([]ref, error) {
	c := rec.(store.Customer)
	cars, err := st.CustomerVehicles(c.ID)
	if err != nil {
		return nil, err
	}
	out := make([]ref, len(cars))
	for i, v := range cars {
		out[i] = ref{kind: KindVehicle, id: v.ID, rec: v}
	}
	return out, nil
}

// Vehicles: plate, VIN, make and model, and the owner's name.

func vehicleDoc(l *loader, rec any) map[string]any {
	v := rec.(store.Vehicle)
	return map[string]any{
		fPlate: store.NormalizePlate(v.Plate),
		fVIN:   v.VIN,
		fCar:   strings.Join([]string{v.Make, v.Model, v.Version}, " "),
		fOwner: l.customer(v.CustomerID).Name,
	}
}

func vehicleQuery(b *builder) query.Query {
	p := b.p
	qs := []query.Query{b.words(fCar, fOwner)}
	if p.compact != "" {
		qs = append(qs, b.prefix(fPlate, p.compact, minPlatePrefix), b.prefix(fVIN, p.compact, minVINPrefix))
	}
	return disjunction(qs)
}

func showVehicle(l *loader, rec any, p parsed) Hit {
	v := rec.(store.Vehicle)
	h := Hit{Title: p.markCompact(v.Plate, p.compact, store.NormalizePlate)}
	car := strings.TrimSpace(strings.Join([]string{v.Make, v.Model, v.Version}, " "))
	if v.Year != 0 {
		car += fmt.Sprintf(" (%d)", v.Year)
	}
	h.Details = append(h.Details, p.markWords(car))
	if v.VIN != "" {
		h.Details = append(h.Details, p.markCompact(v.VIN, p.compact, store.NormalizePlate))
	}
	if owner := l.customer(v.CustomerID).Name; owner != "" {
		h.Details = append(h.Details, p.markWords(owner))
	}
	return h
}

// Appointments: service and department.

func appointmentDoc(_ *loader, rec any) map[string]any {
	a := rec.(store.Appointment)
	return map[string]any{fApptText: a.Service + " " + a.Department, fWeek: week(a.Start)}
}

func appointmentQuery(b *builder) query.Query {
	return b.words(fApptText)
}

func showAppointment(l *loader, rec any, p parsed) Hit {
	a := rec.(store.Appointment)
	h := Hit{Title: p.markWords(a.Service), When: a.Start}
	if a.Department != "" {
		h.Details = append(h.Details, p.markWords(a.Department))
	}
	if name := l.customer(a.CustomerID).Name; name != "" {
		h.Details = append(h.Details, plain(name))
	}
	if a.VehicleID != 0 {
		if plate := l.car(a.VehicleID).Plate; plate != "" {
			h.Details = append(h.Details, plain(plate))
		}
	}
	return h
}

// Jobs: number, description, the estimate's lines and the notes taken at
// check-in and inspection.

func jobDoc(_ *loader, rec any) map[string]any {
	j := rec.(store.Job)
	return map[string]any{fNumber: numberForms(j.Number), fJobText: jobTexts(j), fWeek: week(j.Opened)}
}

// jobTexts are a job's texts, the description first.
func jobTexts(j store.Job) []string {
	out := []string{j.Description}
	if j.CheckIn != nil && j.CheckIn.Damage != "" {
		out = append(out, j.CheckIn.Damage)
	}
	for _, l := range j.Lines {
		out = append(out, l.Description)
	}
	for _, it := range j.Inspection {
		if it.Note != "" {
			out = append(out, it.Note)
		}
	}
	return out
}

func jobQuery(b *builder) query.Query {
	qs := []query.Query{b.words(fJobText)}
	if n := b.p.number; n != "" {
		qs = append(qs, b.prefix(fNumber, n, minNumberPrefix))
	}
	return disjunction(qs)
}

func showJob(l *loader, rec any, p parsed) Hit {
	j := rec.(store.Job)
	h := Hit{Title: p.markNumber(j.Number), When: j.Opened}
	// The description, or the first of the job's texts that matched.
	text := p.markWords(excerpt(j.Description, p))
	for _, t := range jobTexts(j)[1:] {
		if text.Marked() {
			break
		}
		if m := p.markWords(excerpt(t, p)); m.Marked() {
			text = m
		}
	}
	if len(text) > 0 {
		h.Details = append(h.Details, text)
	}
	if plate := l.car(j.VehicleID).Plate; plate != "" {
		h.Details = append(h.Details, plain(plate))
	}
	return h
}

// Messages: their text. A message is found by what it says and shown with
// its customer as they are now, so neither renaming nor merging customers
// touches message documents.

func messageDoc(_ *loader, rec any) map[string]any {
	m := rec.(store.Message)
	return map[string]any{fMessageText: m.Text, fWeek: week(m.Created)}
}

func messageQuery(b *builder) query.Query {
	return b.words(fMessageText)
}

// showMessage is the part of the text that matched, with who wrote it as
// the thread names them: the customer (and their phone) for a message in,
// the staff member and the customer written to for a reply.
func showMessage(l *loader, rec any, p parsed) Hit {
	m := rec.(store.Message)
	h := Hit{Title: p.markWords(excerpt(m.Text, p)), When: m.Created}
	name := l.customer(m.CustomerID).Name
	switch {
	case m.Direction == store.DirectionIn && m.Author != "":
		h.Details = append(h.Details, plain(name+" ("+m.Author+")"))
	case m.Direction == store.DirectionIn:
		h.Details = append(h.Details, plain(name))
	default:
		h.Details = append(h.Details, plain(m.Author+" → "+name))
	}
	return h
}

// messageLink is the customer's thread, at the message: the page that
// holds it, however old, scrolled to it.
func messageLink(rec any) string {
	m := rec.(store.Message)
	return fmt.Sprintf("/messages/%d?at=%d#m%d", m.CustomerID, m.ID, m.ID)
}

// week is the ISO week of t, as the week field holds it: 2026-W47.
func week(t time.Time) string {
	y, w := t.UTC().ISOWeek()
	return fmt.Sprintf("%d-W%02d", y, w)
}

// spans are the tiers searched in turn, the last (nil) being every record.
func (k *kind) spans() []*weekSpan {
	out := make([]*weekSpan, 0, len(k.tiers)+1)
	for i := range k.tiers {
		out = append(out, &k.tiers[i])
	}
	return append(out, nil)
}

// weekSpan is the weeks from the current one plus from to plus to.
type weekSpan struct{ from, to int }

func (s weekSpan) weeks(now time.Time) []string {
	out := make([]string, 0, s.to-s.from+1)
	for n := s.from; n <= s.to; n++ {
		out = append(out, week(now.AddDate(0, 0, 7*n)))
	}
	return out
}

// Hit is one result.
type Hit struct {
	Kind    Kind
	ID      uint64
	URL     string
	Title   Text
	Details []Text
	// When is an appointment's start, a job's opening or a message's
	// sending; zero for others.
	When time.Time
}
