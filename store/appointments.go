package store

import (
	"sort"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Appointment is a booked slot in the workshop.
type Appointment struct {
	ID         uint64    `json:"id"`
	CustomerID uint64    `json:"customer_id"`
	VehicleID  uint64    `json:"vehicle_id"`
	Start      time.Time `json:"start"`
	End        time.Time `json:"end"`
	Department string    `json:"department"`
	Bay        string    `json:"bay,omitempty"`
	Service    string    `json:"service"`
	Status     string    `json:"status"` // requested, proposed, confirmed, declined, cancelled, no_show, done
	Created    time.Time `json:"created"`
	// Technician is a Workshop technician's ID; 0 when none is assigned.
	Technician  uint64    `json:"technician,omitempty"`
	Services    []uint64  `json:"services,omitempty"` // Workshop service type IDs
	Description string    `json:"description,omitempty"`
	Updated     time.Time `json:"updated,omitzero"`
	// Reminded is when the reminder for the current start was queued.
	Reminded time.Time `json:"reminded,omitzero"`
	// JobID is the job opened when the car arrived, 0 before.
	JobID uint64 `json:"job_id,omitempty"`
	// Attachments are the photos and videos the customer sent with the
	// request.
	Attachments []Attachment `json:"attachments,omitempty"`
}

func apptKey(start time.Time, id uint64) []byte {
	return append(itob(uint64(start.Unix())), itob(id)...)
}

// CreateAppointment books a slot.
func (s *Store) CreateAppointment(a Actor, ap Appointment) (Appointment, error) {
	var v Validation
	ap.Service = strings.TrimSpace(ap.Service)
	if ap.CustomerID == 0 {
		v.Add("customer_id", "common.error.required")
	}
	if ap.Start.IsZero() || !ap.End.After(ap.Start) {
		v.Add("start", "appointments.error.time_invalid")
	}
	if err := v.Err(); err != nil {
		return ap, err
	}
	atts, err := checkAttachments(ap.Attachments)
	if err != nil {
		return ap, err
	}
	ap.Attachments = atts
	err = s.update(func(tx *bolt.Tx) error {
		w := s.writer(tx)
		if err := s.putNewAppointment(w, &ap); err != nil {
			return err
		}
		return w.audit(a, "appointment_create", "appointment", ap.ID, ap.Service)
	})
	return ap, err
}

// AppointmentsBetween lists appointments starting in [from, to), by time.
func (s *Store) AppointmentsBetween(from, to time.Time) ([]Appointment, error) {
	var out []Appointment
	err := s.view(func(tx *bolt.Tx) error {
		all := tx.Bucket(bAppointments)
		c := tx.Bucket(bApptByStart).Cursor()
		end := uint64(to.Unix())
		for k, _ := c.Seek(itob(uint64(from.Unix()))); k != nil && btoi(k[:8]) < end; k, _ = c.Next() {
			var ap Appointment
			if err := getJSON(all, k[8:], &ap); err != nil {
				return err
			}
			out = append(out, ap)
		}
		return nil
	})
	return out, err
}

func (s *Store) putNewAppointment(w writer, ap *Appointment) error {
	if ap.Start.IsZero() || !ap.End.After(ap.Start) {
		return Invalid("start", "appointments.error.time_invalid")
	}
	if w.tx.Bucket(bCustomers).Get(itob(ap.CustomerID)) == nil {
		return Invalid("customer_id", "errors.not_found")
	}
	if ap.Status == "" {
		ap.Status = "confirmed"
	}
	b := w.tx.Bucket(bAppointments)
	id, err := b.NextSequence()
	if err != nil {
		return err
	}
	ap.ID, ap.Created = id, w.now
	if err := putJSON(b, itob(id), ap); err != nil {
		return err
	}
	if err := indexAppointmentMedia(w.tx, *ap, ap.CustomerID); err != nil {
		return err
	}
	if err := w.tx.Bucket(bApptByStart).Put(apptKey(ap.Start, id), nil); err != nil {
		return err
	}
	if err := w.tx.Bucket(bApptByCust).Put(append(itob(ap.CustomerID), itob(id)...), nil); err != nil {
		return err
	}
	if err := w.timeline(ap.CustomerID, "appointment", id, "timeline.appointment_booked", "service", ap.Service); err != nil {
		return err
	}
	return w.change("appointment", id, OpPut)
}

// AgendaRow is an appointment with the names a list shows beside it.
type AgendaRow struct {
	Appointment
	Customer string
	Plate    string
	Car      string
}

// Agenda lists appointments starting in [from, to) with their customer and
// car, read in one transaction. It decodes only the fields it shows: the
// dashboard calls it on every view.
func (s *Store) Agenda(from, to time.Time) ([]AgendaRow, error) {
	var out []AgendaRow
	err := s.view(func(tx *bolt.Tx) error {
		all, custs, vehs := tx.Bucket(bAppointments), tx.Bucket(bCustomers), tx.Bucket(bVehicles)
		c := tx.Bucket(bApptByStart).Cursor()
		end := uint64(to.Unix())
		for k, _ := c.Seek(itob(uint64(from.Unix()))); k != nil && btoi(k[:8]) < end; k, _ = c.Next() {
			var row AgendaRow
			if err := getJSON(all, k[8:], &row.Appointment); err != nil {
				return err
			}
			var cu struct {
				Name string `json:"name"`
			}
			if err := getJSON(custs, itob(row.CustomerID), &cu); err == nil {
				row.Customer = cu.Name
			}
			var v struct {
				Plate string `json:"plate"`
				Make  string `json:"make"`
				Model string `json:"model"`
			}
			if err := getJSON(vehs, itob(row.VehicleID), &v); err == nil {
				row.Plate, row.Car = v.Plate, strings.TrimSpace(v.Make+" "+v.Model)
			}
			out = append(out, row)
		}
		return nil
	})
	return out, err
}

// CustomerAppointments lists a customer's appointments, newest first.
func (s *Store) CustomerAppointments(customerID uint64) ([]Appointment, error) {
	var out []Appointment
	err := s.view(func(tx *bolt.Tx) error {
		all := tx.Bucket(bAppointments)
		c := tx.Bucket(bApptByCust).Cursor()
		for k, _ := c.Seek(itob(customerID)); k != nil && btoi(k[:8]) == customerID; k, _ = c.Next() {
			var ap Appointment
			if err := getJSON(all, k[8:], &ap); err != nil {
				return err
			}
			out = append(out, ap)
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Start.After(out[j].Start) })
	return out, err
}

// Appointment returns one appointment.
func (s *Store) Appointment(id uint64) (Appointment, error) {
	var a Appointment
	err := s.view(func(tx *bolt.Tx) error { return getJSON(tx.Bucket(bAppointments), itob(id), &a) })
	return a, err
}
