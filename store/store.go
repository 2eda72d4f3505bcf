// Package store keeps every record of the appliance in one bbolt file and
// changes it in transactions that also write indexes, the change feed, the
// audit log and the notification outbox.
package store

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// FileName is the database file inside the data folder.
const FileName = "pitlane.db"

// A backup copies the database inside one long read transaction. Two bbolt
// defaults would make every writer pay for it, so the store changes them,
// as etcd does for its snapshots:
//
//   - initialMmapSize: the transaction holds the memory map; a writer that
//     must grow the map waits for the transaction to end, and every new
//     reader waits behind that writer. Mapping ahead means the map grows
//     only past this size. It costs address space, not memory or disk.
//     Windows is left out: there bbolt extends the file to the map's size.
//   - NoFreelistSync with the hash-map freelist: pages freed while the
//     transaction runs cannot be reused until it ends, and bbolt would
//     write the whole growing list of them at every commit (measured on
//     the 100,000-customer dataset: write p99 80–160 ms instead of 20 ms,
//     half the throughput). Unsynced, the list is rebuilt from the tree
//     when the file is opened; durability is unchanged.
const initialMmapSize = 8 << 30

// Options tunes Open. The zero value is what the appliance uses.
type Options struct {
	Logger *slog.Logger
	// Now replaces the clock in tests.
	Now func() time.Time
	// LockTimeout is how long Open waits for another process to release the
	// file before it returns ErrLocked.
	LockTimeout time.Duration
	// ReadOnly opens the file without taking the write lock (backup checks).
	ReadOnly bool
}

// Store is the appliance's database. It is safe for concurrent use.
type Store struct {
	db   *bolt.DB
	path string
	log  *slog.Logger
	now  func() time.Time

	pairSweep atomic.Int64 // unix time of the last sweep of old pairing links

	feedMu   sync.Mutex
	feedWait chan struct{} // closed and replaced on every commit that wrote a change
	// writes counts committed write transactions, for in-memory caches of
	// what the store holds (see Writes).
	writes atomic.Uint64
}

// Open opens (creating if needed) the database in dataDir and brings its
// schema up to date.
func Open(dataDir string, o Options) (*Store, error) {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.LockTimeout == 0 {
		o.LockTimeout = time.Second
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data folder: %w", err)
	}
	path := filepath.Join(dataDir, FileName)
	bo := &bolt.Options{Timeout: o.LockTimeout, ReadOnly: o.ReadOnly}
	if !o.ReadOnly {
		bo.NoFreelistSync, bo.FreelistType = true, bolt.FreelistMapType
		if runtime.GOOS != "windows" && strconv.IntSize == 64 {
			bo.InitialMmapSize = initialMmapSize
		}
	}
	db, err := bolt.Open(path, 0o600, bo)
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, ErrLocked
	}
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	// Group commit: many small concurrent writes share one fsync.
	db.MaxBatchDelay = 2 * time.Millisecond
	s := &Store{db: db, path: path, log: o.Logger, now: o.Now, feedWait: make(chan struct{})}
	if !o.ReadOnly {
		if err := s.migrate(); err != nil {
			db.Close()
			return nil, err
		}
	} else if err := s.checkVersion(); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// Close closes the database file.
func (s *Store) Close() error { return s.db.Close() }

// Path is the database file's path.
func (s *Store) Path() string { return s.path }

// Ping checks that the database answers.
func (s *Store) Ping() error {
	return s.db.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bMeta) == nil {
			return errors.New("meta bucket missing")
		}
		return nil
	})
}

// update runs fn in a read-write transaction shared with other concurrent
// writers (bbolt's Batch): fn may run more than once, so it must derive
// everything from tx. After commit, feed waiters are woken.
func (s *Store) update(fn func(tx *bolt.Tx) error) error {
	err := s.db.Batch(fn)
	if err == nil {
		s.notifyFeed()
	}
	return err
}

func (s *Store) view(fn func(tx *bolt.Tx) error) error { return s.db.View(fn) }

func itob(v uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, v)
	return b
}

func btoi(b []byte) uint64 { return binary.BigEndian.Uint64(b) }

func putJSON(b *bolt.Bucket, key []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %T: %w", v, err)
	}
	return b.Put(key, data)
}

// getOptional decodes the record at key into v when there is one; a
// missing one leaves v as it is, and costs no error value (the outbox
// reads several such records for every message it sends).
func getOptional(b *bolt.Bucket, key []byte, v any) error {
	if data := b.Get(key); data != nil {
		return jsonDecode(data, v)
	}
	return nil
}

// getJSON decodes the record at key, or returns NotFound.
func getJSON(b *bolt.Bucket, key []byte, v any) error {
	data := b.Get(key)
	if data == nil {
		return NotFound()
	}
	return jsonDecode(data, v)
}

// counter adjusts a named count kept in the meta bucket, so dashboards never
// scan a bucket to count it.
func counter(tx *bolt.Tx, name string, delta int64) error {
	m := tx.Bucket(bMeta)
	key := []byte("count:" + name)
	var v int64
	if b := m.Get(key); b != nil {
		v = int64(btoi(b))
	}
	v += delta
	if v < 0 {
		v = 0
	}
	return m.Put(key, itob(uint64(v)))
}

func readCounter(tx *bolt.Tx, name string) int64 {
	if b := tx.Bucket(bMeta).Get([]byte("count:" + name)); b != nil {
		return int64(btoi(b))
	}
	return 0
}
