package store

import (
	"fmt"
	"os"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Bucket names. Records live under an 8-byte big-endian ID; index buckets map
// a lookup key to that ID.
var (
	bMeta          = []byte("meta")
	bChanges       = []byte("changes")
	bOutbox        = []byte("outbox")
	bOutboxPending = []byte("outbox_pending")
	bAudit         = []byte("audit")
	bUsers         = []byte("users")
	bUsersByName   = []byte("users_by_name")
	bSessions      = []byte("sessions")
	bAPIKeys       = []byte("apikeys")
	bAPIKeyByHash  = []byte("apikeys_by_hash")
	bSettings      = []byte("settings")
	bCustomers     = []byte("customers")
	bCustByEmail   = []byte("customers_by_email")
	bCustByPhone   = []byte("customers_by_phone")
	bCustByTax     = []byte("customers_by_tax")
	bCustByName    = []byte("customers_by_name")
	bTimeline      = []byte("timeline")
	bVehicles      = []byte("vehicles")
	bVehByPlate    = []byte("vehicles_by_plate")
	bVehByVIN      = []byte("vehicles_by_vin")
	bVehByCust     = []byte("vehicles_by_customer")
	bAppointments  = []byte("appointments")
	bApptByStart   = []byte("appointments_by_start")
	bJobs          = []byte("jobs")
	bJobsByStage   = []byte("jobs_by_stage")
	bJobsByVehicle = []byte("jobs_by_vehicle")
	bApptByCust    = []byte("appointments_by_customer")
)

var keySchema = []byte("schema_version")

// migrations is append-only: entry i brings the schema from version i to
// i+1. Never edit or reorder an entry that has shipped.
var migrations = []func(tx *bolt.Tx) error{
	// 1: the first schema.
	func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bChanges, bOutbox, bOutboxPending, bAudit, bUsers, bUsersByName, bSessions,
			bAPIKeys, bAPIKeyByHash, bSettings, bCustomers, bCustByEmail, bCustByPhone, bVehicles,
			bVehByPlate, bVehByVIN, bVehByCust, bAppointments, bApptByStart, bJobs, bJobsByStage,
			bCustByTax, bCustByName, bTimeline, bJobsByVehicle, bApptByCust} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		return nil
	},
	// 2: the record of every backup attempt.
	func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(bBackups)
		return err
	},
	// 3: pairing links and the customers' paired devices.
	func(tx *bolt.Tx) error {
		for _, name := range deviceBuckets {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		return nil
	},
	// 4: web push subscriptions, notification preferences, partial sends.
	func(tx *bolt.Tx) error {
		for _, name := range pushBuckets {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		return nil
	},
	// 5: messages between customers and the dealership, their threads and
	// the staff inbox's indexes.
	func(tx *bolt.Tx) error {
		for _, name := range messageBuckets {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		return nil
	},
	// 6: the appointments' waiting list.
	func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(bWaitlist)
		return err
	},
	// 7: who may fetch the workshop's photos, videos and invoice PDFs.
	func(tx *bolt.Tx) error {
		for _, name := range workshopMediaBuckets {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		return nil
	},
	// 8: the pending notifications' index holds each one's next try.
	func(tx *bolt.Tx) error {
		all, pending := tx.Bucket(bOutbox), tx.Bucket(bOutboxPending)
		var ids [][]byte
		if err := pending.ForEach(func(k, _ []byte) error {
			ids = append(ids, append([]byte(nil), k...))
			return nil
		}); err != nil {
			return err
		}
		for _, k := range ids {
			var n Notification
			if err := getJSON(all, k, &n); err != nil {
				return err
			}
			if err := pending.Put(k, tryValue(n.NextTry)); err != nil {
				return err
			}
		}
		return nil
	},
}

// SchemaVersion is the schema this build writes.
func SchemaVersion() int { return len(migrations) }

// Version reads the schema version stored in the database.
func (s *Store) Version() (int, error) {
	var v int
	err := s.view(func(tx *bolt.Tx) error {
		v = readVersion(tx)
		return nil
	})
	return v, err
}

func readVersion(tx *bolt.Tx) int {
	m := tx.Bucket(bMeta)
	if m == nil {
		return 0
	}
	if b := m.Get(keySchema); b != nil {
		return int(btoi(b))
	}
	return 0
}

func (s *Store) checkVersion() error {
	v, err := s.Version()
	if err != nil {
		return err
	}
	if v > SchemaVersion() {
		return fmt.Errorf("%w (database schema %d, this build knows %d)", ErrSchemaTooNew, v, SchemaVersion())
	}
	return nil
}

// migrate runs the pending migrations in one transaction, after copying the
// file aside so a failed upgrade can be undone by hand.
func (s *Store) migrate() error {
	current, err := s.Version()
	if err != nil {
		return err
	}
	target := SchemaVersion()
	if current > target {
		return fmt.Errorf("%w (database schema %d, this build knows %d)", ErrSchemaTooNew, current, target)
	}
	if current == target {
		return nil
	}
	if current > 0 {
		aside := fmt.Sprintf("%s.v%d-%s.bak", s.path, current, s.now().UTC().Format("20060102T150405Z"))
		if err := s.copyTo(aside); err != nil {
			return fmt.Errorf("copy database aside before migrating: %w", err)
		}
		s.log.Info("database copied aside before migration", "copy", aside, "from", current, "to", target)
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		meta, err := tx.CreateBucketIfNotExists(bMeta)
		if err != nil {
			return err
		}
		for v := current; v < target; v++ {
			if err := migrations[v](tx); err != nil {
				return fmt.Errorf("migration to schema %d: %w", v+1, err)
			}
		}
		if current == 0 {
			if err := meta.Put([]byte("created"), []byte(s.now().UTC().Format(time.RFC3339))); err != nil {
				return err
			}
		}
		return meta.Put(keySchema, itob(uint64(target)))
	})
}

// copyTo writes a consistent copy of the database to path.
func (s *Store) copyTo(path string) error {
	return s.view(func(tx *bolt.Tx) error {
		return tx.CopyFile(path, 0o600)
	})
}

// Snapshot writes a consistent copy of the whole database to path while
// other transactions go on (a read transaction sees one point in time).
func (s *Store) Snapshot(path string) (int64, error) {
	var n int64
	err := s.view(func(tx *bolt.Tx) error {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
		if err != nil {
			return err
		}
		n, err = tx.WriteTo(f)
		if err != nil {
			f.Close()
			return err
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	})
	return n, err
}
