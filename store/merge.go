package store

import (
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// mergeMovers move what else belongs to a customer (devices, messages,
// documents, …) from one customer to another inside a merge's transaction.
// Features that keep per-customer records add theirs here.
var mergeMovers []func(w writer, from, to uint64) error

// MergeCustomers folds customer gone into keep: cars (with their jobs),
// appointments, history and everything in mergeMovers move to keep; keep's
// empty details are filled from gone; gone is deleted. One transaction, one
// audit entry.
func (s *Store) MergeCustomers(a Actor, keep, gone uint64) (Customer, error) {
	if keep == gone {
		return Customer{}, Invalid("merge", "customers.error.merge_self")
	}
	var k Customer
	err := s.update(func(tx *bolt.Tx) error {
		custs := tx.Bucket(bCustomers)
		var g Customer
		k = Customer{}
		if err := getJSON(custs, itob(keep), &k); err != nil {
			return err
		}
		if err := getJSON(custs, itob(gone), &g); err != nil {
			return err
		}
		w := s.writer(tx)
		vehs, err := vehiclesOf(tx, gone)
		if err != nil {
			return err
		}
		for i := range vehs {
			if err := moveVehicle(w, &vehs[i], keep, true); err != nil {
				return err
			}
		}
		if err := moveHistory(w, gone, keep); err != nil {
			return err
		}
		if err := moveAppointments(w, gone, keep); err != nil {
			return err
		}
		if err := moveTimeline(tx, gone, keep); err != nil {
			return err
		}
		for _, move := range mergeMovers {
			if err := move(w, gone, keep); err != nil {
				return err
			}
		}
		if err := deleteCustomerIndexes(tx, &g); err != nil {
			return err
		}
		if err := deleteCustomerIndexes(tx, &k); err != nil {
			return err
		}
		fillBlanks(&k, g)
		if err := putCustomerIndexes(tx, &k); err != nil {
			return err
		}
		k.Updated = w.now
		if err := putJSON(custs, itob(keep), k); err != nil {
			return err
		}
		if err := custs.Delete(itob(gone)); err != nil {
			return err
		}
		if err := counter(tx, "customers", -1); err != nil {
			return err
		}
		if err := w.change("customer", gone, OpDelete); err != nil {
			return err
		}
		if err := w.change("customer", keep, OpPut); err != nil {
			return err
		}
		if err := w.timeline(keep, "customer", keep, "timeline.merged", "name", g.Name); err != nil {
			return err
		}
		return w.audit(a, "customer_merge", "customer", keep, fmt.Sprintf("#%d %s → #%d %s", gone, g.Name, keep, k.Name))
	})
	return k, err
}

// fillBlanks copies gone's details into keep where keep has none. A second
// phone becomes keep's mobile when that is free.
func fillBlanks(k *Customer, g Customer) {
	for _, f := range []struct {
		dst *string
		src string
	}{
		{&k.Email, g.Email}, {&k.Address, g.Address}, {&k.TaxCode, g.TaxCode}, {&k.VAT, g.VAT}, {&k.Lang, g.Lang},
	} {
		if *f.dst == "" {
			*f.dst = f.src
		}
	}
	have := map[string]bool{NormalizePhone(k.Phone): true, NormalizePhone(k.Mobile): true}
	for _, p := range []string{g.Phone, g.Mobile} {
		if p == "" || have[NormalizePhone(p)] {
			continue
		}
		switch {
		case k.Phone == "":
			k.Phone = p
		case k.Mobile == "":
			k.Mobile = p
		}
		have[NormalizePhone(p)] = true
	}
	if k.Notes == "" {
		k.Notes = g.Notes
	} else if g.Notes != "" {
		k.Notes += "\n\n" + g.Notes
	}
	if !k.Marketing && g.Marketing {
		k.Marketing, k.MarketingDate, k.MarketingSource = true, g.MarketingDate, g.MarketingSource
	}
}

func vehiclesOf(tx *bolt.Tx, customerID uint64) ([]Vehicle, error) {
	var out []Vehicle
	all := tx.Bucket(bVehicles)
	c := tx.Bucket(bVehByCust).Cursor()
	for k, _ := c.Seek(itob(customerID)); k != nil && btoi(k[:8]) == customerID; k, _ = c.Next() {
		var v Vehicle
		if err := getJSON(all, k[8:], &v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func moveAppointments(w writer, from, to uint64) error {
	idx, all := w.tx.Bucket(bApptByCust), w.tx.Bucket(bAppointments)
	var ids []uint64
	c := idx.Cursor()
	for k, _ := c.Seek(itob(from)); k != nil && btoi(k[:8]) == from; k, _ = c.Next() {
		ids = append(ids, btoi(k[8:]))
	}
	for _, id := range ids {
		var ap Appointment
		if err := getJSON(all, itob(id), &ap); err != nil {
			return err
		}
		ap.CustomerID = to
		if err := putJSON(all, itob(id), ap); err != nil {
			return err
		}
		if err := indexAppointmentMedia(w.tx, ap, from); err != nil {
			return err
		}
		if err := idx.Delete(append(itob(from), itob(id)...)); err != nil {
			return err
		}
		if err := idx.Put(append(itob(to), itob(id)...), nil); err != nil {
			return err
		}
		if err := w.change("appointment", id, OpPut); err != nil {
			return err
		}
	}
	return nil
}

// moveHistory gives to the jobs and past ownerships of cars gone no longer
// owns: a sale leaves them with the seller. The customer's own timeline names
// every job and car it ever had, so this reads that history, not every job.
func moveHistory(w writer, from, to uint64) error {
	type ref struct {
		kind string
		id   uint64
	}
	var refs []ref
	c := w.tx.Bucket(bTimeline).Cursor()
	for k, v := c.Seek(itob(from)); k != nil && btoi(k[:8]) == from; k, v = c.Next() {
		var e TimelineEvent
		if err := jsonDecode(v, &e); err != nil {
			return err
		}
		if e.Kind == "job" || e.Kind == "vehicle" {
			refs = append(refs, ref{e.Kind, e.Record})
		}
	}
	jobs, vehs := w.tx.Bucket(bJobs), w.tx.Bucket(bVehicles)
	for _, r := range refs {
		switch r.kind {
		case "job":
			var j Job
			if err := getJSON(jobs, itob(r.id), &j); err != nil || j.CustomerID != from {
				continue
			}
			j.CustomerID = to
			if err := putJSON(jobs, itob(j.ID), j); err != nil {
				return err
			}
			if err := indexJobMedia(w.tx, j, from); err != nil {
				return err
			}
			if err := w.change("job", j.ID, OpPut); err != nil {
				return err
			}
		case "vehicle":
			var v Vehicle
			if err := getJSON(vehs, itob(r.id), &v); err != nil {
				continue
			}
			changed := false
			for i := range v.Owners {
				if v.Owners[i].CustomerID == from {
					v.Owners[i].CustomerID, changed = to, true
				}
			}
			if !changed {
				continue
			}
			if err := putJSON(vehs, itob(v.ID), v); err != nil {
				return err
			}
			if err := w.change("vehicle", v.ID, OpPut); err != nil {
				return err
			}
		}
	}
	return nil
}
