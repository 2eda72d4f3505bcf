package search

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"pitlane/auth"
	"pitlane/store"
)

// staffMessage writes to the customer as a staff member.
func (g *garage) staffMessage(t *testing.T, to store.Customer, text string) store.Message {
	t.Helper()
	m, err := g.st.StaffMessage(store.Actor{Kind: "staff", UserID: 7, Name: "Anna Neri"}, to.ID, text, nil)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// customerMessage writes to the dealership from a phone paired to from.
func (g *garage) customerMessage(t *testing.T, from store.Customer, text string) store.Message {
	t.Helper()
	token, _, err := g.st.CreatePairLink(staff, from.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	phone := store.Actor{Kind: "customer", IP: "198.51.100.7"}
	d, err := g.st.Pair(phone, auth.HashToken(token), "Chrome · Android", auth.HashToken("cred-"+token))
	if err != nil {
		t.Fatal(err)
	}
	m, err := g.st.CustomerMessage(phone, from.ID, d.ID, text, nil)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// hit is the result of kind k and id, if found.
func (r Results) hit(k Kind, id uint64) (Hit, bool) {
	for _, g := range r.Groups {
		for _, h := range g.Hits {
			if g.Kind == k && h.ID == id {
				return h, true
			}
		}
	}
	return Hit{}, false
}

func details(h Hit) string {
	var out []string
	for _, d := range h.Details {
		out = append(out, d.String())
	}
	return strings.Join(out, " · ")
}

// markedText is the matched segments of t, joined by "|".
func markedText(t Text) string {
	var out []string
	for _, s := range t {
		if s.Match {
			out = append(out, s.Text)
		}
	}
	return strings.Join(out, "|")
}

func TestFindsMessagesByTheirText(t *testing.T) {
	g := newGarage(t)
	reply := g.staffMessage(t, g.stefanComma, "Buongiorno Ștefan, la Panda è pronta: pastiglie dei freni sostituite.")
	question := g.customerMessage(t, g.rossi, "Le gomme invernali fanno rumore quando freno.")
	pictures := g.staffMessage(t, g.popescu, "Vă trimitem fotografiile discurilor de frână.")
	ix := g.open(t)
	caughtUp(t, ix)

	for _, tt := range []struct {
		name, typed string
		want        store.Message
		mark        string
	}{
		{"a word", "pastiglie", reply, "pastiglie"},
		{"two words", "freni pronta", reply, "pronta|freni"},
		{"without accents", "stefan", reply, "Ștefan"},
		{"with the cedilla", "Ştefan", reply, "Ștefan"},
		{"with a typo", "gome invernalli", question, "gomme|invernali"},
		{"a word begun", "fotograf", pictures, "fotograf"},
		{"Romanian without diacritics", "frana", pictures, "frână"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := find(t, ix, tt.typed, store.RoleWorkshop)
			h, ok := res.hit(KindMessage, tt.want.ID)
			if !ok {
				t.Fatalf("%q does not find the message %q: %s", tt.typed, tt.want.Text, res)
			}
			if got := markedText(h.Title); got != tt.mark {
				t.Errorf("marked %q in %q, want %q", got, h.Title.String(), tt.mark)
			}
			if h.Title.String() != tt.want.Text {
				t.Errorf("title %q, want the message's text", h.Title.String())
			}
			if !h.When.Equal(tt.want.Created) {
				t.Errorf("when %v, want the message's sending %v", h.When, tt.want.Created)
			}
		})
	}

	res := find(t, ix, "pastiglie", store.RoleSales)
	h, _ := res.hit(KindMessage, reply.ID)
	if want := fmt.Sprintf("/messages/%d?at=%d#m%d", g.stefanComma.ID, reply.ID, reply.ID); h.URL != want {
		t.Errorf("the reply links to %q, want its thread at the message, %q", h.URL, want)
	}
	if got, want := details(h), "Anna Neri → Ștefan Marin"; got != want {
		t.Errorf("the reply's details are %q, want %q", got, want)
	}
	if !res.has(KindJob, g.brakes.ID) {
		t.Errorf("the job with the same word is not found beside the message: %s", res)
	}
	h, _ = find(t, ix, "gomme", store.RoleSales).hit(KindMessage, question.ID)
	if got, want := details(h), "Mario Rossi (Chrome · Android)"; got != want {
		t.Errorf("the customer's message has details %q, want %q", got, want)
	}
	if want := fmt.Sprintf("/messages/%d?at=%d#m%d", g.rossi.ID, question.ID, question.ID); h.URL != want {
		t.Errorf("the customer's message links to %q, want %q", h.URL, want)
	}

	for _, role := range store.MessageRoles {
		if !find(t, ix, "gomme", role).has(KindMessage, question.ID) {
			t.Errorf("%s, who may read messages, does not find one", role)
		}
	}
	if res := find(t, ix, "gomme", ""); len(res.Groups) != 0 {
		t.Errorf("a caller without a role found %s", res)
	}
	// Words of messages are not names: no customer or car is found by them.
	if res := find(t, ix, "gomme invernali", store.RoleSales); len(res.Groups) != 1 {
		t.Errorf("words of a message found other kinds: %s", res)
	}
}

// TestLongMessageShowsTheMatch: a result shows the part of a long message
// around what matched, not its start.
func TestLongMessageShowsTheMatch(t *testing.T) {
	g := newGarage(t)
	long := strings.Repeat("Vi aggiorniamo sullo stato dei lavori in corso. ", 8) +
		"La cinghia di distribuzione va sostituita entro mille chilometri. " + strings.Repeat("Cordiali saluti. ", 6)
	m := g.staffMessage(t, g.rossi, long)
	ix := g.open(t)
	caughtUp(t, ix)
	h, ok := find(t, ix, "cinghia", store.RoleSales).hit(KindMessage, m.ID)
	if !ok {
		t.Fatal("the long message is not found")
	}
	title := h.Title.String()
	if markedText(h.Title) != "cinghia" || !strings.HasPrefix(title, "…") || !strings.HasSuffix(title, "…") ||
		len([]rune(title)) > excerptRunes+2 {
		t.Errorf("the long message shows as %q", title)
	}
}

// TestMergedMessagesFollowTheCustomerKept: merging customers moves their
// messages; a message found afterwards is the kept customer's, in their
// thread.
func TestMergedMessagesFollowTheCustomerKept(t *testing.T) {
	g := newGarage(t)
	m := g.customerMessage(t, g.sefan, "Quando posso ritirare la Dacia?")
	ix := g.open(t)
	caughtUp(t, ix)
	if h, _ := find(t, ix, "ritirare", store.RoleSales).hit(KindMessage, m.ID); !strings.Contains(details(h), g.sefan.Name) {
		t.Fatalf("before the merge the message shows %q", details(h))
	}

	if _, err := g.st.MergeCustomers(staff, g.stefanCedilla.ID, g.sefan.ID); err != nil {
		t.Fatal(err)
	}
	caughtUp(t, ix)
	res := find(t, ix, "ritirare", store.RoleSales)
	h, ok := res.hit(KindMessage, m.ID)
	if !ok {
		t.Fatalf("the merged customer's message is no longer found: %s", res)
	}
	if want := fmt.Sprintf("/messages/%d?at=%d#m%d", g.stefanCedilla.ID, m.ID, m.ID); h.URL != want {
		t.Errorf("the message links to %q, want the kept customer's thread %q", h.URL, want)
	}
	if d := details(h); !strings.Contains(d, g.stefanCedilla.Name) || strings.Contains(d, g.sefan.Name) {
		t.Errorf("the message shows %q, want the kept customer %q", d, g.stefanCedilla.Name)
	}
}

// TestMessagesCatchUpAfterRestart: messages written while the index is
// closed are found once it has caught up, without a rebuild.
func TestMessagesCatchUpAfterRestart(t *testing.T) {
	g := newGarage(t)
	ix, stop := openOnce(t, g)
	caughtUp(t, ix)
	gen := currentGen(t, g.dir)

	late := g.customerMessage(t, g.popescu, "Am uitat cheia de rezervă în torpedou.")
	ix = reopen(t, g, ix, stop)
	caughtUp(t, ix)
	if got := currentGen(t, g.dir); got != gen {
		t.Errorf("the index was rebuilt (%s → %s); it should have caught up", gen, got)
	}
	if !find(t, ix, "rezerva torpedou", store.RoleBackoffice).has(KindMessage, late.ID) {
		t.Error("a message written while the index was closed is not found")
	}
}

// TestRebuildIndexesMessages: a rebuild reads the messages with the other
// records and counts them in its progress.
func TestRebuildIndexesMessages(t *testing.T) {
	g := newGarage(t)
	var written []store.Message
	for i := range 3 {
		written = append(written, g.staffMessage(t, g.rossi, fmt.Sprintf("Promemoria numero%d: revisione in scadenza.", i)))
	}
	ix := g.open(t)
	caughtUp(t, ix)

	var mu sync.Mutex
	var reports []Progress
	if err := ix.Rebuild(t.Context(), func(p Progress) {
		mu.Lock()
		reports = append(reports, p)
		mu.Unlock()
	}); err != nil {
		t.Fatal(err)
	}
	s := caughtUp(t, ix)
	last := reports[len(reports)-1]
	if !last.Finished || last.Total != 13 || last.Documents != 13 || s.Documents != 13 {
		t.Errorf("rebuilt %+v, status %+v; want 13 records: 10 and 3 messages", last, s)
	}
	for i, m := range written {
		if !find(t, ix, fmt.Sprintf("numero%d", i), store.RoleSales).has(KindMessage, m.ID) {
			t.Errorf("the rebuilt index does not find message %d", i)
		}
	}
}

// TestRecentMessagesFirst: with more matches than shown (and than a first
// read of the index returns), the messages of the last weeks come first,
// newest first, even where older ones have higher IDs (written with a clock
// set back, as an import would).
func TestRecentMessagesFirst(t *testing.T) {
	dir := t.TempDir()
	var mu sync.Mutex
	now := time.Now()
	st, err := store.Open(dir, store.Options{Logger: quiet, Now: func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return now
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	g := &garage{dir: dir, st: st}
	c := g.customer(t, store.Customer{Name: "Elena Gallo"})
	var recent []uint64
	for i := range 2 * firstHits {
		recent = append(recent, g.staffMessage(t, c, fmt.Sprintf("Tagliando confermato %d", i)).ID)
	}
	mu.Lock()
	now = now.AddDate(-1, 0, 0)
	mu.Unlock()
	for i := range 6 {
		g.staffMessage(t, c, fmt.Sprintf("Tagliando dell'anno scorso %d", i))
	}
	ix := g.open(t)
	caughtUp(t, ix)
	res, err := ix.Search(t.Context(), Query{Text: "tagliando", Role: store.RoleSales, Limit: 10, Count: true})
	if err != nil {
		t.Fatal(err)
	}
	n := len(recent)
	want := slices.Clone(recent[n-10:])
	slices.Reverse(want)
	if got := res.ids(KindMessage); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("the first messages found are %v, want the newest of this week's, %v", got, want)
	}
	if len(res.Groups) != 1 || res.Groups[0].Total != n+6 {
		t.Errorf("groups %+v, want %d messages in all", res.Groups, n+6)
	}
}
