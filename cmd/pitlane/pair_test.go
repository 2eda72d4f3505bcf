package main

import (
	"regexp"
	"strings"
	"testing"

	"pitlane/auth"
	"pitlane/store"
)

var printedLink = regexp.MustCompile(`(\S*)/pair/([A-Za-z0-9_-]{43})\b`)

// TestPair runs pitlane pair on a stopped appliance's data folder (the
// running service's side, through the socket, is in the e2e journey).
func TestPair(t *testing.T) {
	dir := t.TempDir()
	s, err := store.Open(dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ana, _ := s.CreateCustomer(store.CLI, store.Customer{Name: "Ana Pop", Email: "ana@example.com", Mobile: "+40 721 000 111"})
	s.Close()

	tokens := map[string]uint64{}
	for _, tt := range []struct {
		name, customer, base string
		args                 []string
	}{
		{"by e-mail", "ANA@example.com", "", nil},
		{"by phone however written", "+40 (721) 000-111", "", nil},
		{"by number", "#1", "", nil},
		{"by bare number", "1", "", nil},
		{"with the public address", "ana@example.com", "https://officina.example.it", []string{"--public-url", "https://officina.example.it/"}},
		{"for a week", "ana@example.com", "", []string{"--ttl", "168h"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out := ok(t, "", append([]string{"pair", "--data", dir, "--customer", tt.customer}, tt.args...)...)
			m := printedLink.FindStringSubmatch(out)
			if m == nil || m[1] != tt.base || !strings.Contains(out, "#1 Ana Pop") {
				t.Fatalf("printed:\n%s", out)
			}
			if (tt.base == "") != strings.Contains(out, "--public-url") {
				t.Errorf("the note about the address is wrong:\n%s", out)
			}
			tokens[m[2]] = ana.ID
		})
	}
	for _, tt := range []struct {
		name, want string
		code       int
		args       []string
	}{
		{"unknown customer", "no customer with the number, e-mail or phone", 1, []string{"--customer", "nobody@example.com"}},
		{"no customer", "--customer is required", 2, nil},
		{"TTL beyond the maximum", "between one minute and 30 days", 1, []string{"--customer", "#1", "--ttl", "1000h"}},
		{"bad public address", "--public-url must be", 2, []string{"--customer", "#1", "--public-url", "officina.example.it"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			failsWith(t, tt.code, tt.want, "", append([]string{"pair", "--data", dir}, tt.args...)...)
		})
	}

	s, err = store.Open(dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for token := range tokens {
		d, err := s.Pair(store.Actor{}, auth.HashToken(token), "Phone", auth.HashToken(auth.NewToken()))
		if err != nil || d.CustomerID != ana.ID {
			t.Errorf("printed link pairs %+v, %v", d, err)
		}
	}
	if len(tokens) != 6 {
		t.Errorf("%d distinct links for 6 runs", len(tokens))
	}
	entries, _, _ := s.AuditLog(store.AuditFilter{Action: "pair_link_create"})
	if len(entries) != 6 || entries[0].Actor.Kind != "cli" {
		t.Errorf("audit = %+v", entries)
	}
}
