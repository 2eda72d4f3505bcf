package store

import (
	"fmt"
	"testing"
)

func TestRecordsForFeedFollowers(t *testing.T) {
	s := openTest(t)
	var ids []uint64
	for i := range 5 {
		ids = append(ids, mustCustomer(t, s, fmt.Sprintf("Cliente %d", i), "", "").ID)
	}
	v := mustVehicle(t, s, ids[0], "AB123CD")

	r, err := s.Record("customer", ids[2])
	if c, ok := r.Value.(Customer); err != nil || !ok || c.Name != "Cliente 2" || r.ID != ids[2] {
		t.Errorf("Record(customer, %d) = %+v, %v", ids[2], r, err)
	}
	if r, err := s.Record("vehicle", v.ID); err != nil || r.Value.(Vehicle).Plate != "AB123CD" {
		t.Errorf("Record(vehicle) = %+v, %v", r, err)
	}
	if _, err := s.Record("customer", 999); !Is(err, CodeNotFound) {
		t.Errorf("a missing record: %v, want not found", err)
	}
	if _, err := s.Record("user", 1); err == nil {
		t.Error("a kind without records was served")
	}

	var got []uint64
	for after := uint64(0); ; {
		page, err := s.RecordPage("customer", after, 2)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		if len(page) > 2 {
			t.Fatalf("a page of %d, asked for 2", len(page))
		}
		for _, r := range page {
			got = append(got, r.ID)
		}
		after = page[len(page)-1].ID
	}
	if fmt.Sprint(got) != fmt.Sprint(ids) {
		t.Errorf("pages gave %v, want %v", got, ids)
	}
	if n, err := s.RecordCount("customer"); err != nil || n != 5 {
		t.Errorf("RecordCount = %d, %v", n, err)
	}

	changed := s.Changed()
	select {
	case <-changed:
		t.Fatal("Changed fired before any commit")
	default:
	}
	mustCustomer(t, s, "Cliente nuovo", "", "")
	select {
	case <-changed:
	default:
		t.Error("a commit taken before it did not close the channel from Changed")
	}
}

// TestRecordsServeMessages: the message a change names is served under the
// kind the change gives, with its text, and counted.
func TestRecordsServeMessages(t *testing.T) {
	s := openTest(t)
	c := mustCustomer(t, s, "Ana Pop", "", "")
	before, err := s.LastSeq()
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.StaffMessage(staff, c.ID, "Mașina este gata.", nil)
	if err != nil {
		t.Fatal(err)
	}
	changes, err := s.Changes(before, 100)
	if err != nil {
		t.Fatal(err)
	}
	served := false
	for _, ch := range changes {
		if ch.ID != m.ID {
			continue
		}
		r, err := s.Record(ch.Kind, ch.ID)
		if got, ok := r.Value.(Message); err == nil && ok && got.Text == m.Text && got.CustomerID == c.ID {
			served = true
		}
	}
	if !served {
		t.Errorf("no change of the message names it as Record serves it: %+v", changes)
	}
	if page, err := s.RecordPage("message", 0, 10); err != nil || len(page) != 1 || page[0].ID != m.ID {
		t.Errorf("RecordPage(message) = %+v, %v", page, err)
	}
	if n, err := s.RecordCount("message"); err != nil || n != 1 {
		t.Errorf("RecordCount(message) = %d, %v", n, err)
	}
}
