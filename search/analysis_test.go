package search

import (
	"fmt"
	"strings"
	"testing"

	"pitlane/store"
)

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Rossi", "rossi"},
		{"José", "jose"},
		{"Ștefan", "stefan"},       // s with comma below, as Romanian is written
		{"Ştefan", "stefan"},       // s with cedilla, as it is often typed
		{"ŞTEFAN", "stefan"},       // capital with cedilla
		{"S\u0326tefan", "stefan"}, // decomposed: S and a combining comma
		{"Țăran", "taran"},
		{"Łódź", "lodz"},
		{"Straße", "strasse"},
		{"Müller", "muller"},
		{"Çelik", "celik"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := foldString(tt.in); got != tt.want {
				t.Errorf("fold(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestFinds is what staff type and what they must find: plates and VINs
// however written and by their start, names with accents or a typo, phone
// numbers with or without the calling code, and words of job descriptions.
func TestFinds(t *testing.T) {
	g := newGarage(t)
	ix := g.open(t)
	caughtUp(t, ix)
	tests := []struct {
		text string
		kind Kind
		id   uint64
	}{
		{"ab123cd", KindVehicle, g.panda.ID},
		{"AB 123-CD", KindVehicle, g.panda.ID},
		{"AB12", KindVehicle, g.panda.ID},
		{"ab 12", KindVehicle, g.panda.ID},
		{"ab-1", KindVehicle, g.panda.ID},
		{"b123xyz", KindVehicle, g.dacia.ID},
		{"ZFA31200000123456", KindVehicle, g.panda.ID},
		{"zfa3120", KindVehicle, g.panda.ID},
		{"panda", KindVehicle, g.panda.ID},
		{"rossi panda", KindVehicle, g.panda.ID}, // the owner's name is in the car's document
		{"Jose", KindCustomer, g.jose.ID},
		{"JOSÉ álvarez", KindCustomer, g.jose.ID},
		{"alvarez", KindCustomer, g.jose.ID},
		{"Stefan", KindCustomer, g.stefanComma.ID},
		{"Stefan", KindCustomer, g.stefanCedilla.ID},
		{"Stefan", KindCustomer, g.sefan.ID}, // one letter away: a typo
		{"Ştefan marin", KindCustomer, g.stefanComma.ID},
		{"Ștefan dumitru", KindCustomer, g.stefanCedilla.ID},
		{"Popesku", KindCustomer, g.popescu.ID},
		{"Pope", KindCustomer, g.popescu.ID},
		{"mario ross", KindCustomer, g.rossi.ID},
		{"0721 234", KindCustomer, g.popescu.ID},
		{"+40721234567", KindCustomer, g.popescu.ID},
		{"340 123 45", KindCustomer, g.rossi.ID},
		{"0039 340 1234", KindCustomer, g.rossi.ID},
		{"mario.rossi@ex", KindCustomer, g.rossi.ID},
		{"example", KindCustomer, g.rossi.ID},
		{"IT 0123456", KindCustomer, g.rossi.ID},
		{"01234567890", KindCustomer, g.rossi.ID},
		{"18501011", KindCustomer, g.popescu.ID},
		{g.brakes.Number, KindJob, g.brakes.ID},
		{"brake pads", KindJob, g.brakes.ID},
		{"brak", KindJob, g.brakes.ID},
		{"disks", KindJob, g.brakes.ID},
		{"pastiglie", KindJob, g.brakes.ID}, // a line of the estimate
		{"tagliando", KindAppointment, g.service.ID},
		{"meccanica", KindAppointment, g.service.ID},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			if res := find(t, ix, tt.text, store.RoleWorkshop); !res.has(tt.kind, tt.id) {
				t.Errorf("%q did not find %s %d; found: %s", tt.text, tt.kind, tt.id, res)
			}
		})
	}

	misses := []struct {
		text string
		kind Kind
		id   uint64
	}{
		{"ab123cx", KindVehicle, g.panda.ID}, // plates are not fuzzy
		{"123cd", KindVehicle, g.panda.ID},   // nor found by their end
		{"rossi", KindCustomer, g.popescu.ID},
		{"Jo", KindCustomer, g.popescu.ID},
		{"brake pads clutch", KindJob, g.brakes.ID}, // every word must match
	}
	for _, tt := range misses {
		t.Run("not "+tt.text, func(t *testing.T) {
			if res := find(t, ix, tt.text, store.RoleWorkshop); res.has(tt.kind, tt.id) {
				t.Errorf("%q found %s %d", tt.text, tt.kind, tt.id)
			}
		})
	}
}

func TestHighlight(t *testing.T) {
	tests := []struct {
		query string
		mark  func(p parsed) Text
		want  string // matches in [brackets]
	}{
		{"AB12", func(p parsed) Text { return p.markCompact("AB 123-CD", p.compact, store.NormalizePlate) }, "[AB 12]3-CD"},
		{"ab123cd", func(p parsed) Text { return p.markCompact("AB 123-CD", p.compact, store.NormalizePlate) }, "[AB 123-CD]"},
		{"zfa31", func(p parsed) Text { return p.markCompact("ZFA31200000123456", p.compact, store.NormalizePlate) }, "[ZFA31]200000123456"},
		{"Jose", func(p parsed) Text { return p.markWords("José Álvarez") }, "[José] Álvarez"},
		{"popesku", func(p parsed) Text { return p.markWords("Ioana Popescu") }, "Ioana [Popescu]"},
		{"ște", func(p parsed) Text { return p.markWords("Ştefan Dumitru") }, "[Şte]fan Dumitru"},
		{"brake pads", func(p parsed) Text { return p.markWords("Front brake pads and discs") }, "Front [brake] [pads] and discs"},
		{"0721 23", func(p parsed) Text { return p.markPhone("+40 721 234 567") }, "+40 [721 23]4 567"},
		{"340123", func(p parsed) Text { return p.markPhone("+39 340 123 4567") }, "+39 [340 123] 4567"},
		{"mario.r", func(p parsed) Text { return p.markEmail("mario.rossi@example.it") }, "[mario.r]ossi@example.it"},
		{"example", func(p parsed) Text { return p.markEmail("mario.rossi@example.it") }, "mario.rossi@[example].it"},
		{"42", func(p parsed) Text { return p.markNumber("2026-000042") }, "2026-[000042]"},
		{"2026-0000", func(p parsed) Text { return p.markNumber("2026-000042") }, "[2026-0000]42"},
		{"<b>", func(p parsed) Text { return p.markWords("<b>bold</b> b") }, "<[b]>bold</[b]> [b]"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			got := ""
			for _, s := range tt.mark(parse(tt.query)) {
				if s.Match {
					got += "[" + s.Text + "]"
				} else {
					got += s.Text
				}
			}
			if got != tt.want {
				t.Errorf("%q marks %q, want %q", tt.query, got, tt.want)
			}
		})
	}
}

func TestExcerpt(t *testing.T) {
	long := "Customer reports a noise from the front axle when braking at low speed. " +
		"Checked the suspension and steering, all fine. Replaced the front brake pads and discs, " +
		"cleaned the callipers, road test done with the customer."
	got := excerpt(long, parse("callipers"))
	if len([]rune(got)) > excerptRunes+2 || !strings.Contains(got, "callipers") || !strings.HasPrefix(got, "…") {
		t.Errorf("excerpt = %q", got)
	}
	if short := "Oil change"; excerpt(short, parse("oil")) != short {
		t.Error("a short text was cut")
	}
}

func TestWithinOneEdit(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"popescu", "popesku", true},
		{"popescu", "popesc", true},
		{"popescu", "popescuu", true},
		{"stefan", "sefan", true},
		{"stefan", "stefan", true},
		{"stefan", "stafen", false},
		{"rossi", "russo", false},
		{"abc", "abcde", false},
	}
	for _, tt := range tests {
		if got := withinOneEdit(tt.a, tt.b); got != tt.want {
			t.Errorf("withinOneEdit(%q, %q) = %v", tt.a, tt.b, got)
		}
	}
}

// TestRanking: exact matches come before words begun and typos, newest
// first among equals.
func TestRanking(t *testing.T) {
	g := newGarage(t)
	ix := g.open(t)
	caughtUp(t, ix)
	got := find(t, ix, "Stefan", store.RoleSales).ids(KindCustomer)
	want := []uint64{g.stefanCedilla.ID, g.stefanComma.ID, g.sefan.ID}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Stefan finds customers %v, want %v (the exact ones newest first, then the typo)", got, want)
	}
}
