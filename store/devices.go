package store

import (
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"
)

// Devices: the customers' phones paired to their record. A device holds a
// long-lived credential in a cookie; only its hash is kept here.

var (
	bDevices      = []byte("devices")
	bDevByCred    = []byte("devices_by_credential") // credential hash → device ID
	bDevByCust    = []byte("devices_by_customer")   // customer ID + device ID → nil
	deviceBuckets = [][]byte{bPairLinks, bDevices, bDevByCred, bDevByCust}
)

// TouchEvery is how stale a device's LastSeen may get before a request
// writes it again: often enough for staff to see who uses the app, rarely
// enough that browsing costs no write per page.
const TouchEvery = 5 * time.Minute

// Device is a customer's phone (or any browser) paired through a link.
type Device struct {
	ID         uint64    `json:"id"`
	CustomerID uint64    `json:"customer_id"`
	Name       string    `json:"name"` // from the User-Agent, "Chrome on Android"
	Created    time.Time `json:"created"`
	LastSeen   time.Time `json:"last_seen"`
	Revoked    time.Time `json:"revoked,omitempty"`
	RevokedBy  string    `json:"revoked_by,omitempty"`
	// CredentialHash finds the device from its cookie; the index entry goes
	// when the device is revoked, so the cookie stops working at once.
	CredentialHash string `json:"credential_hash"`
}

// Active reports whether the device may still use the app.
func (d Device) Active() bool { return d.Revoked.IsZero() }

const maxDeviceName = 80

func putNewDevice(w writer, customerID uint64, name, credentialHash string) (Device, error) {
	name = strings.TrimSpace(name)
	for len(name) > maxDeviceName {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	if name == "" {
		name = "?"
	}
	b := w.tx.Bucket(bDevices)
	id, err := b.NextSequence()
	if err != nil {
		return Device{}, err
	}
	d := Device{ID: id, CustomerID: customerID, Name: name, Created: w.now, LastSeen: w.now, CredentialHash: credentialHash}
	if err := putJSON(b, itob(id), d); err != nil {
		return Device{}, err
	}
	if err := w.tx.Bucket(bDevByCred).Put([]byte(credentialHash), itob(id)); err != nil {
		return Device{}, err
	}
	if err := w.tx.Bucket(bDevByCust).Put(append(itob(customerID), itob(id)...), nil); err != nil {
		return Device{}, err
	}
	return d, w.change("device", id, OpPut)
}

// DeviceByCredential finds an active device by the hash of its cookie, with
// its customer; NotFound when the credential is unknown or was revoked.
func (s *Store) DeviceByCredential(credentialHash string) (Device, Customer, error) {
	var d Device
	var c Customer
	err := s.view(func(tx *bolt.Tx) error {
		id := tx.Bucket(bDevByCred).Get([]byte(credentialHash))
		if id == nil || credentialHash == "" {
			return NotFound()
		}
		if err := getJSON(tx.Bucket(bDevices), id, &d); err != nil {
			return err
		}
		if !d.Active() {
			return NotFound()
		}
		return getJSON(tx.Bucket(bCustomers), itob(d.CustomerID), &c)
	})
	return d, c, err
}

// TouchDevice records that the device was used at now, unless it already
// was less than TouchEvery ago. It is not audited: it changes nothing anyone
// did.
func (s *Store) TouchDevice(id uint64) error {
	return s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bDevices)
		var d Device
		if err := getJSON(b, itob(id), &d); err != nil {
			return err
		}
		now := s.now().UTC()
		if !d.Active() || now.Sub(d.LastSeen) < TouchEvery {
			return nil
		}
		d.LastSeen = now
		return putJSON(b, itob(id), d)
	})
}

// CustomerDevices lists a customer's devices, active ones first, then by
// most recently seen.
func (s *Store) CustomerDevices(customerID uint64) ([]Device, error) {
	var out []Device
	err := s.view(func(tx *bolt.Tx) error {
		var err error
		out, err = devicesOf(tx, customerID)
		return err
	})
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Active() != out[j].Active() {
			return out[i].Active()
		}
		return out[i].LastSeen.After(out[j].LastSeen)
	})
	return out, err
}

func devicesOf(tx *bolt.Tx, customerID uint64) ([]Device, error) {
	var out []Device
	all := tx.Bucket(bDevices)
	c := tx.Bucket(bDevByCust).Cursor()
	for k, _ := c.Seek(itob(customerID)); k != nil && btoi(k[:8]) == customerID; k, _ = c.Next() {
		var d Device
		if err := getJSON(all, k[8:], &d); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// RevokeDevice disconnects one of the customer's devices: its credential
// stops working with this commit. The record stays, so staff see what was
// revoked, when and by whom. A device of another customer is NotFound.
func (s *Store) RevokeDevice(a Actor, customerID, deviceID uint64) (Device, error) {
	var d Device
	err := s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bDevices)
		d = Device{}
		if err := getJSON(b, itob(deviceID), &d); err != nil {
			return err
		}
		if d.CustomerID != customerID {
			return NotFound()
		}
		if !d.Active() {
			return nil
		}
		w := s.writer(tx)
		d.Revoked, d.RevokedBy = w.now, a.Name
		if err := tx.Bucket(bDevByCred).Delete([]byte(d.CredentialHash)); err != nil {
			return err
		}
		// A disconnected phone must stop receiving notifications too.
		if err := deleteDevicePushSubscriptions(tx, deviceID); err != nil {
			return err
		}
		if err := putJSON(b, itob(deviceID), d); err != nil {
			return err
		}
		if err := w.change("device", deviceID, OpPut); err != nil {
			return err
		}
		if err := w.timeline(customerID, "device", deviceID, "timeline.device_revoked", "name", d.Name); err != nil {
			return err
		}
		return w.audit(a, "device_revoke", "customer", customerID, d.Name)
	})
	return d, err
}

// moveDevices gives a merged-away customer's devices to the customer kept:
// the phone stays paired, now seeing the merged record.
func moveDevices(w writer, from, to uint64) error {
	devs, err := devicesOf(w.tx, from)
	if err != nil {
		return err
	}
	all, byCust := w.tx.Bucket(bDevices), w.tx.Bucket(bDevByCust)
	for _, d := range devs {
		if err := byCust.Delete(append(itob(from), itob(d.ID)...)); err != nil {
			return err
		}
		if err := byCust.Put(append(itob(to), itob(d.ID)...), nil); err != nil {
			return err
		}
		d.CustomerID = to
		if err := putJSON(all, itob(d.ID), d); err != nil {
			return err
		}
		if err := w.change("device", d.ID, OpPut); err != nil {
			return err
		}
	}
	return nil
}

func init() {
	mergeMovers = append(mergeMovers, moveDevices, movePairLinks)
}
