package bench

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/valyala/fasthttp"

	"pitlane/store"
)

// The page scenarios load staff pages as signed-in browsers do: the
// dashboard, a job as the workshop fills it in (checked in, inspected, with
// an estimate) and the calendar's current week, busy. Seed makes sure the
// last two exist, whatever day a data folder was seeded on.

// pageLoad names a page scenario's page and something only it shows, near
// its top (the check reads the body up to it).
type pageLoad func(*appliance) (path string, marker []byte, err error)

// preparePage signs every worker in once, as its own browser session; each
// request is then GET the page over that worker's keep-alive connection,
// its answer checked for the marker.
func preparePage(page pageLoad) func(context.Context, *appliance, int) (op, func(), error) {
	return func(ctx context.Context, a *appliance, concurrency int) (op, func(), error) {
		path, marker, err := page(a)
		if err != nil {
			return nil, nil, err
		}
		c := newClient(concurrency)
		sessions := make([]string, concurrency)
		errs := make([]error, concurrency)
		slots := make(chan struct{}, 8)
		var wg sync.WaitGroup
		for w := range concurrency {
			wg.Go(func() {
				slots <- struct{}{}
				defer func() { <-slots }()
				sessions[w], errs[w] = a.login(ctx, c, a.users[w%len(a.users)])
			})
		}
		wg.Wait()
		c.CloseIdleConnections()
		if err := errors.Join(errs...); err != nil {
			return nil, nil, fmt.Errorf("sign in: %w", err)
		}
		// The requests themselves go through fasthttp's client: on two cores
		// the load generator shares the CPU with the appliance, and net/http's
		// client costs about as much per request as the page does (as wrk
		// would not). Its buffer takes a big page (50 KB) in one read.
		fc := &fasthttp.HostClient{Addr: strings.TrimPrefix(a.base, "http://"), MaxConns: concurrency,
			ReadBufferSize: 64 << 10, ReadTimeout: time.Minute, WriteTimeout: time.Minute}
		seen := make([][]byte, concurrency)
		do := func(_ context.Context, w int) error { return a.page(fc, path, marker, sessions[w], &seen[w]) }
		return do, fc.CloseIdleConnections, nil
	}
}

// dashboardMarker is in the dashboard page and no other.
var dashboardMarker = []byte(`id="today"`)

func dashboardPage(*appliance) (string, []byte, error) { return "/", dashboardMarker, nil }

// jobPage is the showcase job's page, its number in the heading.
func jobPage(a *appliance) (string, []byte, error) {
	j, err := a.st.Job(a.job)
	if err != nil {
		return "", nil, fmt.Errorf("the showcase job: %w", err)
	}
	return fmt.Sprintf("/jobs/%d", j.ID), []byte(j.Number), nil
}

// weekPage is the calendar's week with the seeded appointments, one of
// which the marker links to.
func weekPage(a *appliance) (string, []byte, error) {
	return "/calendar?" + url.Values{"view": {"week"}, "date": {a.week.Format(time.DateOnly)}, "dept": {"Mechanics"}}.Encode(),
		[]byte(`href="/appointments/`), nil
}

const (
	// weekAppointments is how many appointments each open day of the
	// current week gets (today has todayAppointments).
	weekAppointments = 16
	// showcaseLines is how many estimate lines the showcase job has.
	showcaseLines = 8
)

// ensureWeek books appointments on every day of the current week (Monday
// first, in the dealership's time zone) until each has weekAppointments,
// half an hour apart from 08:00, so the week view has a full week to show.
// It returns today's date, which the week view is asked for.
func ensureWeek(st *store.Store, z Size) (time.Time, error) {
	settings, err := st.Settings()
	if err != nil {
		return time.Time{}, err
	}
	loc := settings.Location()
	now := time.Now().In(loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	monday := today.AddDate(0, 0, -((int(today.Weekday()) + 6) % 7))
	for d := range 7 {
		day := monday.AddDate(0, 0, d)
		have, err := st.AppointmentsBetween(day, day.AddDate(0, 0, 1))
		if err != nil {
			return today, err
		}
		for k := len(have); k < weekAppointments; k++ {
			c, err := st.CustomerByEmail(customerEmail((d*weekAppointments + k) * 7919 % z.Customers))
			if err != nil {
				return today, err
			}
			var vehicleID uint64
			if cars, err := st.CustomerVehicles(c.ID); err != nil {
				return today, err
			} else if len(cars) > 0 {
				vehicleID = cars[0].ID
			}
			start := day.Add(8*time.Hour + time.Duration(k)*30*time.Minute)
			_, err = st.CreateAppointment(seedActor, store.Appointment{CustomerID: c.ID, VehicleID: vehicleID,
				Start: start, End: start.Add(time.Hour), Department: "Mechanics", Bay: "Bay 1",
				Service: services[(d+k)%len(services)]})
			if err != nil {
				return today, err
			}
		}
	}
	return today, nil
}

// ensureShowcaseJob fills in the newest job of the last customer's last car
// as the workshop would: checked in, technician assigned, every inspection
// item rated with a note, lines from the red items and more up to
// showcaseLines. It returns the job's ID.
func ensureShowcaseJob(st *store.Store, z Size) (uint64, error) {
	c, err := st.CustomerByEmail(customerEmail(z.Customers - 1))
	if err != nil {
		return 0, err
	}
	cars, err := st.CustomerVehicles(c.ID)
	if err != nil {
		return 0, err
	}
	var j store.Job
	for _, car := range cars {
		jobs, err := st.VehicleJobs(car.ID)
		if err != nil {
			return 0, err
		}
		for _, job := range jobs {
			if job.Invoice == nil && job.Opened.After(j.Opened) {
				j = job
			}
		}
	}
	if j.ID == 0 {
		return 0, fmt.Errorf("customer %s has no open job to fill in", c.Email)
	}
	if j.CheckIn == nil {
		car, err := st.Vehicle(j.VehicleID)
		if err != nil {
			return 0, err
		}
		km := 0
		for _, r := range car.Odometer {
			km = max(km, r.Km)
		}
		if j, err = st.CheckInJob(seedActor, j.ID, store.CheckIn{Km: km + 1_234, Fuel: 3,
			Damage: "Scratch on the rear bumper, chipped windscreen (passenger side)."}); err != nil {
			return 0, fmt.Errorf("check in: %w", err)
		}
	}
	if j.Technician == "" {
		if j, err = st.AssignTechnician(seedActor, j.ID, "Marco Rossi"); err != nil {
			return 0, fmt.Errorf("assign: %w", err)
		}
	}
	if len(j.Inspection) == 0 {
		if j, err = st.StartInspection(seedActor, j.ID); err != nil {
			return 0, fmt.Errorf("start inspection: %w", err)
		}
	}
	ratings := []struct{ status, note string }{
		{store.ItemGreen, ""}, {store.ItemGreen, "OK"}, {store.ItemAmber, "Wear visible, check at next service"},
		{store.ItemGreen, ""}, {store.ItemRed, "Replace now"},
	}
	for i, it := range j.Inspection {
		if it.Status != store.ItemUnchecked {
			continue
		}
		r := ratings[i%len(ratings)]
		it.Status, it.Note = r.status, r.note
		if it.Tyre() {
			it.Tread = 20 + 5*i
		}
		if j, err = st.SetInspectionItem(seedActor, j.ID, i, it); err != nil {
			return 0, fmt.Errorf("rate item %d: %w", i, err)
		}
	}
	for i, it := range j.Inspection {
		if it.Status == store.ItemRed && it.Line == 0 && len(j.Lines) < showcaseLines {
			if j, err = st.LineFromItem(seedActor, j.ID, i, store.Line{Kind: store.LinePart, Qty: 100,
				UnitPrice: 4_990 + int64(i)*1_000, TaxRate: 2200}); err != nil {
				return 0, fmt.Errorf("line from item %d: %w", i, err)
			}
		}
	}
	for k := len(j.Lines); k < showcaseLines; k++ {
		l := store.Line{Kind: store.LineLabour, Description: services[k%len(services)], Qty: 50 + 25*int64(k),
			UnitPrice: 6_500, TaxRate: 2200}
		if k%2 == 1 {
			l.Kind, l.Description, l.Qty, l.UnitPrice = store.LinePart, "Part "+plate(k), 100*int64(1+k%3), 1_250+int64(k)*990
		}
		if k%3 == 0 {
			l.Status = store.LineApproved
		}
		if j, err = st.AddLine(seedActor, j.ID, l); err != nil {
			return 0, fmt.Errorf("add line: %w", err)
		}
	}
	return j.ID, settleNotifications(st, j.CustomerID)
}

// settleNotifications marks as failed the notifications the showcase job's
// lines queued for its customer, who has no phone: the push scenario wants
// an outbox with nothing pending but its own.
func settleNotifications(st *store.Store, customerID uint64) error {
	due, err := st.DueNotifications(1000)
	if err != nil {
		return err
	}
	for _, n := range due {
		if n.CustomerID == customerID {
			if err := st.RecordAttempt(n.ID, store.NotifyFailed, time.Time{}, "pitlane-bench: seeded, not sent"); err != nil {
				return err
			}
		}
	}
	return nil
}
