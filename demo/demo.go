// Package demo seeds a believable demo garage.
package demo

import (
	"fmt"
	"math/rand/v2"
	"time"

	"pitlane/auth"
	"pitlane/store"
)

// Password is the password of every demo staff account. It is published, so
// the accounts are for trying Pitlane out, never for real use.
const Password = "pitlane-demo"

// Login is one demo staff account.
type Login struct {
	Username string     `json:"username"`
	Name     string     `json:"name"`
	Role     store.Role `json:"role"`
	Password string     `json:"password"`
	// Created is false when an account of that name was already there; its
	// password may then differ from Password.
	Created bool `json:"created"`
}

// Result says what Seed added. Running Seed again adds nothing.
type Result struct {
	Customers    int     `json:"customers"`
	Vehicles     int     `json:"vehicles"`
	Jobs         int     `json:"jobs"`
	Appointments int     `json:"appointments"`
	Users        int     `json:"users"`
	Settings     bool    `json:"settings"` // the dealership settings were set to the demo garage
	Logins       []Login `json:"logins"`
}

// staff are the demo accounts, one per role.
var staff = []Login{
	{Username: "manager", Name: "Giorgio Fabbri", Role: store.RoleManager},
	{Username: "sales", Name: "Chiara Lodi", Role: store.RoleSales},
	{Username: "workshop", Name: "Ionuț Radu", Role: store.RoleWorkshop},
	{Username: "backoffice", Name: "Marta Zecchini", Role: store.RoleBackoffice},
}

// Seed fills s with the demo garage as of now, in the dealership's time zone
// loc: customers with their cars and service history, this week's
// appointments and jobs at every stage. It sets the dealership settings only
// if they were never saved, and adds the demo staff accounts that are
// missing. The data come from a fixed random seed, so they are the same on
// every run and a second run finds everything already there.
func Seed(s *store.Store, now time.Time, loc *time.Location) (Result, error) {
	var res Result
	st, err := s.Settings()
	if err != nil {
		return res, fmt.Errorf("read settings: %w", err)
	}
	if st.Name == store.DefaultSettings().Name {
		if st, err = s.SaveSettings(store.CLI, garageSettings(loc)); err != nil {
			return res, fmt.Errorf("save demo settings: %w", err)
		}
		res.Settings = true
	}
	if err := seedWorkshop(s, st); err != nil {
		return res, err
	}
	if res.Logins, res.Users, err = addStaff(s); err != nil {
		return res, err
	}

	g := newGarage(now.In(loc), st)
	bundles := g.bundles()
	before, err := s.Counts()
	if err != nil {
		return res, err
	}
	from, to := g.week()
	apptsBefore, err := s.AppointmentsBetween(from, to)
	if err != nil {
		return res, err
	}
	created, err := s.ImportBundles(store.CLI, "demo_seed", bundles)
	if err != nil {
		return res, fmt.Errorf("import demo customers: %w", err)
	}
	after, err := s.Counts()
	if err != nil {
		return res, err
	}
	apptsAfter, err := s.AppointmentsBetween(from, to)
	if err != nil {
		return res, err
	}
	res.Customers = created
	res.Vehicles = int(after.Vehicles - before.Vehicles)
	for _, stage := range store.Stages {
		res.Jobs += int(after.JobsBy[stage] - before.JobsBy[stage])
	}
	res.Appointments = len(apptsAfter) - len(apptsBefore)
	return res, nil
}

// garageSettings describe Officina Demo Pitlane.
func garageSettings(loc *time.Location) store.Settings {
	st := store.DefaultSettings()
	st.Name = "Officina Demo Pitlane"
	st.Address = "Via del Lavoro 42, 40127 Bologna BO, Italia"
	st.Phone = "+39 051 555 0142"
	st.Website = "https://example.com"
	st.Email = "officina@example.com"
	st.Lang = "it"
	st.Currency = "EUR"
	st.TaxRate = 2200 // Italy's standard VAT (IVA ordinaria)
	if name := loc.String(); name != "" && name != "Local" {
		st.TimeZone = name
	}
	st.Departments = []string{deptMechanics, deptBody, deptTyres}
	st.Bays = []store.Bay{
		{Name: "Lift 1", Department: deptMechanics},
		{Name: "Lift 2", Department: deptMechanics},
		{Name: "Lift 3", Department: deptMechanics},
		{Name: "Paint booth", Department: deptBody},
		{Name: "Tyre bay", Department: deptTyres},
	}
	return st
}

// addStaff creates the demo accounts that do not exist yet.
func addStaff(s *store.Store) ([]Login, int, error) {
	logins := make([]Login, 0, len(staff))
	created := 0
	for _, l := range staff {
		l.Password = Password
		_, err := s.UserByUsername(l.Username)
		switch {
		case err == nil:
		case store.Is(err, store.CodeNotFound):
			hash, err := auth.HashPassword(Password)
			if err != nil {
				return nil, created, err
			}
			if _, err := s.CreateUser(store.CLI, store.NewUser{Username: l.Username, Name: l.Name, Role: l.Role,
				PasswordHash: hash}); err != nil {
				return nil, created, fmt.Errorf("create demo account %s: %w", l.Username, err)
			}
			l.Created = true
			created++
		default:
			return nil, created, fmt.Errorf("look up demo account %s: %w", l.Username, err)
		}
		logins = append(logins, l)
	}
	return logins, created, nil
}

// Fixed seeds: the demo garage must come out the same on every run.
const (
	seedPeople = 0x5049544c414e45 // "PITLANE"
	seedTimes  = 0x44454d4f       // "DEMO"
)

// rng returns the random stream for one part of the garage. Each customer
// has a stream of their own, so nothing that depends on the date (car ages,
// appointment times) can shift who the customers are from one run to the
// next.
func rng(seed, stream uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, stream)) }

// pick returns a random element of list.
func pick[T any](r *rand.Rand, list []T) T { return list[r.IntN(len(list))] }

// seedWorkshop gives a workshop never set up its technicians and the
// services customers can book from the app, so the demo's booking works.
func seedWorkshop(s *store.Store, st store.Settings) error {
	w, err := s.Workshop()
	if err != nil {
		return fmt.Errorf("read workshop: %w", err)
	}
	if len(w.Technicians) > 0 || len(w.Services) > 0 || len(st.Departments) == 0 {
		return nil
	}
	dept := func(i int) string { return st.Departments[min(i, len(st.Departments)-1)] }
	w.Technicians = []store.Technician{{Name: "Marco Bianchi", Department: dept(0)}, {Name: "Andrei Popa", Department: dept(0)},
		{Name: "Luca Ferri", Department: dept(1)}, {Name: "Elena Rusu", Department: dept(2)}}
	w.Services = []store.ServiceType{
		{Name: "Oil service", Department: dept(0), Minutes: 60, PriceMinor: 12900},
		{Name: "Annual service", Department: dept(0), Minutes: 120, PriceMinor: 24900},
		{Name: "Brake pads", Department: dept(0), Minutes: 90, PriceMinor: 18000},
		{Name: "Air conditioning recharge", Department: dept(0), Minutes: 60, PriceMinor: 8900},
		{Name: "Bodywork estimate", Department: dept(1), Minutes: 30, PriceMinor: 0},
		{Name: "Seasonal tyre change", Department: dept(2), Minutes: 45, PriceMinor: 5000},
	}
	if _, err := s.SaveWorkshop(store.CLI, w); err != nil {
		return fmt.Errorf("save demo workshop: %w", err)
	}
	return nil
}
