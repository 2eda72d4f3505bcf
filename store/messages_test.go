package store

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// fakeHash is a well-formed media hash made from a short name.
func fakeHash(name string) string { return hashOf("media:" + name) }

func photo(name string) Attachment {
	return Attachment{Media: fakeHash(name), Type: "image/jpeg", Size: 1234, Name: name + ".jpg", Thumb: fakeHash(name + "-thumb")}
}

// messagesFixture is a customer with a paired phone.
type messagesFixture struct {
	s      *Store
	clk    *clock
	cust   Customer
	device Device
}

func newMessagesFixture(t *testing.T) messagesFixture {
	t.Helper()
	s, clk := openTestClock(t)
	c := mustCustomer(t, s, "Ana Pop", "ana@example.ro", "")
	d := mustPair(t, s, mustPairLink(t, s, c.ID, 0), "Chrome · Android", "cred-ana")
	return messagesFixture{s: s, clk: clk, cust: c, device: d}
}

func (f messagesFixture) fromCustomer(t *testing.T, text string, atts ...Attachment) Message {
	t.Helper()
	m, err := f.s.CustomerMessage(phone, f.cust.ID, f.device.ID, text, atts)
	if err != nil {
		t.Fatalf("CustomerMessage(%q): %v", text, err)
	}
	return m
}

func mustThread(t *testing.T, s *Store, customerID uint64) (Thread, []Message) {
	t.Helper()
	th, msgs, _, err := s.Thread(customerID, 0, 0)
	if err != nil {
		t.Fatalf("Thread(%d): %v", customerID, err)
	}
	return th, msgs
}

func TestCustomerMessageCountsUnreadForStaff(t *testing.T) {
	f := newMessagesFixture(t)
	m := f.fromCustomer(t, "  The brakes squeak again.  ", photo("brakes"))
	if m.Text != "The brakes squeak again." || m.Direction != DirectionIn || m.Author != "Chrome · Android" || m.DeviceID != f.device.ID {
		t.Errorf("message = %+v", m)
	}
	f.clk.Advance(time.Minute)
	f.fromCustomer(t, "", Attachment{Media: fakeHash("clip"), Type: "video/mp4", Size: 9 << 20, Name: `C:\DCIM\clip.mp4`})

	th, msgs := mustThread(t, f.s, f.cust.ID)
	if th.Messages != 2 || th.UnreadStaff != 2 || th.UnreadCustomer != 0 || th.LastFiles != 1 || th.LastPreview != "" ||
		th.LastDirection != DirectionIn || !th.Last.Equal(t0.Add(time.Minute)) {
		t.Errorf("thread = %+v", th)
	}
	if len(msgs) != 2 || msgs[0].ID != m.ID || msgs[1].Attachments[0].Name != "clip.mp4" {
		t.Errorf("messages = %+v", msgs)
	}
	st, _ := f.s.MessagesState()
	if st.Unread != 2 {
		t.Errorf("unread for staff = %d, want 2", st.Unread)
	}
	events, _ := f.s.Timeline(f.cust.ID, 10)
	if len(events) == 0 || events[0].Key != "messages.timeline.in" || events[0].Kind != "message" {
		t.Errorf("timeline = %+v", events)
	}
}

func TestCustomerMessageRefusals(t *testing.T) {
	f := newMessagesFixture(t)
	other := mustCustomer(t, f.s, "Radu Ionescu", "radu@example.ro", "")
	revoked := mustPair(t, f.s, mustPairLink(t, f.s, f.cust.ID, 0), "Safari · iPhone", "cred-old")
	if _, err := f.s.RevokeDevice(staff, f.cust.ID, revoked.ID); err != nil {
		t.Fatal(err)
	}
	tooMany := make([]Attachment, MaxAttachments+1)
	for i := range tooMany {
		tooMany[i] = photo(fmt.Sprint(i))
	}
	cases := []struct {
		name     string
		customer uint64
		device   uint64
		text     string
		atts     []Attachment
		code     Code
		fields   []string
	}{
		{"empty", f.cust.ID, f.device.ID, "  \n ", nil, CodeInvalid, []string{"text"}},
		{"too long", f.cust.ID, f.device.ID, strings.Repeat("é", MaxMessageText+1), nil, CodeInvalid, []string{"text"}},
		{"too many files", f.cust.ID, f.device.ID, "", tooMany, CodeInvalid, []string{"files"}},
		{"another customer's phone", other.ID, f.device.ID, "hello", nil, CodeForbidden, nil},
		{"a revoked phone", f.cust.ID, revoked.ID, "hello", nil, CodeForbidden, nil},
		{"no such phone", f.cust.ID, 999, "hello", nil, CodeForbidden, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.s.CustomerMessage(phone, c.customer, c.device, c.text, c.atts)
			wantError(t, err, c.code, c.fields)
		})
	}
	if _, err := f.s.CustomerMessage(phone, f.cust.ID, f.device.ID, "x", []Attachment{{Media: "../../etc/passwd", Type: "image/jpeg", Size: 1}}); err == nil {
		t.Error("an attachment that is not a media hash was stored")
	}
	if th, msgs := mustThread(t, f.s, f.cust.ID); th.Messages != 0 || len(msgs) != 0 {
		t.Errorf("refused messages left %+v, %+v", th, msgs)
	}
}

func TestStaffMessageNotifiesAndReadsThread(t *testing.T) {
	f := newMessagesFixture(t)
	f.fromCustomer(t, "When is it ready?")
	f.fromCustomer(t, "And the price?")
	st := DefaultSettings()
	st.Name = "Garage Rossi"
	if _, err := f.s.SaveSettings(staff, st); err != nil {
		t.Fatal(err)
	}
	m, err := f.s.StaffMessage(staff, f.cust.ID, "Tomorrow at 17:00, 240 €.", nil)
	if err != nil {
		t.Fatal(err)
	}
	if m.Direction != DirectionOut || m.UserID != staff.UserID || m.Author != staff.Name {
		t.Errorf("message = %+v", m)
	}
	th, msgs := mustThread(t, f.s, f.cust.ID)
	if th.UnreadStaff != 0 || th.UnreadCustomer != 1 || th.Messages != 3 || th.LastDirection != DirectionOut {
		t.Errorf("after the reply the thread is %+v", th)
	}
	for _, msg := range msgs[:2] {
		if msg.Unread() {
			t.Errorf("the customer's message %d is still unread after the reply", msg.ID)
		}
	}
	if state, _ := f.s.MessagesState(); state.Unread != 0 {
		t.Errorf("unread for staff = %d after the reply", state.Unread)
	}
	due, _ := f.s.DueNotifications(10)
	if len(due) != 1 {
		t.Fatalf("%d notifications queued", len(due))
	}
	n := due[0]
	want := Notification{CustomerID: f.cust.ID, Category: CategoryMessages, TitleKey: "messages.notify.title", BodyKey: "messages.notify.text",
		URL: "/app/messages", Args: []string{"dealer", "Garage Rossi", "text", "Tomorrow at 17:00, 240 €.", "count", "0"}}
	if n.CustomerID != want.CustomerID || n.Category != want.Category || n.TitleKey != want.TitleKey || n.BodyKey != want.BodyKey ||
		n.URL != want.URL || !slices.Equal(n.Args, want.Args) || n.Urgent {
		t.Errorf("notification = %+v, want %+v", n, want)
	}
	events, _ := f.s.Timeline(f.cust.ID, 1)
	if len(events) != 1 || events[0].Key != "messages.timeline.out" {
		t.Errorf("timeline = %+v", events)
	}

	// A photo alone is announced as a photo.
	if _, err := f.s.StaffMessage(staff, f.cust.ID, "", []Attachment{photo("invoice")}); err != nil {
		t.Fatal(err)
	}
	due, _ = f.s.DueNotifications(10)
	if len(due) != 2 || due[1].BodyKey != "messages.notify.photo" {
		t.Errorf("notifications %+v", due)
	}
	if _, err := f.s.StaffMessage(staff, 999, "hello", nil); !Is(err, CodeNotFound) {
		t.Errorf("a message to no customer: %v", err)
	}
}

func TestMarkRead(t *testing.T) {
	f := newMessagesFixture(t)
	f.fromCustomer(t, "hello")
	for _, text := range []string{"one", "two"} {
		if _, err := f.s.StaffMessage(staff, f.cust.ID, text, nil); err != nil {
			t.Fatal(err)
		}
	}
	n, err := f.s.MarkRead(f.cust.ID, ReaderCustomer)
	if err != nil || n != 2 {
		t.Fatalf("MarkRead(customer) = %d, %v; want 2", n, err)
	}
	th, msgs := mustThread(t, f.s, f.cust.ID)
	if th.UnreadCustomer != 0 {
		t.Errorf("thread %+v", th)
	}
	for _, m := range msgs {
		if m.Unread() {
			t.Errorf("message %d (%s) unread", m.ID, m.Direction)
		}
	}
	before, _ := f.s.MessagesState()
	seq, _ := f.s.LastSeq()
	if n, err := f.s.MarkRead(f.cust.ID, ReaderCustomer); err != nil || n != 0 {
		t.Errorf("second MarkRead = %d, %v", n, err)
	}
	after, _ := f.s.MessagesState()
	if seq2, _ := f.s.LastSeq(); seq2 != seq || after != before {
		t.Error("MarkRead with nothing unread wrote")
	}
	if n, err := f.s.MarkRead(424242, ReaderStaff); err != nil || n != 0 {
		t.Errorf("MarkRead of a customer without messages = %d, %v", n, err)
	}
	if _, err := f.s.MarkRead(f.cust.ID, "robot"); err == nil {
		t.Error("MarkRead accepted an unknown side")
	}
}

func TestInboxOrderAndDepartments(t *testing.T) {
	s, clk := openTestClock(t)
	st := DefaultSettings()
	st.Departments = []string{"Mechanics", "Body shop", "Sales"}
	if _, err := s.SaveSettings(staff, st); err != nil {
		t.Fatal(err)
	}
	var custs []Customer
	var devices []Device
	for i, name := range []string{"Ana", "Bogdan", "Carla", "Dan"} {
		c := mustCustomer(t, s, name, fmt.Sprintf("c%d@example.ro", i), "")
		custs = append(custs, c)
		devices = append(devices, mustPair(t, s, mustPairLink(t, s, c.ID, 0), "phone", "cred-"+name))
	}
	write := func(i int) {
		t.Helper()
		clk.Advance(time.Minute)
		if _, err := s.CustomerMessage(phone, custs[i].ID, devices[i].ID, "hi from "+custs[i].Name, nil); err != nil {
			t.Fatal(err)
		}
	}
	for i := range custs {
		write(i)
	}
	// Carla's thread is read; Ana writes again, so hers is the newest.
	if _, err := s.MarkRead(custs[2].ID, ReaderStaff); err != nil {
		t.Fatal(err)
	}
	write(0)
	names := func(p InboxPage) []string {
		var out []string
		for _, r := range p.Rows {
			out = append(out, r.Customer)
		}
		return out
	}
	p, err := s.Inbox(InboxQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := names(p), []string{"Ana", "Dan", "Bogdan", "Carla"}; !slices.Equal(got, want) {
		t.Errorf("inbox = %v, want %v (unread first, newest first)", got, want)
	}
	if p.UnreadThreads[""] != 3 {
		t.Errorf("unread threads = %v", p.UnreadThreads)
	}

	if _, err := s.AssignThread(staff, custs[1].ID, "Body shop"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AssignThread(staff, custs[2].ID, "Body shop"); err != nil {
		t.Fatal(err)
	}
	wantError(t, func() error { _, err := s.AssignThread(staff, custs[0].ID, "Bodyshop"); return err }(), CodeInvalid, []string{"department"})
	if _, err := s.AssignThread(staff, 999, "Sales"); !Is(err, CodeNotFound) {
		t.Errorf("assigning a thread that does not exist: %v", err)
	}
	for _, c := range []struct {
		q    InboxQuery
		want []string
	}{
		{InboxQuery{Department: "Body shop"}, []string{"Bogdan", "Carla"}},
		{InboxQuery{Department: "Body"}, nil},
		{InboxQuery{Unassigned: true}, []string{"Ana", "Dan"}},
		{InboxQuery{Department: "Sales"}, nil},
	} {
		p, err := s.Inbox(c.q)
		if err != nil {
			t.Fatal(err)
		}
		if got := names(p); !slices.Equal(got, c.want) {
			t.Errorf("Inbox(%+v) = %v, want %v", c.q, got, c.want)
		}
	}
	p, _ = s.Inbox(InboxQuery{})
	if p.UnreadThreads["Body shop"] != 1 || p.UnreadThreads[""] != 2 {
		t.Errorf("unread threads by department = %v", p.UnreadThreads)
	}
	// Unassigning puts the thread back.
	if _, err := s.AssignThread(staff, custs[2].ID, ""); err != nil {
		t.Fatal(err)
	}
	if p, _ := s.Inbox(InboxQuery{Unassigned: true}); !slices.Equal(names(p), []string{"Ana", "Dan", "Carla"}) {
		t.Errorf("unassigned after unassigning = %v", names(p))
	}

	// Pages of two walk the whole inbox once.
	var all []string
	after := ""
	for range 5 {
		p, err := s.Inbox(InboxQuery{Limit: 2, After: after})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, names(p)...)
		if after = p.Next; after == "" {
			break
		}
	}
	if !slices.Equal(all, []string{"Ana", "Dan", "Bogdan", "Carla"}) {
		t.Errorf("paged inbox = %v", all)
	}
	if _, err := s.Inbox(InboxQuery{After: "not hex"}); !Is(err, CodeInvalid) {
		t.Errorf("bad cursor: %v", err)
	}
}

func TestThreadPages(t *testing.T) {
	f := newMessagesFixture(t)
	var ids []uint64
	for i := range 7 {
		ids = append(ids, f.fromCustomer(t, fmt.Sprint("message ", i)).ID)
	}
	_, msgs, more, err := f.s.Thread(f.cust.ID, 0, 3)
	if err != nil || !more || len(msgs) != 3 || msgs[0].ID != ids[4] || msgs[2].ID != ids[6] {
		t.Fatalf("newest page: %v, more %v, %v", msgs, more, err)
	}
	_, msgs, more, _ = f.s.Thread(f.cust.ID, msgs[0].ID, 3)
	if !more || len(msgs) != 3 || msgs[0].ID != ids[1] {
		t.Errorf("second page: %v, more %v", msgs, more)
	}
	_, msgs, more, _ = f.s.Thread(f.cust.ID, ids[1], 3)
	if more || len(msgs) != 1 || msgs[0].ID != ids[0] {
		t.Errorf("last page: %v, more %v", msgs, more)
	}
	if _, _, _, err := f.s.Thread(999, 0, 10); !Is(err, CodeNotFound) {
		t.Errorf("thread of no customer: %v", err)
	}
}

func TestThreadPageAroundAMessage(t *testing.T) {
	f := newMessagesFixture(t)
	var ids []uint64
	for i := range 120 {
		if i%2 == 0 {
			ids = append(ids, f.fromCustomer(t, fmt.Sprint("question ", i)).ID)
			continue
		}
		m, err := f.s.StaffMessage(staff, f.cust.ID, fmt.Sprint("answer ", i), nil)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m.ID)
	}
	other := mustCustomer(t, f.s, "Bogdan Ionescu", "bogdan@example.ro", "")
	theirs, err := f.s.StaffMessage(staff, other.ID, "Bogdan's car is ready.", nil)
	if err != nil {
		t.Fatal(err)
	}

	pageIDs := func(p ThreadPage) []uint64 {
		var out []uint64
		for _, m := range p.Messages {
			out = append(out, m.ID)
		}
		return out
	}
	for _, tc := range []struct {
		name         string
		q            ThreadQuery
		want         []uint64
		at           uint64
		older, newer bool
	}{
		{"at the first", ThreadQuery{At: ids[0]}, ids[:50], ids[0], false, true},
		{"at the tenth", ThreadQuery{At: ids[9]}, ids[4:54], ids[9], true, true},
		{"at one in the middle", ThreadQuery{At: ids[60]}, ids[55:105], ids[60], true, true},
		{"at the last", ThreadQuery{At: ids[119]}, ids[70:], ids[119], true, false},
		{"at another customer's message", ThreadQuery{At: theirs.ID}, ids[70:], 0, true, false},
		{"at no message", ThreadQuery{At: 99999}, ids[70:], 0, true, false},
		{"after the tenth page's last", ThreadQuery{After: ids[53]}, ids[54:104], 0, true, true},
		{"after, to the newest", ThreadQuery{After: ids[104]}, ids[105:], 0, true, false},
		{"before the tenth page's first", ThreadQuery{Before: ids[4]}, ids[:4], 0, false, true},
		{"before one in the middle", ThreadQuery{Before: ids[60]}, ids[10:60], 0, true, true},
		{"newest", ThreadQuery{}, ids[70:], 0, true, false},
		{"at wins over before", ThreadQuery{At: ids[60], Before: ids[10]}, ids[55:105], ids[60], true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.q.CustomerID = f.cust.ID
			p, err := f.s.ThreadPage(tc.q)
			if err != nil {
				t.Fatal(err)
			}
			if got := pageIDs(p); !slices.Equal(got, tc.want) {
				t.Errorf("messages %v, want %v", got, tc.want)
			}
			if p.At != tc.at || p.Older != tc.older || p.Newer != tc.newer {
				t.Errorf("at %d, older %v, newer %v; want %d, %v, %v", p.At, p.Older, p.Newer, tc.at, tc.older, tc.newer)
			}
			for _, m := range p.Messages {
				if m.CustomerID != f.cust.ID {
					t.Errorf("the page shows another customer's message %+v", m)
				}
			}
		})
	}

	// From the first message, the newer links walk the rest of the thread once.
	p, _ := f.s.ThreadPage(ThreadQuery{CustomerID: f.cust.ID, At: ids[0]})
	seen := pageIDs(p)
	for p.Newer && len(seen) <= len(ids) {
		p, _ = f.s.ThreadPage(ThreadQuery{CustomerID: f.cust.ID, After: p.Messages[len(p.Messages)-1].ID})
		seen = append(seen, pageIDs(p)...)
	}
	if !slices.Equal(seen, ids) {
		t.Errorf("walking newer from the first saw %d messages, want the thread's %d in order", len(seen), len(ids))
	}
	if _, err := f.s.ThreadPage(ThreadQuery{CustomerID: 999, At: ids[0]}); !Is(err, CodeNotFound) {
		t.Errorf("a page of no customer: %v", err)
	}
}

func TestMessageFileBelongsToItsCustomer(t *testing.T) {
	f := newMessagesFixture(t)
	other := mustCustomer(t, f.s, "Radu Ionescu", "radu@example.ro", "")
	f.fromCustomer(t, "", photo("dent"))
	if _, err := f.s.StaffMessage(staff, other.ID, "", []Attachment{{Media: fakeHash("quote"), Type: "image/heic", Size: 10}}); err != nil {
		t.Fatal(err)
	}
	got, err := f.s.MediaFile(f.cust.ID, fakeHash("dent"))
	if err != nil || got.Type != "image/jpeg" || got.Name != "dent.jpg" {
		t.Errorf("own photo: %+v, %v", got, err)
	}
	if got, err := f.s.MediaFile(f.cust.ID, fakeHash("dent-thumb")); err != nil || got.Type != "image/jpeg" {
		t.Errorf("own thumbnail: %+v, %v", got, err)
	}
	for _, c := range []struct {
		name     string
		customer uint64
		hash     string
	}{
		{"another customer's photo", f.cust.ID, fakeHash("quote")},
		{"my photo, asked by another", other.ID, fakeHash("dent")},
		{"a file on no message", f.cust.ID, fakeHash("logo")},
		{"not a hash", f.cust.ID, "../pitlane.db"},
	} {
		if _, err := f.s.MediaFile(c.customer, c.hash); !Is(err, CodeNotFound) {
			t.Errorf("%s: %v, want not found", c.name, err)
		}
	}
	// Staff see every thread's files.
	if got, err := f.s.MediaFile(0, fakeHash("quote")); err != nil || got.Type != "image/heic" {
		t.Errorf("staff: %+v, %v", got, err)
	}
	refs, err := f.s.MediaRefs()
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{fakeHash("dent"), fakeHash("dent-thumb"), fakeHash("quote")} {
		if !slices.Contains(refs, h) {
			t.Errorf("MediaRefs %v lacks %s: backups would leave the file out", refs, h)
		}
	}
}

func TestMergeMovesMessages(t *testing.T) {
	f := newMessagesFixture(t)
	other := mustCustomer(t, f.s, "Ana Pop (old)", "ana.pop@example.ro", "")
	otherPhone := mustPair(t, f.s, mustPairLink(t, f.s, other.ID, 0), "old phone", "cred-old")
	st := DefaultSettings()
	st.Departments = []string{"Mechanics", "Sales"}
	if _, err := f.s.SaveSettings(staff, st); err != nil {
		t.Fatal(err)
	}
	f.fromCustomer(t, "from the kept record")
	f.clk.Advance(time.Hour)
	if _, err := f.s.CustomerMessage(phone, other.ID, otherPhone.ID, "from the merged one", []Attachment{photo("scratch")}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.StaffMessage(staff, other.ID, "noted", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.AssignThread(staff, other.ID, "Sales"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.MergeCustomers(staff, f.cust.ID, other.ID); err != nil {
		t.Fatal(err)
	}
	th, msgs := mustThread(t, f.s, f.cust.ID)
	if th.Messages != 3 || len(msgs) != 3 || th.UnreadStaff != 1 || th.UnreadCustomer != 1 || th.Department != "Sales" ||
		th.LastPreview != "noted" {
		t.Errorf("merged thread %+v with %d messages", th, len(msgs))
	}
	for _, m := range msgs {
		if m.CustomerID != f.cust.ID {
			t.Errorf("message %d still of customer %d", m.ID, m.CustomerID)
		}
	}
	if _, err := f.s.MediaFile(f.cust.ID, fakeHash("scratch")); err != nil {
		t.Errorf("the merged customer's photo is not the kept customer's: %v", err)
	}
	if _, err := f.s.MediaFile(other.ID, fakeHash("scratch")); !Is(err, CodeNotFound) {
		t.Errorf("the photo still belongs to the merged-away customer: %v", err)
	}
	p, _ := f.s.Inbox(InboxQuery{})
	if len(p.Rows) != 1 || p.Rows[0].CustomerID != f.cust.ID {
		t.Errorf("inbox after merge = %+v", p.Rows)
	}
	if p, _ := f.s.Inbox(InboxQuery{Department: "Sales"}); len(p.Rows) != 1 {
		t.Errorf("Sales after merge = %+v", p.Rows)
	}
	if state, _ := f.s.MessagesState(); state.Unread != 1 {
		t.Errorf("unread for staff after merge = %d", state.Unread)
	}
	if _, err := f.s.Record("customer", other.ID); !Is(err, CodeNotFound) {
		t.Errorf("merged customer: %v", err)
	}
}

func TestAttachmentName(t *testing.T) {
	for in, want := range map[string]string{
		"IMG_0001.HEIC":                     "IMG_0001.HEIC",
		`C:\Users\ana\Pictures\car.jpg`:     "car.jpg",
		"../../etc/passwd":                  "passwd",
		"":                                  "",
		"..":                                "",
		strings.Repeat("è", 100) + ".jpg":   strings.Repeat("è", 100)[:maxAttachmentName],
		"video\x00.mp4":                     "video.mp4",
		"/":                                 "",
		"dir/":                              "dir",
		"\xff\xfe.png":                      ".png",
		"   spaced name.webp   ":            "spaced name.webp",
		"a/b/c/d/e/f/g/h/i/j/k/l/m/n/o.mov": "o.mov",
	} {
		if got := attachmentName(in); got != want {
			t.Errorf("attachmentName(%q) = %q, want %q", in, got, want)
		}
	}
}
