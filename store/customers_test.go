package store

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"unicode"
)

func TestNormalizePhone(t *testing.T) {
	tests := []struct{ in, want string }{
		{"+39 333-12 34", "+393331234"},
		{"+393331234", "+393331234"},
		{"  +39 (333) 123.4567 ", "+393331234567"},
		{"0039 333 1234567", "00393331234567"},
		{"333/1234567", "3331234567"},
		{"+40 721 234 567", "+40721234567"},
		{"39+333", "39333"},
		{"++39", "+39"},
		{"", ""},
		{"abc", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := NormalizePhone(tt.in); got != tt.want {
				t.Errorf("NormalizePhone(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzNormalizePhone(f *testing.F) {
	for _, s := range []string{"+39 333-12 34", " +40 721 234 567", "++39", "39+333", "", "\u0663\u0664", "+\xff1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got := NormalizePhone(in)
		if again := NormalizePhone(got); again != got {
			t.Fatalf("not idempotent: %q -> %q -> %q", in, got, again)
		}
		for i, r := range got {
			if !(unicode.IsDigit(r) || (r == '+' && i == 0)) {
				t.Fatalf("NormalizePhone(%q) = %q keeps %q at %d", in, got, r, i)
			}
		}
	})
}

func TestCreateCustomerNormalises(t *testing.T) {
	s := openTest(t)
	c, err := s.CreateCustomer(staff, Customer{Name: "  Mario Rossi ", Email: " Mario.Rossi@Example.IT ", Phone: " +39 333-123 4567 "})
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "Mario Rossi" || c.Email != "mario.rossi@example.it" || c.Phone != "+39 333-123 4567" ||
		!c.Created.Equal(t0) || !c.Updated.Equal(t0) || c.ID == 0 {
		t.Errorf("CreateCustomer = %+v", c)
	}
	if got, err := s.Customer(c.ID); err != nil || got != c {
		t.Errorf("Customer(%d) = %+v, %v", c.ID, got, err)
	}
	for _, email := range []string{"mario.rossi@example.it", "MARIO.ROSSI@EXAMPLE.IT", " Mario.Rossi@example.it "} {
		if got, err := s.CustomerByEmail(email); err != nil || got.ID != c.ID {
			t.Errorf("CustomerByEmail(%q) = %+v, %v", email, got, err)
		}
	}
	for _, phone := range []string{"+393331234567", "+39 333 123 4567", "+39 (333) 123-45-67", " +39.333.1234567"} {
		if got, err := s.CustomerByPhone(phone); err != nil || got.ID != c.ID {
			t.Errorf("CustomerByPhone(%q) = %+v, %v", phone, got, err)
		}
	}
	for _, phone := range []string{"3331234567", "0039 333 1234567", "+39 333 123 456"} {
		if _, err := s.CustomerByPhone(phone); !Is(err, CodeNotFound) {
			t.Errorf("CustomerByPhone(%q) found a customer, want not found (err %v)", phone, err)
		}
	}
	if _, err := s.Customer(999); !Is(err, CodeNotFound) {
		t.Errorf("Customer(999) err = %v", err)
	}
}

func TestCustomerWithoutContactDetails(t *testing.T) {
	s := openTest(t)
	mustCustomer(t, s, "Walk-in", "", "")
	mustCustomer(t, s, "Another walk-in", "", "")
	if _, err := s.CustomerByEmail(""); !Is(err, CodeNotFound) {
		t.Errorf("CustomerByEmail(\"\") err = %v, want not found", err)
	}
	if _, err := s.CustomerByPhone(" - "); !Is(err, CodeNotFound) {
		t.Errorf("CustomerByPhone(\" - \") err = %v, want not found", err)
	}
	if c, _ := s.Counts(); c.Customers != 2 {
		t.Errorf("Counts.Customers = %d, want 2", c.Customers)
	}
}

func TestCreateCustomerValidation(t *testing.T) {
	tests := []struct {
		name   string
		c      Customer
		fields []string
	}{
		{"missing name", Customer{Name: " \t"}, []string{"name"}},
		{"name too long", Customer{Name: strings.Repeat("x", 201)}, []string{"name"}},
		{"bad e-mail", Customer{Name: "M", Email: "mario@"}, []string{"email"}},
		{"e-mail with display name", Customer{Name: "M", Email: "Mario <mario@example.it>"}, []string{"email"}},
		{"phone too short", Customer{Name: "M", Phone: "+39 12"}, []string{"phone"}},
		{"phone of letters", Customer{Name: "M", Phone: "call me"}, []string{"phone"}},
		{"all three", Customer{Email: "x", Phone: "1"}, []string{"name", "email", "phone"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTest(t)
			before := dump(t, s)
			_, err := s.CreateCustomer(staff, tt.c)
			wantError(t, err, CodeInvalid, tt.fields)
			wantUnchanged(t, s, before)
		})
	}
}

func TestCreateCustomerConflict(t *testing.T) {
	tests := []struct {
		name  string
		c     Customer
		field string
	}{
		{"same e-mail other case", Customer{Name: "Other", Email: "MARIO@example.it"}, "email"},
		{"same phone other format", Customer{Name: "Other", Phone: "+39 (333) 123-4567"}, "phone"},
		{"new e-mail, same phone", Customer{Name: "Other", Email: "other@example.it", Phone: "+393331234567"}, "phone"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTest(t)
			mustCustomer(t, s, "Mario", "mario@example.it", "+39 333 1234567")
			before := dump(t, s)
			_, err := s.CreateCustomer(staff, tt.c)
			wantError(t, err, CodeConflict, []string{tt.field})
			wantUnchanged(t, s, before)
		})
	}
}

func TestConcurrentCreateCustomers(t *testing.T) {
	s := openTest(t)
	const n = 64
	const dups = 16 // of the first customers, each also attempted a second time
	type result struct {
		c   Customer
		err error
	}
	results := make([]result, n+dups)
	var wg sync.WaitGroup
	for i := range n + dups {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k := i % n
			c, err := s.CreateCustomer(staff, Customer{
				Name:  fmt.Sprint("Customer ", i),
				Email: fmt.Sprintf("c%d@example.it", k),
				Phone: fmt.Sprintf("+39 333 %07d", k),
			})
			results[i] = result{c, err}
		}()
	}
	wg.Wait()

	ids := map[uint64]bool{}
	for k := range n {
		first, second := results[k], result{err: fmt.Errorf("not attempted")}
		if k < dups {
			second = results[n+k]
		}
		var won result
		switch {
		case k >= dups:
			if first.err != nil {
				t.Errorf("customer %d: %v", k, first.err)
				continue
			}
			won = first
		case first.err == nil && Is(second.err, CodeConflict):
			won = first
		case second.err == nil && Is(first.err, CodeConflict):
			won = second
		default:
			t.Errorf("customer %d twice: errors %v and %v, want exactly one conflict", k, first.err, second.err)
			continue
		}
		if ids[won.c.ID] {
			t.Errorf("ID %d given twice", won.c.ID)
		}
		ids[won.c.ID] = true
		if got, err := s.CustomerByEmail(fmt.Sprintf("c%d@example.it", k)); err != nil || got.ID != won.c.ID {
			t.Errorf("CustomerByEmail(c%d) = %+v, %v, want ID %d", k, got, err, won.c.ID)
		}
	}
	if len(ids) != n {
		t.Errorf("%d distinct IDs, want %d", len(ids), n)
	}
	counts, _ := s.Counts()
	if counts.Customers != n {
		t.Errorf("Counts.Customers = %d, want %d", counts.Customers, n)
	}
	changes, _ := s.Changes(0, 1000)
	feedIDs := map[uint64]bool{}
	for i, c := range changes {
		if c.Seq != uint64(i+1) {
			t.Errorf("change %d has Seq %d", i, c.Seq)
		}
		if c.Kind == "customer" {
			feedIDs[c.ID] = true
		}
	}
	if len(changes) < n || len(feedIDs) != n {
		t.Errorf("feed has %d entries for %d customers, want %d", len(changes), len(feedIDs), n)
	}
	audits, _, _ := s.AuditLog(AuditFilter{Action: "customer_create", Limit: 500})
	if len(audits) != n {
		t.Errorf("%d audit entries, want %d", len(audits), n)
	}
}
