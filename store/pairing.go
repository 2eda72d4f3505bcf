package store

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Pairing links: the one-time secret in the QR code a customer scans to
// connect a phone to their record. Only its hash is kept, so a copy of the
// database pairs nobody.

var (
	// bPairLinks maps a link's token hash to its PairLink.
	bPairLinks = []byte("pair_links")
)

// Pairing link lifetimes.
const (
	DefaultPairTTL = 72 * time.Hour
	// MaxPairTTL bounds a link printed for a batch: a sheet lying around
	// longer than that should not open anyone's account.
	MaxPairTTL = 30 * 24 * time.Hour
	// pairLinkKeep is how long a spent or expired link is remembered, so
	// the customer who opens it again is told why it no longer works.
	pairLinkKeep = 30 * 24 * time.Hour
)

// PairLink is one pairing link, stored under the hash of its token.
type PairLink struct {
	CustomerID uint64    `json:"customer_id"`
	Created    time.Time `json:"created"`
	CreatedBy  string    `json:"created_by"`
	Expires    time.Time `json:"expires"`
	Used       time.Time `json:"used,omitempty"`
	// DeviceID is the device the link paired, once used.
	DeviceID uint64 `json:"device_id,omitempty"`
}

// Live reports whether the link still pairs a device at now.
func (l PairLink) Live(now time.Time) bool { return l.Used.IsZero() && now.Before(l.Expires) }

// newSecret returns a random 256-bit URL-safe token and its hash, in the
// same form as auth.NewToken and auth.HashToken (store cannot import auth,
// which imports store): handlers hash what the browser sends with
// auth.HashToken and find it here.
func newSecret() (token, hash string) {
	b := make([]byte, 32)
	// crypto/rand.Read never fails on supported platforms (Go 1.24+).
	_, _ = rand.Read(b)
	token = base64.RawURLEncoding.EncodeToString(b)
	sum := sha256.Sum256([]byte(token))
	return token, hex.EncodeToString(sum[:])
}

// CreatePairLink makes a one-time link that pairs a phone to the customer
// for ttl (DefaultPairTTL when zero) and returns its token, which is not
// stored and cannot be read back. Links spent or expired long ago are
// dropped in the same transaction, so the bucket stays small.
func (s *Store) CreatePairLink(a Actor, customerID uint64, ttl time.Duration) (string, PairLink, error) {
	if ttl == 0 {
		ttl = DefaultPairTTL
	}
	if ttl < time.Minute || ttl > MaxPairTTL {
		return "", PairLink{}, Invalid("ttl", "pwa.error.ttl", "max", fmt.Sprint(int(MaxPairTTL.Hours()/24)))
	}
	token, hash := newSecret()
	var link PairLink
	err := s.update(func(tx *bolt.Tx) error {
		var c Customer
		if err := getJSON(tx.Bucket(bCustomers), itob(customerID), &c); err != nil {
			return err
		}
		w := s.writer(tx)
		// Old links are swept at most hourly: the sweep reads every link,
		// and doing it on each call made printing many links quadratic.
		if last := s.pairSweep.Load(); w.now.Unix()-last >= 3600 {
			if err := purgePairLinks(tx, w.now); err != nil {
				return err
			}
			s.pairSweep.Store(w.now.Unix())
		}
		link = PairLink{CustomerID: customerID, Created: w.now, CreatedBy: a.Name, Expires: w.now.Add(ttl)}
		if err := putJSON(tx.Bucket(bPairLinks), []byte(hash), link); err != nil {
			return err
		}
		return w.audit(a, "pair_link_create", "customer", customerID, c.Name)
	})
	if err != nil {
		return "", PairLink{}, err
	}
	return token, link, nil
}

func purgePairLinks(tx *bolt.Tx, now time.Time) error {
	b := tx.Bucket(bPairLinks)
	var doomed [][]byte
	err := b.ForEach(func(k, v []byte) error {
		var l PairLink
		if err := jsonDecode(v, &l); err != nil {
			return err
		}
		end := l.Expires
		if !l.Used.IsZero() {
			end = l.Used
		}
		if now.Sub(end) > pairLinkKeep {
			doomed = append(doomed, append([]byte(nil), k...))
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, k := range doomed {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// PairLinkByHash returns a live link (for printing it again); NotFound when
// it is unknown, spent or expired.
func (s *Store) PairLinkByHash(tokenHash string) (PairLink, error) {
	var l PairLink
	now := s.now()
	err := s.view(func(tx *bolt.Tx) error {
		if err := getJSON(tx.Bucket(bPairLinks), []byte(tokenHash), &l); err != nil {
			return err
		}
		if !l.Live(now) {
			return NotFound()
		}
		return nil
	})
	return l, err
}

// Why a pairing link did not pair: each says what the customer should do.
const (
	KeyPairUnknown = "pwa.pair.unknown"
	KeyPairUsed    = "pwa.pair.used"
	KeyPairExpired = "pwa.pair.expired"
)

// Pair spends a pairing link and registers the device that opened it, in one
// transaction: the link works once, before it expires, for a customer still
// on file. A link that does not pair is NotFound with KeyPairUnknown,
// KeyPairUsed or KeyPairExpired. a is who is asking (its IP); the audit log
// names the customer.
func (s *Store) Pair(a Actor, tokenHash, deviceName, credentialHash string) (Device, error) {
	if credentialHash == "" {
		return Device{}, fmt.Errorf("pair: empty credential hash")
	}
	var d Device
	err := s.update(func(tx *bolt.Tx) error {
		links := tx.Bucket(bPairLinks)
		var l PairLink
		if err := getJSON(links, []byte(tokenHash), &l); err != nil {
			return &Error{Code: CodeNotFound, Key: KeyPairUnknown}
		}
		w := s.writer(tx)
		switch {
		case !l.Used.IsZero():
			return &Error{Code: CodeNotFound, Key: KeyPairUsed}
		case !w.now.Before(l.Expires):
			return &Error{Code: CodeNotFound, Key: KeyPairExpired}
		}
		var c Customer
		if err := getJSON(tx.Bucket(bCustomers), itob(l.CustomerID), &c); err != nil {
			return &Error{Code: CodeNotFound, Key: KeyPairUnknown}
		}
		var err error
		if d, err = putNewDevice(w, c.ID, deviceName, credentialHash); err != nil {
			return err
		}
		l.Used, l.DeviceID = w.now, d.ID
		if err := putJSON(links, []byte(tokenHash), l); err != nil {
			return err
		}
		if err := w.timeline(c.ID, "device", d.ID, "timeline.device_paired", "name", d.Name); err != nil {
			return err
		}
		a.Kind, a.Name = "customer", c.Name
		return w.audit(a, "device_pair", "customer", c.ID, d.Name)
	})
	return d, err
}

// movePairLinks gives a merged-away customer's outstanding links to the
// customer kept, so a sheet already printed still pairs.
func movePairLinks(w writer, from, to uint64) error {
	b := w.tx.Bucket(bPairLinks)
	moved := map[string]PairLink{}
	err := b.ForEach(func(k, v []byte) error {
		var l PairLink
		if err := jsonDecode(v, &l); err != nil {
			return err
		}
		if l.CustomerID == from {
			l.CustomerID = to
			moved[string(k)] = l
		}
		return nil
	})
	if err != nil {
		return err
	}
	for k, l := range moved {
		if err := putJSON(b, []byte(k), l); err != nil {
			return err
		}
	}
	return nil
}
