package store

import (
	"bytes"
	"errors"
	"slices"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// addMergeMover registers m in mergeMovers until the test ends.
func addMergeMover(t *testing.T, m func(w writer, from, to uint64) error) {
	t.Helper()
	saved := mergeMovers
	mergeMovers = append(mergeMovers[:len(saved):len(saved)], m)
	t.Cleanup(func() { mergeMovers = saved })
}

// mergeFixture is a customer entered twice: a has a phone and a car; b has
// an e-mail, another phone, two cars with jobs and two appointments.
type mergeFixture struct {
	a, b, other  Customer
	aCar, b1, b2 Vehicle
	aJob, b1Job  Job
	b2Job        Job
	bAppts       []Appointment
	otherCar     Vehicle
	bTimeline    []TimelineEvent
}

func newMergeFixture(t *testing.T, s *Store, clk *clock) mergeFixture {
	t.Helper()
	var f mergeFixture
	f.a = mustCustomer(t, s, "Mario Rossi", "", "+39 333 1111111")
	f.other = mustCustomer(t, s, "Lucia Verdi", "lucia@example.it", "+39 340 3333333")
	f.aCar = mustVehicle(t, s, f.a.ID, "AA111AA")
	f.aJob = mustJob(t, s, f.aCar.ID, "")
	clk.Advance(time.Hour)
	var err error
	f.b, err = s.CreateCustomer(staff, Customer{Name: "ROSSI Mario", Email: "mario@example.it", Phone: "+39 347 2222222",
		Address: "Via Roma 1", Notes: "Second record"})
	if err != nil {
		t.Fatal(err)
	}
	f.b1 = mustVehicle(t, s, f.b.ID, "BB111BB")
	f.b2 = mustVehicle(t, s, f.b.ID, "BB222BB")
	f.b1Job = mustJob(t, s, f.b1.ID, "")
	f.b2Job = mustJob(t, s, f.b2.ID, StageInProgress)
	for i, car := range []Vehicle{f.b1, f.b2} {
		start := t0.Add(time.Duration(48+i*24) * time.Hour)
		ap, err := s.CreateAppointment(staff, Appointment{CustomerID: f.b.ID, VehicleID: car.ID, Service: "Tagliando",
			Start: start, End: start.Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		f.bAppts = append(f.bAppts, ap)
	}
	f.otherCar = mustVehicle(t, s, f.other.ID, "CC111CC")
	f.bTimeline, err = s.Timeline(f.b.ID, 100)
	if err != nil || len(f.bTimeline) < 7 {
		t.Fatalf("b's timeline before the merge = %v, %v", eventKeys(f.bTimeline), err)
	}
	clk.Advance(time.Hour)
	return f
}

func TestMergeCustomers(t *testing.T) {
	s, clk := openTestClock(t)
	f := newMergeFixture(t, s, clk)
	countsBefore, _ := s.Counts()
	seq, _ := s.LastSeq()

	got, err := s.MergeCustomers(staff, f.a.ID, f.b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != f.a.ID || got.Name != "Mario Rossi" || got.Phone != "+39 333 1111111" ||
		got.Email != "mario@example.it" || got.Mobile != "+39 347 2222222" || got.Address != "Via Roma 1" ||
		got.Notes != "Second record" {
		t.Errorf("merged customer = %+v", got)
	}
	if stored, _ := s.Customer(f.a.ID); stored != got {
		t.Errorf("stored %+v, returned %+v", stored, got)
	}

	checks := []struct {
		name  string
		check func(t *testing.T)
	}{
		{"b is gone", func(t *testing.T) {
			if _, err := s.Customer(f.b.ID); !Is(err, CodeNotFound) {
				t.Errorf("Customer(b) err = %v, want not found", err)
			}
		}},
		{"a has every car", func(t *testing.T) {
			vs, _ := s.CustomerVehicles(f.a.ID)
			if ids := vehicleIDs(vs); !slices.Equal(ids, []uint64{f.aCar.ID, f.b1.ID, f.b2.ID}) {
				t.Errorf("CustomerVehicles(a) = %v", ids)
			}
			for _, v := range vs {
				if v.CustomerID != f.a.ID || len(v.Owners) != 1 || v.Owners[0].CustomerID != f.a.ID || !v.Owners[0].To.IsZero() {
					t.Errorf("car %s: owner %d, history %+v, want a since it was added", v.Plate, v.CustomerID, v.Owners)
				}
			}
			if vs, _ := s.CustomerVehicles(f.b.ID); len(vs) != 0 {
				t.Errorf("b still has cars %v", vehicleIDs(vs))
			}
		}},
		{"jobs follow their cars", func(t *testing.T) {
			for _, j := range []Job{f.aJob, f.b1Job, f.b2Job} {
				if got, _ := s.Job(j.ID); got.CustomerID != f.a.ID || got.Stage != j.Stage {
					t.Errorf("job %s: customer %d stage %s, want %d %s", j.Number, got.CustomerID, got.Stage, f.a.ID, j.Stage)
				}
			}
			if jobs, _ := s.VehicleJobs(f.b2.ID); len(jobs) != 1 || jobs[0].CustomerID != f.a.ID {
				t.Errorf("VehicleJobs(b2) = %+v", jobs)
			}
		}},
		{"appointments follow", func(t *testing.T) {
			aps, _ := s.CustomerAppointments(f.a.ID)
			var ids []uint64
			for _, ap := range aps {
				ids = append(ids, ap.ID)
				if ap.CustomerID != f.a.ID {
					t.Errorf("appointment %d belongs to %d", ap.ID, ap.CustomerID)
				}
			}
			if want := []uint64{f.bAppts[1].ID, f.bAppts[0].ID}; !slices.Equal(ids, want) {
				t.Errorf("CustomerAppointments(a) = %v, want %v", ids, want)
			}
			if aps, _ := s.CustomerAppointments(f.b.ID); len(aps) != 0 {
				t.Errorf("b still has appointments %+v", aps)
			}
			rows, _ := s.Agenda(t0, t0.Add(7*24*time.Hour))
			for _, r := range rows {
				if r.Customer != "Mario Rossi" {
					t.Errorf("agenda shows %q for appointment %d", r.Customer, r.ID)
				}
			}
		}},
		{"b's e-mail and phone find a", func(t *testing.T) {
			for _, find := range []func() (Customer, error){
				func() (Customer, error) { return s.CustomerByEmail("MARIO@example.it") },
				func() (Customer, error) { return s.CustomerByPhone("+393472222222") },
				func() (Customer, error) { return s.CustomerByPhone("+39 333 111 1111") },
			} {
				if c, err := find(); err != nil || c.ID != f.a.ID {
					t.Errorf("found %+v, %v, want a", c, err)
				}
			}
		}},
		{"counts", func(t *testing.T) {
			c, _ := s.Counts()
			if c.Customers != countsBefore.Customers-1 || c.Vehicles != countsBefore.Vehicles {
				t.Errorf("counts = %+v, before %+v", c, countsBefore)
			}
		}},
		{"listing", func(t *testing.T) {
			p, _ := s.Customers(SortName, "", 50)
			if ids := customerIDs(p.Customers); !slices.Equal(ids, []uint64{f.other.ID, f.a.ID}) || p.Total != 2 {
				t.Errorf("Customers = %v total %d, want [%d %d] total 2", ids, p.Total, f.other.ID, f.a.ID)
			}
		}},
		{"timeline", func(t *testing.T) {
			events, _ := s.Timeline(f.a.ID, 100)
			if len(events) == 0 || events[0].Key != "timeline.merged" || !slices.Equal(events[0].Args, []string{"name", "ROSSI Mario"}) {
				t.Fatalf("newest event of a = %+v, want the merge", events[:min(1, len(events))])
			}
			for _, want := range f.bTimeline {
				if !slices.ContainsFunc(events, func(e TimelineEvent) bool { return eventsEqual([]TimelineEvent{e}, []TimelineEvent{want}, true) }) {
					t.Errorf("a's timeline lacks b's %s #%d", want.Key, want.Record)
				}
			}
			for i := 1; i < len(events); i++ {
				if events[i].At.After(events[i-1].At) {
					t.Errorf("timeline not newest first: %v", eventKeys(events))
					break
				}
			}
			if events, _ := s.Timeline(f.b.ID, 100); len(events) != 0 {
				t.Errorf("b still has a timeline: %v", eventKeys(events))
			}
		}},
		{"change feed", func(t *testing.T) {
			changes, _ := s.Changes(seq, 100)
			has := func(kind string, id uint64, op Op) bool {
				return slices.ContainsFunc(changes, func(c Change) bool { return c.Kind == kind && c.ID == id && c.Op == op })
			}
			for _, want := range []Change{
				{Kind: "customer", ID: f.b.ID, Op: OpDelete}, {Kind: "customer", ID: f.a.ID, Op: OpPut},
				{Kind: "vehicle", ID: f.b1.ID, Op: OpPut}, {Kind: "vehicle", ID: f.b2.ID, Op: OpPut},
				{Kind: "job", ID: f.b1Job.ID, Op: OpPut}, {Kind: "job", ID: f.b2Job.ID, Op: OpPut},
				{Kind: "appointment", ID: f.bAppts[0].ID, Op: OpPut}, {Kind: "appointment", ID: f.bAppts[1].ID, Op: OpPut},
			} {
				if !has(want.Kind, want.ID, want.Op) {
					t.Errorf("feed lacks %s %d %s", want.Kind, want.ID, want.Op)
				}
			}
			if has("vehicle", f.otherCar.ID, OpPut) {
				t.Error("feed says an unrelated car changed")
			}
		}},
		{"audit", func(t *testing.T) {
			if e := lastAudit(t, s); e.Action != "customer_merge" || e.Record != f.a.ID || e.Actor != staff {
				t.Errorf("last audit = %+v", e)
			}
			if entries, _, _ := s.AuditLog(AuditFilter{Action: "customer_merge"}); len(entries) != 1 {
				t.Errorf("%d merge audit entries, want 1", len(entries))
			}
		}},
		{"others untouched", func(t *testing.T) {
			if vs, _ := s.CustomerVehicles(f.other.ID); !slices.Equal(vehicleIDs(vs), []uint64{f.otherCar.ID}) {
				t.Errorf("CustomerVehicles(other) = %v", vehicleIDs(vs))
			}
		}},
	}
	for _, c := range checks {
		t.Run(c.name, c.check)
	}
}

func TestMergeFillsOnlyBlanks(t *testing.T) {
	tests := []struct {
		name       string
		keep, gone Customer
		want       Customer // the fields compared
	}{
		{"keep's own details win",
			Customer{Name: "A", Email: "a@example.it", Phone: "+39 333 1111111", Mobile: "+39 347 1111111", TaxCode: "AAA"},
			Customer{Name: "B", Email: "b@example.it", Phone: "+39 333 2222222", TaxCode: "BBB", VAT: "IT0001"},
			Customer{Email: "a@example.it", Phone: "+39 333 1111111", Mobile: "+39 347 1111111", TaxCode: "AAA", VAT: "IT0001"}},
		{"gone's phones fill both",
			Customer{Name: "A"},
			Customer{Name: "B", Phone: "+39 333 2222222", Mobile: "+39 347 2222222"},
			Customer{Phone: "+39 333 2222222", Mobile: "+39 347 2222222"}},
		{"gone's mobile becomes keep's mobile",
			Customer{Name: "A", Phone: "+39 333 1111111"},
			Customer{Name: "B", Mobile: "+39 347 2222222"},
			Customer{Phone: "+39 333 1111111", Mobile: "+39 347 2222222"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTest(t)
			keep, err := s.CreateCustomer(staff, tt.keep)
			if err != nil {
				t.Fatal(err)
			}
			gone, err := s.CreateCustomer(staff, tt.gone)
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.MergeCustomers(staff, keep.ID, gone.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Name != keep.Name || got.Email != tt.want.Email || got.Phone != tt.want.Phone || got.Mobile != tt.want.Mobile ||
				got.TaxCode != tt.want.TaxCode || got.VAT != tt.want.VAT {
				t.Errorf("merged = %+v, want %+v", got, tt.want)
			}
			for _, id := range []string{tt.want.TaxCode, tt.want.VAT} {
				if id == "" {
					continue
				}
				if c, err := s.CustomerByTaxID(id); err != nil || c.ID != keep.ID {
					t.Errorf("CustomerByTaxID(%s) = %+v, %v", id, c, err)
				}
			}
		})
	}
}

func TestMergeCustomersRefused(t *testing.T) {
	s, clk := openTestClock(t)
	f := newMergeFixture(t, s, clk)
	tests := []struct {
		name       string
		keep, gone uint64
		code       Code
	}{
		{"into itself", f.a.ID, f.a.ID, CodeInvalid},
		{"unknown keep", 999, f.b.ID, CodeNotFound},
		{"unknown gone", f.a.ID, 999, CodeNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := dump(t, s)
			_, err := s.MergeCustomers(staff, tt.keep, tt.gone)
			wantError(t, err, tt.code, nil)
			wantUnchanged(t, s, before)
		})
	}
}

func TestMergeMovers(t *testing.T) {
	marker := []byte("test:mover")
	tests := []struct {
		name string
		err  error
	}{
		{"mover commits with the merge", nil},
		{"mover error undoes the merge", errors.New("devices unreachable")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, clk := openTestClock(t)
			f := newMergeFixture(t, s, clk)
			type call struct{ from, to uint64 }
			var calls []call
			addMergeMover(t, func(w writer, from, to uint64) error {
				calls = append(calls, call{from, to})
				// Inside the merge's transaction: the cars have moved, the
				// customer is not deleted yet, and writes are possible.
				moved := append(itob(to), itob(f.b1.ID)...)
				if k, _ := w.tx.Bucket(bVehByCust).Cursor().Seek(moved); !w.tx.Writable() ||
					w.tx.Bucket(bCustomers).Get(itob(from)) == nil || !bytes.Equal(k, moved) {
					t.Errorf("mover called outside the merge's transaction")
				}
				if err := w.tx.Bucket(bMeta).Put(marker, itob(from)); err != nil {
					return err
				}
				return tt.err
			})
			before := dump(t, s)

			_, err := s.MergeCustomers(staff, f.a.ID, f.b.ID)
			if len(calls) == 0 || calls[0] != (call{f.b.ID, f.a.ID}) {
				t.Errorf("mover calls = %v, want (from %d, to %d)", calls, f.b.ID, f.a.ID)
			}
			var written []byte
			if err := s.db.View(func(tx *bolt.Tx) error { written = tx.Bucket(bMeta).Get(marker); return nil }); err != nil {
				t.Fatal(err)
			}
			if tt.err == nil {
				if err != nil {
					t.Fatal(err)
				}
				if len(calls) != 1 {
					t.Errorf("mover called %d times, want once", len(calls))
				}
				if written == nil || btoi(written) != f.b.ID {
					t.Error("the mover's write was not committed with the merge")
				}
				return
			}
			if !errors.Is(err, tt.err) {
				t.Errorf("MergeCustomers err = %v, want the mover's %v", err, tt.err)
			}
			wantUnchanged(t, s, before)
			if c, err := s.Customer(f.b.ID); err != nil || c.Email != "mario@example.it" {
				t.Errorf("b after a failed merge = %+v, %v", c, err)
			}
			if vs, _ := s.CustomerVehicles(f.b.ID); !slices.Equal(vehicleIDs(vs), []uint64{f.b1.ID, f.b2.ID}) {
				t.Errorf("b's cars after a failed merge = %v", vehicleIDs(vs))
			}
		})
	}
}

// A customer's jobs on a car they have since sold are still theirs (a sale
// leaves them with the seller); merging the seller must bring them along, or
// they point at a customer that no longer exists.
func TestMergeMovesJobsOfSoldCars(t *testing.T) {
	s, clk := openTestClock(t)
	a := mustCustomer(t, s, "Mario Rossi", "", "")
	b := mustCustomer(t, s, "Rossi Mario", "", "")
	buyer := mustCustomer(t, s, "Lucia Verdi", "", "")
	car := mustVehicle(t, s, b.ID, "AB123CD")
	job := mustJob(t, s, car.ID, StageDelivered)
	clk.Advance(24 * time.Hour)
	if _, err := s.TransferVehicle(staff, car.ID, buyer.ID); err != nil {
		t.Fatal(err)
	}
	clk.Advance(24 * time.Hour)
	if _, err := s.MergeCustomers(staff, a.ID, b.ID); err != nil {
		t.Fatal(err)
	}

	if got, _ := s.Job(job.ID); got.CustomerID != a.ID {
		t.Errorf("job %s of the sold car belongs to customer %d (merged away), want %d", got.Number, got.CustomerID, a.ID)
	}
	v, _ := s.Vehicle(car.ID)
	if v.CustomerID != buyer.ID {
		t.Errorf("the sold car moved to %d, want it to stay with the buyer %d", v.CustomerID, buyer.ID)
	}
	if len(v.Owners) != 2 || v.Owners[0].CustomerID != a.ID {
		t.Errorf("ownership history %+v, want the first owner to read %d (merged from %d)", v.Owners, a.ID, b.ID)
	}
}
