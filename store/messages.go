package store

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"math"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"
)

// Messages: one thread per customer between the customer (from a paired
// phone) and the dealership (any staff member), with photos and videos.
// The staff inbox lists threads with unread ones first, then by last
// activity, optionally for one department.

var (
	bMessages       = []byte("messages")              // message ID → Message
	bMessagesByCust = []byte("messages_by_customer")  // customer ID + message ID → nil
	bThreads        = []byte("threads")               // customer ID → Thread
	bInbox          = []byte("threads_by_activity")   // inboxKey → nil
	bInboxByDept    = []byte("threads_by_department") // department + 0 + inboxKey → nil
	// bMessageMedia says who may fetch a file: media hash + customer ID +
	// message ID → nil, for every attachment and thumbnail.
	bMessageMedia  = []byte("message_media")
	messageBuckets = [][]byte{bMessages, bMessagesByCust, bThreads, bInbox, bInboxByDept, bMessageMedia}
)

// Message directions.
const (
	DirectionIn  = "in"  // from the customer
	DirectionOut = "out" // from the dealership
)

// MessageRoles read and answer the customers' messages: every role. A
// customer writes to the dealership, not to a department, and whoever
// picks the thread up (sales about an offer, the workshop about a job,
// the office about an invoice) needs it whole; assigning a thread to a
// department is how the inbox is shared out, not who may see it. The staff
// UI's routes and search's results both follow it.
var MessageRoles = Roles

// CategoryMessages is the notification category of a staff reply. It is
// not one of Categories, which the customer switches on and off: a reply
// to what the customer wrote is correspondence they asked for, not news,
// and the notifier sends a category it does not list.
const CategoryMessages = "messages"

// Limits of one message.
const (
	MaxMessageText     = 4000 // characters
	MaxAttachments     = 10
	maxAttachmentName  = 120
	threadPreviewRunes = 120
)

// Attachment is a photo or video on a message: the file is in the media
// folder under its content hash.
type Attachment struct {
	Media string `json:"media"`
	Type  string `json:"type"` // sniffed from the content: image/jpeg, video/mp4, …
	Size  int64  `json:"size"`
	// Name is what the file was called on the sender's device, shown only.
	Name string `json:"name,omitempty"`
	// Thumb is a JPEG thumbnail's hash, for the images Go can decode.
	Thumb string `json:"thumb,omitempty"`
}

// IsVideo reports whether the attachment is a video.
func (a Attachment) IsVideo() bool { return strings.HasPrefix(a.Type, "video/") }

// Message is one message of a customer's thread.
type Message struct {
	ID         uint64 `json:"id"`
	CustomerID uint64 `json:"customer_id"`
	Direction  string `json:"direction"`
	// The author: a staff member (UserID), or the customer's phone
	// (DeviceID); Author is their name as it was when they wrote.
	UserID      uint64       `json:"user_id,omitempty"`
	DeviceID    uint64       `json:"device_id,omitempty"`
	Author      string       `json:"author"`
	Text        string       `json:"text,omitempty"`
	Attachments []Attachment `json:"attachments,omitempty"`
	Created     time.Time    `json:"created"`
	// Read is when the recipient first saw it: staff for a message in,
	// the customer for a message out. Zero: unread.
	Read time.Time `json:"read,omitzero"`
}

// Unread reports whether the recipient has not seen the message yet.
func (m Message) Unread() bool { return m.Read.IsZero() }

// Thread is the summary of a customer's messages the inbox lists.
type Thread struct {
	CustomerID uint64 `json:"customer_id"`
	// Department is where the thread is assigned (one of the settings'
	// departments); empty: unassigned.
	Department    string    `json:"department,omitempty"`
	Last          time.Time `json:"last"`
	LastMessage   uint64    `json:"last_message"`
	LastDirection string    `json:"last_direction"`
	// LastPreview is the start of the last message's text (empty for a
	// message of photos or videos only); LastFiles its attachment count.
	LastPreview    string `json:"last_preview,omitempty"`
	LastFiles      int    `json:"last_files,omitempty"`
	Messages       int    `json:"messages"`
	UnreadStaff    int    `json:"unread_staff"`
	UnreadCustomer int    `json:"unread_customer"`
}

// inboxKey orders the inbox: threads with unread customer messages first,
// then by last activity, newest first.
func inboxKey(t Thread) []byte {
	k := make([]byte, 0, 17)
	if t.UnreadStaff > 0 {
		k = append(k, 0)
	} else {
		k = append(k, 1)
	}
	k = append(k, itob(^uint64(t.Last.UnixNano()))...)
	return append(k, itob(t.CustomerID)...)
}

func deptKey(t Thread) []byte {
	return append(append([]byte(t.Department), 0), inboxKey(t)...)
}

// Counters in the meta bucket.
const (
	counterUnread   = "messages:unread_staff" // customer messages no staff member has read
	counterMessages = "messages:version"      // bumped by every change to messages or threads
)

func getThread(tx *bolt.Tx, customerID uint64) (Thread, bool, error) {
	var t Thread
	err := getJSON(tx.Bucket(bThreads), itob(customerID), &t)
	if Is(err, CodeNotFound) {
		return Thread{CustomerID: customerID}, false, nil
	}
	return t, err == nil, err
}

// putThread writes t, replacing the index entries of old (when existed).
func putThread(tx *bolt.Tx, old Thread, existed bool, t Thread) error {
	inbox, byDept := tx.Bucket(bInbox), tx.Bucket(bInboxByDept)
	if existed {
		if err := inbox.Delete(inboxKey(old)); err != nil {
			return err
		}
		if err := byDept.Delete(deptKey(old)); err != nil {
			return err
		}
	}
	if err := inbox.Put(inboxKey(t), nil); err != nil {
		return err
	}
	if err := byDept.Put(deptKey(t), nil); err != nil {
		return err
	}
	return putJSON(tx.Bucket(bThreads), itob(t.CustomerID), t)
}

func deleteThread(tx *bolt.Tx, t Thread) error {
	if err := tx.Bucket(bInbox).Delete(inboxKey(t)); err != nil {
		return err
	}
	if err := tx.Bucket(bInboxByDept).Delete(deptKey(t)); err != nil {
		return err
	}
	return tx.Bucket(bThreads).Delete(itob(t.CustomerID))
}

var mediaHash = regexp.MustCompile(`^[0-9a-f]{64}$`)

// CheckMessage says what is wrong with a message of text and that many
// files, as the store operations would: a handler checks before it stores
// the files, so a refused message leaves none behind.
func CheckMessage(text string, files int) error {
	text = strings.TrimSpace(strings.ToValidUTF8(text, "�"))
	var v Validation
	if text == "" && files == 0 {
		v.Add("text", "messages.error.empty")
	}
	if n := utf8.RuneCountInString(text); n > MaxMessageText {
		v.Add("text", "messages.error.too_long", "max", MaxMessageText)
	}
	if files > MaxAttachments {
		v.Add("files", "messages.error.too_many_files", "max", MaxAttachments)
	}
	return v.Err()
}

// normalizeMessage trims the text and checks what a message may hold.
func normalizeMessage(text string, atts []Attachment) (string, []Attachment, error) {
	if err := CheckMessage(text, len(atts)); err != nil {
		return "", nil, err
	}
	text = strings.TrimSpace(strings.ToValidUTF8(text, "�"))
	out, err := checkAttachments(atts)
	return text, out, err
}

// checkAttachments refuses what is not a stored photo or video (a
// handler's mistake, not the user's) and bounds the names shown.
func checkAttachments(atts []Attachment) ([]Attachment, error) {
	out := make([]Attachment, 0, len(atts))
	for _, a := range atts {
		okType := strings.HasPrefix(a.Type, "image/") || strings.HasPrefix(a.Type, "video/")
		if !mediaHash.MatchString(a.Media) || (a.Thumb != "" && !mediaHash.MatchString(a.Thumb)) || !okType || a.Size <= 0 {
			return nil, fmt.Errorf("attachment %+v is not a stored photo or video", a)
		}
		a.Name = attachmentName(a.Name)
		out = append(out, a)
	}
	return out, nil
}

// CheckFiles says what is wrong with a record that would hold that many
// photos and videos; a handler checks before it stores the files.
func CheckFiles(n int) error {
	if n > MaxAttachments {
		return Invalid("files", "upload.error.too_many_files", "max", MaxAttachments)
	}
	return nil
}

// attachmentName keeps the last element of a file name, bounded: it is
// shown, never used as a path.
func attachmentName(name string) string {
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, strings.ReplaceAll(strings.ToValidUTF8(name, ""), "\\", "/"))
	name = strings.TrimSpace(path.Base("/" + name))
	if name == "/" || name == "." || name == ".." {
		return ""
	}
	for len(name) > maxAttachmentName {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	return name
}

func preview(text string) string {
	text = strings.Join(strings.Fields(text), " ")
	if utf8.RuneCountInString(text) <= threadPreviewRunes {
		return text
	}
	return string([]rune(text)[:threadPreviewRunes-1]) + "…"
}

func mediaKey(hash string, customerID, messageID uint64) []byte {
	return append(append([]byte(hash), itob(customerID)...), itob(messageID)...)
}

// putMessage stores a new message of m.CustomerID's thread with its
// indexes, the thread's summary and the change feed entry.
func putMessage(w writer, m *Message) (Thread, error) {
	b := w.tx.Bucket(bMessages)
	id, err := b.NextSequence()
	if err != nil {
		return Thread{}, err
	}
	m.ID, m.Created = id, w.now
	if err := putJSON(b, itob(id), m); err != nil {
		return Thread{}, err
	}
	if err := w.tx.Bucket(bMessagesByCust).Put(append(itob(m.CustomerID), itob(id)...), nil); err != nil {
		return Thread{}, err
	}
	for _, a := range m.Attachments {
		for _, h := range []string{a.Media, a.Thumb} {
			if h == "" {
				continue
			}
			if err := w.tx.Bucket(bMessageMedia).Put(mediaKey(h, m.CustomerID, id), nil); err != nil {
				return Thread{}, err
			}
		}
	}
	old, existed, err := getThread(w.tx, m.CustomerID)
	if err != nil {
		return Thread{}, err
	}
	t := old
	t.Last, t.LastMessage, t.LastDirection = m.Created, id, m.Direction
	t.LastPreview, t.LastFiles = preview(m.Text), len(m.Attachments)
	t.Messages++
	if m.Direction == DirectionIn {
		t.UnreadStaff++
		if err := counter(w.tx, counterUnread, 1); err != nil {
			return Thread{}, err
		}
	} else {
		t.UnreadCustomer++
	}
	if err := putThread(w.tx, old, existed, t); err != nil {
		return Thread{}, err
	}
	if err := counter(w.tx, counterMessages, 1); err != nil {
		return Thread{}, err
	}
	return t, w.change("message", id, OpPut)
}

// CustomerMessage stores a message the customer wrote on one of their
// paired phones. The device must be active and the customer's.
func (s *Store) CustomerMessage(a Actor, customerID, deviceID uint64, text string, atts []Attachment) (Message, error) {
	text, atts, err := normalizeMessage(text, atts)
	if err != nil {
		return Message{}, err
	}
	var m Message
	err = s.update(func(tx *bolt.Tx) error {
		var d Device
		if err := getJSON(tx.Bucket(bDevices), itob(deviceID), &d); err != nil || d.CustomerID != customerID || !d.Active() {
			if err != nil && !Is(err, CodeNotFound) {
				return err
			}
			return Forbidden()
		}
		w := s.writer(tx)
		m = Message{CustomerID: customerID, Direction: DirectionIn, DeviceID: deviceID, Author: d.Name, Text: text, Attachments: atts}
		if _, err := putMessage(w, &m); err != nil {
			return err
		}
		if err := w.timeline(customerID, "message", m.ID, "messages.timeline.in"); err != nil {
			return err
		}
		return w.audit(a, "message_in", "customer", customerID, attachmentsDetail(atts))
	})
	return m, err
}

// StaffMessage stores the dealership's message to a customer and, in the
// same transaction, the push notification that tells the customer's phones.
// Replying means the staff member read the thread: the customer's messages
// are marked read.
func (s *Store) StaffMessage(a Actor, customerID uint64, text string, atts []Attachment) (Message, error) {
	text, atts, err := normalizeMessage(text, atts)
	if err != nil {
		return Message{}, err
	}
	var m Message
	err = s.update(func(tx *bolt.Tx) error {
		if tx.Bucket(bCustomers).Get(itob(customerID)) == nil {
			return NotFound()
		}
		st := DefaultSettings()
		if err := getOptional(tx.Bucket(bSettings), keyDealership, &st); err != nil {
			return err
		}
		w := s.writer(tx)
		if _, err := markRead(w, customerID, DirectionIn); err != nil {
			return err
		}
		m = Message{CustomerID: customerID, Direction: DirectionOut, UserID: a.UserID, Author: a.Name, Text: text, Attachments: atts}
		if _, err := putMessage(w, &m); err != nil {
			return err
		}
		n := Notification{CustomerID: customerID, Category: CategoryMessages, TitleKey: "messages.notify.title",
			Args: []string{"dealer", st.Name, "text", preview(text), "count", fmt.Sprint(len(atts))}, URL: "/app/messages"}
		switch {
		case text != "":
			n.BodyKey = "messages.notify.text"
		case len(atts) == 1 && atts[0].IsVideo():
			n.BodyKey = "messages.notify.video"
		case len(atts) == 1:
			n.BodyKey = "messages.notify.photo"
		default:
			n.BodyKey = "messages.notify.files"
		}
		if _, err := w.notify(n); err != nil {
			return err
		}
		if err := w.timeline(customerID, "message", m.ID, "messages.timeline.out", "name", a.Name); err != nil {
			return err
		}
		return w.audit(a, "message_out", "customer", customerID, attachmentsDetail(atts))
	})
	return m, err
}

// The audit log records that a message was written, never what it says.
func attachmentsDetail(atts []Attachment) string {
	if len(atts) == 0 {
		return ""
	}
	return fmt.Sprintf("%d attachments", len(atts))
}

// Reader sides for MarkRead.
const (
	ReaderStaff    = "staff"
	ReaderCustomer = "customer"
)

// MarkRead records that side has seen the customer's thread: every
// message to them is read. It writes nothing when nothing was unread, so a
// page may call it on every view. It returns how many messages it marked.
func (s *Store) MarkRead(customerID uint64, side string) (int, error) {
	dir := DirectionIn
	if side == ReaderCustomer {
		dir = DirectionOut
	} else if side != ReaderStaff {
		return 0, fmt.Errorf("mark read: unknown side %q", side)
	}
	var unread int
	err := s.view(func(tx *bolt.Tx) error {
		t, _, err := getThread(tx, customerID)
		unread = unreadFor(t, dir)
		return err
	})
	if err != nil || unread == 0 {
		return 0, err
	}
	var n int
	err = s.update(func(tx *bolt.Tx) error {
		var err error
		n, err = markRead(s.writer(tx), customerID, dir)
		return err
	})
	return n, err
}

func unreadFor(t Thread, dir string) int {
	if dir == DirectionIn {
		return t.UnreadStaff
	}
	return t.UnreadCustomer
}

// markRead marks the customer's unread messages of direction dir read,
// newest first, stopping once the thread's count of them is reached.
func markRead(w writer, customerID uint64, dir string) (int, error) {
	old, existed, err := getThread(w.tx, customerID)
	if err != nil || !existed {
		return 0, err
	}
	want := unreadFor(old, dir)
	if want == 0 {
		return 0, nil
	}
	all := w.tx.Bucket(bMessages)
	c := w.tx.Bucket(bMessagesByCust).Cursor()
	var ids []uint64
	k, _ := c.Seek(itob(customerID + 1))
	if k == nil {
		k, _ = c.Last()
	} else {
		k, _ = c.Prev()
	}
	for ; k != nil && btoi(k[:8]) == customerID && len(ids) < want; k, _ = c.Prev() {
		var m Message
		if err := getJSON(all, k[8:], &m); err != nil {
			return 0, err
		}
		if m.Direction == dir && m.Unread() {
			ids = append(ids, m.ID)
		}
	}
	for _, id := range ids {
		var m Message
		if err := getJSON(all, itob(id), &m); err != nil {
			return 0, err
		}
		m.Read = w.now
		if err := putJSON(all, itob(id), m); err != nil {
			return 0, err
		}
		if err := w.change("message", id, OpPut); err != nil {
			return 0, err
		}
	}
	t := old
	if dir == DirectionIn {
		t.UnreadStaff = 0
		if err := counter(w.tx, counterUnread, -int64(want)); err != nil {
			return 0, err
		}
	} else {
		t.UnreadCustomer = 0
	}
	if err := putThread(w.tx, old, true, t); err != nil {
		return 0, err
	}
	return len(ids), counter(w.tx, counterMessages, 1)
}

// AssignThread gives a customer's thread to one of the dealership's
// departments, or to none with "".
func (s *Store) AssignThread(a Actor, customerID uint64, department string) (Thread, error) {
	department = strings.TrimSpace(department)
	var t Thread
	err := s.update(func(tx *bolt.Tx) error {
		st := DefaultSettings()
		if err := getOptional(tx.Bucket(bSettings), keyDealership, &st); err != nil {
			return err
		}
		if department != "" && !contains(st.Departments, department) {
			return Invalid("department", "messages.error.department")
		}
		old, existed, err := getThread(tx, customerID)
		if err != nil {
			return err
		}
		if !existed {
			return NotFound()
		}
		t = old
		if t.Department == department {
			return nil
		}
		t.Department = department
		if err := putThread(tx, old, true, t); err != nil {
			return err
		}
		if err := counter(tx, counterMessages, 1); err != nil {
			return err
		}
		w := s.writer(tx)
		if err := w.change("thread", customerID, OpPut); err != nil {
			return err
		}
		return w.audit(a, "message_assign", "customer", customerID, department)
	})
	return t, err
}

// InboxQuery selects a page of the staff inbox.
type InboxQuery struct {
	// Department lists only the threads assigned to it; Unassigned only
	// those assigned to none; neither: every thread.
	Department string
	Unassigned bool
	After      string // the Next of the previous page
	Limit      int
}

// InboxRow is one thread of the inbox with its customer's name.
type InboxRow struct {
	Thread
	Customer string
}

// InboxPage is a page of the inbox. Next is the After of the next page,
// empty when there is none.
type InboxPage struct {
	Rows []InboxRow
	Next string
	// UnreadThreads counts the threads with unread customer messages, by
	// department ("" for the unassigned), over the whole inbox.
	UnreadThreads map[string]int
}

// Inbox lists threads, unread first, then newest activity first.
func (s *Store) Inbox(q InboxQuery) (InboxPage, error) {
	if q.Limit <= 0 || q.Limit > 200 {
		q.Limit = 50
	}
	p := InboxPage{UnreadThreads: map[string]int{}}
	after, err := hex.DecodeString(q.After)
	if err != nil {
		return p, Invalid("after", "errors.invalid")
	}
	err = s.view(func(tx *bolt.Tx) error {
		threads, custs := tx.Bucket(bThreads), tx.Bucket(bCustomers)
		// Unread threads are the first keys of the inbox: counting them
		// reads no more than there are.
		c := tx.Bucket(bInbox).Cursor()
		for k, _ := c.First(); k != nil && k[0] == 0; k, _ = c.Next() {
			var t Thread
			if err := getJSON(threads, k[9:], &t); err != nil {
				return err
			}
			p.UnreadThreads[t.Department]++
		}
		var prefix []byte
		idx := tx.Bucket(bInbox)
		if q.Department != "" || q.Unassigned {
			idx = tx.Bucket(bInboxByDept)
			if !q.Unassigned {
				prefix = []byte(q.Department)
			}
			prefix = append(prefix, 0)
		}
		c = idx.Cursor()
		k, _ := c.Seek(prefix)
		if len(after) > 0 {
			k, _ = c.Seek(after)
			if k != nil && bytes.Equal(k, after) {
				k, _ = c.Next()
			}
		}
		for ; k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			if len(p.Rows) == q.Limit {
				p.Next = hex.EncodeToString(p.lastKey(prefix))
				break
			}
			var r InboxRow
			if err := getJSON(threads, k[len(k)-8:], &r.Thread); err != nil {
				return err
			}
			var cu Customer
			if err := getOptional(custs, k[len(k)-8:], &cu); err != nil {
				return err
			}
			r.Customer = cu.Name
			p.Rows = append(p.Rows, r)
		}
		return nil
	})
	return p, err
}

// lastKey is the index key of the page's last row.
func (p InboxPage) lastKey(prefix []byte) []byte {
	last := p.Rows[len(p.Rows)-1].Thread
	if len(prefix) == 0 {
		return inboxKey(last)
	}
	return deptKey(last)
}

// Thread returns a customer's thread and up to limit of its messages
// before the message ID before (0: the newest), oldest first; more says
// whether older ones remain. A customer with no messages has an empty
// thread; an unknown customer is NotFound.
func (s *Store) Thread(customerID, before uint64, limit int) (t Thread, msgs []Message, more bool, err error) {
	p, err := s.ThreadPage(ThreadQuery{CustomerID: customerID, Before: before, Limit: limit})
	return p.Thread, p.Messages, p.Older, err
}

// ThreadQuery selects a page of a customer's thread: the newest messages,
// those before Before, those after After, or those around At.
type ThreadQuery struct {
	CustomerID    uint64
	Before, After uint64
	// At is a message of the thread, shown with a few older ones for what
	// it answers and the newer ones after it. A message of another thread,
	// or none, is ignored: the page is the newest.
	At    uint64
	Limit int
}

// ThreadPage is a page of a customer's thread, oldest first. Older and
// Newer say whether the thread goes on before its first message and after
// its last; At is the query's At when the page shows it.
type ThreadPage struct {
	Thread       Thread
	Messages     []Message
	Older, Newer bool
	At           uint64
}

// threadContext is how many older messages a page around a message shows
// before it.
const threadContext = 5

// ThreadPage reads a page of a customer's thread from its index, from the
// message asked for: however long the thread, it reads no more than the
// page. An unknown customer is NotFound.
func (s *Store) ThreadPage(q ThreadQuery) (ThreadPage, error) {
	if q.Limit <= 0 || q.Limit > 200 {
		q.Limit = 50
	}
	var p ThreadPage
	err := s.view(func(tx *bolt.Tx) error {
		if tx.Bucket(bCustomers).Get(itob(q.CustomerID)) == nil {
			return NotFound()
		}
		var err error
		if p.Thread, _, err = getThread(tx, q.CustomerID); err != nil {
			return err
		}
		idx := tx.Bucket(bMessagesByCust)
		c := idx.Cursor()
		var older, newer []uint64
		switch {
		case q.At > 0 && idx.Get(threadKey(q.CustomerID, q.At)) != nil:
			p.At = q.At
			// A few older ones, the newer ones, and older ones again to
			// fill the page when the thread ends before it does.
			older, _ = olderIDs(c, q.CustomerID, q.At, min(threadContext, q.Limit-1))
			newer, p.Newer = newerIDs(c, q.CustomerID, q.At, q.Limit-1-len(older))
			older, p.Older = olderIDs(c, q.CustomerID, q.At, q.Limit-1-len(newer))
			newer = append([]uint64{q.At}, newer...)
		case q.After > 0:
			newer, p.Newer = newerIDs(c, q.CustomerID, q.After, q.Limit)
			from := q.After
			if len(newer) > 0 {
				from = newer[0]
			} else if from < math.MaxUint64 {
				from++
			}
			_, p.Older = olderIDs(c, q.CustomerID, from, 0)
		default:
			older, p.Older = olderIDs(c, q.CustomerID, q.Before, q.Limit)
			if q.Before > 0 {
				from := q.Before - 1
				if len(older) > 0 {
					from = older[0]
				}
				_, p.Newer = newerIDs(c, q.CustomerID, from, 0)
			}
		}
		slices.Reverse(older)
		all := tx.Bucket(bMessages)
		for _, id := range append(older, newer...) {
			var m Message
			if err := getJSON(all, itob(id), &m); err != nil {
				return err
			}
			p.Messages = append(p.Messages, m)
		}
		return nil
	})
	return p, err
}

func threadKey(customerID, messageID uint64) []byte {
	return append(itob(customerID), itob(messageID)...)
}

// olderIDs reads, newest first, up to n of the customer's messages before
// the message ID before (0: from the newest); more says whether older ones
// remain.
func olderIDs(c *bolt.Cursor, customerID, before uint64, n int) (ids []uint64, more bool) {
	end := itob(customerID + 1)
	if before > 0 {
		end = threadKey(customerID, before)
	}
	k, _ := c.Seek(end)
	if k == nil {
		k, _ = c.Last()
	} else {
		k, _ = c.Prev()
	}
	for ; k != nil && btoi(k[:8]) == customerID; k, _ = c.Prev() {
		if len(ids) == n {
			return ids, true
		}
		ids = append(ids, btoi(k[8:]))
	}
	return ids, false
}

// newerIDs reads, oldest first, up to n of the customer's messages after
// the message ID after; more says whether newer ones remain.
func newerIDs(c *bolt.Cursor, customerID, after uint64, n int) (ids []uint64, more bool) {
	from := threadKey(customerID, after)
	k, _ := c.Seek(from)
	if k != nil && bytes.Equal(k, from) {
		k, _ = c.Next()
	}
	for ; k != nil && btoi(k[:8]) == customerID; k, _ = c.Next() {
		if len(ids) == n {
			return ids, true
		}
		ids = append(ids, btoi(k[8:]))
	}
	return ids, false
}

// messageFile looks for hash on the messages the index names under
// prefix (the hash, and the customer when one asks).
func messageFile(tx *bolt.Tx, prefix []byte, hash string) (MediaFile, error) {
	k, _ := tx.Bucket(bMessageMedia).Cursor().Seek(prefix)
	if k == nil || !bytes.HasPrefix(k, prefix) {
		return MediaFile{}, nil
	}
	var m Message
	if err := getJSON(tx.Bucket(bMessages), k[len(k)-8:], &m); err != nil {
		return MediaFile{}, err
	}
	f, _ := fileIn(m.Attachments, hash)
	return f, nil
}

// MessagesState is what tells a staff page its messages changed: Version
// moves with every new message, read mark and assignment.
type MessagesState struct {
	Version uint64 `json:"version"`
	Unread  int64  `json:"unread"` // customer messages no staff member has read
}

// MessagesState reads the counters; it never scans.
func (s *Store) MessagesState() (MessagesState, error) {
	var st MessagesState
	err := s.view(func(tx *bolt.Tx) error {
		st.Version = uint64(readCounter(tx, counterMessages))
		st.Unread = readCounter(tx, counterUnread)
		return nil
	})
	return st, err
}

// messageMediaRefs lists every file a message points at, for backups.
func messageMediaRefs(tx *bolt.Tx) []string { return hashRuns(tx.Bucket(bMessageMedia)) }

// moveMessages gives a merged-away customer's messages to the customer
// kept and folds the two threads into one.
func moveMessages(w writer, from, to uint64) error {
	all, byCust, media := w.tx.Bucket(bMessages), w.tx.Bucket(bMessagesByCust), w.tx.Bucket(bMessageMedia)
	var ids []uint64
	c := byCust.Cursor()
	for k, _ := c.Seek(itob(from)); k != nil && btoi(k[:8]) == from; k, _ = c.Next() {
		ids = append(ids, btoi(k[8:]))
	}
	for _, id := range ids {
		var m Message
		if err := getJSON(all, itob(id), &m); err != nil {
			return err
		}
		for _, a := range m.Attachments {
			for _, h := range []string{a.Media, a.Thumb} {
				if h == "" {
					continue
				}
				if err := media.Delete(mediaKey(h, from, id)); err != nil {
					return err
				}
				if err := media.Put(mediaKey(h, to, id), nil); err != nil {
					return err
				}
			}
		}
		m.CustomerID = to
		if err := putJSON(all, itob(id), m); err != nil {
			return err
		}
		if err := byCust.Delete(append(itob(from), itob(id)...)); err != nil {
			return err
		}
		if err := byCust.Put(append(itob(to), itob(id)...), nil); err != nil {
			return err
		}
		if err := w.change("message", id, OpPut); err != nil {
			return err
		}
	}
	gone, goneExists, err := getThread(w.tx, from)
	if err != nil || !goneExists {
		return err
	}
	keep, keepExists, err := getThread(w.tx, to)
	if err != nil {
		return err
	}
	merged := keep
	if !keepExists || gone.Last.After(keep.Last) {
		merged.Last, merged.LastMessage, merged.LastDirection = gone.Last, gone.LastMessage, gone.LastDirection
		merged.LastPreview, merged.LastFiles = gone.LastPreview, gone.LastFiles
	}
	if merged.Department == "" {
		merged.Department = gone.Department
	}
	merged.CustomerID = to
	merged.Messages += gone.Messages
	merged.UnreadStaff += gone.UnreadStaff
	merged.UnreadCustomer += gone.UnreadCustomer
	if err := deleteThread(w.tx, gone); err != nil {
		return err
	}
	if err := putThread(w.tx, keep, keepExists, merged); err != nil {
		return err
	}
	return counter(w.tx, counterMessages, 1)
}

func init() {
	mergeMovers = append(mergeMovers, moveMessages)
}
