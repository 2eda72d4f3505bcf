package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

// fixture is a small garage: one manager, one customer with a car and a job.
type fixture struct {
	manager  User
	worker   User
	customer Customer
	vehicle  Vehicle
	job      Job
	apiKey   APIKey
}

func newFixture(t *testing.T, s *Store) fixture {
	t.Helper()
	var f fixture
	f.manager = mustUser(t, s, "boss", RoleManager)
	f.worker = mustUser(t, s, "luca", RoleWorkshop)
	// A first customer without cars, so customer and vehicle IDs differ.
	mustCustomer(t, s, "Walk-in", "", "")
	f.customer = mustCustomer(t, s, "Mario Rossi", "mario@example.it", "+39 333 1234567")
	f.vehicle = mustVehicle(t, s, f.customer.ID, "AB123CD")
	f.job = mustJob(t, s, f.vehicle.ID, "")
	k, err := s.CreateAPIKey(staff, "Website", RoleSales, "pk_abc", "hash-1")
	if err != nil {
		t.Fatal(err)
	}
	f.apiKey = k
	return f
}

func lastAudit(t *testing.T, s *Store) AuditEntry {
	t.Helper()
	entries, _, err := s.AuditLog(AuditFilter{Limit: 1})
	if err != nil || len(entries) != 1 {
		t.Fatalf("AuditLog = %v, %v", entries, err)
	}
	return entries[0]
}

func TestWritesRecordFeedAuditAndOutbox(t *testing.T) {
	tests := []struct {
		name     string
		do       func(t *testing.T, s *Store, f fixture) (id uint64, err error)
		kind     string // change-feed kind; "" when the record is not in the feed
		feedID   uint64 // when not the returned id
		action   string
		noRecord bool // the audit entry names no record
		notify   bool // queues a notification for f.customer
	}{
		{name: "CreateUser", kind: "user", action: "user_create",
			do: func(t *testing.T, s *Store, f fixture) (uint64, error) {
				u, err := s.CreateUser(staff, NewUser{Username: "new", Name: "New", Role: RoleSales, PasswordHash: "h"})
				return u.ID, err
			}},
		{name: "UpdateUser", kind: "user", action: "user_update",
			do: func(t *testing.T, s *Store, f fixture) (uint64, error) {
				u, err := s.UpdateUser(staff, f.worker.ID, UserChange{Name: "Luca B", Role: RoleSales})
				return u.ID, err
			}},
		{name: "SetPassword", kind: "user", action: "password_change",
			do: func(t *testing.T, s *Store, f fixture) (uint64, error) {
				return f.worker.ID, s.SetPassword(staff, f.worker.ID, "new-hash")
			}},
		{name: "SetDisabled", kind: "user", action: "user_disable",
			do: func(t *testing.T, s *Store, f fixture) (uint64, error) {
				u, err := s.SetDisabled(staff, f.worker.ID, true)
				return u.ID, err
			}},
		{name: "SaveSettings", kind: "settings", feedID: 1, action: "settings_update", noRecord: true,
			do: func(t *testing.T, s *Store, f fixture) (uint64, error) {
				_, err := s.SaveSettings(staff, DefaultSettings())
				return 0, err
			}},
		{name: "CreateCustomer", kind: "customer", action: "customer_create",
			do: func(t *testing.T, s *Store, f fixture) (uint64, error) {
				c, err := s.CreateCustomer(staff, Customer{Name: "Lucia"})
				return c.ID, err
			}},
		{name: "CreateVehicle", kind: "vehicle", action: "vehicle_create",
			do: func(t *testing.T, s *Store, f fixture) (uint64, error) {
				v, err := s.CreateVehicle(staff, Vehicle{CustomerID: f.customer.ID, Plate: "ZZ999ZZ", Make: "Lancia"})
				return v.ID, err
			}},
		{name: "CreateAppointment", kind: "appointment", action: "appointment_create",
			do: func(t *testing.T, s *Store, f fixture) (uint64, error) {
				ap, err := s.CreateAppointment(staff, Appointment{CustomerID: f.customer.ID, VehicleID: f.vehicle.ID,
					Start: t0.Add(24 * time.Hour), End: t0.Add(25 * time.Hour), Service: "Tyres"})
				return ap.ID, err
			}},
		{name: "CreateJob", kind: "job", action: "job_create",
			do: func(t *testing.T, s *Store, f fixture) (uint64, error) {
				j, err := s.CreateJob(staff, Job{VehicleID: f.vehicle.ID})
				return j.ID, err
			}},
		{name: "SetJobStage", kind: "job", action: "job_stage", notify: true,
			do: func(t *testing.T, s *Store, f fixture) (uint64, error) {
				j, err := s.SetJobStage(staff, f.job.ID, StageInProgress)
				return j.ID, err
			}},
		{name: "CreateAPIKey", action: "apikey_create",
			do: func(t *testing.T, s *Store, f fixture) (uint64, error) {
				k, err := s.CreateAPIKey(staff, "DMS", RoleBackoffice, "pk_x", "hash-2")
				return k.ID, err
			}},
		{name: "RevokeAPIKey", action: "apikey_revoke",
			do: func(t *testing.T, s *Store, f fixture) (uint64, error) {
				return f.apiKey.ID, s.RevokeAPIKey(staff, f.apiKey.ID)
			}},
		{name: "Audit", action: "login_failed", noRecord: true,
			do: func(t *testing.T, s *Store, f fixture) (uint64, error) {
				return 0, s.Audit(staff, "login_failed", "user", 0, "bad password")
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTest(t)
			f := newFixture(t, s)
			seq, _ := s.LastSeq()
			outbox := bucketLen(t, s, bOutbox)

			id, err := tt.do(t, s, f)
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}

			changes, err := s.Changes(seq, 100)
			if err != nil {
				t.Fatal(err)
			}
			if tt.kind == "" {
				if len(changes) != 0 {
					t.Errorf("feed entries = %+v, want none", changes)
				}
			} else {
				feedID := id
				if tt.feedID != 0 {
					feedID = tt.feedID
				}
				want := Change{Seq: seq + 1, At: t0, Kind: tt.kind, ID: feedID, Op: OpPut}
				if len(changes) != 1 || changes[0] != want {
					t.Errorf("feed entries = %+v, want exactly %+v", changes, want)
				}
			}

			a := lastAudit(t, s)
			record := id
			if tt.noRecord {
				record = 0
			}
			if a.Action != tt.action || a.Actor != staff || a.Record != record || !a.At.Equal(t0) {
				t.Errorf("audit = %+v, want action %s by %+v on record %d at %v", a, tt.action, staff, record, t0)
			}

			added := bucketLen(t, s, bOutbox) - outbox
			switch {
			case !tt.notify && added != 0:
				t.Errorf("%d notifications queued, want none", added)
			case tt.notify:
				due, _ := s.DueNotifications(100)
				if added != 1 || len(due) != 1 || due[0].CustomerID != f.customer.ID {
					t.Errorf("queued %d notifications, due %+v, want one for customer %d", added, due, f.customer.ID)
				}
			}
		})
	}
}

func TestFailedWritesLeaveNoTrace(t *testing.T) {
	tests := []struct {
		name string
		code Code
		do   func(s *Store, f fixture) error
	}{
		{"CreateUser invalid", CodeInvalid, func(s *Store, f fixture) error {
			_, err := s.CreateUser(staff, NewUser{Username: "x", Role: "boss", PasswordHash: "h"})
			return err
		}},
		{"CreateUser duplicate", CodeConflict, func(s *Store, f fixture) error {
			_, err := s.CreateUser(staff, NewUser{Username: "LUCA", Name: "Luca 2", Role: RoleSales, PasswordHash: "h"})
			return err
		}},
		{"UpdateUser last manager", CodeConflict, func(s *Store, f fixture) error {
			_, err := s.UpdateUser(staff, f.manager.ID, UserChange{Name: "Boss", Role: RoleSales})
			return err
		}},
		{"UpdateUser invalid", CodeInvalid, func(s *Store, f fixture) error {
			_, err := s.UpdateUser(staff, f.worker.ID, UserChange{Name: "", Role: RoleSales})
			return err
		}},
		{"UpdateUser unknown", CodeNotFound, func(s *Store, f fixture) error {
			_, err := s.UpdateUser(staff, 999, UserChange{Name: "X", Role: RoleSales})
			return err
		}},
		{"SetDisabled last manager", CodeConflict, func(s *Store, f fixture) error {
			_, err := s.SetDisabled(staff, f.manager.ID, true)
			return err
		}},
		{"SetPassword unknown", CodeNotFound, func(s *Store, f fixture) error {
			return s.SetPassword(staff, 999, "h")
		}},
		{"SaveSettings invalid", CodeInvalid, func(s *Store, f fixture) error {
			st := DefaultSettings()
			st.Currency = "XYZ"
			_, err := s.SaveSettings(staff, st)
			return err
		}},
		{"CreateCustomer duplicate e-mail", CodeConflict, func(s *Store, f fixture) error {
			_, err := s.CreateCustomer(staff, Customer{Name: "Other", Email: "MARIO@example.it"})
			return err
		}},
		{"CreateCustomer invalid", CodeInvalid, func(s *Store, f fixture) error {
			_, err := s.CreateCustomer(staff, Customer{Name: " "})
			return err
		}},
		{"CreateVehicle duplicate plate", CodeConflict, func(s *Store, f fixture) error {
			_, err := s.CreateVehicle(staff, Vehicle{CustomerID: f.customer.ID, Plate: "ab-123-cd", Make: "Fiat"})
			return err
		}},
		{"CreateVehicle unknown customer", CodeInvalid, func(s *Store, f fixture) error {
			_, err := s.CreateVehicle(staff, Vehicle{CustomerID: 999, Plate: "NEW1", Make: "Fiat"})
			return err
		}},
		{"CreateAppointment unknown customer", CodeInvalid, func(s *Store, f fixture) error {
			_, err := s.CreateAppointment(staff, Appointment{CustomerID: 999, Start: t0, End: t0.Add(time.Hour)})
			return err
		}},
		{"CreateJob unknown vehicle", CodeInvalid, func(s *Store, f fixture) error {
			_, err := s.CreateJob(staff, Job{VehicleID: 999})
			return err
		}},
		{"CreateJob invalid stage", CodeInvalid, func(s *Store, f fixture) error {
			_, err := s.CreateJob(staff, Job{VehicleID: f.vehicle.ID, Stage: "parked"})
			return err
		}},
		{"SetJobStage invalid stage", CodeInvalid, func(s *Store, f fixture) error {
			_, err := s.SetJobStage(staff, f.job.ID, "finished")
			return err
		}},
		{"SetJobStage unknown job", CodeNotFound, func(s *Store, f fixture) error {
			_, err := s.SetJobStage(staff, 999, StageReady)
			return err
		}},
		{"CreateAPIKey invalid", CodeInvalid, func(s *Store, f fixture) error {
			_, err := s.CreateAPIKey(staff, "", RoleSales, "p", "h")
			return err
		}},
		{"RevokeAPIKey unknown", CodeNotFound, func(s *Store, f fixture) error {
			return s.RevokeAPIKey(staff, 999)
		}},
		{"ImportBundles with a bad car", CodeInvalid, func(s *Store, f fixture) error {
			_, err := s.ImportBundles(staff, "import", []Bundle{
				{Customer: Customer{Name: "Good", Email: "good@example.it"},
					Vehicles: []VehicleBundle{{Vehicle: Vehicle{Plate: "GO123OD", Make: "Fiat"}}}},
				{Customer: Customer{Name: "Bad", Email: "bad@example.it"},
					Vehicles: []VehicleBundle{{Vehicle: Vehicle{Plate: "BA123AD"}}}}, // no make
			})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTest(t)
			f := newFixture(t, s)
			before := dump(t, s)
			wantError(t, tt.do(s, f), tt.code, nil)
			wantUnchanged(t, s, before)
		})
	}
}

func TestFeedSeqStrictlyIncreasing(t *testing.T) {
	s := openTest(t)
	newFixture(t, s)
	for range 3 {
		mustCustomer(t, s, "Someone", "", "")
	}
	changes, err := s.Changes(0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	// users ×2, customers ×2, vehicle, job, then 3 customers.
	wantKinds := []string{"user", "user", "customer", "customer", "vehicle", "job", "customer", "customer", "customer"}
	if len(changes) != len(wantKinds) {
		t.Fatalf("got %d changes %+v, want %d", len(changes), changes, len(wantKinds))
	}
	for i, c := range changes {
		if c.Seq != uint64(i+1) {
			t.Errorf("changes[%d].Seq = %d, want %d", i, c.Seq, i+1)
		}
		if c.Kind != wantKinds[i] {
			t.Errorf("changes[%d].Kind = %s, want %s", i, c.Kind, wantKinds[i])
		}
	}
	if last, _ := s.LastSeq(); last != uint64(len(wantKinds)) {
		t.Errorf("LastSeq = %d, want %d", last, len(wantKinds))
	}
}

func TestChangesPaging(t *testing.T) {
	s := openTest(t)
	var ids []uint64
	for range 5 {
		ids = append(ids, mustCustomer(t, s, "C", "", "").ID)
	}
	tests := []struct {
		after   uint64
		limit   int
		wantSeq []uint64
	}{
		{0, 2, []uint64{1, 2}},
		{2, 2, []uint64{3, 4}},
		{4, 2, []uint64{5}},
		{5, 2, nil},
		{0, 100, []uint64{1, 2, 3, 4, 5}},
		{3, 1, []uint64{4}},
		{99, 10, nil},
	}
	for _, tt := range tests {
		got, err := s.Changes(tt.after, tt.limit)
		if err != nil {
			t.Fatal(err)
		}
		var seqs []uint64
		for _, c := range got {
			seqs = append(seqs, c.Seq)
			if c.Kind != "customer" || c.ID != ids[c.Seq-1] || c.Op != OpPut {
				t.Errorf("change %+v, want customer %d put", c, ids[c.Seq-1])
			}
		}
		if len(seqs) != len(tt.wantSeq) {
			t.Errorf("Changes(%d, %d) seqs = %v, want %v", tt.after, tt.limit, seqs, tt.wantSeq)
			continue
		}
		for i := range seqs {
			if seqs[i] != tt.wantSeq[i] {
				t.Errorf("Changes(%d, %d) seqs = %v, want %v", tt.after, tt.limit, seqs, tt.wantSeq)
				break
			}
		}
	}
}

func TestWaitChangeWakesOnCommit(t *testing.T) {
	s := openTest(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- s.WaitChange(ctx) }()

	// The waiter may not be waiting yet when the first write commits, so
	// keep writing until it wakes; it must wake long before ctx ends.
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("WaitChange = %v, want nil after a commit", err)
			}
			return
		case <-tick.C:
			mustCustomer(t, s, "Wake", "", "")
		}
	}
}

func TestWaitChange(t *testing.T) {
	tests := []struct {
		name    string
		ctx     func() (context.Context, context.CancelFunc)
		failing bool // a write that fails happens meanwhile
		want    error
	}{
		{"cancelled", func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx, cancel
		}, false, context.Canceled},
		{"deadline without writes", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 50*time.Millisecond)
		}, false, context.DeadlineExceeded},
		{"failed write does not wake", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 200*time.Millisecond)
		}, true, context.DeadlineExceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTest(t)
			mustCustomer(t, s, "Mario", "mario@example.it", "")
			ctx, cancel := tt.ctx()
			defer cancel()
			done := make(chan error, 1)
			go func() { done <- s.WaitChange(ctx) }()
			if tt.failing {
				time.Sleep(20 * time.Millisecond)
				if _, err := s.CreateCustomer(staff, Customer{Name: "Dup", Email: "mario@example.it"}); err == nil {
					t.Fatal("duplicate accepted")
				}
			}
			select {
			case err := <-done:
				if !errors.Is(err, tt.want) {
					t.Errorf("WaitChange = %v, want %v", err, tt.want)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("WaitChange ignored its context")
			}
		})
	}
}
