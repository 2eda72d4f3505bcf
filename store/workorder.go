package store

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// A job's check-in, inspection, estimate lines and invoice live inside the
// job record: they are read and changed together, and a job has tens of
// them, not thousands.

// CheckIn is what staff record when the car arrives.
type CheckIn struct {
	At       time.Time `json:"at"`
	Km       int       `json:"km"`
	Fuel     int       `json:"fuel"` // eighths of a tank, 0–8
	Damage   string    `json:"damage,omitempty"`
	ByUserID uint64    `json:"by_user_id,omitempty"`
	// Attachments are the photos and videos of the car as it arrived.
	Attachments []Attachment `json:"attachments,omitempty"`
}

// Inspection item states.
const (
	ItemUnchecked = ""
	ItemGreen     = "green"
	ItemAmber     = "amber"
	ItemRed       = "red"
)

// InspectionItem is one point of the digital inspection.
type InspectionItem struct {
	Key    string `json:"key"`   // catalogue key of the item's name, or ""
	Label  string `json:"label"` // free text when Key is empty
	Status string `json:"status,omitempty"`
	Note   string `json:"note,omitempty"`
	// Tread is the tyre tread depth in tenths of a millimetre (0 = not measured).
	Tread int `json:"tread,omitempty"`
	// Line is the estimate line made from this item, 0 if none.
	Line int `json:"line,omitempty"`
	// Attachments show the customer what the note says.
	Attachments []Attachment `json:"attachments,omitempty"`
}

// Tyre reports whether the item measures a tyre's tread depth.
func (it InspectionItem) Tyre() bool { return strings.HasPrefix(it.Key, "tyre_") }

// DefaultInspection is the checklist a new dealership starts with.
var DefaultInspection = []string{
	"brakes_front", "brakes_rear", "brake_fluid", "tyre_fl", "tyre_fr", "tyre_rl", "tyre_rr",
	"spare_tyre", "headlights", "brake_lights", "indicators", "engine_oil", "coolant",
	"washer_fluid", "power_steering", "battery", "wipers", "suspension_front", "suspension_rear",
	"exhaust", "steering", "drive_belts", "air_filter", "cabin_filter", "leaks",
}

var keyInspectionTemplate = []byte("inspection_template")

// Estimate line kinds and states.
const (
	LineLabour   = "labour"
	LinePart     = "part"
	LineFee      = "fee"
	LineDiscount = "discount"

	LineProposed = "proposed"
	LineApproved = "approved"
	LineDeclined = "declined"
)

// LineKinds lists the kinds of estimate line.
var LineKinds = []string{LineLabour, LinePart, LineFee, LineDiscount}

// Line is one line of a job's estimate.
type Line struct {
	ID          int    `json:"id"`
	Kind        string `json:"kind"`
	Description string `json:"description"`
	// Qty is hours for labour, pieces otherwise, in hundredths (150 = 1.5).
	Qty int64 `json:"qty"`
	// UnitPrice is in the currency's minor units, before tax; a discount's
	// is positive and subtracted.
	UnitPrice int64 `json:"unit_price"`
	// TaxRate is in hundredths of a percent (2200 = 22 %).
	TaxRate int64  `json:"tax_rate"`
	Status  string `json:"status"`
	// Item is the index+1 of the inspection item the line came from, 0 if none.
	Item    int       `json:"item,omitempty"`
	Decided time.Time `json:"decided,omitempty"`
}

// divRound divides rounding half away from zero, so that 0.5 of a minor unit
// goes up for a charge and down (more negative) for a discount, symmetric as
// accountants expect; b must be positive.
func divRound(a, b int64) int64 {
	if a < 0 {
		return -((-a + b/2) / b)
	}
	return (a + b/2) / b
}

// Net is the line's amount before tax in minor units: Qty × UnitPrice
// rounded half away from zero to a minor unit, negative for a discount.
func (l Line) Net() int64 {
	n := divRound(l.Qty*l.UnitPrice, 100)
	if l.Kind == LineDiscount {
		return -n
	}
	return n
}

// Tax is the line's tax, rounded per line half away from zero.
func (l Line) Tax() int64 { return divRound(l.Net()*l.TaxRate, 10000) }

// Gross is the line's amount with tax.
func (l Line) Gross() int64 { return l.Net() + l.Tax() }

// Totals sums lines in minor units.
type Totals struct {
	Net   int64 `json:"net"`
	Tax   int64 `json:"tax"`
	Gross int64 `json:"gross"`
}

// Sum totals the lines whose status is one of statuses (all when none given).
func Sum(lines []Line, statuses ...string) Totals {
	var t Totals
	for _, l := range lines {
		if len(statuses) > 0 && !contains(statuses, l.Status) {
			continue
		}
		t.Net += l.Net()
		t.Tax += l.Tax()
	}
	t.Gross = t.Net + t.Tax
	return t
}

// Invoice closes a job: its number, the approved lines as billed, or a PDF
// uploaded from the accounting system.
type Invoice struct {
	Number string    `json:"number"`
	Issued time.Time `json:"issued"`
	Lines  []Line    `json:"lines,omitempty"`
	Totals Totals    `json:"totals"`
	// Upload is the media hash of a PDF made elsewhere; empty when Pitlane
	// prints the invoice itself.
	Upload string `json:"upload,omitempty"`
}

// changeJob reads a job, lets fn change it, and writes it back with its
// change-feed entry; fn returns the audit action and detail.
func (s *Store) changeJob(a Actor, id uint64, fn func(w writer, j *Job) (string, string, error)) (Job, error) {
	var j Job
	err := s.update(func(tx *bolt.Tx) error {
		j = Job{}
		b := tx.Bucket(bJobs)
		if err := getJSON(b, itob(id), &j); err != nil {
			return err
		}
		was := j.CustomerID
		w := s.writer(tx)
		action, detail, err := fn(w, &j)
		if err != nil {
			return err
		}
		j.Updated = w.now
		if err := putJSON(b, itob(id), j); err != nil {
			return err
		}
		if err := indexJobMedia(tx, j, was); err != nil {
			return err
		}
		if err := w.change("job", id, OpPut); err != nil {
			return err
		}
		return w.audit(a, action, "job", id, j.Number+": "+detail)
	})
	return j, err
}

func closed(j *Job) error {
	if j.Invoice != nil {
		return Conflict("jobs.error.invoiced")
	}
	return nil
}

// CheckInJob records the car's arrival: the odometer reading goes into the
// car's history in the same transaction.
func (s *Store) CheckInJob(a Actor, id uint64, ci CheckIn) (Job, error) {
	ci.Damage = strings.TrimSpace(ci.Damage)
	if ci.Fuel < 0 || ci.Fuel > 8 {
		return Job{}, Invalid("fuel", "jobs.error.fuel")
	}
	if err := CheckFiles(len(ci.Attachments)); err != nil {
		return Job{}, err
	}
	var err error
	if ci.Attachments, err = checkAttachments(ci.Attachments); err != nil {
		return Job{}, err
	}
	return s.changeJob(a, id, func(w writer, j *Job) (string, string, error) {
		if j.CheckIn != nil {
			return "", "", Conflict("jobs.error.checked_in")
		}
		ci.At, ci.ByUserID = w.now, a.UserID
		if _, err := addReading(w, a, j.VehicleID, Reading{At: w.now, Km: ci.Km, Source: "checkin"}); err != nil {
			return "", "", err
		}
		j.CheckIn = &ci
		return "job_checkin", fmt.Sprintf("%d km", ci.Km), nil
	})
}

// AssignTechnician sets (or clears, with "") who works on the job.
func (s *Store) AssignTechnician(a Actor, id uint64, name string) (Job, error) {
	name = strings.TrimSpace(name)
	if len(name) > 100 {
		return Job{}, Invalid("technician", "jobs.error.technician")
	}
	return s.changeJob(a, id, func(w writer, j *Job) (string, string, error) {
		j.Technician = name
		return "job_technician", name, nil
	})
}

// InspectionTemplate is the dealership's checklist: catalogue keys of the
// default items or free-text labels.
func (s *Store) InspectionTemplate() ([]string, error) {
	var out []string
	err := s.view(func(tx *bolt.Tx) error {
		data := tx.Bucket(bMeta).Get(keyInspectionTemplate)
		if data == nil {
			out = append(out, DefaultInspection...)
			return nil
		}
		return json.Unmarshal(data, &out)
	})
	return out, err
}

// SetInspectionTemplate replaces the checklist new inspections start from.
func (s *Store) SetInspectionTemplate(a Actor, items []string) error {
	var clean []string
	for _, it := range items {
		if it = strings.TrimSpace(it); it != "" {
			clean = append(clean, it)
		}
	}
	if len(clean) == 0 || len(clean) > 100 {
		return Invalid("items", "jobs.error.template")
	}
	return s.update(func(tx *bolt.Tx) error {
		data, err := json.Marshal(clean)
		if err != nil {
			return err
		}
		if err := tx.Bucket(bMeta).Put(keyInspectionTemplate, data); err != nil {
			return err
		}
		return s.writer(tx).audit(a, "inspection_template", "settings", 0, fmt.Sprint(len(clean)))
	})
}

// StartInspection gives the job the checklist from the template.
func (s *Store) StartInspection(a Actor, id uint64) (Job, error) {
	tpl, err := s.InspectionTemplate()
	if err != nil {
		return Job{}, err
	}
	return s.changeJob(a, id, func(w writer, j *Job) (string, string, error) {
		if len(j.Inspection) > 0 {
			return "", "", Conflict("jobs.error.inspection_started")
		}
		for _, it := range tpl {
			if contains(DefaultInspection, it) {
				j.Inspection = append(j.Inspection, InspectionItem{Key: it})
			} else {
				j.Inspection = append(j.Inspection, InspectionItem{Label: it})
			}
		}
		return "job_inspection", fmt.Sprint(len(tpl)), nil
	})
}

// SetInspectionItem records one item's state, note and tread depth, and
// adds it.Attachments to the photos and videos the item has; item is its
// index in the checklist.
func (s *Store) SetInspectionItem(a Actor, id uint64, item int, it InspectionItem) (Job, error) {
	if !contains([]string{ItemUnchecked, ItemGreen, ItemAmber, ItemRed}, it.Status) {
		return Job{}, Invalid("status", "jobs.error.item_status")
	}
	if it.Tread < 0 || it.Tread > 200 {
		return Job{}, Invalid("tread", "jobs.error.tread")
	}
	added, err := checkAttachments(it.Attachments)
	if err != nil {
		return Job{}, err
	}
	return s.changeJob(a, id, func(w writer, j *Job) (string, string, error) {
		if item < 0 || item >= len(j.Inspection) {
			return "", "", NotFound()
		}
		cur := &j.Inspection[item]
		if err := CheckFiles(len(cur.Attachments) + len(added)); err != nil {
			return "", "", err
		}
		cur.Status, cur.Note, cur.Tread = it.Status, strings.TrimSpace(it.Note), it.Tread
		cur.Attachments = append(cur.Attachments, added...)
		return "job_inspection_item", strings.TrimSpace(cur.Key + cur.Label + " " + it.Status + " " + attachmentsDetail(added)), nil
	})
}

// CheckInFiles names the check-in for RemoveJobFile; other values are
// inspection items' positions.
const CheckInFiles = -1

// RemoveJobFile takes a photo or video staff attached by mistake off the
// job's check-in (item CheckInFiles) or an inspection item, until the job
// is invoiced; what is invoiced is a record. The file stays in the media
// folder while anything else points at it, and the daily clean-up deletes
// it once nothing does.
func (s *Store) RemoveJobFile(a Actor, id uint64, item int, hash string) (Job, error) {
	return s.changeJob(a, id, func(w writer, j *Job) (string, string, error) {
		if err := closed(j); err != nil {
			return "", "", err
		}
		var atts *[]Attachment
		switch {
		case item == CheckInFiles && j.CheckIn != nil:
			atts = &j.CheckIn.Attachments
		case item >= 0 && item < len(j.Inspection):
			atts = &j.Inspection[item].Attachments
		default:
			return "", "", NotFound()
		}
		i := slices.IndexFunc(*atts, func(at Attachment) bool { return at.Media == hash })
		if i < 0 {
			return "", "", NotFound()
		}
		gone := (*atts)[i]
		*atts = slices.Delete(*atts, i, i+1)
		return "job_file_remove", strings.TrimSpace(gone.Name + " " + gone.Type), nil
	})
}

func (l *Line) validate() error {
	l.Description = strings.TrimSpace(l.Description)
	var v Validation
	if !contains(LineKinds, l.Kind) {
		v.Add("kind", "jobs.error.line_kind")
	}
	if l.Description == "" || len(l.Description) > 300 {
		v.Add("description", "jobs.error.line_description")
	}
	if l.Qty <= 0 || l.Qty > 1_000_000 {
		v.Add("qty", "jobs.error.line_qty")
	}
	if l.UnitPrice < 0 || l.UnitPrice > 10_000_000_00 {
		v.Add("unit_price", "jobs.error.line_price")
	}
	if l.TaxRate < 0 || l.TaxRate > 10000 {
		v.Add("tax_rate", "jobs.error.line_tax")
	}
	return v.Err()
}

func (w writer) notifyEstimate(j *Job) error {
	_, err := w.notify(Notification{CustomerID: j.CustomerID, Category: "workshop", Urgent: true,
		TitleKey: "notify.estimate.title", BodyKey: "notify.estimate.body",
		Args: []string{"number", j.Number}, URL: fmt.Sprintf("/app/jobs/%d", j.ID)})
	return err
}

func (j *Job) line(id int) *Line {
	for i := range j.Lines {
		if j.Lines[i].ID == id {
			return &j.Lines[i]
		}
	}
	return nil
}

// AddLine adds an estimate line. A line staff mark approved (work the
// customer already asked for) is not sent for decision; any other is
// proposed, and the customer is notified in the same transaction.
func (s *Store) AddLine(a Actor, id uint64, l Line) (Job, error) {
	if l.Status != LineApproved {
		l.Status = LineProposed
	}
	if err := l.validate(); err != nil {
		return Job{}, err
	}
	return s.changeJob(a, id, func(w writer, j *Job) (string, string, error) {
		if err := closed(j); err != nil {
			return "", "", err
		}
		return addLine(w, j, l)
	})
}

func addLine(w writer, j *Job, l Line) (string, string, error) {
	j.LastLine++
	l.ID = j.LastLine
	if l.Status == LineApproved {
		l.Decided = w.now
	}
	j.Lines = append(j.Lines, l)
	if l.Status == LineProposed {
		if err := w.notifyEstimate(j); err != nil {
			return "", "", err
		}
	}
	return "job_line", fmt.Sprintf("#%d %s", l.ID, l.Description), nil
}

// UpdateLine changes a line's content. The customer decides again: the line
// goes back to proposed and they are notified.
func (s *Store) UpdateLine(a Actor, id uint64, l Line) (Job, error) {
	if err := l.validate(); err != nil {
		return Job{}, err
	}
	return s.changeJob(a, id, func(w writer, j *Job) (string, string, error) {
		if err := closed(j); err != nil {
			return "", "", err
		}
		cur := j.line(l.ID)
		if cur == nil {
			return "", "", NotFound()
		}
		cur.Kind, cur.Description, cur.Qty, cur.UnitPrice, cur.TaxRate = l.Kind, l.Description, l.Qty, l.UnitPrice, l.TaxRate
		cur.Status, cur.Decided = LineProposed, time.Time{}
		return "job_line", fmt.Sprintf("#%d %s", l.ID, l.Description), w.notifyEstimate(j)
	})
}

// RemoveLine deletes a line that is not invoiced.
func (s *Store) RemoveLine(a Actor, id uint64, lineID int) (Job, error) {
	return s.changeJob(a, id, func(w writer, j *Job) (string, string, error) {
		if err := closed(j); err != nil {
			return "", "", err
		}
		for i, l := range j.Lines {
			if l.ID == lineID {
				j.Lines = append(j.Lines[:i], j.Lines[i+1:]...)
				for k := range j.Inspection {
					if j.Inspection[k].Line == lineID {
						j.Inspection[k].Line = 0
					}
				}
				return "job_line_remove", fmt.Sprintf("#%d %s", l.ID, l.Description), nil
			}
		}
		return "", "", NotFound()
	})
}

// LineFromItem turns an amber or red inspection item into a proposed line,
// in one step, with the item's name and note as its description.
func (s *Store) LineFromItem(a Actor, id uint64, item int, l Line) (Job, error) {
	l.Status, l.Item = LineProposed, item+1
	return s.changeJob(a, id, func(w writer, j *Job) (string, string, error) {
		if err := closed(j); err != nil {
			return "", "", err
		}
		if item < 0 || item >= len(j.Inspection) {
			return "", "", NotFound()
		}
		it := &j.Inspection[item]
		if it.Status != ItemAmber && it.Status != ItemRed {
			return "", "", Invalid("item", "jobs.error.item_not_flagged")
		}
		if it.Line != 0 {
			return "", "", Conflict("jobs.error.item_has_line")
		}
		if strings.TrimSpace(l.Description) == "" {
			l.Description = it.Label
			if it.Note != "" {
				l.Description = strings.TrimSpace(l.Description + " " + it.Note)
			}
			if l.Description == "" {
				l.Description = it.Key
			}
		}
		if err := l.validate(); err != nil {
			return "", "", err
		}
		action, detail, err := addLine(w, j, l)
		it.Line = j.LastLine
		return action, detail, err
	})
}

// DecideLine records the customer's approval or refusal of a proposed line.
// A job of another customer is not found.
func (s *Store) DecideLine(a Actor, customerID, id uint64, lineID int, approve bool) (Job, error) {
	j, err := s.changeJob(a, id, func(w writer, j *Job) (string, string, error) {
		if j.CustomerID != customerID {
			return "", "", NotFound()
		}
		if err := closed(j); err != nil {
			return "", "", err
		}
		l := j.line(lineID)
		if l == nil {
			return "", "", NotFound()
		}
		l.Status, l.Decided = LineDeclined, w.now
		if approve {
			l.Status = LineApproved
		}
		return "job_line_decision", fmt.Sprintf("#%d %s", l.ID, l.Status), nil
	})
	return j, err
}

// CustomerJob returns a job only if it belongs to the customer.
func (s *Store) CustomerJob(customerID, id uint64) (Job, error) {
	j, err := s.Job(id)
	if err != nil {
		return Job{}, err
	}
	if j.CustomerID != customerID {
		return Job{}, NotFound()
	}
	return j, nil
}

// IssueInvoice closes the job with an invoice of its approved lines, numbered
// in the year's sequence (2026-0001), or with a PDF uploaded from the
// accounting system (upload, a media hash) under the number it carries.
// Proposed lines left undecided are not billed. The customer is notified.
func (s *Store) IssueInvoice(a Actor, id uint64, number, upload string) (Job, error) {
	number = strings.TrimSpace(number)
	if upload != "" && number == "" {
		return Job{}, Invalid("number", "jobs.error.invoice_number")
	}
	if upload != "" && !mediaHash.MatchString(upload) {
		return Job{}, fmt.Errorf("invoice upload %q is not a media hash", upload)
	}
	return s.changeJob(a, id, func(w writer, j *Job) (string, string, error) {
		if err := closed(j); err != nil {
			return "", "", err
		}
		inv := &Invoice{Issued: w.now, Upload: upload, Number: number}
		for _, l := range j.Lines {
			if l.Status == LineApproved {
				inv.Lines = append(inv.Lines, l)
			}
		}
		inv.Totals = Sum(inv.Lines)
		if upload == "" {
			if len(inv.Lines) == 0 {
				return "", "", Invalid("lines", "jobs.error.nothing_to_invoice")
			}
			name := fmt.Sprintf("invoiceno:%d", w.now.Year())
			if err := counter(w.tx, name, 1); err != nil {
				return "", "", err
			}
			inv.Number = fmt.Sprintf("%d-%04d", w.now.Year(), readCounter(w.tx, name))
		}
		j.Invoice = inv
		if _, err := w.notify(Notification{CustomerID: j.CustomerID, Category: "workshop",
			TitleKey: "notify.invoice.title", BodyKey: "notify.invoice.body",
			Args: []string{"number", j.Number}, URL: fmt.Sprintf("/app/jobs/%d", j.ID)}); err != nil {
			return "", "", err
		}
		if err := w.timeline(j.CustomerID, "job", j.ID, "timeline.job_invoiced", "number", j.Number, "invoice", inv.Number); err != nil {
			return "", "", err
		}
		return "job_invoice", inv.Number, nil
	})
}

// Recommended is a line the customer declined, kept on the car for later.
type Recommended struct {
	JobID  uint64
	Number string
	Opened time.Time
	Line   Line
}

// VehicleRecommended lists the declined lines of a car's jobs, newest first.
func (s *Store) VehicleRecommended(vehicleID uint64) ([]Recommended, error) {
	jobs, err := s.VehicleJobs(vehicleID)
	if err != nil {
		return nil, err
	}
	var out []Recommended
	for _, j := range jobs {
		for _, l := range j.Lines {
			if l.Status == LineDeclined {
				out = append(out, Recommended{JobID: j.ID, Number: j.Number, Opened: j.Opened, Line: l})
			}
		}
	}
	return out, nil
}

// CustomerJobs lists the jobs of a customer's cars that are theirs, newest
// first.
func (s *Store) CustomerJobs(customerID uint64) ([]Job, error) {
	cars, err := s.CustomerVehicles(customerID)
	if err != nil {
		return nil, err
	}
	var out []Job
	for _, v := range cars {
		jobs, err := s.VehicleJobs(v.ID)
		if err != nil {
			return nil, err
		}
		for _, j := range jobs {
			if j.CustomerID == customerID {
				out = append(out, j)
			}
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Opened.After(out[b].Opened) })
	return out, nil
}
