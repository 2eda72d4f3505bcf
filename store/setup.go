package store

import (
	"crypto/subtle"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

var (
	keySetupHash    = []byte("setup_token_hash")
	keySetupExpires = []byte("setup_token_expires")
)

// SetSetupToken stores the hash of the one-time link that creates the first
// manager, replacing any earlier one.
func (s *Store) SetSetupToken(hash string, expires time.Time) error {
	return s.update(func(tx *bolt.Tx) error {
		m := tx.Bucket(bMeta)
		if err := m.Put(keySetupHash, []byte(hash)); err != nil {
			return err
		}
		return m.Put(keySetupExpires, itob(uint64(expires.Unix())))
	})
}

// SetupTokenValid reports whether hash is the live first-run token.
func (s *Store) SetupTokenValid(hash string) bool {
	ok := false
	_ = s.view(func(tx *bolt.Tx) error {
		ok = setupTokenValid(tx, hash, s.now()) == nil
		return nil
	})
	return ok
}

func setupTokenValid(tx *bolt.Tx, hash string, now time.Time) error {
	m := tx.Bucket(bMeta)
	want, exp := m.Get(keySetupHash), m.Get(keySetupExpires)
	if want == nil || exp == nil || subtle.ConstantTimeCompare(want, []byte(hash)) != 1 ||
		now.Unix() >= int64(btoi(exp)) {
		return &Error{Code: CodeNotFound, Key: "setup.link_expired"}
	}
	k, _ := tx.Bucket(bUsers).Cursor().First()
	if k != nil {
		return &Error{Code: CodeNotFound, Key: "setup.link_expired"}
	}
	return nil
}

// CompleteSetup spends the first-run token and creates the first manager, in
// one transaction: the link works once, and only while no account exists.
func (s *Store) CompleteSetup(hash string, nu NewUser) (User, error) {
	nu.Username = NormalizeUsername(nu.Username)
	nu.Name = strings.TrimSpace(nu.Name)
	nu.Role = RoleManager
	var v Validation
	validateUser(&v, nu.Username, nu.Name, nu.Role, nu.Lang)
	if nu.PasswordHash == "" {
		v.Add("password", "common.error.required")
	}
	if err := v.Err(); err != nil {
		return User{}, err
	}
	var u User
	err := s.update(func(tx *bolt.Tx) error {
		w := s.writer(tx)
		if err := setupTokenValid(tx, hash, w.now); err != nil {
			return err
		}
		b := tx.Bucket(bUsers)
		id, err := b.NextSequence()
		if err != nil {
			return err
		}
		u = User{ID: id, Username: nu.Username, Name: nu.Name, Role: RoleManager, Lang: nu.Lang,
			PasswordHash: nu.PasswordHash, Created: w.now, Updated: w.now}
		if err := putJSON(b, itob(id), u); err != nil {
			return err
		}
		if err := tx.Bucket(bUsersByName).Put([]byte(u.Username), itob(id)); err != nil {
			return err
		}
		m := tx.Bucket(bMeta)
		if err := m.Delete(keySetupHash); err != nil {
			return err
		}
		if err := m.Delete(keySetupExpires); err != nil {
			return err
		}
		if err := w.change("user", id, OpPut); err != nil {
			return err
		}
		return w.audit(Actor{Kind: "user", UserID: id, Name: u.Name}, "setup_complete", "user", id, u.Username)
	})
	return u, err
}
