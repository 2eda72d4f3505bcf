package store

import (
	"time"

	bolt "go.etcd.io/bbolt"
)

// SendDueReminders queues the reminder of every confirmed appointment of
// tomorrow (in the dealership's zone) once today's reminder hour has come,
// marking each in the same transaction so that no restart sends one twice.
// It returns how many it queued.
func (s *Store) SendDueReminders() (int, error) {
	var n int
	err := s.update(func(tx *bolt.Tx) error {
		n = 0
		w := s.writer(tx)
		st, err := readSettings(tx)
		if err != nil {
			return err
		}
		ws, err := readWorkshop(tx)
		if err != nil {
			return err
		}
		loc := st.Location()
		now := w.now.In(loc)
		if now.Hour() < ws.ReminderHour {
			return nil
		}
		from := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, loc)
		to := time.Date(now.Year(), now.Month(), now.Day()+2, 0, 0, 0, 0, loc)
		all := tx.Bucket(bAppointments)
		c := tx.Bucket(bApptByStart).Cursor()
		var due []Appointment
		for k, _ := c.Seek(itob(uint64(from.Unix()))); k != nil && btoi(k[:8]) < uint64(to.Unix()); k, _ = c.Next() {
			var ap Appointment
			if err := getJSON(all, k[8:], &ap); err != nil {
				return err
			}
			if ap.Status == ApptConfirmed && ap.Reminded.IsZero() {
				due = append(due, ap)
			}
		}
		for _, ap := range due {
			ap.Reminded = w.now
			if err := putJSON(all, itob(ap.ID), ap); err != nil {
				return err
			}
			if err := w.change("appointment", ap.ID, OpPut); err != nil {
				return err
			}
			if err := apptNotice(w, ap, "reminder"); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}
