package store

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

func TestTimeline(t *testing.T) {
	s, clk := openTestClock(t)
	// Customers 1, 2, 256 and 257: 256 shares no byte prefix with 1 in a
	// decimal key but does in careless binary ones, and 257 ends in 0x01.
	one := mustCustomer(t, s, "One", "", "")
	two := mustCustomer(t, s, "Two", "", "")
	createMany(t, s, 253, func(i int) Customer { return Customer{Name: fmt.Sprint("Filler ", i)} })
	c256 := mustCustomer(t, s, "Two-five-six", "", "")
	c257 := mustCustomer(t, s, "Two-five-seven", "", "")
	if one.ID != 1 || two.ID != 2 || c256.ID != 256 || c257.ID != 257 {
		t.Fatalf("IDs %d, %d, %d, %d, want 1, 2, 256, 257", one.ID, two.ID, c256.ID, c257.ID)
	}

	step := func() time.Time { clk.Advance(time.Minute); return clk.Now() }
	at := map[string]time.Time{}

	at["vehicle"] = step()
	car := mustVehicle(t, s, one.ID, "AB123CD")
	at["appointment"] = step()
	ap, err := s.CreateAppointment(staff, Appointment{CustomerID: one.ID, VehicleID: car.ID, Service: "Tagliando",
		Start: t0.Add(48 * time.Hour), End: t0.Add(49 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	at["job"] = step()
	job := mustJob(t, s, car.ID, "")
	at["stage"] = step()
	if _, err := s.SetJobStage(staff, job.ID, StageReady); err != nil {
		t.Fatal(err)
	}
	// Later events of other customers must not show in customer 1's history.
	step()
	car256 := mustVehicle(t, s, c256.ID, "ZZ256ZZ")
	mustVehicle(t, s, c257.ID, "ZZ257ZZ")
	mustVehicle(t, s, two.ID, "ZZ002ZZ")

	oneWant := []TimelineEvent{
		{At: at["stage"], Kind: "job", Record: job.ID, Key: "timeline.job_stage", Args: []string{"number", job.Number, "stage", StageReady}},
		{At: at["job"], Kind: "job", Record: job.ID, Key: "timeline.job_opened", Args: []string{"number", job.Number}},
		{At: at["appointment"], Kind: "appointment", Record: ap.ID, Key: "timeline.appointment_booked", Args: []string{"service", "Tagliando"}},
		{At: at["vehicle"], Kind: "vehicle", Record: car.ID, Key: "timeline.vehicle_added", Args: []string{"plate", "AB123CD"}},
		{At: t0, Kind: "customer", Record: one.ID, Key: "timeline.customer_created"},
	}
	tests := []struct {
		name     string
		customer uint64
		limit    int
		want     []TimelineEvent
	}{
		{"all of customer 1, newest first", one.ID, 100, oneWant},
		{"limited to the newest", one.ID, 2, oneWant[:2]},
		{"limit of one", one.ID, 1, oneWant[:1]},
		{"customer 256 sees only its own", c256.ID, 100, []TimelineEvent{
			{Kind: "vehicle", Record: car256.ID, Key: "timeline.vehicle_added", Args: []string{"plate", "ZZ256ZZ"}},
			{Kind: "customer", Record: c256.ID, Key: "timeline.customer_created"},
		}},
		{"unknown customer", 999, 100, nil},
		{"customer 0", 0, 100, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Timeline(tt.customer, tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			if !eventsEqual(got, tt.want, len(tt.want) > 0 && !tt.want[0].At.IsZero()) {
				t.Errorf("Timeline(%d, %d)\n got %+v\nwant %+v", tt.customer, tt.limit, got, tt.want)
			}
		})
	}

	t.Run("every customer sees only their own", func(t *testing.T) {
		for _, id := range []uint64{one.ID, two.ID, 3, 255, c256.ID, c257.ID} {
			events, err := s.Timeline(id, 100)
			if err != nil {
				t.Fatal(err)
			}
			if len(events) == 0 {
				t.Errorf("customer %d has no history", id)
			}
			for _, e := range events {
				if e.Kind == "customer" && e.Record != id {
					t.Errorf("customer %d's timeline shows customer %d created", id, e.Record)
				}
				if e.Kind == "vehicle" {
					v, _ := s.Vehicle(e.Record)
					if v.CustomerID != id {
						t.Errorf("customer %d's timeline shows car %s of customer %d", id, v.Plate, v.CustomerID)
					}
				}
			}
		}
	})
}

// eventsEqual compares timelines; withTime also compares when each happened.
func eventsEqual(got, want []TimelineEvent, withTime bool) bool {
	return slices.EqualFunc(got, want, func(g, w TimelineEvent) bool {
		return g.Kind == w.Kind && g.Record == w.Record && g.Key == w.Key && slices.Equal(g.Args, w.Args) &&
			(!withTime || g.At.Equal(w.At))
	})
}
