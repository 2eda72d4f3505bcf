package store

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// createMany creates customers concurrently, so bbolt batches the commits and
// a test can afford hundreds of them. IDs follow commit order, not i.
func createMany(t *testing.T, s *Store, n int, newCustomer func(i int) Customer) []Customer {
	t.Helper()
	out := make([]Customer, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { out[i], errs[i] = s.CreateCustomer(staff, newCustomer(i)) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("CreateCustomer(%d): %v", i, err)
		}
	}
	return out
}

// walkCustomers follows Next from the first page to the last and returns
// every page; it fails on a page of the wrong size or a wrong Total.
func walkCustomers(t *testing.T, s *Store, order, after string, limit int, total int64) [][]Customer {
	t.Helper()
	var pages [][]Customer
	for range 1000 {
		p, err := s.Customers(order, after, limit)
		if err != nil {
			t.Fatalf("Customers(%q, %q, %d): %v", order, after, limit, err)
		}
		if p.Total != total {
			t.Errorf("page %d: Total = %d, want %d", len(pages)+1, p.Total, total)
		}
		pages = append(pages, p.Customers)
		if p.Next == "" {
			return pages
		}
		if len(p.Customers) != limit {
			t.Errorf("page %d has %d customers and a Next cursor, want %d", len(pages), len(p.Customers), limit)
		}
		after = p.Next
	}
	t.Fatal("Next never became empty")
	return nil
}

func customerIDs(cs []Customer) []uint64 {
	var ids []uint64
	for _, c := range cs {
		ids = append(ids, c.ID)
	}
	return ids
}

// pagingNames mixes case and accents: a listing sorted by bytes would put
// "Álvaro" after "zoe" and split "Ștefan" from "Stefan".
var pagingNames = []string{"Ștefan", "Stefan", "stefan", "Émile", "emile", "zoe", "Zoë", "Álvaro", "alvaro",
	"Bruno", "Ömer", "Çelik", "Dan", "Ana", "Anna", "Ann", "Ioana", "Ion", "Élodie", "Mario Rossi",
	"mario rossi", "Łukasz", "Øystein", "Ñusta", "Zeno", "Bianca"}

func TestCustomersPaging(t *testing.T) {
	s := openTest(t)
	const n = 130
	all := createMany(t, s, n, func(i int) Customer {
		name := pagingNames[i%len(pagingNames)]
		switch i / len(pagingNames) {
		case 1:
			name = strings.ToUpper(name)
		case 2:
			name = strings.ToLower(name)
		case 3:
			name += " Jr"
		}
		return Customer{Name: name}
	})

	byName := slices.Clone(all)
	sort.SliceStable(byName, func(i, j int) bool {
		fi, fj := FoldName(byName[i].Name), FoldName(byName[j].Name)
		if fi != fj {
			return fi < fj
		}
		return byName[i].ID < byName[j].ID
	})
	oldest := slices.Clone(all)
	sort.Slice(oldest, func(i, j int) bool { return oldest[i].ID < oldest[j].ID })
	newest := slices.Clone(oldest)
	slices.Reverse(newest)

	tests := []struct {
		order string
		want  []Customer
	}{
		{SortName, byName},
		{"", byName},
		{SortNewest, newest},
		{SortOldest, oldest},
	}
	for _, tt := range tests {
		t.Run("order="+tt.order, func(t *testing.T) {
			pages := walkCustomers(t, s, tt.order, "", 50, n)
			if len(pages) != 3 || len(pages[2]) != 30 {
				t.Errorf("pages of %v customers, want 50, 50, 30", func() []int {
					var l []int
					for _, p := range pages {
						l = append(l, len(p))
					}
					return l
				}())
			}
			got := customerIDs(slices.Concat(pages...))
			if want := customerIDs(tt.want); !slices.Equal(got, want) {
				t.Errorf("walked IDs\n got %v\nwant %v", got, want)
			}
		})
	}

	t.Run("accents sort with their letter", func(t *testing.T) {
		pages := walkCustomers(t, s, SortName, "", 200, n)
		var names []string
		for _, c := range pages[0] {
			names = append(names, c.Name)
		}
		pos := func(name string) int { return slices.Index(names, name) }
		for _, pair := range [][2]string{{"Álvaro", "Bruno"}, {"Dan", "Émile"}, {"Émile", "Ioana"}, {"Zeno", "zoe"}} {
			if pos(pair[0]) < 0 || pos(pair[1]) < 0 || pos(pair[0]) > pos(pair[1]) {
				t.Errorf("%q at %d, %q at %d: want the first before the second", pair[0], pos(pair[0]), pair[1], pos(pair[1]))
			}
		}
		// Every spelling of Stefan stands together.
		var at []int
		for i, name := range names {
			if FoldName(name) == "stefan" {
				at = append(at, i)
			}
		}
		if len(at) < 3 || at[len(at)-1]-at[0] != len(at)-1 {
			t.Errorf("Stefans at %v, want them side by side (%v)", at, names)
		}
	})
}

func TestCustomersBadCursor(t *testing.T) {
	s := openTest(t)
	mustCustomer(t, s, "Mario", "", "")
	for _, order := range []string{SortName, SortNewest, SortOldest} {
		for _, after := range []string{"zz", "abc", "not-a-cursor", "0x01"} {
			t.Run(order+"/"+after, func(t *testing.T) {
				p, err := s.Customers(order, after, 50)
				wantError(t, err, CodeInvalid, []string{"after"})
				if len(p.Customers) != 0 {
					t.Errorf("a bad cursor returned %d customers", len(p.Customers))
				}
			})
		}
	}
}

func TestCustomersPagingAcrossMerge(t *testing.T) {
	for _, order := range []string{SortName, SortNewest, SortOldest} {
		t.Run(order, func(t *testing.T) {
			s := openTest(t)
			const n, limit = 30, 10
			for i := range n {
				mustCustomer(t, s, pagingNames[i%len(pagingNames)], "", "")
			}
			first, err := s.Customers(order, "", limit)
			if err != nil || len(first.Customers) != limit || first.Next == "" {
				t.Fatalf("first page = %d customers, next %q, %v", len(first.Customers), first.Next, err)
			}
			second, err := s.Customers(order, first.Next, limit)
			if err != nil || len(second.Customers) != limit {
				t.Fatalf("second page = %d customers, %v", len(second.Customers), err)
			}
			// Merge away the customer the cursor points at, and one the
			// next page would show.
			keep := first.Customers[0].ID
			cursorGone := first.Customers[limit-1].ID
			laterGone := second.Customers[limit/2].ID
			for _, gone := range []uint64{cursorGone, laterGone} {
				if _, err := s.MergeCustomers(staff, keep, gone); err != nil {
					t.Fatalf("MergeCustomers(%d, %d): %v", keep, gone, err)
				}
			}

			rest := walkCustomers(t, s, order, first.Next, limit, n-2)
			seen := map[uint64]int{}
			for _, c := range slices.Concat(append([][]Customer{first.Customers}, rest...)...) {
				seen[c.ID]++
			}
			for id := uint64(1); id <= n; id++ {
				want := 1
				if id == laterGone {
					want = 0
				}
				if seen[id] != want {
					t.Errorf("customer %d listed %d times, want %d", id, seen[id], want)
				}
			}
		})
	}
}

func TestUpdateCustomerMovesIndexes(t *testing.T) {
	s, clk := openTestClock(t)
	c, err := s.CreateCustomer(staff, Customer{Name: "Mario Rossi", Email: "mario@example.it",
		Phone: "+39 333 1111111", TaxCode: "RSSMRA80A01H501U"})
	if err != nil {
		t.Fatal(err)
	}
	mustCustomer(t, s, "Lucia Verdi", "lucia@example.it", "")
	clk.Advance(time.Hour)

	c.Name, c.Email, c.Phone, c.TaxCode = "Zeno Rossi", "Zeno@Example.IT", "+39 347 2222222", "zno rss 80a01 h501x"
	got, err := s.UpdateCustomer(staff, c)
	if err != nil {
		t.Fatal(err)
	}
	if got.Email != "zeno@example.it" || !got.Created.Equal(t0) || !got.Updated.Equal(t0.Add(time.Hour)) {
		t.Errorf("UpdateCustomer = %+v", got)
	}

	tests := []struct {
		name  string
		find  func() (Customer, error)
		found bool
	}{
		{"old e-mail", func() (Customer, error) { return s.CustomerByEmail("mario@example.it") }, false},
		{"new e-mail", func() (Customer, error) { return s.CustomerByEmail("ZENO@example.it") }, true},
		{"old phone", func() (Customer, error) { return s.CustomerByPhone("+393331111111") }, false},
		{"new phone", func() (Customer, error) { return s.CustomerByPhone("+39 347-222 2222") }, true},
		{"old tax code", func() (Customer, error) { return s.CustomerByTaxID("RSSMRA80A01H501U") }, false},
		{"new tax code", func() (Customer, error) { return s.CustomerByTaxID("ZNORSS80A01H501X") }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			found, err := tt.find()
			switch {
			case tt.found && (err != nil || found.ID != c.ID):
				t.Errorf("found %+v, %v, want customer %d", found, err, c.ID)
			case !tt.found && !Is(err, CodeNotFound):
				t.Errorf("found %+v, %v, want not found", found, err)
			}
		})
	}

	t.Run("name listing", func(t *testing.T) {
		p, err := s.Customers(SortName, "", 50)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, c := range p.Customers {
			names = append(names, c.Name)
		}
		if want := []string{"Lucia Verdi", "Zeno Rossi"}; !slices.Equal(names, want) {
			t.Errorf("names = %v, want %v", names, want)
		}
	})
	t.Run("freed e-mail is free", func(t *testing.T) {
		if _, err := s.CreateCustomer(staff, Customer{Name: "New Mario", Email: "mario@example.it", Phone: "+39 333 1111111"}); err != nil {
			t.Errorf("an e-mail and phone given up by an update still conflict: %v", err)
		}
	})
	t.Run("unknown customer", func(t *testing.T) {
		before := dump(t, s)
		_, err := s.UpdateCustomer(staff, Customer{ID: 999, Name: "Nobody"})
		wantError(t, err, CodeNotFound, nil)
		wantUnchanged(t, s, before)
	})
}

func TestUpdateCustomerConflict(t *testing.T) {
	s := openTest(t)
	a, err := s.CreateCustomer(staff, Customer{Name: "Mario Rossi", Email: "mario@example.it",
		Phone: "+39 333 1111111", Mobile: "+39 347 2222222", TaxCode: "RSSMRA80A01H501U", VAT: "IT01234567890"})
	if err != nil {
		t.Fatal(err)
	}
	b := mustCustomer(t, s, "Lucia Verdi", "lucia@example.it", "+39 340 3333333")

	tests := []struct {
		name  string
		edit  func(c *Customer)
		field string
	}{
		{"e-mail in other case", func(c *Customer) { c.Email = "MARIO@example.it" }, "email"},
		{"phone = their mobile", func(c *Customer) { c.Phone = "+39 347-222 2222" }, "phone"},
		{"mobile = their phone", func(c *Customer) { c.Mobile = "+39 (333) 111.1111" }, "mobile"},
		{"tax code spaced, lower case", func(c *Customer) { c.TaxCode = "rssmra 80a01 h501u" }, "tax_code"},
		{"VAT spaced", func(c *Customer) { c.VAT = "it 01234567890" }, "vat"},
		{"tax code = their VAT", func(c *Customer) { c.TaxCode = "IT01234567890" }, "tax_code"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := dump(t, s)
			c := b
			tt.edit(&c)
			_, err := s.UpdateCustomer(staff, c)
			e := wantError(t, err, CodeConflict, []string{tt.field})
			wantKey(t, e, "exists")
			if e.Existing != a.ID {
				t.Errorf("Existing = %d, want %d (the customer who has it)", e.Existing, a.ID)
			}
			wantUnchanged(t, s, before)
		})
	}
	t.Run("own details kept", func(t *testing.T) {
		c := a
		c.Notes = "Prefers mornings"
		c.Phone = "+39 333 111 1111"
		if _, err := s.UpdateCustomer(staff, c); err != nil {
			t.Errorf("saving a customer with their own e-mail, phones and tax numbers: %v", err)
		}
	})
}

func TestUpdateCustomerMarketingConsent(t *testing.T) {
	s, clk := openTestClock(t)
	c := mustCustomer(t, s, "Mario Rossi", "mario@example.it", "")
	steps := []struct {
		name       string
		edit       func(c *Customer)
		wantDate   time.Time // zero: no consent
		wantSource string
		wantEvent  string // newest timeline event
		events     int
	}{
		{"opt in on paper", func(c *Customer) { c.Marketing, c.MarketingSource = true, "paper" },
			t0.Add(1 * time.Hour), "paper", "timeline.marketing_on", 2},
		{"unrelated edit keeps date and source", func(c *Customer) {
			c.Notes = "Call after 5pm"
			c.MarketingDate, c.MarketingSource = time.Time{}, "" // as a form that does not show them sends it
		}, t0.Add(1 * time.Hour), "paper", "timeline.marketing_on", 2},
		{"another edit with a different source", func(c *Customer) { c.Address = "Via Roma 1"; c.MarketingSource = "phone" },
			t0.Add(1 * time.Hour), "paper", "timeline.marketing_on", 2},
		{"opt out", func(c *Customer) { c.Marketing = false },
			time.Time{}, "", "timeline.marketing_off", 3},
		{"opt in again", func(c *Customer) { c.Marketing = true },
			t0.Add(5 * time.Hour), "form", "timeline.marketing_on", 4},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			clk.Advance(time.Hour)
			st.edit(&c)
			got, err := s.UpdateCustomer(staff, c)
			if err != nil {
				t.Fatal(err)
			}
			c = got
			stored, err := s.Customer(c.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, cu := range []Customer{got, stored} {
				if cu.Marketing != !st.wantDate.IsZero() || !cu.MarketingDate.Equal(st.wantDate) || cu.MarketingSource != st.wantSource {
					t.Errorf("consent = %v since %v from %q, want since %v from %q",
						cu.Marketing, cu.MarketingDate, cu.MarketingSource, st.wantDate, st.wantSource)
				}
			}
			events, err := s.Timeline(c.ID, 100)
			if err != nil {
				t.Fatal(err)
			}
			if len(events) != st.events || events[0].Key != st.wantEvent {
				t.Errorf("timeline = %v, want %d events, newest %s", eventKeys(events), st.events, st.wantEvent)
			}
		})
	}
}

func TestMatches(t *testing.T) {
	s := openTest(t)
	a, err := s.CreateCustomer(staff, Customer{Name: "Mario Rossi", Email: "mario@example.it",
		Phone: "+39 333 1111111", Mobile: "+39 347 2222222", TaxCode: "RSSMRA80A01H501U", VAT: "IT01234567890"})
	if err != nil {
		t.Fatal(err)
	}
	b := mustCustomer(t, s, "Lucia Verdi", "lucia@example.it", "+39 340 3333333")
	mustCustomer(t, s, "Walk-in", "", "")

	tests := []struct {
		name string
		c    Customer
		want []uint64
	}{
		{"e-mail in other case", Customer{Email: " Mario@Example.it "}, []uint64{a.ID}},
		{"phone written differently", Customer{Phone: "+39 (333) 111-1111"}, []uint64{a.ID}},
		{"their mobile typed as phone", Customer{Phone: "+39 347 222 2222"}, []uint64{a.ID}},
		{"mobile", Customer{Mobile: "+393472222222"}, []uint64{a.ID}},
		{"tax code lower case", Customer{TaxCode: "rssmra80a01h501u"}, []uint64{a.ID}},
		{"VAT spaced", Customer{VAT: "IT 012 345 678 90"}, []uint64{a.ID}},
		{"everything of one customer, once", Customer{Email: "mario@example.it", Phone: "+393331111111",
			Mobile: "+393472222222", TaxCode: "RSSMRA80A01H501U", VAT: "IT01234567890"}, []uint64{a.ID}},
		{"two customers, by ID", Customer{Email: "lucia@example.it", VAT: "IT01234567890"}, []uint64{a.ID, b.ID}},
		{"the record itself", a, nil},
		{"itself and another", func() Customer { c := b; c.Mobile = "+39 347 2222222"; return c }(), []uint64{a.ID}},
		{"nothing known", Customer{Name: "New", Email: "new@example.it", Phone: "+39 320 9999999"}, nil},
		{"no details", Customer{Name: "Walk-in"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Matches(tt.c)
			if err != nil {
				t.Fatal(err)
			}
			if ids := customerIDs(got); !slices.Equal(ids, tt.want) {
				t.Errorf("Matches = %v, want %v", ids, tt.want)
			}
		})
	}
}

func eventKeys(events []TimelineEvent) []string {
	var keys []string
	for _, e := range events {
		keys = append(keys, fmt.Sprintf("%s#%d", e.Key, e.Record))
	}
	return keys
}
