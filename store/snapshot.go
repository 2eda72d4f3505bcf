package store

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime/debug"

	bolt "go.etcd.io/bbolt"
)

// SnapshotInfo describes the database at the moment a snapshot sees.
type SnapshotInfo struct {
	Size   int64            // bytes the copy has
	Schema int              // schema version of the copy
	Counts map[string]int64 // keys per top-level bucket
	Media  []string         // media hashes the copy references, sorted
}

// StreamSnapshot runs fn inside one read transaction: info describes the
// database as of that transaction, and write copies exactly that database
// (info.Size bytes) to w. Writers go on meanwhile; the copy, the counts and
// the media references all come from the same point in time, so a backup's
// manifest describes precisely the database it carries.
func (s *Store) StreamSnapshot(fn func(info SnapshotInfo, write func(w io.Writer) (int64, error)) error) error {
	return s.view(func(tx *bolt.Tx) error {
		refs, err := mediaRefs(tx)
		if err != nil {
			return err
		}
		info := SnapshotInfo{Size: tx.Size(), Schema: readVersion(tx), Counts: bucketCounts(tx), Media: refs}
		return fn(info, tx.WriteTo)
	})
}

// BucketCounts returns how many keys each top-level bucket holds.
func (s *Store) BucketCounts() (map[string]int64, error) {
	var counts map[string]int64
	err := s.view(func(tx *bolt.Tx) error {
		counts = bucketCounts(tx)
		return nil
	})
	return counts, err
}

func bucketCounts(tx *bolt.Tx) map[string]int64 {
	counts := map[string]int64{}
	_ = tx.ForEach(func(name []byte, b *bolt.Bucket) error {
		counts[string(name)] = int64(b.Stats().KeyN)
		return nil
	})
	return counts
}

// maxCheckErrors bounds what Check reports: past a few, a file is simply
// damaged, and the list would only be noise.
const maxCheckErrors = 10

// Check runs bbolt's consistency check over the whole file: every page
// reachable exactly once, no page both used and free, keys in order.
//
// A database written without a synced freelist (see Open) has its free
// pages worked out by walking the tree, on a goroutine of bbolt's where a
// damaged page would crash the process rather than fail the check. So the
// tree is first walked here, where damage is caught and reported.
func (s *Store) Check() error {
	if err := s.walk(); err != nil {
		return err
	}
	return s.view(func(tx *bolt.Tx) error {
		var errs []error
		n := 0
		// The checker stops only when its channel is drained.
		for err := range tx.Check() {
			if n++; n <= maxCheckErrors {
				errs = append(errs, err)
			}
		}
		if n > maxCheckErrors {
			errs = append(errs, fmt.Errorf("and %d more problems", n-maxCheckErrors))
		}
		return errors.Join(errs...)
	})
}

// walk reads every key of every bucket, checking that keys ascend, and
// turns what a damaged page does to bbolt (an assertion, a fault on a bad
// address) into an error.
func (s *Store) walk() error {
	errc := make(chan error, 1)
	go func() {
		debug.SetPanicOnFault(true)
		defer func() {
			if r := recover(); r != nil {
				errc <- fmt.Errorf("damaged page: %v", r)
			}
		}()
		errc <- s.view(func(tx *bolt.Tx) error {
			return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
				return walkBucket(string(name), b)
			})
		})
	}()
	return <-errc
}

func walkBucket(path string, b *bolt.Bucket) error {
	c := b.Cursor()
	var prev []byte
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if prev != nil && bytes.Compare(prev, k) >= 0 {
			return fmt.Errorf("bucket %s: keys out of order at %x", path, k)
		}
		prev = append(prev[:0], k...)
		if v == nil {
			if child := b.Bucket(k); child != nil {
				if err := walkBucket(path+"/"+string(k), child); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
