package store

import (
	"bytes"
	"encoding/hex"
	"net/mail"
	"sort"
	"strings"
	"time"
	"unicode"

	bolt "go.etcd.io/bbolt"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Customer is a person or company the dealership serves.
type Customer struct {
	ID      uint64 `json:"id"`
	Company bool   `json:"company,omitempty"`
	Name    string `json:"name"`
	Phone   string `json:"phone,omitempty"`
	Mobile  string `json:"mobile,omitempty"`
	Email   string `json:"email,omitempty"`
	Address string `json:"address,omitempty"`
	// TaxCode is the personal tax code (codice fiscale, CNP); VAT the
	// company's VAT number.
	TaxCode string `json:"tax_code,omitempty"`
	VAT     string `json:"vat,omitempty"`
	Lang    string `json:"lang,omitempty"`
	// Marketing consent, with when and how it was given (GDPR).
	Marketing       bool      `json:"marketing,omitempty"`
	MarketingDate   time.Time `json:"marketing_date,omitempty"`
	MarketingSource string    `json:"marketing_source,omitempty"`
	Notes           string    `json:"notes,omitempty"`
	Created         time.Time `json:"created"`
	Updated         time.Time `json:"updated"`
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

// NormalizeTaxID is how tax codes and VAT numbers are compared: letters and
// digits, upper case ("IT 01234567890" == "it01234567890").
func NormalizeTaxID(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		if (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// FoldName is how names sort and compare: lower case without accents, so
// "Ștefan" sorts with "Stefan".
func FoldName(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, strings.ToLower(strings.TrimSpace(s)))
	if err != nil {
		return strings.ToLower(s)
	}
	return out
}

// Marketing consent sources.
var ConsentSources = []string{"form", "paper", "phone", "pwa", "import"}

func (c *Customer) normalize(now time.Time) error {
	var v Validation
	c.Name = strings.TrimSpace(c.Name)
	c.Email = strings.ToLower(strings.TrimSpace(c.Email))
	c.Phone, c.Mobile = strings.TrimSpace(c.Phone), strings.TrimSpace(c.Mobile)
	c.TaxCode, c.VAT = strings.ToUpper(strings.TrimSpace(c.TaxCode)), strings.ToUpper(strings.TrimSpace(c.VAT))
	c.Address, c.Notes = strings.TrimSpace(c.Address), strings.TrimSpace(c.Notes)
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
	for field, p := range map[string]string{"phone": c.Phone, "mobile": c.Mobile} {
		if p != "" && len(NormalizePhone(p)) < 6 {
			v.Add(field, "common.error.invalid_phone")
		}
	}
	if p, m := NormalizePhone(c.Phone), NormalizePhone(c.Mobile); p != "" && p == m {
		c.Mobile = ""
	}
	if c.Lang != "" && c.Lang != "en" && c.Lang != "it" && c.Lang != "ro" {
		v.Add("lang", "users.error.lang_invalid")
	}
	if len(c.Notes) > 5000 {
		v.Add("notes", "common.error.too_long", "max", "5000")
	}
	if c.Marketing {
		if c.MarketingDate.IsZero() {
			c.MarketingDate = now.UTC()
		}
		if c.MarketingSource == "" {
			c.MarketingSource = "form"
		}
		if !contains(ConsentSources, c.MarketingSource) {
			v.Add("marketing_source", "customers.error.consent_source")
		}
	} else {
		c.MarketingDate, c.MarketingSource = time.Time{}, ""
	}
	return v.Err()
}

// identityKeys are the index entries that make a customer unique: an e-mail,
// phone or tax number belongs to one customer only.
func (c *Customer) identityKeys() []identityKey {
	var keys []identityKey
	add := func(b []byte, k, field, taken string) {
		if k != "" {
			keys = append(keys, identityKey{b, []byte(k), field, taken})
		}
	}
	add(bCustByEmail, c.Email, "email", "customers.error.email_taken")
	add(bCustByPhone, NormalizePhone(c.Phone), "phone", "customers.error.phone_taken")
	add(bCustByPhone, NormalizePhone(c.Mobile), "mobile", "customers.error.mobile_taken")
	add(bCustByTax, NormalizeTaxID(c.TaxCode), "tax_code", "customers.error.tax_code_taken")
	add(bCustByTax, NormalizeTaxID(c.VAT), "vat", "customers.error.vat_taken")
	return keys
}

// identityKey is one unique index entry of a customer and the message shown
// when another customer already holds it.
type identityKey struct {
	bucket, key  []byte
	field, taken string
}

func nameKey(c *Customer) []byte {
	return append([]byte(FoldName(c.Name)+"\x00"), itob(c.ID)...)
}

// checkCustomerUnique returns a conflict naming the existing customer when
// another customer holds one of c's identity keys.
func checkCustomerUnique(tx *bolt.Tx, c *Customer) error {
	for _, k := range c.identityKeys() {
		if id := tx.Bucket(k.bucket).Get(k.key); id != nil && btoi(id) != c.ID {
			return &Error{Code: CodeConflict, Key: "customers.error.exists", Existing: btoi(id),
				Fields: []FieldError{{Field: k.field, Key: k.taken}}}
		}
	}
	return nil
}

func putCustomerIndexes(tx *bolt.Tx, c *Customer) error {
	for _, k := range c.identityKeys() {
		if err := tx.Bucket(k.bucket).Put(k.key, itob(c.ID)); err != nil {
			return err
		}
	}
	return tx.Bucket(bCustByName).Put(nameKey(c), nil)
}

func deleteCustomerIndexes(tx *bolt.Tx, c *Customer) error {
	for _, k := range c.identityKeys() {
		b := tx.Bucket(k.bucket)
		if id := b.Get(k.key); id != nil && btoi(id) == c.ID {
			if err := b.Delete(k.key); err != nil {
				return err
			}
		}
	}
	return tx.Bucket(bCustByName).Delete(nameKey(c))
}

// putNewCustomer writes a new customer with its indexes, counter, timeline
// and feed entry; an e-mail, phone or tax number already on file is a
// conflict naming the customer who has it.
func (s *Store) putNewCustomer(w writer, c *Customer) error {
	c.ID = 0
	if err := checkCustomerUnique(w.tx, c); err != nil {
		return err
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
	if err := putCustomerIndexes(w.tx, c); err != nil {
		return err
	}
	if err := counter(w.tx, "customers", 1); err != nil {
		return err
	}
	if err := w.timeline(id, "customer", id, "timeline.customer_created"); err != nil {
		return err
	}
	return w.change("customer", id, OpPut)
}

// CreateCustomer adds a customer.
func (s *Store) CreateCustomer(a Actor, c Customer) (Customer, error) {
	if err := c.normalize(s.now()); err != nil {
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

// UpdateCustomer changes a customer's details; identity keys stay unique.
func (s *Store) UpdateCustomer(a Actor, c Customer) (Customer, error) {
	if err := c.normalize(s.now()); err != nil {
		return c, err
	}
	err := s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bCustomers)
		var old Customer
		if err := getJSON(b, itob(c.ID), &old); err != nil {
			return err
		}
		if err := checkCustomerUnique(tx, &c); err != nil {
			return err
		}
		if old.Marketing == c.Marketing && c.Marketing {
			c.MarketingDate, c.MarketingSource = old.MarketingDate, old.MarketingSource
		}
		w := s.writer(tx)
		c.Created, c.Updated = old.Created, w.now
		if err := deleteCustomerIndexes(tx, &old); err != nil {
			return err
		}
		if err := putCustomerIndexes(tx, &c); err != nil {
			return err
		}
		if err := putJSON(b, itob(c.ID), c); err != nil {
			return err
		}
		if old.Marketing != c.Marketing {
			key := "timeline.marketing_off"
			if c.Marketing {
				key = "timeline.marketing_on"
			}
			if err := w.timeline(c.ID, "customer", c.ID, key); err != nil {
				return err
			}
		}
		if err := w.change("customer", c.ID, OpPut); err != nil {
			return err
		}
		return w.audit(a, "customer_update", "customer", c.ID, c.Name)
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

// CustomerByPhone finds a customer by phone or mobile number, however it is
// written.
func (s *Store) CustomerByPhone(phone string) (Customer, error) {
	return s.customerBy(bCustByPhone, NormalizePhone(phone))
}

// CustomerByTaxID finds a customer by tax code or VAT number.
func (s *Store) CustomerByTaxID(id string) (Customer, error) {
	return s.customerBy(bCustByTax, NormalizeTaxID(id))
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

// Customer list orders.
const (
	SortName    = "name"
	SortNewest  = "newest"
	SortOldest  = "oldest"
	maxPageSize = 200
)

// CustomerPage is one page of a customer listing. Next is the opaque cursor
// of the following page ("" at the end).
type CustomerPage struct {
	Customers []Customer
	Next      string
	Total     int64
}

// Customers lists customers in the given order (SortName, SortNewest,
// SortOldest), limit at a time, starting after the cursor a previous page
// returned. Name order walks the name index, so a page costs the same on the
// thousandth page as on the first.
func (s *Store) Customers(order, after string, limit int) (CustomerPage, error) {
	if limit <= 0 || limit > maxPageSize {
		limit = 50
	}
	from, err := hex.DecodeString(after)
	if err != nil {
		return CustomerPage{}, Invalid("after", "errors.invalid")
	}
	var p CustomerPage
	err = s.view(func(tx *bolt.Tx) error {
		p.Total = readCounter(tx, "customers")
		all := tx.Bucket(bCustomers)
		index := all
		if order != SortNewest && order != SortOldest {
			index = tx.Bucket(bCustByName)
		}
		c := index.Cursor()
		step := c.Next
		var k []byte
		if order == SortNewest {
			step = c.Prev
			switch k, _ = c.Seek(from); {
			case len(from) == 0 || k == nil:
				k, _ = c.Last()
				if len(from) > 0 && k != nil && bytes.Compare(k, from) >= 0 {
					k, _ = c.Prev()
				}
			default:
				k, _ = c.Prev()
			}
		} else {
			k, _ = c.Seek(from)
			if len(from) > 0 && bytes.Equal(k, from) {
				k, _ = c.Next()
			}
		}
		var last []byte
		for ; k != nil; k, _ = step() {
			if len(p.Customers) == limit {
				p.Next = hex.EncodeToString(last)
				return nil
			}
			var cu Customer
			if err := getJSON(all, k[len(k)-8:], &cu); err != nil {
				return err
			}
			p.Customers = append(p.Customers, cu)
			last = append(last[:0], k...)
		}
		return nil
	})
	return p, err
}

// Matches lists the customers that already hold any of c's e-mail, phones
// or tax numbers, so staff see the existing record before creating another.
func (s *Store) Matches(c Customer) ([]Customer, error) {
	_ = c.normalize(s.now())
	var out []Customer
	err := s.view(func(tx *bolt.Tx) error {
		seen := map[uint64]bool{}
		for _, k := range c.identityKeys() {
			id := tx.Bucket(k.bucket).Get(k.key)
			if id == nil || seen[btoi(id)] || btoi(id) == c.ID {
				continue
			}
			seen[btoi(id)] = true
			var cu Customer
			if err := getJSON(tx.Bucket(bCustomers), id, &cu); err != nil {
				return err
			}
			out = append(out, cu)
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, err
}
