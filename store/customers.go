package store

import (
	"net/mail"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Customer is a person or company the dealership serves.
type Customer struct {
	ID      uint64    `json:"id"`
	Company bool      `json:"company,omitempty"`
	Name    string    `json:"name"`
	Phone   string    `json:"phone,omitempty"`
	Email   string    `json:"email,omitempty"`
	Address string    `json:"address,omitempty"`
	TaxCode string    `json:"tax_code,omitempty"`
	Lang    string    `json:"lang,omitempty"`
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
}

// NormalizePhone keeps the digits and a leading +, so "+39 333-12 34"
// and "+393331234" find the same customer.
func NormalizePhone(p string) string {
	var b strings.Builder
	for i, r := range strings.TrimSpace(p) {
		if (r >= '0' && r <= '9') || (r == '+' && i == 0) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func (c *Customer) normalize() error {
	var v Validation
	c.Name = strings.TrimSpace(c.Name)
	c.Email = strings.ToLower(strings.TrimSpace(c.Email))
	c.Phone = strings.TrimSpace(c.Phone)
	if c.Name == "" {
		v.Add("name", "common.error.required")
	} else if len(c.Name) > 200 {
		v.Add("name", "common.error.too_long", "max", "200")
	}
	if c.Email != "" {
		if a, err := mail.ParseAddress(c.Email); err != nil || a.Address != c.Email {
			v.Add("email", "common.error.invalid_email")
		}
	}
	if c.Phone != "" && len(NormalizePhone(c.Phone)) < 6 {
		v.Add("phone", "common.error.invalid_phone")
	}
	return v.Err()
}

// putNewCustomer writes a new customer with its indexes, counter and feed
// entry; an e-mail or phone already on file is a conflict.
func (s *Store) putNewCustomer(w writer, c *Customer) error {
	byEmail, byPhone := w.tx.Bucket(bCustByEmail), w.tx.Bucket(bCustByPhone)
	phone := NormalizePhone(c.Phone)
	if c.Email != "" && byEmail.Get([]byte(c.Email)) != nil {
		return &Error{Code: CodeConflict, Key: "customers.error.exists", Fields: []FieldError{{Field: "email", Key: "customers.error.email_taken"}}}
	}
	if phone != "" && byPhone.Get([]byte(phone)) != nil {
		return &Error{Code: CodeConflict, Key: "customers.error.exists", Fields: []FieldError{{Field: "phone", Key: "customers.error.phone_taken"}}}
	}
	b := w.tx.Bucket(bCustomers)
	id, err := b.NextSequence()
	if err != nil {
		return err
	}
	c.ID, c.Created, c.Updated = id, w.now, w.now
	if err := putJSON(b, itob(id), c); err != nil {
		return err
	}
	if c.Email != "" {
		if err := byEmail.Put([]byte(c.Email), itob(id)); err != nil {
			return err
		}
	}
	if phone != "" {
		if err := byPhone.Put([]byte(phone), itob(id)); err != nil {
			return err
		}
	}
	if err := counter(w.tx, "customers", 1); err != nil {
		return err
	}
	return w.change("customer", id, OpPut)
}

// CreateCustomer adds a customer.
func (s *Store) CreateCustomer(a Actor, c Customer) (Customer, error) {
	if err := c.normalize(); err != nil {
		return c, err
	}
	err := s.update(func(tx *bolt.Tx) error {
		w := s.writer(tx)
		if err := s.putNewCustomer(w, &c); err != nil {
			return err
		}
		return w.audit(a, "customer_create", "customer", c.ID, c.Name)
	})
	return c, err
}

// Customer returns one customer.
func (s *Store) Customer(id uint64) (Customer, error) {
	var c Customer
	err := s.view(func(tx *bolt.Tx) error { return getJSON(tx.Bucket(bCustomers), itob(id), &c) })
	return c, err
}

// CustomerByEmail finds a customer by e-mail address.
func (s *Store) CustomerByEmail(email string) (Customer, error) {
	return s.customerBy(bCustByEmail, strings.ToLower(strings.TrimSpace(email)))
}

// CustomerByPhone finds a customer by phone number, however it is written.
func (s *Store) CustomerByPhone(phone string) (Customer, error) {
	return s.customerBy(bCustByPhone, NormalizePhone(phone))
}

func (s *Store) customerBy(index []byte, key string) (Customer, error) {
	var c Customer
	err := s.view(func(tx *bolt.Tx) error {
		id := tx.Bucket(index).Get([]byte(key))
		if id == nil || key == "" {
			return NotFound()
		}
		return getJSON(tx.Bucket(bCustomers), id, &c)
	})
	return c, err
}
