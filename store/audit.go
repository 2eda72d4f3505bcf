package store

import (
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// AuditEntry records who did what to which record, and when.
type AuditEntry struct {
	Seq    uint64    `json:"seq"`
	At     time.Time `json:"at"`
	Actor  Actor     `json:"actor"`
	Action string    `json:"action"`
	Kind   string    `json:"kind,omitempty"`
	Record uint64    `json:"record,omitempty"`
	Detail string    `json:"detail,omitempty"`
}

func (w writer) audit(a Actor, action, kind string, record uint64, detail string) error {
	b := w.tx.Bucket(bAudit)
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	return putJSON(b, itob(seq), AuditEntry{Seq: seq, At: w.now, Actor: a, Action: action, Kind: kind, Record: record, Detail: detail})
}

// Audit records an event that changes no record (a login, a failed login).
func (s *Store) Audit(a Actor, action, kind string, record uint64, detail string) error {
	return s.update(func(tx *bolt.Tx) error {
		return s.writer(tx).audit(a, action, kind, record, detail)
	})
}

// AuditFilter narrows an audit listing.
type AuditFilter struct {
	Before uint64 // page backwards from this sequence (0 = newest)
	Limit  int
	Action string
	UserID uint64
}

// AuditLog lists entries newest first. Next is the Before value of the next
// page, 0 when there is none.
func (s *Store) AuditLog(f AuditFilter) (entries []AuditEntry, next uint64, err error) {
	switch {
	case f.Limit <= 0:
		f.Limit = 50
	case f.Limit > 500:
		f.Limit = 500
	}
	err = s.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bAudit).Cursor()
		var k, v []byte
		if f.Before == 0 {
			k, v = c.Last()
		} else {
			c.Seek(itob(f.Before))
			k, v = c.Prev()
		}
		for ; k != nil; k, v = c.Prev() {
			if len(entries) == f.Limit {
				next = btoi(k) + 1
				return nil
			}
			var e AuditEntry
			if err := jsonDecode(v, &e); err != nil {
				return err
			}
			if f.Action != "" && e.Action != f.Action {
				continue
			}
			if f.UserID != 0 && e.Actor.UserID != f.UserID {
				continue
			}
			entries = append(entries, e)
		}
		return nil
	})
	return entries, next, err
}

func jsonDecode(data []byte, v any) error {
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("decode %T: %w", v, err)
	}
	return nil
}
