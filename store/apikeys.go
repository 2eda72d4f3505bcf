package store

import (
	"sort"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// APIKey lets another system call /api/v1 with the rights of one role. Only
// the hash of the secret is kept.
type APIKey struct {
	ID        uint64    `json:"id"`
	Name      string    `json:"name"`
	Role      Role      `json:"role"`
	Prefix    string    `json:"prefix"` // first characters, so staff can tell keys apart
	Hash      string    `json:"hash"`
	Created   time.Time `json:"created"`
	CreatedBy string    `json:"created_by"`
	LastUsed  time.Time `json:"last_used,omitempty"`
	Revoked   time.Time `json:"revoked,omitempty"`
}

// Active reports whether the key still opens the API.
func (k APIKey) Active() bool { return k.Revoked.IsZero() }

// CreateAPIKey stores a new key.
func (s *Store) CreateAPIKey(a Actor, name string, role Role, prefix, hash string) (APIKey, error) {
	name = strings.TrimSpace(name)
	var v Validation
	if name == "" {
		v.Add("name", "common.error.required")
	} else if len(name) > 100 {
		v.Add("name", "common.error.too_long", "max", "100")
	}
	if !role.Valid() {
		v.Add("role", "users.error.role_invalid")
	}
	if err := v.Err(); err != nil {
		return APIKey{}, err
	}
	var k APIKey
	err := s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bAPIKeys)
		id, err := b.NextSequence()
		if err != nil {
			return err
		}
		w := s.writer(tx)
		k = APIKey{ID: id, Name: name, Role: role, Prefix: prefix, Hash: hash, Created: w.now, CreatedBy: a.Name}
		if err := putJSON(b, itob(id), k); err != nil {
			return err
		}
		if err := tx.Bucket(bAPIKeyByHash).Put([]byte(hash), itob(id)); err != nil {
			return err
		}
		return w.audit(a, "apikey_create", "apikey", id, name+" ("+string(role)+")")
	})
	return k, err
}

// APIKeyByHash finds an active key; NotFound when unknown or revoked.
func (s *Store) APIKeyByHash(hash string) (APIKey, error) {
	var k APIKey
	err := s.view(func(tx *bolt.Tx) error {
		id := tx.Bucket(bAPIKeyByHash).Get([]byte(hash))
		if id == nil {
			return NotFound()
		}
		if err := getJSON(tx.Bucket(bAPIKeys), id, &k); err != nil {
			return err
		}
		if !k.Active() {
			return NotFound()
		}
		return nil
	})
	return k, err
}

// TouchAPIKey records when a key was last used.
func (s *Store) TouchAPIKey(id uint64, at time.Time) error {
	return s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bAPIKeys)
		var k APIKey
		if err := getJSON(b, itob(id), &k); err != nil {
			return err
		}
		k.LastUsed = at.UTC()
		return putJSON(b, itob(id), k)
	})
}

// APIKeys lists every key, newest first.
func (s *Store) APIKeys() ([]APIKey, error) {
	var out []APIKey
	err := s.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bAPIKeys).ForEach(func(_, v []byte) error {
			var k APIKey
			if err := jsonDecode(v, &k); err != nil {
				return err
			}
			out = append(out, k)
			return nil
		})
	})
	sort.Slice(out, func(i, j int) bool { return out[i].ID > out[j].ID })
	return out, err
}

// RevokeAPIKey closes a key for good.
func (s *Store) RevokeAPIKey(a Actor, id uint64) error {
	return s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bAPIKeys)
		var k APIKey
		if err := getJSON(b, itob(id), &k); err != nil {
			return err
		}
		if !k.Active() {
			return nil
		}
		w := s.writer(tx)
		k.Revoked = w.now
		if err := putJSON(b, itob(id), k); err != nil {
			return err
		}
		return w.audit(a, "apikey_revoke", "apikey", id, k.Name)
	})
}
