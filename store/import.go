package store

import (
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Bundle is a customer with their cars, each car with its jobs and
// appointments: the unit that imports and the demo garage write.
type Bundle struct {
	Customer Customer
	Vehicles []VehicleBundle
}

// VehicleBundle is one car of a Bundle.
type VehicleBundle struct {
	Vehicle      Vehicle
	Jobs         []Job
	Appointments []Appointment
}

// ImportBundles writes many bundles in one transaction. A bundle whose
// customer (e-mail or phone) is already on file is skipped whole, and so is a
// car whose plate or VIN is, so importing the same data twice changes nothing.
func (s *Store) ImportBundles(a Actor, action string, bundles []Bundle) (created int, err error) {
	for i := range bundles {
		if err := bundles[i].Customer.normalize(s.now()); err != nil {
			return 0, fmt.Errorf("bundle %d: %w", i, err)
		}
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		created = 0
		w := s.writer(tx)
		for _, bu := range bundles {
			c := bu.Customer
			if err := s.putNewCustomer(w, &c); err != nil {
				if Is(err, CodeConflict) {
					continue
				}
				return err
			}
			created++
			for _, vb := range bu.Vehicles {
				v := vb.Vehicle
				v.CustomerID = c.ID
				if err := v.normalize(w.now); err != nil {
					return fmt.Errorf("vehicle %s: %w", v.Plate, err)
				}
				if err := s.putNewVehicle(w, &v); err != nil {
					if Is(err, CodeConflict) {
						continue
					}
					return err
				}
				for _, j := range vb.Jobs {
					j.CustomerID, j.VehicleID = c.ID, v.ID
					if err := s.putNewJob(w, &j); err != nil {
						return err
					}
				}
				for _, ap := range vb.Appointments {
					ap.CustomerID, ap.VehicleID = c.ID, v.ID
					if err := s.putNewAppointment(w, &ap); err != nil {
						return err
					}
				}
			}
		}
		if created == 0 {
			return nil
		}
		return w.audit(a, action, "", 0, fmt.Sprintf("%d customers", created))
	})
	if err != nil {
		return 0, err
	}
	s.notifyFeed()
	return created, nil
}
