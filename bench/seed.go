package bench

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"pitlane/store"
)

// Size is how big the synthetic dealership is.
type Size struct {
	Customers int
	Vehicles  int
	Jobs      int
}

func (z Size) String() string {
	return fmt.Sprintf("%d customers, %d vehicles, %d jobs", z.Customers, z.Vehicles, z.Jobs)
}

func (z Size) check() error {
	switch {
	case z.Customers < 1:
		return errors.New("the dataset needs at least one customer")
	case z.Vehicles < 0 || z.Jobs < 0:
		return errors.New("vehicles and jobs must not be negative")
	case z.Jobs > 0 && z.Vehicles == 0:
		return errors.New("jobs need vehicles to belong to")
	}
	return nil
}

// seedChunk is how many customers (with their cars and jobs) one import
// transaction writes: big enough to amortise the commit, small enough to keep
// each transaction's dirty pages modest at 100k customers.
const seedChunk = 2000

// todayAppointments is how many appointments the dashboard should list.
const todayAppointments = 24

// SeedReport says what Seed did.
type SeedReport struct {
	Size    Size
	Reused  bool          // every chunk was already on file
	Elapsed time.Duration // time spent importing (and checking)
	DBBytes int64         // database file size afterwards
	// Job is the job the job scenario shows; Week, the day whose week the
	// calendar scenario shows (today).
	Job  uint64
	Week time.Time
}

var seedActor = store.Actor{Kind: "cli", Name: "pitlane-bench"}

// Seed fills st with a deterministic synthetic dealership of size z. Chunks
// already on file (a dataset seeded earlier, or a seed cut short) are
// skipped, so seeding the same folder twice only checks it. A folder seeded
// with a different size is refused rather than mixed. Whatever happened,
// today gets enough appointments for the dashboard to list, this week
// enough for the calendar, and one job is filled in for the job page.
func Seed(st *store.Store, z Size, out io.Writer) (SeedReport, error) {
	rep := SeedReport{Size: z, Reused: true}
	if err := z.check(); err != nil {
		return rep, err
	}
	start := time.Now()
	g := newGenerator(z, start)
	for first := 0; first < z.Customers; first += seedChunk {
		last := min(first+seedChunk, z.Customers) - 1
		// A chunk is one transaction, so its last customer stands for all of it.
		if _, err := st.CustomerByEmail(customerEmail(last)); err == nil {
			continue
		} else if !store.Is(err, store.CodeNotFound) {
			return rep, err
		}
		rep.Reused = false
		if _, err := st.ImportBundles(seedActor, "bench_seed", g.bundles(first, last+1)); err != nil {
			return rep, fmt.Errorf("import customers %d-%d: %w", first, last, err)
		}
		if out != nil && z.Customers > 5*seedChunk && (last+1)%(10*seedChunk) == 0 {
			fmt.Fprintf(out, "  … %d customers in %s\n", last+1, time.Since(start).Round(100*time.Millisecond))
		}
	}
	n, err := st.Counts()
	if err != nil {
		return rep, err
	}
	var jobs int64
	for _, v := range n.JobsBy {
		jobs += v
	}
	// Benchmark writes add customers, never cars or jobs, so a reused folder
	// may hold more customers than it was seeded with.
	if n.Customers < int64(z.Customers) || n.Vehicles != int64(z.Vehicles) || jobs != int64(z.Jobs) {
		return rep, fmt.Errorf("the data folder holds %d customers, %d vehicles and %d jobs, not a dataset of %s; use another -data folder",
			n.Customers, n.Vehicles, jobs, z)
	}
	if err := ensureToday(st, z); err != nil {
		return rep, fmt.Errorf("book today's appointments: %w", err)
	}
	if rep.Week, err = ensureWeek(st, z); err != nil {
		return rep, fmt.Errorf("book this week's appointments: %w", err)
	}
	if rep.Job, err = ensureShowcaseJob(st, z); err != nil {
		return rep, fmt.Errorf("fill in the showcase job: %w", err)
	}
	rep.Elapsed = time.Since(start)
	fi, err := os.Stat(st.Path())
	if err != nil {
		return rep, err
	}
	rep.DBBytes = fi.Size()
	return rep, nil
}

// ensureToday books appointments today, in the dealership's time zone, until
// the dashboard has todayAppointments rows: a dataset seeded yesterday would
// otherwise show an empty day.
func ensureToday(st *store.Store, z Size) error {
	settings, err := st.Settings()
	if err != nil {
		return err
	}
	loc := settings.Location()
	now := time.Now().In(loc)
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	have, err := st.AppointmentsBetween(day, day.AddDate(0, 0, 1))
	if err != nil {
		return err
	}
	for k := len(have); k < todayAppointments; k++ {
		c, err := st.CustomerByEmail(customerEmail(k * z.Customers / todayAppointments))
		if err != nil {
			return err
		}
		var vehicleID uint64
		if cars, err := st.CustomerVehicles(c.ID); err != nil {
			return err
		} else if len(cars) > 0 {
			vehicleID = cars[0].ID
		}
		start := day.Add(8*time.Hour + time.Duration(k)*20*time.Minute)
		_, err = st.CreateAppointment(seedActor, store.Appointment{CustomerID: c.ID, VehicleID: vehicleID,
			Start: start, End: start.Add(time.Hour), Department: "Mechanics", Bay: "Bay 1",
			Service: services[k%len(services)]})
		if err != nil {
			return err
		}
	}
	return nil
}

// generator derives every record from its index, so the same size always
// gives the same dealership (apart from dates, which follow the seeding day).
type generator struct {
	z      Size
	now    time.Time
	active int // the newest jobs are still in the workshop; older ones are delivered
}

func newGenerator(z Size, now time.Time) generator {
	return generator{z: z, now: now.UTC().Truncate(time.Minute), active: min(z.Jobs, max(20, z.Jobs/200))}
}

// span returns [lo, hi) of the items of a parent with index i when n items
// are spread evenly over parents parents.
func span(i, parents, n int) (lo, hi int) {
	return int(int64(i) * int64(n) / int64(parents)), int(int64(i+1) * int64(n) / int64(parents))
}

// bundles builds customers [from, to).
func (g generator) bundles(from, to int) []store.Bundle {
	out := make([]store.Bundle, 0, to-from)
	for c := from; c < to; c++ {
		b := store.Bundle{Customer: g.customer(c)}
		vlo, vhi := span(c, g.z.Customers, g.z.Vehicles)
		for v := vlo; v < vhi; v++ {
			vb := store.VehicleBundle{Vehicle: g.vehicle(v)}
			jlo, jhi := span(v, g.z.Vehicles, g.z.Jobs)
			for j := jlo; j < jhi; j++ {
				vb.Jobs = append(vb.Jobs, g.job(j))
			}
			if v%4 == 0 && jhi > jlo {
				// A past appointment for the car's first job: the history a
				// real workshop's calendar carries.
				at := vb.Jobs[0].Opened.Add(-24 * time.Hour)
				vb.Appointments = append(vb.Appointments, store.Appointment{Start: at, End: at.Add(time.Hour),
					Department: "Mechanics", Bay: "Bay 1", Service: services[v%len(services)], Status: "done"})
			}
			b.Vehicles = append(b.Vehicles, vb)
		}
		out = append(out, b)
	}
	return out
}

func customerEmail(i int) string { return fmt.Sprintf("customer%06d@seed.pitlane.test", i) }

func (g generator) customer(i int) store.Customer {
	c := store.Customer{
		Name:    firstNames[i%len(firstNames)] + " " + lastNames[(i/len(firstNames))%len(lastNames)],
		Email:   customerEmail(i),
		Phone:   fmt.Sprintf("+39 340 %07d", i),
		Address: fmt.Sprintf("Via %s %d, %s", streets[i%len(streets)], i%180+1, cities[(i/7)%len(cities)]),
		Lang:    "it",
	}
	if i%10 == 0 {
		c.Company = true
		c.Name = lastNames[i%len(lastNames)] + " Trasporti S.r.l."
		c.TaxCode = fmt.Sprintf("IT%011d", i)
	}
	return c
}

// plateLetters are the letters Italian plates use (no I, O, Q, U).
const plateLetters = "ABCDEFGHJKLMNPRSTVWXYZ"

// plateSpace is how many distinct AA000AA plates there are.
const plateSpace = 22 * 22 * 22 * 22 * 1000

// plate turns a car index into a unique "AB123CD" plate. Multiplying by a
// number coprime with plateSpace scatters neighbouring indexes across the
// space, as real plates are scattered across a customer list.
func plate(i int) string {
	x := (int64(i)*7919 + 1_234_567) % plateSpace
	d := x % 1000
	x /= 1000
	var l [4]byte
	for k := 3; k >= 0; k-- {
		l[k] = plateLetters[x%22]
		x /= 22
	}
	return fmt.Sprintf("%c%c%03d%c%c", l[0], l[1], d, l[2], l[3])
}

func (g generator) vehicle(i int) store.Vehicle {
	m := models[i%len(models)]
	year := 2006 + i%20
	return store.Vehicle{
		Plate:    plate(i),
		VIN:      fmt.Sprintf("%s%014d", m.wmi, i), // European VINs carry no check digit
		Make:     m.make,
		Model:    m.model,
		Year:     year,
		Fuel:     store.Fuels[i%len(store.Fuels)],
		Odometer: []store.Reading{{At: g.now.AddDate(0, 0, -(i % 365)), Km: 5_000 + (i*7_919)%180_000, Source: "import"}},
	}
}

// jobHistory is how far back the seeded work orders go.
const jobHistory = 3 * 365 * 24 * time.Hour

func (g generator) job(i int) store.Job {
	// Later indexes are more recent; the newest are still open.
	age := jobHistory / time.Duration(g.z.Jobs) * time.Duration(g.z.Jobs-i)
	stage := store.StageDelivered
	if open := i - (g.z.Jobs - g.active); open >= 0 {
		stage = store.Stages[open%(len(store.Stages)-1)]
	}
	return store.Job{Stage: stage, Description: services[i%len(services)], Opened: g.now.Add(-age)}
}

var (
	firstNames = []string{"Marco", "Giulia", "Luca", "Francesca", "Andrea", "Chiara", "Matteo", "Sara", "Alessandro",
		"Elena", "Davide", "Valentina", "Simone", "Martina", "Federico", "Laura", "Stefano", "Ioana", "Andrei", "Maria"}
	lastNames = []string{"Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino",
		"Greco", "Bruno", "Gallo", "Conti", "De Luca", "Costa", "Giordano", "Mancini", "Rizzo", "Lombardi", "Moretti",
		"Barbieri", "Fontana", "Popescu", "Ionescu", "Santoro", "Mariani", "Rinaldi", "Caruso", "Ferrara", "Galli"}
	streets = []string{"Roma", "Garibaldi", "Mazzini", "Cavour", "Dante", "Verdi", "Marconi", "Matteotti", "Leopardi", "XX Settembre"}
	cities  = []string{"Milano", "Torino", "Bologna", "Verona", "Brescia", "Bergamo", "Padova", "Modena", "Parma", "Firenze"}
	models  = []struct{ wmi, make, model string }{
		{"ZFA", "Fiat", "Panda"}, {"ZFA", "Fiat", "500"}, {"ZAR", "Alfa Romeo", "Giulia"}, {"ZLA", "Lancia", "Ypsilon"},
		{"WVW", "Volkswagen", "Golf"}, {"WBA", "BMW", "Serie 3"}, {"WDD", "Mercedes-Benz", "Classe A"},
		{"VF1", "Renault", "Clio"}, {"VF3", "Peugeot", "208"}, {"UU1", "Dacia", "Sandero"}, {"TMB", "Škoda", "Octavia"},
		{"VSS", "Cupra", "Formentor"},
	}
	services = []string{"Oil and filter change", "Annual service", "Brake pads and discs", "Tyre change",
		"Timing belt", "Air-conditioning recharge", "Diagnostics", "Clutch replacement", "MOT inspection", "Battery replacement"}
)
