package store

import (
	"regexp"
	"sort"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Role is what a staff member's job lets them see and do.
type Role string

const (
	RoleSales      Role = "sales"
	RoleBackoffice Role = "backoffice"
	RoleWorkshop   Role = "workshop"
	RoleManager    Role = "manager"
)

// Roles lists every staff role, in the order forms show them.
var Roles = []Role{RoleSales, RoleBackoffice, RoleWorkshop, RoleManager}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if r == x {
			return true
		}
	}
	return false
}

// User is a staff account.
type User struct {
	ID           uint64    `json:"id"`
	Username     string    `json:"username"`
	Name         string    `json:"name"`
	Role         Role      `json:"role"`
	Lang         string    `json:"lang,omitempty"` // empty: follow the browser
	PasswordHash string    `json:"password_hash"`
	Disabled     bool      `json:"disabled,omitempty"`
	Created      time.Time `json:"created"`
	Updated      time.Time `json:"updated"`
}

// NewUser is what creating an account needs; the password arrives hashed.
type NewUser struct {
	Username     string
	Name         string
	Role         Role
	Lang         string
	PasswordHash string
}

// UserChange is what a manager may change on an account.
type UserChange struct {
	Name string
	Role Role
	Lang string
}

var usernamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,31}$`)

// NormalizeUsername is how usernames are compared: trimmed, lower case.
func NormalizeUsername(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func validateUser(v *Validation, username, name string, role Role, lang string) {
	if !usernamePattern.MatchString(username) {
		v.Add("username", "users.error.username_invalid")
	}
	if strings.TrimSpace(name) == "" {
		v.Add("name", "common.error.required")
	} else if len(name) > 100 {
		v.Add("name", "common.error.too_long", "max", "100")
	}
	if !role.Valid() {
		v.Add("role", "users.error.role_invalid")
	}
	if lang != "" && lang != "en" && lang != "it" && lang != "ro" {
		v.Add("lang", "users.error.lang_invalid")
	}
}

// CreateUser adds a staff account.
func (s *Store) CreateUser(a Actor, nu NewUser) (User, error) {
	nu.Username = NormalizeUsername(nu.Username)
	nu.Name = strings.TrimSpace(nu.Name)
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
		byName := tx.Bucket(bUsersByName)
		if byName.Get([]byte(nu.Username)) != nil {
			return &Error{Code: CodeConflict, Key: "users.error.username_taken", Fields: []FieldError{{Field: "username", Key: "users.error.username_taken"}}}
		}
		b := tx.Bucket(bUsers)
		id, err := b.NextSequence()
		if err != nil {
			return err
		}
		w := s.writer(tx)
		u = User{ID: id, Username: nu.Username, Name: nu.Name, Role: nu.Role, Lang: nu.Lang,
			PasswordHash: nu.PasswordHash, Created: w.now, Updated: w.now}
		if err := putJSON(b, itob(id), u); err != nil {
			return err
		}
		if err := byName.Put([]byte(u.Username), itob(id)); err != nil {
			return err
		}
		if err := w.change("user", id, OpPut); err != nil {
			return err
		}
		return w.audit(a, "user_create", "user", id, u.Username+" ("+string(u.Role)+")")
	})
	return u, err
}

// User returns one account.
func (s *Store) User(id uint64) (User, error) {
	var u User
	err := s.view(func(tx *bolt.Tx) error { return getJSON(tx.Bucket(bUsers), itob(id), &u) })
	return u, err
}

// UserByUsername finds an account by its login name.
func (s *Store) UserByUsername(username string) (User, error) {
	var u User
	err := s.view(func(tx *bolt.Tx) error {
		id := tx.Bucket(bUsersByName).Get([]byte(NormalizeUsername(username)))
		if id == nil {
			return NotFound()
		}
		return getJSON(tx.Bucket(bUsers), id, &u)
	})
	return u, err
}

// Users lists every account, sorted by username.
func (s *Store) Users() ([]User, error) {
	var out []User
	err := s.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bUsers).ForEach(func(_, v []byte) error {
			var u User
			if err := jsonDecode(v, &u); err != nil {
				return err
			}
			out = append(out, u)
			return nil
		})
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Username < out[j].Username })
	return out, err
}

// HasUsers reports whether any account exists (first-run setup needs none).
func (s *Store) HasUsers() (bool, error) {
	var has bool
	err := s.view(func(tx *bolt.Tx) error {
		k, _ := tx.Bucket(bUsers).Cursor().First()
		has = k != nil
		return nil
	})
	return has, err
}

// activeManagers counts enabled manager accounts other than except.
func activeManagers(tx *bolt.Tx, except uint64) (int, error) {
	n := 0
	err := tx.Bucket(bUsers).ForEach(func(k, v []byte) error {
		var u User
		if err := jsonDecode(v, &u); err != nil {
			return err
		}
		if u.ID != except && u.Role == RoleManager && !u.Disabled {
			n++
		}
		return nil
	})
	return n, err
}

// modifyUser loads, changes and saves one account with its feed and audit
// entries; change returns the audit detail.
func (s *Store) modifyUser(a Actor, id uint64, action string, change func(tx *bolt.Tx, u *User) (string, error)) (User, error) {
	var u User
	err := s.update(func(tx *bolt.Tx) error {
		u = User{}
		b := tx.Bucket(bUsers)
		if err := getJSON(b, itob(id), &u); err != nil {
			return err
		}
		detail, err := change(tx, &u)
		if err != nil {
			return err
		}
		w := s.writer(tx)
		u.Updated = w.now
		if err := putJSON(b, itob(id), u); err != nil {
			return err
		}
		if err := w.change("user", id, OpPut); err != nil {
			return err
		}
		return w.audit(a, action, "user", id, detail)
	})
	return u, err
}

// UpdateUser changes name, role and language. The last enabled manager
// keeps the manager role, so the dealership never locks itself out.
func (s *Store) UpdateUser(a Actor, id uint64, c UserChange) (User, error) {
	c.Name = strings.TrimSpace(c.Name)
	return s.modifyUser(a, id, "user_update", func(tx *bolt.Tx, u *User) (string, error) {
		var v Validation
		if validateUser(&v, u.Username, c.Name, c.Role, c.Lang); v.Err() != nil {
			return "", v.Err()
		}
		if u.Role == RoleManager && c.Role != RoleManager && !u.Disabled {
			if n, err := activeManagers(tx, u.ID); err != nil || n == 0 {
				if err != nil {
					return "", err
				}
				return "", Conflict("users.error.last_manager")
			}
		}
		detail := u.Username
		if u.Role != c.Role {
			detail += ": " + string(u.Role) + " → " + string(c.Role)
		}
		u.Name, u.Role, u.Lang = c.Name, c.Role, c.Lang
		return detail, nil
	})
}

// SetPassword stores a new password hash and ends the account's sessions.
func (s *Store) SetPassword(a Actor, id uint64, hash string) error {
	_, err := s.modifyUser(a, id, "password_change", func(tx *bolt.Tx, u *User) (string, error) {
		u.PasswordHash = hash
		return u.Username, deleteUserSessions(tx, u.ID)
	})
	return err
}

// SetDisabled disables (ending its sessions) or re-enables an account.
func (s *Store) SetDisabled(a Actor, id uint64, disabled bool) (User, error) {
	action := "user_enable"
	if disabled {
		action = "user_disable"
	}
	return s.modifyUser(a, id, action, func(tx *bolt.Tx, u *User) (string, error) {
		if disabled && u.Role == RoleManager && !u.Disabled {
			n, err := activeManagers(tx, u.ID)
			if err != nil {
				return "", err
			}
			if n == 0 {
				return "", Conflict("users.error.last_manager")
			}
		}
		u.Disabled = disabled
		if disabled {
			return u.Username, deleteUserSessions(tx, u.ID)
		}
		return u.Username, nil
	})
}
