package store

import (
	"fmt"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// OpenJobFromAppointment is the car arriving for a confirmed appointment:
// it opens the job for the appointment's customer and car, with the
// appointment's description, and one approved labour line per service type
// booked (the customer chose them at the price shown), links the job and
// the appointment both ways and marks the appointment done. An appointment
// that already has its job refuses with a conflict naming that job.
func (s *Store) OpenJobFromAppointment(a Actor, apptID uint64) (Job, error) {
	var j Job
	err := s.update(func(tx *bolt.Tx) error {
		j = Job{}
		var ap Appointment
		b := tx.Bucket(bAppointments)
		if err := getJSON(b, itob(apptID), &ap); err != nil {
			return err
		}
		if ap.JobID != 0 {
			return &Error{Code: CodeConflict, Key: "calendar.error.job_open", Existing: ap.JobID}
		}
		if ap.Status != ApptConfirmed {
			return wrongStatus()
		}
		if ap.VehicleID == 0 {
			return Conflict("calendar.error.no_vehicle")
		}
		var car Vehicle
		if err := getJSON(tx.Bucket(bVehicles), itob(ap.VehicleID), &car); err != nil || car.CustomerID != ap.CustomerID {
			return Conflict("calendar.error.vehicle_sold") // the job would be nobody's to see
		}
		ws, err := readWorkshop(tx)
		if err != nil {
			return err
		}
		st, err := readSettings(tx)
		if err != nil {
			return err
		}
		w := s.writer(tx)
		j = Job{CustomerID: ap.CustomerID, VehicleID: ap.VehicleID, AppointmentID: ap.ID,
			Description: strings.TrimSpace(ap.Description)}
		if j.Description == "" {
			j.Description = ap.Service
		}
		for _, id := range ap.Services {
			svc, ok := ws.Service(id)
			if !ok {
				continue // removed from the list since: its name is in the description
			}
			l := serviceLine(svc, st.TaxRate)
			if err := l.validate(); err != nil {
				return err
			}
			j.LastLine++
			l.ID, l.Status, l.Decided = j.LastLine, LineApproved, w.now
			j.Lines = append(j.Lines, l)
		}
		if err := s.putNewJob(w, &j); err != nil {
			return err
		}
		if err := w.audit(a, "job_create", "job", j.ID, j.Number); err != nil {
			return err
		}
		// Done, not freed: the car is in the workshop for the time it was
		// booked, so the slot is not offered to the waiting list.
		old := ap.Status
		ap.Status, ap.JobID, ap.Updated = ApptDone, j.ID, w.now
		if err := putJSON(b, itob(ap.ID), ap); err != nil {
			return err
		}
		if err := w.change("appointment", ap.ID, OpPut); err != nil {
			return err
		}
		if err := w.timeline(ap.CustomerID, "appointment", ap.ID, "calendar.timeline.done", "service", ap.Service); err != nil {
			return err
		}
		return w.audit(a, "appointment_done", "appointment", ap.ID, fmt.Sprintf("%s → %s, %s", old, ap.Status, j.Number))
	})
	return j, err
}

// serviceLine is the labour line of a service type at the dealership's tax
// rate: its hours, at the hourly rate that makes the line's amount with tax
// the service's price, because service prices are shown to customers
// tax-included (when booking, in the app and at the desk). Where rounding
// (of the tax, or of hours × rate when the hours are more than one) cannot
// reach the price to the minor unit, the line comes to the nearest amount
// below it: the customer never pays more than the price shown.
func serviceLine(svc ServiceType, taxRate int64) Line {
	l := Line{Kind: LineLabour, Description: svc.Name, Qty: max(1, divRound(int64(svc.Minutes)*100, 60)),
		TaxRate: taxRate}
	price := svc.PriceMinor
	// Start from the price without its tax over the hours, then move to the
	// rate nearest it whose amount reaches the price without exceeding it.
	l.UnitPrice = divRound(divRound(price*10000, 10000+taxRate)*100, l.Qty)
	gross := func(unit int64) int64 {
		m := l
		m.UnitPrice = unit
		return m.Gross()
	}
	for l.UnitPrice > 0 && gross(l.UnitPrice) > price {
		l.UnitPrice--
	}
	for gross(l.UnitPrice) < price && gross(l.UnitPrice+1) <= price {
		l.UnitPrice++
	}
	return l
}
