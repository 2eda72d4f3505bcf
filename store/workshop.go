package store

import (
	"crypto/rand"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"
)

// Technician is a person who works on cars in one department.
type Technician struct {
	ID         uint64 `json:"id"`
	Name       string `json:"name"`
	Department string `json:"department"`
}

// ServiceType is a kind of work a customer can book, with what it usually
// takes and costs.
type ServiceType struct {
	ID         uint64 `json:"id"`
	Name       string `json:"name"`
	Department string `json:"department"`
	Minutes    int    `json:"minutes"`
	// PriceMinor is in the dealership's currency's minor unit, tax included:
	// customers are shown it as what they pay.
	PriceMinor int64 `json:"price_minor"`
}

// Workshop is how the workshop books its time: the slot length, the days it
// is closed besides the weekly hours, its technicians and service types.
// Departments, bays and opening hours stay in Settings.
type Workshop struct {
	SlotMinutes int           `json:"slot_minutes"`
	ClosedDays  []string      `json:"closed_days"` // "YYYY-MM-DD" in the dealership's zone
	Technicians []Technician  `json:"technicians"`
	Services    []ServiceType `json:"services"`
	// ReminderHour is when, the day before, customers are reminded of an
	// appointment, in the dealership's zone.
	ReminderHour int    `json:"reminder_hour"`
	LastID       uint64 `json:"last_id"`
	// Feeds maps the secret token of each calendar feed to what it shows:
	// "department:NAME" or "technician:ID".
	Feeds map[string]string `json:"feeds,omitempty"`
	// StageLabels are the dealership's own names of job stages, by stage;
	// a stage without one is called by the catalogue's name in the
	// reader's language.
	StageLabels map[string]string `json:"stage_labels,omitempty"`
}

// maxStageLabel keeps a stage's name to what fits a button and a lock screen.
const maxStageLabel = 40

// StageLabel is the dealership's name of stage, or "" for the catalogue's.
func (w Workshop) StageLabel(stage string) string { return w.StageLabels[stage] }

// DefaultWorkshop is what a new appliance starts with.
func DefaultWorkshop() Workshop { return Workshop{SlotMinutes: 30, ReminderHour: 18} }

// Technician returns the technician with id.
func (w Workshop) Technician(id uint64) (Technician, bool) {
	for _, t := range w.Technicians {
		if t.ID == id {
			return t, true
		}
	}
	return Technician{}, false
}

// Service returns the service type with id.
func (w Workshop) Service(id uint64) (ServiceType, bool) {
	for _, s := range w.Services {
		if s.ID == id {
			return s, true
		}
	}
	return ServiceType{}, false
}

// Closed reports whether the workshop is closed all day on date ("YYYY-MM-DD").
func (w Workshop) Closed(date string) bool { return contains(w.ClosedDays, date) }

var slotLengths = []int{10, 15, 20, 30, 45, 60, 90, 120}

// SlotLengths are the slot lengths a workshop may choose, in minutes.
func SlotLengths() []int { return append([]int(nil), slotLengths...) }

// normalize checks w against the departments and keeps the IDs of
// technicians and services already known by name, so their calendars and
// feeds survive an edit of the list.
func (w *Workshop) normalize(old Workshop, departments []string) error {
	var v Validation
	okSlot := false
	for _, n := range slotLengths {
		okSlot = okSlot || n == w.SlotMinutes
	}
	if !okSlot {
		v.Add("slot_minutes", "calendar.error.slot_minutes")
	}
	if w.ReminderHour < 0 || w.ReminderHour > 23 {
		v.Add("reminder_hour", "calendar.error.reminder_hour")
	}
	var days []string
	for _, d := range w.ClosedDays {
		d = strings.TrimSpace(d)
		if d == "" || contains(days, d) {
			continue
		}
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			v.Add("closed_days", "calendar.error.closed_day", "day", d)
			continue
		}
		days = append(days, d)
	}
	sort.Strings(days)
	w.ClosedDays = days
	w.LastID = max(w.LastID, old.LastID)
	var techs []Technician
	for _, t := range w.Technicians {
		t.Name, t.Department = strings.TrimSpace(t.Name), strings.TrimSpace(t.Department)
		if t.Name == "" {
			continue
		}
		if !contains(departments, t.Department) {
			v.Add("technicians", "calendar.error.unknown_department", "name", t.Name)
		}
		t.ID = stableID(w, t.ID, t.Name, old.Technicians, func(o Technician) (string, uint64) { return o.Name, o.ID })
		techs = append(techs, t)
	}
	w.Technicians = techs
	var svcs []ServiceType
	for _, s := range w.Services {
		s.Name, s.Department = strings.TrimSpace(s.Name), strings.TrimSpace(s.Department)
		if s.Name == "" {
			continue
		}
		if !contains(departments, s.Department) {
			v.Add("services", "calendar.error.unknown_department", "name", s.Name)
		}
		if s.Minutes <= 0 || s.Minutes > 24*60 {
			v.Add("services", "calendar.error.service_minutes", "name", s.Name)
		}
		if s.PriceMinor < 0 {
			v.Add("services", "calendar.error.service_price", "name", s.Name)
		}
		s.ID = stableID(w, s.ID, s.Name, old.Services, func(o ServiceType) (string, uint64) { return o.Name, o.ID })
		svcs = append(svcs, s)
	}
	w.Services = svcs
	var labels map[string]string
	for stage, label := range w.StageLabels {
		label = strings.Join(strings.Fields(label), " ")
		switch {
		case label == "":
		case !validStage(stage):
			v.Add("stage_labels", "jobs.error.stage_invalid")
		case utf8.RuneCountInString(label) > maxStageLabel:
			v.Add("stage_"+stage, "calendar.error.stage_label", "max", strconv.Itoa(maxStageLabel))
		default:
			if labels == nil {
				labels = map[string]string{}
			}
			labels[stage] = label
		}
	}
	w.StageLabels = labels
	return v.Err()
}

var keyWorkshop = []byte("workshop")

func readWorkshop(tx *bolt.Tx) (Workshop, error) {
	w := DefaultWorkshop()
	err := getJSON(tx.Bucket(bSettings), keyWorkshop, &w)
	if Is(err, CodeNotFound) {
		return w, nil
	}
	return w, err
}

func readSettings(tx *bolt.Tx) (Settings, error) {
	st := DefaultSettings()
	err := getJSON(tx.Bucket(bSettings), keyDealership, &st)
	if Is(err, CodeNotFound) {
		return st, nil
	}
	return st, err
}

// Workshop returns the workshop set-up (defaults before the first save).
func (s *Store) Workshop() (Workshop, error) {
	var w Workshop
	err := s.view(func(tx *bolt.Tx) (err error) {
		w, err = readWorkshop(tx)
		return err
	})
	return w, err
}

// stableID is the ID an entry of the set-up (a technician, a service type)
// keeps: its own, or that of the entry of old with the same name (case
// aside), as the set-up page edits them as text and appointments refer to
// them by ID; a name new to the workshop takes the next ID.
func stableID[T any](w *Workshop, id uint64, name string, old []T, key func(T) (string, uint64)) uint64 {
	if id != 0 {
		return id
	}
	for _, o := range old {
		if oldName, oldID := key(o); strings.EqualFold(oldName, name) {
			id = oldID
		}
	}
	if id == 0 {
		w.LastID++
		id = w.LastID
	}
	return id
}

// SaveWorkshop validates and stores the workshop set-up.
func (s *Store) SaveWorkshop(a Actor, in Workshop) (Workshop, error) {
	var ws Workshop
	err := s.update(func(tx *bolt.Tx) error {
		// update may run this more than once: normalize a fresh copy.
		ws = in
		ws.ClosedDays = append([]string(nil), in.ClosedDays...)
		ws.Technicians = append([]Technician(nil), in.Technicians...)
		ws.Services = append([]ServiceType(nil), in.Services...)
		st, err := readSettings(tx)
		if err != nil {
			return err
		}
		old, err := readWorkshop(tx)
		if err != nil {
			return err
		}
		ws.Feeds = old.Feeds // changed only by RegenerateFeed
		if err := ws.normalize(old, st.Departments); err != nil {
			return err
		}
		if err := putJSON(tx.Bucket(bSettings), keyWorkshop, ws); err != nil {
			return err
		}
		w := s.writer(tx)
		if err := w.change("settings", 2, OpPut); err != nil {
			return err
		}
		return w.audit(a, "workshop_update", "settings", 0,
			strconv.Itoa(len(ws.Technicians))+" technicians, "+strconv.Itoa(len(ws.Services))+" services")
	})
	return ws, err
}

// FeedToken is the secret token of the feed of what ("department:NAME" or
// "technician:ID"), or "" when it has none yet.
func (w Workshop) FeedToken(what string) string {
	for token, v := range w.Feeds {
		if v == what {
			return token
		}
	}
	return ""
}

// RegenerateFeed gives the calendar feed of what ("department:NAME" or
// "technician:ID") a new secret token; the old link stops working.
func (s *Store) RegenerateFeed(a Actor, what string) (string, error) {
	token := rand.Text()
	err := s.update(func(tx *bolt.Tx) error {
		st, err := readSettings(tx)
		if err != nil {
			return err
		}
		ws, err := readWorkshop(tx)
		if err != nil {
			return err
		}
		kind, name, _ := strings.Cut(what, ":")
		switch kind {
		case "department":
			if !contains(st.Departments, name) {
				return NotFound()
			}
		case "technician":
			id, _ := strconv.ParseUint(name, 10, 64)
			if _, ok := ws.Technician(id); !ok {
				return NotFound()
			}
		default:
			return NotFound()
		}
		feeds := map[string]string{token: what}
		for t, v := range ws.Feeds {
			if v != what {
				feeds[t] = v
			}
		}
		ws.Feeds = feeds
		if err := putJSON(tx.Bucket(bSettings), keyWorkshop, ws); err != nil {
			return err
		}
		return s.writer(tx).audit(a, "calendar_feed_regenerate", "settings", 0, what)
	})
	return token, err
}

// Feed returns what the feed with token shows, or NotFound.
func (s *Store) Feed(token string) (string, error) {
	ws, err := s.Workshop()
	if err != nil {
		return "", err
	}
	what, ok := ws.Feeds[token]
	if !ok || token == "" {
		return "", NotFound()
	}
	return what, nil
}
