package store

import (
	"context"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Op says what happened to a record.
type Op string

const (
	OpPut    Op = "put"
	OpDelete Op = "delete"
)

// Change is one entry of the change feed: readers such as the search indexer
// remember the last Seq they applied and resume after it.
type Change struct {
	Seq  uint64    `json:"seq"`
	At   time.Time `json:"at"`
	Kind string    `json:"kind"`
	ID   uint64    `json:"id"`
	Op   Op        `json:"op"`
}

// Actor is who caused a change, for the audit log.
type Actor struct {
	Kind   string `json:"kind"` // user, apikey, cli, system, customer
	UserID uint64 `json:"user_id,omitempty"`
	Name   string `json:"name"`
	IP     string `json:"ip,omitempty"`
}

// System is the actor for work the appliance does by itself.
var System = Actor{Kind: "system", Name: "pitlane"}

// CLI is the actor for commands run by the machine's administrator.
var CLI = Actor{Kind: "cli", Name: "command line"}

// writer adds the side records every change carries, inside the change's
// own transaction.
type writer struct {
	tx  *bolt.Tx
	now time.Time
}

func (s *Store) writer(tx *bolt.Tx) writer { return writer{tx: tx, now: s.now().UTC()} }

func (w writer) change(kind string, id uint64, op Op) error {
	b := w.tx.Bucket(bChanges)
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	return putJSON(b, itob(seq), Change{Seq: seq, At: w.now, Kind: kind, ID: id, Op: op})
}

// Changes returns up to limit feed entries after seq, oldest first.
func (s *Store) Changes(after uint64, limit int) ([]Change, error) {
	var out []Change
	err := s.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bChanges).Cursor()
		for k, v := c.Seek(itob(after + 1)); k != nil && len(out) < limit; k, v = c.Next() {
			var ch Change
			if err := jsonDecode(v, &ch); err != nil {
				return err
			}
			out = append(out, ch)
		}
		return nil
	})
	return out, err
}

// LastSeq is the newest change-feed sequence (0 when empty).
func (s *Store) LastSeq() (uint64, error) {
	var seq uint64
	err := s.view(func(tx *bolt.Tx) error {
		seq = tx.Bucket(bChanges).Sequence()
		return nil
	})
	return seq, err
}

// Writes moves after every committed write transaction (sessions, read
// marks and other writes that add no feed entry included). Something read
// from the store after Writes returned n is still current while Writes
// returns n: an in-memory cache keyed by it needs no other invalidation.
func (s *Store) Writes() uint64 { return s.writes.Load() }

// WaitChange blocks until a change is committed after the call, or ctx ends.
func (s *Store) WaitChange(ctx context.Context) error {
	s.feedMu.Lock()
	ch := s.feedWait
	s.feedMu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *Store) notifyFeed() {
	s.writes.Add(1)
	s.feedMu.Lock()
	close(s.feedWait)
	s.feedWait = make(chan struct{})
	s.feedMu.Unlock()
}
