package store

import (
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Appointment statuses. Requested, proposed and confirmed appointments hold
// their time; the others free it.
const (
	ApptRequested = "requested"
	ApptProposed  = "proposed" // staff offered another time; the customer answers
	ApptConfirmed = "confirmed"
	ApptDeclined  = "declined" // the customer turned the proposed time down
	ApptCancelled = "cancelled"
	ApptNoShow    = "no_show"
	ApptDone      = "done"
)

func holdsTime(status string) bool {
	return status == ApptRequested || status == ApptProposed || status == ApptConfirmed
}

// longestAppointment bounds how far back a scan for overlaps starts.
const longestAppointment = 24 * time.Hour

// activeBetween lists the appointments holding time that overlaps
// [from, to), except the one with id skip.
func activeBetween(tx *bolt.Tx, from, to time.Time, skip uint64) ([]Appointment, error) {
	var out []Appointment
	all := tx.Bucket(bAppointments)
	c := tx.Bucket(bApptByStart).Cursor()
	end := uint64(to.Unix())
	for k, _ := c.Seek(itob(uint64(from.Add(-longestAppointment).Unix()))); k != nil && btoi(k[:8]) < end; k, _ = c.Next() {
		var ap Appointment
		if err := getJSON(all, k[8:], &ap); err != nil {
			return nil, err
		}
		if ap.ID == skip || !holdsTime(ap.Status) || !ap.End.After(from) {
			continue
		}
		out = append(out, ap)
	}
	return out, nil
}

// capacityFor builds the department's capacity with the appointments that
// hold time in [from, to).
func capacityFor(tx *bolt.Tx, department string, from, to time.Time, skip uint64) (Capacity, error) {
	st, err := readSettings(tx)
	if err != nil {
		return Capacity{}, err
	}
	ws, err := readWorkshop(tx)
	if err != nil {
		return Capacity{}, err
	}
	c := Capacity{Loc: st.Location(), Hours: st.Hours, ClosedDays: ws.ClosedDays,
		Slot: time.Duration(ws.SlotMinutes) * time.Minute}
	for _, b := range st.Bays {
		if b.Department == department {
			c.Bays = append(c.Bays, b.Name)
		}
	}
	aps, err := activeBetween(tx, from, to, skip)
	if err != nil {
		return c, err
	}
	for _, ap := range aps {
		if ap.Department == department {
			c.Busy = append(c.Busy, Busy{Start: ap.Start, End: ap.End, Bay: ap.Bay, Technician: ap.Technician})
		}
	}
	return c, nil
}

// checkConflicts refuses ap if its bay or technician is taken for any of its
// time, or if its department has no bay left then.
func checkConflicts(tx *bolt.Tx, ap Appointment) error {
	st, err := readSettings(tx)
	if err != nil {
		return err
	}
	ws, err := readWorkshop(tx)
	if err != nil {
		return err
	}
	if !contains(st.Departments, ap.Department) {
		return Invalid("department", "calendar.error.department")
	}
	if ap.Bay != "" {
		ok := false
		for _, b := range st.Bays {
			ok = ok || (b.Name == ap.Bay && b.Department == ap.Department)
		}
		if !ok {
			return Invalid("bay", "calendar.error.bay")
		}
	}
	if ap.Technician != 0 {
		if t, ok := ws.Technician(ap.Technician); !ok || t.Department != ap.Department {
			return Invalid("technician", "calendar.error.technician")
		}
	}
	others, err := activeBetween(tx, ap.Start, ap.End, ap.ID)
	if err != nil {
		return err
	}
	loc := st.Location()
	for _, o := range others {
		when := o.Start.In(loc).Format("15:04") + "–" + o.End.In(loc).Format("15:04")
		if ap.Bay != "" && o.Bay == ap.Bay {
			return Conflict("calendar.error.bay_taken", "bay", ap.Bay, "time", when)
		}
		if ap.Technician != 0 && o.Technician == ap.Technician {
			t, _ := ws.Technician(ap.Technician)
			return Conflict("calendar.error.technician_taken", "name", t.Name, "time", when)
		}
	}
	c, err := capacityFor(tx, ap.Department, ap.Start, ap.End, ap.ID)
	if err != nil {
		return err
	}
	if c.Free(ap.Start, ap.End) == 0 {
		return Conflict("calendar.error.full", "department", ap.Department)
	}
	return nil
}

// BookingRequest is what a customer asks for.
type BookingRequest struct {
	VehicleID   uint64
	Department  string
	Services    []uint64 // service type IDs
	Description string
	Start       time.Time
	// Attachments are photos and videos of what the customer describes.
	Attachments []Attachment
}

// Booking is what staff book or change directly.
type Booking struct {
	CustomerID  uint64
	VehicleID   uint64
	Department  string
	Bay         string
	Technician  uint64
	Services    []uint64
	Description string
	Start, End  time.Time
}

// apptNotice queues the customer's notification of a change to ap.
func apptNotice(w writer, ap Appointment, event string) error {
	st, err := readSettings(w.tx)
	if err != nil {
		return err
	}
	when := ap.Start.In(st.Location()).Format("2006-01-02 15:04")
	_, err = w.notify(Notification{CustomerID: ap.CustomerID, Category: CategoryWorkshop, Urgent: true,
		TitleKey: fmt.Sprintf("calendar.notify.%s.title", event), BodyKey: fmt.Sprintf("calendar.notify.%s.body", event),
		Args: []string{"when", when, "service", ap.Service}, URL: fmt.Sprintf("/app/appointments/%d", ap.ID)})
	return err
}

// serviceNames checks the service types and returns their names and total
// length.
func serviceNames(ws Workshop, ids []uint64, department string) (string, time.Duration, error) {
	var names []string
	var d time.Duration
	for _, id := range ids {
		s, ok := ws.Service(id)
		if !ok || (department != "" && s.Department != department) {
			return "", 0, Invalid("services", "calendar.error.service")
		}
		names = append(names, s.Name)
		d += time.Duration(s.Minutes) * time.Minute
	}
	return strings.Join(names, ", "), d, nil
}

func checkVehicle(tx *bolt.Tx, customerID, vehicleID uint64) error {
	if vehicleID == 0 {
		return nil
	}
	var v Vehicle
	if err := getJSON(tx.Bucket(bVehicles), itob(vehicleID), &v); err != nil || v.CustomerID != customerID {
		return Invalid("vehicle_id", "calendar.error.vehicle")
	}
	return nil
}

// RequestAppointment records a customer's request for a slot. The slot
// must be one Availability offers for the services' total length.
func (s *Store) RequestAppointment(a Actor, customerID uint64, r BookingRequest) (Appointment, error) {
	var ap Appointment
	if len(r.Description) > 2000 {
		return ap, Invalid("description", "common.error.too_long", "max", "2000")
	}
	if err := CheckFiles(len(r.Attachments)); err != nil {
		return ap, err
	}
	atts, err := checkAttachments(r.Attachments)
	if err != nil {
		return ap, err
	}
	err = s.update(func(tx *bolt.Tx) error {
		w := s.writer(tx)
		ws, err := readWorkshop(tx)
		if err != nil {
			return err
		}
		if len(r.Services) == 0 {
			return Invalid("services", "common.error.required")
		}
		names, d, err := serviceNames(ws, r.Services, r.Department)
		if err != nil {
			return err
		}
		if err := checkVehicle(tx, customerID, r.VehicleID); err != nil {
			return err
		}
		c, err := capacityFor(tx, r.Department, r.Start, r.Start.Add(d), 0)
		if err != nil {
			return err
		}
		// The start must be one the slot picker offers: on the slot grid,
		// within opening hours, and with a bay free.
		open := c
		open.Busy = nil
		if !offers(Availability(open, r.Start, r.Start, w.now, d), r.Start) {
			return Invalid("start", "calendar.error.slot_unavailable")
		}
		if !offers(Availability(c, r.Start, r.Start, w.now, d), r.Start) {
			return Conflict("calendar.error.slot_taken")
		}
		ap = Appointment{CustomerID: customerID, VehicleID: r.VehicleID, Department: r.Department,
			Start: r.Start, End: r.Start.Add(d), Service: names, Services: r.Services,
			Description: strings.TrimSpace(r.Description), Status: ApptRequested, Attachments: atts}
		if err := s.putNewAppointment(w, &ap); err != nil {
			return err
		}
		if err := apptNotice(w, ap, "requested"); err != nil {
			return err
		}
		return w.audit(a, "appointment_request", "appointment", ap.ID, names)
	})
	return ap, err
}

func offers(slots []Slot, start time.Time) bool {
	for _, s := range slots {
		if s.Start.Equal(start) {
			return true
		}
	}
	return false
}

// BookAppointment is staff booking directly (phone, walk-in): confirmed at
// once, refused if it collides with another booking.
func (s *Store) BookAppointment(a Actor, b Booking) (Appointment, error) {
	var ap Appointment
	if b.Start.IsZero() || !b.End.After(b.Start) {
		return ap, Invalid("start", "appointments.error.time_invalid")
	}
	err := s.update(func(tx *bolt.Tx) error {
		w := s.writer(tx)
		ws, err := readWorkshop(tx)
		if err != nil {
			return err
		}
		names, _, err := serviceNames(ws, b.Services, b.Department)
		if err != nil {
			return err
		}
		if tx.Bucket(bCustomers).Get(itob(b.CustomerID)) == nil {
			return Invalid("customer_id", "errors.not_found")
		}
		if err := checkVehicle(tx, b.CustomerID, b.VehicleID); err != nil {
			return err
		}
		ap = Appointment{CustomerID: b.CustomerID, VehicleID: b.VehicleID, Department: b.Department, Bay: b.Bay,
			Technician: b.Technician, Start: b.Start, End: b.End, Service: names, Services: b.Services,
			Description: strings.TrimSpace(b.Description), Status: ApptConfirmed}
		if err := checkConflicts(tx, ap); err != nil {
			return err
		}
		if err := s.putNewAppointment(w, &ap); err != nil {
			return err
		}
		if err := apptNotice(w, ap, "booked"); err != nil {
			return err
		}
		return w.audit(a, "appointment_book", "appointment", ap.ID, names)
	})
	return ap, err
}

// changeAppointment loads appointment id (refusing it as not found when
// customerID is set and it is another customer's), lets fn change it, and
// stores it with its index, feed, timeline and, when event is set, the
// customer's notification.
func (s *Store) changeAppointment(a Actor, customerID, id uint64, fn func(tx *bolt.Tx, ap *Appointment) (event string, err error)) (Appointment, error) {
	var ap Appointment
	err := s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bAppointments)
		if err := getJSON(b, itob(id), &ap); err != nil {
			return err
		}
		if customerID != 0 && ap.CustomerID != customerID {
			return NotFound()
		}
		oldStart, oldEnd := ap.Start, ap.End
		old := ap.Status
		event, err := fn(tx, &ap)
		if err != nil {
			return err
		}
		w := s.writer(tx)
		ap.Updated = w.now
		if !oldStart.Equal(ap.Start) {
			ap.Reminded = time.Time{} // a new time deserves its own reminder
			idx := tx.Bucket(bApptByStart)
			if err := idx.Delete(apptKey(oldStart, id)); err != nil {
				return err
			}
			if err := idx.Put(apptKey(ap.Start, id), nil); err != nil {
				return err
			}
		}
		if err := putJSON(b, itob(id), ap); err != nil {
			return err
		}
		if err := w.change("appointment", id, OpPut); err != nil {
			return err
		}
		if err := w.timeline(ap.CustomerID, "appointment", id, fmt.Sprintf("calendar.timeline.%s", ap.Status), "service", ap.Service); err != nil {
			return err
		}
		if event != "" {
			if err := apptNotice(w, ap, event); err != nil {
				return err
			}
		}
		if freed := holdsTime(old) && (!holdsTime(ap.Status) || !oldStart.Equal(ap.Start)); freed {
			was := ap
			was.Start, was.End = oldStart, oldEnd
			if err := offerFreed(w, was); err != nil {
				return err
			}
		}
		return w.audit(a, "appointment_"+ap.Status, "appointment", id, old+" → "+ap.Status)
	})
	return ap, err
}

func wrongStatus() error { return Conflict("calendar.error.status") }

// ConfirmAppointment accepts a customer's request, placing it on a bay and
// with a technician if given.
func (s *Store) ConfirmAppointment(a Actor, id uint64, bay string, technician uint64) (Appointment, error) {
	return s.changeAppointment(a, 0, id, func(tx *bolt.Tx, ap *Appointment) (string, error) {
		if ap.Status != ApptRequested {
			return "", wrongStatus()
		}
		ap.Bay, ap.Technician, ap.Status = bay, technician, ApptConfirmed
		return "confirmed", checkConflicts(tx, *ap)
	})
}

// ProposeAppointment offers the customer another time for a request (or a
// booking); the appointment holds the new time until the customer answers.
func (s *Store) ProposeAppointment(a Actor, id uint64, start, end time.Time) (Appointment, error) {
	if start.IsZero() || !end.After(start) {
		return Appointment{}, Invalid("start", "appointments.error.time_invalid")
	}
	return s.changeAppointment(a, 0, id, func(tx *bolt.Tx, ap *Appointment) (string, error) {
		if ap.Status != ApptRequested && ap.Status != ApptDeclined && ap.Status != ApptConfirmed {
			return "", wrongStatus()
		}
		ap.Start, ap.End, ap.Status = start, end, ApptProposed
		return "proposed", checkConflicts(tx, *ap)
	})
}

// AcceptProposal is the customer accepting the time staff proposed.
func (s *Store) AcceptProposal(a Actor, customerID, id uint64) (Appointment, error) {
	return s.changeAppointment(a, customerID, id, func(tx *bolt.Tx, ap *Appointment) (string, error) {
		if ap.Status != ApptProposed {
			return "", wrongStatus()
		}
		ap.Status = ApptConfirmed
		return "", nil
	})
}

// DeclineProposal is the customer turning the proposed time down; staff
// may propose another.
func (s *Store) DeclineProposal(a Actor, customerID, id uint64) (Appointment, error) {
	return s.changeAppointment(a, customerID, id, func(tx *bolt.Tx, ap *Appointment) (string, error) {
		if ap.Status != ApptProposed {
			return "", wrongStatus()
		}
		ap.Status = ApptDeclined
		return "", nil
	})
}

// CancelAppointment cancels an appointment that has not happened yet.
// customerID is the customer cancelling their own (0 for staff, whose
// cancellation the customer is told of).
func (s *Store) CancelAppointment(a Actor, customerID, id uint64) (Appointment, error) {
	return s.changeAppointment(a, customerID, id, func(tx *bolt.Tx, ap *Appointment) (string, error) {
		if !holdsTime(ap.Status) && ap.Status != ApptDeclined {
			return "", wrongStatus()
		}
		ap.Status = ApptCancelled
		if customerID != 0 {
			return "", nil
		}
		return "cancelled", nil
	})
}

// MarkNoShow records that the customer did not come.
func (s *Store) MarkNoShow(a Actor, id uint64) (Appointment, error) {
	return s.changeAppointment(a, 0, id, func(tx *bolt.Tx, ap *Appointment) (string, error) {
		if ap.Status != ApptConfirmed {
			return "", wrongStatus()
		}
		ap.Status = ApptNoShow
		return "no_show", nil
	})
}

// RescheduleAppointment moves a confirmed appointment to another time,
// bay or technician, refusing any conflict.
func (s *Store) RescheduleAppointment(a Actor, id uint64, b Booking) (Appointment, error) {
	if b.Start.IsZero() || !b.End.After(b.Start) {
		return Appointment{}, Invalid("start", "appointments.error.time_invalid")
	}
	return s.changeAppointment(a, 0, id, func(tx *bolt.Tx, ap *Appointment) (string, error) {
		if ap.Status != ApptConfirmed {
			return "", wrongStatus()
		}
		if b.Department != "" {
			ap.Department = b.Department
		}
		ap.Start, ap.End, ap.Bay, ap.Technician = b.Start, b.End, b.Bay, b.Technician
		return "rescheduled", checkConflicts(tx, *ap)
	})
}

// DepartmentAvailability lists the free slots of a department for a job
// of length d over the local days from..to, from now on.
func (s *Store) DepartmentAvailability(department string, from, to time.Time, d time.Duration) ([]Slot, error) {
	var out []Slot
	err := s.view(func(tx *bolt.Tx) error {
		c, err := capacityFor(tx, department, from.Add(-48*time.Hour), to.Add(48*time.Hour), 0)
		if err != nil {
			return err
		}
		out = Availability(c, from, to, s.now(), d)
		return nil
	})
	return out, err
}
