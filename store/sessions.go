package store

import (
	"time"

	bolt "go.etcd.io/bbolt"
)

// Session is a signed-in staff browser. It is stored under the hash of its
// cookie token, so a copy of the database does not let anyone sign in.
type Session struct {
	UserID  uint64    `json:"user_id"`
	CSRF    string    `json:"csrf"`
	Created time.Time `json:"created"`
	Expires time.Time `json:"expires"`
	IP      string    `json:"ip,omitempty"`
}

// CreateSession stores a new session under tokenHash.
func (s *Store) CreateSession(tokenHash string, sess Session) error {
	return s.update(func(tx *bolt.Tx) error {
		return putJSON(tx.Bucket(bSessions), []byte(tokenHash), sess)
	})
}

// SessionUser returns a live session and its enabled account; NotFound when
// the session is unknown, expired or its account disabled.
func (s *Store) SessionUser(tokenHash string) (Session, User, error) {
	var sess Session
	var u User
	now := s.now()
	err := s.view(func(tx *bolt.Tx) error {
		if err := getJSON(tx.Bucket(bSessions), []byte(tokenHash), &sess); err != nil {
			return err
		}
		if !sess.Expires.After(now) {
			return NotFound()
		}
		if err := getJSON(tx.Bucket(bUsers), itob(sess.UserID), &u); err != nil {
			return err
		}
		if u.Disabled {
			return NotFound()
		}
		return nil
	})
	return sess, u, err
}

// ExtendSession moves a session's expiry.
func (s *Store) ExtendSession(tokenHash string, expires time.Time) error {
	return s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bSessions)
		var sess Session
		if err := getJSON(b, []byte(tokenHash), &sess); err != nil {
			return err
		}
		sess.Expires = expires
		return putJSON(b, []byte(tokenHash), sess)
	})
}

// DeleteSession ends a session (logout).
func (s *Store) DeleteSession(tokenHash string) error {
	return s.update(func(tx *bolt.Tx) error { return tx.Bucket(bSessions).Delete([]byte(tokenHash)) })
}

// PurgeSessions deletes expired sessions and returns how many.
func (s *Store) PurgeSessions() (int, error) {
	now := s.now()
	n := 0
	err := s.db.Update(func(tx *bolt.Tx) error {
		n = 0
		c := tx.Bucket(bSessions).Cursor()
		for k, v := c.First(); k != nil; {
			var sess Session
			if err := jsonDecode(v, &sess); err != nil {
				return err
			}
			if !sess.Expires.After(now) {
				if err := c.Delete(); err != nil {
					return err
				}
				n++
				k, v = c.Seek(k)
				continue
			}
			k, v = c.Next()
		}
		return nil
	})
	if err == nil && n > 0 {
		s.writes.Add(1)
	}
	return n, err
}

func deleteUserSessions(tx *bolt.Tx, userID uint64) error {
	b := tx.Bucket(bSessions)
	var doomed [][]byte
	err := b.ForEach(func(k, v []byte) error {
		var sess Session
		if err := jsonDecode(v, &sess); err != nil {
			return err
		}
		if sess.UserID == userID {
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
