package store

import (
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// What followers of the change feed (the search indexer) need besides the
// feed itself: the record a change names, every record of a kind page by
// page to rebuild from scratch, and a wake-up that cannot be missed.

// recordKind is where the records of one change-feed kind live.
type recordKind struct {
	bucket []byte
	decode func(data []byte) (any, error)
}

func decodeAs[T any](data []byte) (any, error) {
	var v T
	if err := jsonDecode(data, &v); err != nil {
		return nil, err
	}
	return v, nil
}

// recordKinds lists the kinds Record and RecordPage serve, by their name in
// the change feed.
var recordKinds = map[string]recordKind{
	"customer":    {bCustomers, decodeAs[Customer]},
	"vehicle":     {bVehicles, decodeAs[Vehicle]},
	"appointment": {bAppointments, decodeAs[Appointment]},
	"job":         {bJobs, decodeAs[Job]},
	"message":     {bMessages, decodeAs[Message]},
}

func lookupKind(kind string) (recordKind, error) {
	k, ok := recordKinds[kind]
	if !ok {
		return k, fmt.Errorf("no records of kind %q", kind)
	}
	return k, nil
}

// Record is one record of a change-feed kind. Value is of the kind's own
// type: Customer, Vehicle, Appointment, Job or Message.
type Record struct {
	ID    uint64
	Value any
}

// Record returns the record a change-feed entry names, or NotFound when it
// is gone.
func (s *Store) Record(kind string, id uint64) (Record, error) {
	k, err := lookupKind(kind)
	if err != nil {
		return Record{}, err
	}
	out := Record{ID: id}
	err = s.view(func(tx *bolt.Tx) error {
		data := tx.Bucket(k.bucket).Get(itob(id))
		if data == nil {
			return NotFound()
		}
		out.Value, err = k.decode(data)
		return err
	})
	return out, err
}

// RecordPage returns up to limit records of kind with IDs above after, in
// ID order, read in one transaction. An empty page means there are no more.
func (s *Store) RecordPage(kind string, after uint64, limit int) ([]Record, error) {
	k, err := lookupKind(kind)
	if err != nil {
		return nil, err
	}
	var out []Record
	err = s.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(k.bucket).Cursor()
		for key, data := c.Seek(itob(after + 1)); key != nil && len(out) < limit; key, data = c.Next() {
			v, err := k.decode(data)
			if err != nil {
				return err
			}
			out = append(out, Record{ID: btoi(key), Value: v})
		}
		return nil
	})
	return out, err
}

// RecordCount is how many records of kind there are. It walks the bucket's
// pages, so it is for progress reports, not for every request.
func (s *Store) RecordCount(kind string) (int, error) {
	k, err := lookupKind(kind)
	if err != nil {
		return 0, err
	}
	var n int
	err = s.view(func(tx *bolt.Tx) error {
		n = tx.Bucket(k.bucket).Stats().KeyN
		return nil
	})
	return n, err
}

// Changed returns a channel that is closed by the next commit that writes to
// the change feed. Take it before reading Changes: a commit that lands
// between the read and the wait then still wakes the reader, which
// WaitChange, taking its channel only when called, cannot promise.
func (s *Store) Changed() <-chan struct{} {
	s.feedMu.Lock()
	defer s.feedMu.Unlock()
	return s.feedWait
}
