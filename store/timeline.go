package store

import (
	"time"

	bolt "go.etcd.io/bbolt"
)

// TimelineEvent is one line of a customer's history: what happened, to
// which record, when. Key names the catalogue message; Args fill it.
type TimelineEvent struct {
	At     time.Time `json:"at"`
	Kind   string    `json:"kind"`
	Record uint64    `json:"record"`
	Key    string    `json:"key"`
	Args   []string  `json:"args,omitempty"`
}

// timeline appends an event to a customer's history, in the transaction of
// the change it records.
func (w writer) timeline(customerID uint64, kind string, record uint64, key string, args ...string) error {
	b := w.tx.Bucket(bTimeline)
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	return putJSON(b, append(itob(customerID), itob(seq)...),
		TimelineEvent{At: w.now, Kind: kind, Record: record, Key: key, Args: args})
}

// Timeline returns a customer's history, newest first, at most limit events.
func (s *Store) Timeline(customerID uint64, limit int) ([]TimelineEvent, error) {
	var out []TimelineEvent
	err := s.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bTimeline).Cursor()
		k, v := c.Seek(itob(customerID + 1))
		if k == nil {
			k, v = c.Last()
		} else {
			k, v = c.Prev()
		}
		for ; k != nil && len(out) < limit && btoi(k[:8]) == customerID; k, v = c.Prev() {
			var e TimelineEvent
			if err := jsonDecode(v, &e); err != nil {
				return err
			}
			out = append(out, e)
		}
		return nil
	})
	return out, err
}

// moveTimeline gives every event of one customer to another (merge).
func moveTimeline(tx *bolt.Tx, from, to uint64) error {
	b := tx.Bucket(bTimeline)
	c := b.Cursor()
	type kv struct{ k, v []byte }
	var moved []kv
	for k, v := c.Seek(itob(from)); k != nil && btoi(k[:8]) == from; k, v = c.Next() {
		moved = append(moved, kv{append([]byte(nil), k...), append([]byte(nil), v...)})
	}
	for _, e := range moved {
		if err := b.Delete(e.k); err != nil {
			return err
		}
		if err := b.Put(append(itob(to), e.k[8:]...), e.v); err != nil {
			return err
		}
	}
	return nil
}
