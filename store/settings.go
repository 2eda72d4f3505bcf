package store

import (
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	"golang.org/x/text/currency"
)

// DayHours is one weekday's opening hours, "HH:MM" in the dealership's zone.
type DayHours struct {
	Closed bool   `json:"closed"`
	Open   string `json:"open"`
	Close  string `json:"close"`
}

// Bay is a workshop place where one car is worked on.
type Bay struct {
	Name       string `json:"name"`
	Department string `json:"department"`
}

// Settings describe the dealership.
type Settings struct {
	Name        string   `json:"name"`
	Address     string   `json:"address"`
	Phone       string   `json:"phone"`
	Website     string   `json:"website"`
	Email       string   `json:"email"`
	Logo        string   `json:"logo,omitempty"` // media hash
	LogoType    string   `json:"logo_type,omitempty"`
	Lang        string   `json:"lang"`
	Currency    string   `json:"currency"`
	TimeZone    string   `json:"time_zone"`
	Departments []string `json:"departments"`
	Bays        []Bay    `json:"bays"`
	// Hours[0] is Monday.
	Hours [7]DayHours `json:"hours"`
	// ThemeColor is the customers' app colour, "#rrggbb"; empty means
	// DefaultThemeColor (Theme says which applies).
	ThemeColor string `json:"theme_color,omitempty"`
	// TaxRate is the rate new estimate lines start with and service prices
	// include, in hundredths of a percent (2200 = 22 %), as Line.TaxRate.
	TaxRate int64 `json:"tax_rate"`
}

// DefaultThemeColor is a dark blue that white text reads well on.
const DefaultThemeColor = "#163a5f"

var themeColor = regexp.MustCompile(`^#[0-9a-f]{6}$`)

// Theme is the colour of the customers' app.
func (st Settings) Theme() string {
	if st.ThemeColor == "" {
		return DefaultThemeColor
	}
	return st.ThemeColor
}

// DefaultSettings is what a new appliance starts with.
func DefaultSettings() Settings {
	s := Settings{
		Name: "Pitlane", Lang: "en", Currency: "EUR", TimeZone: "Europe/Rome",
		Departments: []string{"Mechanics"},
		Bays:        []Bay{{Name: "Bay 1", Department: "Mechanics"}},
	}
	for d := range 5 {
		s.Hours[d] = DayHours{Open: "08:00", Close: "18:00"}
	}
	s.Hours[5] = DayHours{Open: "08:00", Close: "12:00"}
	s.Hours[6] = DayHours{Closed: true}
	return s
}

// zones caches loaded time zones: time.LoadLocation reads the zone file on
// every call, and every page needs the dealership's zone.
var zones sync.Map

// Location is the dealership's time zone (UTC if the name is unknown).
func (st Settings) Location() *time.Location {
	if loc, ok := zones.Load(st.TimeZone); ok {
		return loc.(*time.Location)
	}
	loc, err := time.LoadLocation(st.TimeZone)
	if err != nil {
		return time.UTC
	}
	zones.Store(st.TimeZone, loc)
	return loc
}

var hhmm = regexp.MustCompile(`^([01]\d|2[0-3]):[0-5]\d$`)

func (st *Settings) normalize() error {
	var v Validation
	st.Name = strings.TrimSpace(st.Name)
	st.Email = strings.TrimSpace(st.Email)
	st.Website = strings.TrimSpace(st.Website)
	st.Currency = strings.ToUpper(strings.TrimSpace(st.Currency))
	st.ThemeColor = strings.ToLower(strings.TrimSpace(st.ThemeColor))
	if st.ThemeColor != "" && !themeColor.MatchString(st.ThemeColor) {
		v.Add("theme_color", "settings.error.theme_color")
	}
	if st.Name == "" {
		v.Add("name", "common.error.required")
	} else if len(st.Name) > 120 {
		v.Add("name", "common.error.too_long", "max", "120")
	}
	if st.Email != "" {
		if a, err := mail.ParseAddress(st.Email); err != nil || a.Address != st.Email {
			v.Add("email", "common.error.invalid_email")
		}
	}
	if st.Website != "" {
		if u, err := url.Parse(st.Website); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			v.Add("website", "common.error.invalid_url")
		}
	}
	if st.Lang != "en" && st.Lang != "it" && st.Lang != "ro" {
		v.Add("lang", "users.error.lang_invalid")
	}
	if _, err := currency.ParseISO(st.Currency); err != nil || len(st.Currency) != 3 {
		v.Add("currency", "settings.error.invalid_currency")
	}
	if st.TaxRate < 0 || st.TaxRate > 10000 {
		v.Add("tax_rate", "settings.error.tax_rate")
	}
	if _, err := time.LoadLocation(st.TimeZone); err != nil || st.TimeZone == "" || st.TimeZone == "Local" {
		v.Add("time_zone", "settings.error.invalid_time_zone")
	}
	st.Departments = cleanList(st.Departments)
	if len(st.Departments) == 0 {
		v.Add("departments", "common.error.required")
	}
	var bays []Bay
	for _, b := range st.Bays {
		b.Name, b.Department = strings.TrimSpace(b.Name), strings.TrimSpace(b.Department)
		if b.Name == "" {
			continue
		}
		if !contains(st.Departments, b.Department) {
			v.Add("bays", "settings.error.bay_department", "bay", b.Name)
		}
		bays = append(bays, b)
	}
	st.Bays = bays
	for i, h := range st.Hours {
		if h.Closed {
			st.Hours[i] = DayHours{Closed: true}
			continue
		}
		if !hhmm.MatchString(h.Open) || !hhmm.MatchString(h.Close) || h.Open >= h.Close {
			v.Add("hours", "settings.error.invalid_hours", "day", weekdayKeys[i])
		}
	}
	return v.Err()
}

var weekdayKeys = [7]string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

func cleanList(in []string) []string {
	var out []string
	for _, s := range in {
		s = strings.TrimSpace(s)
		if s != "" && !contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

var keyDealership = []byte("dealership")

// Settings returns the dealership settings (defaults before the first save).
func (s *Store) Settings() (Settings, error) {
	st := DefaultSettings()
	err := s.view(func(tx *bolt.Tx) error {
		err := getJSON(tx.Bucket(bSettings), keyDealership, &st)
		if Is(err, CodeNotFound) {
			return nil
		}
		return err
	})
	return st, err
}

// SaveSettings validates and stores the dealership settings.
func (s *Store) SaveSettings(a Actor, st Settings) (Settings, error) {
	if err := st.normalize(); err != nil {
		return st, err
	}
	err := s.update(func(tx *bolt.Tx) error {
		if err := putJSON(tx.Bucket(bSettings), keyDealership, st); err != nil {
			return err
		}
		w := s.writer(tx)
		if err := w.change("settings", 1, OpPut); err != nil {
			return err
		}
		return w.audit(a, "settings_update", "settings", 0, st.Name)
	})
	return st, err
}
