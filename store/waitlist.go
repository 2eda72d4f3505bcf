package store

import (
	"fmt"
	"net/url"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"
)

var bWaitlist = []byte("waitlist")

// WaitlistEntry is a customer waiting for a time to free up in a department
// between two dates.
type WaitlistEntry struct {
	ID         uint64    `json:"id"`
	CustomerID uint64    `json:"customer_id"`
	Department string    `json:"department"`
	Services   []uint64  `json:"services"`
	From       string    `json:"from"` // "YYYY-MM-DD", dealership's zone
	To         string    `json:"to"`
	Created    time.Time `json:"created"`
	Offered    time.Time `json:"offered,omitzero"` // the last freed time offered
}

// JoinWaitlist puts the customer on the department's waiting list for the
// services between two dates (inclusive).
func (s *Store) JoinWaitlist(a Actor, customerID uint64, e WaitlistEntry) (WaitlistEntry, error) {
	var out WaitlistEntry
	err := s.update(func(tx *bolt.Tx) error {
		w := s.writer(tx)
		ws, err := readWorkshop(tx)
		if err != nil {
			return err
		}
		if len(e.Services) == 0 {
			return Invalid("services", "common.error.required")
		}
		if _, _, err := serviceNames(ws, e.Services, e.Department); err != nil {
			return err
		}
		from, ferr := time.Parse(time.DateOnly, e.From)
		to, terr := time.Parse(time.DateOnly, e.To)
		if ferr != nil || terr != nil || to.Before(from) || to.Sub(from) > 90*24*time.Hour {
			return Invalid("from", "calendar.error.waitlist_dates")
		}
		b := tx.Bucket(bWaitlist)
		id, err := b.NextSequence()
		if err != nil {
			return err
		}
		out = WaitlistEntry{ID: id, CustomerID: customerID, Department: e.Department, Services: e.Services,
			From: e.From, To: e.To, Created: w.now}
		if err := putJSON(b, itob(id), out); err != nil {
			return err
		}
		return w.audit(a, "waitlist_join", "waitlist", id, e.Department+" "+e.From+"–"+e.To)
	})
	return out, err
}

// LeaveWaitlist takes the customer off one of their waiting-list entries.
func (s *Store) LeaveWaitlist(a Actor, customerID, id uint64) error {
	return s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bWaitlist)
		var e WaitlistEntry
		if err := getJSON(b, itob(id), &e); err != nil {
			return err
		}
		if e.CustomerID != customerID {
			return NotFound()
		}
		if err := b.Delete(itob(id)); err != nil {
			return err
		}
		return s.writer(tx).audit(a, "waitlist_leave", "waitlist", id, e.Department)
	})
}

// CustomerWaitlist lists the customer's waiting-list entries.
func (s *Store) CustomerWaitlist(customerID uint64) ([]WaitlistEntry, error) {
	var out []WaitlistEntry
	err := s.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bWaitlist).ForEach(func(_, v []byte) error {
			var e WaitlistEntry
			if err := jsonDecode(v, &e); err != nil {
				return err
			}
			if e.CustomerID == customerID {
				out = append(out, e)
			}
			return nil
		})
	})
	return out, err
}

// offerFreed tells the customers waiting for freed's department and day
// that its time is free again, if their services fit in it.
func offerFreed(w writer, freed Appointment) error {
	st, err := readSettings(w.tx)
	if err != nil {
		return err
	}
	ws, err := readWorkshop(w.tx)
	if err != nil {
		return err
	}
	if !freed.Start.After(w.now) {
		return nil
	}
	loc := st.Location()
	day := freed.Start.In(loc).Format(time.DateOnly)
	b := w.tx.Bucket(bWaitlist)
	var offers []WaitlistEntry
	err = b.ForEach(func(_, v []byte) error {
		var e WaitlistEntry
		if err := jsonDecode(v, &e); err != nil {
			return err
		}
		if e.Department == freed.Department && e.CustomerID != freed.CustomerID && e.From <= day && day <= e.To {
			offers = append(offers, e)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, e := range offers {
		_, d, err := serviceNames(ws, e.Services, e.Department)
		if err != nil || d == 0 {
			continue // a service type was removed since
		}
		c, err := capacityFor(w.tx, e.Department, freed.Start, freed.Start.Add(d), 0)
		if err != nil {
			return err
		}
		if !c.Within(freed.Start, freed.Start.Add(d)) || c.Free(freed.Start, freed.Start.Add(d)) == 0 {
			continue
		}
		q := url.Values{"dept": {e.Department}, "slot": {freed.Start.UTC().Format(time.RFC3339)}}
		for _, id := range e.Services {
			q.Add("services", strconv.FormatUint(id, 10))
		}
		if _, err := w.notify(Notification{CustomerID: e.CustomerID, Category: CategoryWorkshop, Urgent: true,
			TitleKey: "calendar.notify.freed.title", BodyKey: "calendar.notify.freed.body",
			Args: []string{"when", freed.Start.In(loc).Format("2006-01-02 15:04"), "department", e.Department},
			URL:  fmt.Sprintf("/app/appointments/new?%s", q.Encode())}); err != nil {
			return err
		}
		e.Offered = w.now
		if err := putJSON(b, itob(e.ID), e); err != nil {
			return err
		}
	}
	return nil
}
