package server_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io/fs"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"pitlane/config"
	"pitlane/store"
)

// upFile is a file a form sends.
type upFile struct {
	field, name string
	data        []byte
}

func photoJPEG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{R: uint8(x), G: uint8(y), B: 90, A: 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// padded is content of a type (its first bytes) made n bytes long.
func padded(head []byte, n int) []byte {
	return append(append([]byte{}, head...), make([]byte, n-len(head))...)
}

// mp4Head is the start of an MP4 file as a phone records it.
func mp4Head() []byte {
	b := binary.BigEndian.AppendUint32(nil, 24)
	return append(b, "ftypisom\x00\x00\x02\x00isomiso2"...)
}

const pdf = "%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n"

func multipartBody(t *testing.T, fields map[string]string, files ...upFile) (*bytes.Buffer, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	for _, f := range files {
		fw, err := w.CreateFormFile(f.field, f.name)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(f.data)
	}
	w.Close()
	return &buf, w.FormDataContentType()
}

// write sends a message from the phone, as its form does (JSON when the
// page's script sends it).
func (p phone) write(t *testing.T, text string, asJSON bool, files ...upFile) (*http.Response, string) {
	t.Helper()
	body, ctype := multipartBody(t, map[string]string{"text": text}, files...)
	req := httptest.NewRequest(http.MethodPost, "/app/messages", body)
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("User-Agent", androidUA)
	if asJSON {
		req.Header.Set("Accept", "application/json")
	}
	return p.send(req)
}

// staffDesk is a signed-in staff member's browser.
func (e *env) staffDesk(role store.Role) *browser {
	b := e.browser()
	b.cookies["pl_session"] = e.as(role).cookie
	return b
}

// reply sends the staff form of the thread page, its CSRF token in the
// action's query as the page puts it.
func (b *browser) reply(t *testing.T, customerID uint64, text string, asJSON bool, files ...upFile) (*http.Response, string) {
	t.Helper()
	_, page := b.get(fmt.Sprintf("/messages/%d", customerID))
	m := regexp.MustCompile(`action="/messages/\d+\?_csrf=([^"]+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("the thread page has no reply form: %.400s", page)
	}
	body, ctype := multipartBody(t, map[string]string{"text": text}, files...)
	req := httptest.NewRequest(http.MethodPost, fmt.Sprintf("/messages/%d?_csrf=%s", customerID, url.QueryEscape(m[1])), body)
	req.Header.Set("Content-Type", ctype)
	if asJSON {
		req.Header.Set("Accept", "application/json")
	}
	return b.send(req)
}

// mediaFiles lists what the media folder holds, temporary files included.
func (e *env) mediaFiles(t *testing.T) []string {
	t.Helper()
	var out []string
	root := filepath.Join(filepath.Dir(e.st.Path()), "media")
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(root, p)
			out = append(out, rel)
		}
		return nil
	})
	return out
}

func TestCustomerWritesWithAPhotoAndStaffRead(t *testing.T) {
	e := newEnv(t)
	ana := newCustomerWithCar(t, e, "Ana Pop", "B 12 ABC")
	photo := photoJPEG(t, 1200, 800)
	resp, body := ana.phone.write(t, "The brakes squeak <again>.", false, upFile{"files", "brakes.jpg", photo}, upFile{"files", "", nil})
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/app/messages#m") {
		t.Fatalf("sending: %d to %q: %.300s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	th, msgs, _, err := e.st.Thread(ana.customer.ID, 0, 10)
	if err != nil || len(msgs) != 1 || len(msgs[0].Attachments) != 1 {
		t.Fatalf("thread %+v, %+v, %v", th, msgs, err)
	}
	a := msgs[0].Attachments[0]
	if a.Type != "image/jpeg" || a.Size != int64(len(photo)) || a.Name != "brakes.jpg" || a.Thumb == "" {
		t.Fatalf("attachment %+v", a)
	}
	if got := len(e.mediaFiles(t)); got != 2 {
		t.Errorf("media folder holds %v, want the photo and its thumbnail", e.mediaFiles(t))
	}

	_, page := ana.phone.get("/app/messages")
	for _, want := range []string{"The brakes squeak &lt;again&gt;.", `src="/app/media/` + a.Thumb + `"`, `href="/app/media/` + a.Media + `"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the thread lacks %q", want)
		}
	}
	resp, thumb := ana.phone.get("/app/media/" + a.Thumb)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("thumbnail: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if cfg, err := jpeg.DecodeConfig(strings.NewReader(thumb)); err != nil || cfg.Width != 480 || cfg.Height != 320 {
		t.Errorf("thumbnail %+v, %v; want 480×320", cfg, err)
	}

	desk := e.staffDesk(store.RoleWorkshop)
	_, dash := desk.get("/")
	if !regexp.MustCompile(`data-unread><span data-count>1</span>`).MatchString(dash) {
		t.Error("the menu does not show one unread message")
	}
	_, inbox := desk.get("/messages")
	if !strings.Contains(inbox, "Ana Pop") || !strings.Contains(inbox, `class="unread"`) {
		t.Errorf("the inbox does not show Ana's unread thread: %.600s", inbox)
	}
	_, thread := desk.get(fmt.Sprintf("/messages/%d", ana.customer.ID))
	if !strings.Contains(thread, "The brakes squeak &lt;again&gt;.") || !strings.Contains(thread, `src="/messages/media/`+a.Thumb+`"`) {
		t.Errorf("the staff thread lacks the message: %.600s", thread)
	}
	_, inbox = desk.get("/messages")
	if strings.Contains(inbox, `class="unread"`) {
		t.Error("the thread is still unread after staff opened it")
	}
	resp, got := desk.get("/messages/media/" + a.Media)
	if resp.StatusCode != 200 || got != string(photo) {
		t.Errorf("staff get the photo: %d, %d bytes", resp.StatusCode, len(got))
	}
}

func TestUploadRefusals(t *testing.T) {
	e := newEnvWith(t, func(c *config.Config) { c.MaxPhoto, c.MaxVideo = 1_000_000, 2_000_000 }, nil)
	ana := newCustomerWithCar(t, e, "Ana Pop", "B 12 ABC")
	italian := pairPhone(t, e, ana.customer.ID)
	italian.lang = "it"
	small := photoJPEG(t, 40, 30)
	tests := []struct {
		name   string
		p      phone
		json   bool
		files  []upFile
		status int
		say    string
	}{
		{"a PDF called photo.jpg", ana.phone, false, []upFile{{"files", "photo.jpg", []byte(pdf)}}, 422,
			"“photo.jpg” is not a photo or a video"},
		{"a photo over the limit", ana.phone, false, []upFile{{"files", "big.jpg", padded(small, 1_000_001)}}, 422,
			"The photo “big.jpg” is larger than 1 MB."},
		{"a video over the limit", ana.phone, true, []upFile{{"files", "clip.mp4", padded(mp4Head(), 2_000_001)}}, 422,
			`"error":"The video “clip.mp4” is larger than 2 MB."`},
		{"in the phone's language", italian, false, []upFile{{"files", "clip.mp4", padded(mp4Head(), 2_000_001)}}, 422,
			"Il video «clip.mp4» supera i 2 MB."},
		{"a good photo, then a bad file", ana.phone, false, []upFile{{"files", "ok.jpg", small}, {"files", "notes.txt", []byte("hello")}}, 422,
			"“notes.txt” is not a photo or a video"},
		{"more than the request may carry", ana.phone, false, []upFile{
			{"files", "a.mp4", padded(mp4Head(), 1_900_000)}, {"files", "b.mp4", padded(mp4Head(), 1_900_000)},
			{"files", "c.mp4", padded(mp4Head(), 1_900_000)}}, 422,
			"Together the files are larger than 4 MB."},
		{"nothing at all", ana.phone, false, nil, 422, "Write something, or add a photo or video."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := tt.p.write(t, "", tt.json, tt.files...)
			if resp.StatusCode != tt.status || !strings.Contains(body, tt.say) {
				t.Fatalf("%d, want %d saying %q: %.500s", resp.StatusCode, tt.status, tt.say, body)
			}
			if files := e.mediaFiles(t); len(files) != 0 {
				t.Errorf("a refused message left %v on disk", files)
			}
		})
	}
	if _, msgs, _, _ := e.st.Thread(ana.customer.ID, 0, 10); len(msgs) != 0 {
		t.Errorf("refused messages were stored: %+v", msgs)
	}
	// At the limit is accepted.
	if resp, body := ana.phone.write(t, "", false, upFile{"files", "clip.mp4", padded(mp4Head(), 2_000_000)}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("a video at the limit: %d %.300s", resp.StatusCode, body)
	}
}

// TestLargeUploadIsStreamed sends a video larger than the limit of every
// other request: the message route reads it as it arrives, the others
// still refuse such a body.
func TestLargeUploadIsStreamed(t *testing.T) {
	e := newEnv(t)
	ana := newCustomerWithCar(t, e, "Ana Pop", "B 12 ABC")
	video := padded(mp4Head(), 30<<20)
	resp, body := ana.phone.write(t, "the noise", true, upFile{"files", "noise.mp4", video})
	if resp.StatusCode != 200 || !strings.Contains(body, `"url":"/app/messages#m`) {
		t.Fatalf("30 MB video: %d %.300s", resp.StatusCode, body)
	}
	b, ctype := multipartBody(t, map[string]string{"name": "x"}, upFile{"file", "big.csv", video})
	req := httptest.NewRequest(http.MethodPost, "/imports", b)
	req.Header.Set("Content-Type", ctype)
	if resp, _ := e.staffDesk(store.RoleManager).send(req); resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("30 MB to another route: %d, want 413", resp.StatusCode)
	}
}

func TestMessageFilesAccess(t *testing.T) {
	e := newEnv(t)
	ana := newCustomerWithCar(t, e, "Ana Pop", "B 12 ABC")
	radu := newCustomerWithCar(t, e, "Radu Ionescu", "BB 222 BB")
	photo := photoJPEG(t, 64, 48)
	if resp, body := ana.phone.write(t, "", false, upFile{"files", "dent.jpg", photo}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("%d %.300s", resp.StatusCode, body)
	}
	_, msgs, _, _ := e.st.Thread(ana.customer.ID, 0, 1)
	hash := msgs[0].Attachments[0].Media
	path := "/app/media/" + hash

	ranged := func(p phone, rng, ifRange string) (*http.Response, string) {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("Range", rng)
		if ifRange != "" {
			req.Header.Set("If-Range", ifRange)
		}
		return p.send(req)
	}
	resp, body := ranged(ana.phone, "bytes=0-9", "")
	if resp.StatusCode != http.StatusPartialContent || body != string(photo[:10]) ||
		resp.Header.Get("Content-Range") != fmt.Sprintf("bytes 0-9/%d", len(photo)) || resp.Header.Get("Accept-Ranges") != "bytes" {
		t.Errorf("range: %d %q %q", resp.StatusCode, resp.Header.Get("Content-Range"), body)
	}
	if cc := resp.Header.Get("Cache-Control"); !strings.HasPrefix(cc, "private") {
		t.Errorf("Cache-Control %q", cc)
	}
	resp, body = ranged(ana.phone, "bytes=-4", `"`+hash+`"`)
	if resp.StatusCode != http.StatusPartialContent || body != string(photo[len(photo)-4:]) {
		t.Errorf("suffix range with If-Range: %d", resp.StatusCode)
	}
	if resp, _ := ranged(ana.phone, fmt.Sprintf("bytes=%d-", len(photo)), ""); resp.StatusCode != http.StatusRequestedRangeNotSatisfiable {
		t.Errorf("range past the end: %d", resp.StatusCode)
	}

	if resp, body := radu.phone.get(path); resp.StatusCode != http.StatusNotFound || strings.Contains(body, string(photo[:20])) {
		t.Errorf("another customer's phone with the right hash got %d", resp.StatusCode)
	}
	devices, _ := e.st.CustomerDevices(ana.customer.ID)
	if _, err := e.st.RevokeDevice(store.CLI, ana.customer.ID, devices[0].ID); err != nil {
		t.Fatal(err)
	}
	if resp, _ := ana.phone.get(path); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a revoked phone got %d, want 401", resp.StatusCode)
	}
	// The daily clean-up of unused uploads leaves a message's photo (and
	// its thumbnail) alone.
	if n := e.purgeMedia(t); n != 0 {
		t.Errorf("the clean-up deleted %d files of a message", n)
	}
	for _, role := range store.Roles {
		if resp, body := e.staffDesk(role).get("/messages/media/" + hash); resp.StatusCode != 200 || body != string(photo) {
			t.Errorf("%s: %d", role, resp.StatusCode)
		}
	}
	// A file in the media folder that no message holds is not a message's.
	logo, err := e.st.SaveSettings(store.CLI, func() store.Settings { s := dealership("", "en"); s.Logo = strings.Repeat("ab", 32); return s }())
	if err != nil {
		t.Fatal(err)
	}
	if resp, _ := e.staffDesk(store.RoleManager).get("/messages/media/" + logo.Logo); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a file on no message: %d", resp.StatusCode)
	}
	if resp, _ := e.browser().get("/messages/media/" + hash); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("anonymous: %d, want the login page", resp.StatusCode)
	}
}

func TestStaffReplyNotifiesThePhone(t *testing.T) {
	e := newEnv(t)
	if _, err := e.st.SaveSettings(store.CLI, dealership("+39 011 123 4567", "en")); err != nil {
		t.Fatal(err)
	}
	ana := newCustomerWithCar(t, e, "Ana Pop", "B 12 ABC")
	desk := e.staffDesk(store.RoleSales)
	resp, body := desk.reply(t, ana.customer.ID, "Your car is ready.", false, upFile{"files", "invoice.jpg", photoJPEG(t, 20, 20)})
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), fmt.Sprintf("/messages/%d#m", ana.customer.ID)) {
		t.Fatalf("reply: %d %q %.300s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	due, _ := e.st.DueNotifications(10)
	var sent []store.Notification
	for _, n := range due {
		if n.Category == store.CategoryMessages {
			sent = append(sent, n)
		}
	}
	if len(sent) != 1 || sent[0].CustomerID != ana.customer.ID || sent[0].URL != "/app/messages" || sent[0].BodyKey != "messages.notify.text" {
		t.Fatalf("notifications %+v", due)
	}

	_, home := ana.phone.get("/app/")
	if !strings.Contains(home, `id="inbox-unread">1`) || !strings.Contains(home, "Your car is ready.") {
		t.Errorf("the app's home does not show the unread message: %.2000s", home)
	}
	_, thread := ana.phone.get("/app/messages")
	if !strings.Contains(thread, "Your car is ready.") || !strings.Contains(thread, "Test sales") || !strings.Contains(thread, "msg out new") {
		t.Errorf("the app's thread: %.1500s", thread)
	}
	if _, home := ana.phone.get("/app/"); strings.Contains(home, `id="inbox-unread"`) {
		t.Error("still unread after the customer opened the thread")
	}
	_, staffThread := desk.get(fmt.Sprintf("/messages/%d", ana.customer.ID))
	if !strings.Contains(staffThread, "seen ") {
		t.Error("staff do not see that the customer read the reply")
	}

	// The page's script gets JSON.
	resp, body = desk.reply(t, ana.customer.ID, "", true)
	if resp.StatusCode != 422 || !strings.Contains(body, `"error":"Write something`) {
		t.Errorf("empty reply as JSON: %d %s", resp.StatusCode, body)
	}
	resp, body = desk.reply(t, ana.customer.ID, "And the keys are at the desk.", true)
	if resp.StatusCode != 200 || !strings.Contains(body, `"url":"/messages/`) {
		t.Errorf("reply as JSON: %d %s", resp.StatusCode, body)
	}
	// Without the token the reply is refused, and its body is not read.
	b, ctype := multipartBody(t, map[string]string{"text": "forged"})
	req := httptest.NewRequest(http.MethodPost, fmt.Sprintf("/messages/%d", ana.customer.ID), b)
	req.Header.Set("Content-Type", ctype)
	if resp, _ := desk.send(req); resp.StatusCode != http.StatusForbidden {
		t.Errorf("reply without CSRF token: %d", resp.StatusCode)
	}
	e.run(t, []scenario{
		{name: "reply to no customer", method: http.MethodPost, path: "/messages/999", as: store.RoleSales, status: 404},
		{name: "thread of no customer", path: "/messages/999", as: store.RoleSales, status: 404},
		{name: "the customer page links the thread", path: fmt.Sprintf("/customers/%d", ana.customer.ID), as: store.RoleWorkshop,
			status: 200, contains: []string{fmt.Sprintf(`href="/messages/%d"`, ana.customer.ID)}},
	})
}

func TestAssignThread(t *testing.T) {
	e := newEnv(t)
	st := dealership("", "en")
	st.Departments = []string{"Mechanics", "Body shop"}
	if _, err := e.st.SaveSettings(store.CLI, st); err != nil {
		t.Fatal(err)
	}
	ana := newCustomerWithCar(t, e, "Ana Pop", "B 12 ABC")
	if resp, _ := ana.phone.write(t, "A scratch on the door", false); resp.StatusCode != http.StatusSeeOther {
		t.Fatal(resp.StatusCode)
	}
	path := fmt.Sprintf("/messages/%d", ana.customer.ID)
	e.run(t, []scenario{
		{name: "assign", method: http.MethodPost, path: path + "/assign", as: store.RoleWorkshop,
			form: url.Values{"department": {"Body shop"}}, status: http.StatusSeeOther, location: path + "?done=messages.assigned"},
		{name: "the department's inbox", path: "/messages?department=Body+shop", as: store.RoleSales, status: 200,
			contains: []string{"Ana Pop", `<span class="dept">Body shop</span>`}},
		{name: "another department's inbox", path: "/messages?department=Mechanics", as: store.RoleSales, status: 200,
			notContains: []string{"Ana Pop"}},
		{name: "unassigned", path: "/messages?unassigned=1", as: store.RoleSales, status: 200, notContains: []string{"Ana Pop"}},
		{name: "a department that does not exist", method: http.MethodPost, path: path + "/assign", as: store.RoleWorkshop,
			form: url.Values{"department": {"Sales"}}, status: 422},
	})
}

// TestStaffSeeNewMessagesLive follows /messages/events as a staff page
// does, on a real connection, while a customer writes.
func TestStaffSeeNewMessagesLive(t *testing.T) {
	e := newEnv(t)
	ana := newCustomerWithCar(t, e, "Ana Pop", "B 12 ABC")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go e.srv.App().Listener(ln)
	t.Cleanup(func() { e.srv.App().ShutdownWithTimeout(time.Second) })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+ln.Addr().String()+"/messages/events", nil)
	req.Header.Set("Accept", "text/event-stream")
	req.AddCookie(&http.Cookie{Name: "pl_session", Value: e.as(store.RoleWorkshop).cookie})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("events: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	r := bufio.NewReader(resp.Body)
	next := func() store.MessagesState {
		t.Helper()
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				t.Fatalf("reading the stream: %v", err)
			}
			if data, ok := strings.CutPrefix(line, "data: "); ok {
				var st store.MessagesState
				if err := json.Unmarshal([]byte(data), &st); err != nil {
					t.Fatal(err)
				}
				return st
			}
		}
	}
	first := next()
	if first.Unread != 0 {
		t.Fatalf("first event %+v", first)
	}
	if w, body := ana.phone.write(t, "Is it ready?", false); w.StatusCode != http.StatusSeeOther {
		t.Fatalf("%d %s", w.StatusCode, body)
	}
	got := next()
	if got.Unread != 1 || got.Version <= first.Version {
		t.Errorf("after the customer wrote the stream said %+v (before: %+v)", got, first)
	}

	// Without an event-stream Accept (a poll, or the role test) the state
	// comes once as JSON.
	e.run(t, []scenario{{name: "events as JSON", path: "/messages/events", as: store.RoleSales, status: 200,
		contains: []string{`"unread":1`}}})
}

// TestThreadOpensAtAnOldMessage opens a long thread where a search result
// points: the page that holds the message, marked, with links both ways.
func TestThreadOpensAtAnOldMessage(t *testing.T) {
	e := newEnv(t)
	ana, err := e.st.CreateCustomer(store.CLI, store.Customer{Name: "Ana Pop"})
	if err != nil {
		t.Fatal(err)
	}
	staff := store.Actor{Kind: "user", UserID: 1, Name: "Luca"}
	var ids []uint64
	for i := 1; i < 120; i++ {
		m, err := e.st.StaffMessage(staff, ana.ID, fmt.Sprintf("Note %03d", i), nil)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m.ID)
	}
	if resp, body := pairPhone(t, e, ana.ID).write(t, "Is the car ready?", false); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the customer writing: %d %.300s", resp.StatusCode, body)
	}
	bogdan, err := e.st.CreateCustomer(store.CLI, store.Customer{Name: "Bogdan Ionescu"})
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := e.st.StaffMessage(staff, bogdan.ID, "Bogdan's gearbox quote", nil)
	if err != nil {
		t.Fatal(err)
	}
	unread := func() int {
		t.Helper()
		th, _, _, err := e.st.Thread(ana.ID, 0, 1)
		if err != nil {
			t.Fatal(err)
		}
		return th.UnreadStaff
	}

	thread := fmt.Sprintf("/messages/%d", ana.ID)
	tenth := ids[9]
	e.run(t, []scenario{
		{name: "at the tenth", path: fmt.Sprintf("%s?at=%d", thread, tenth), as: store.RoleSales, status: 200,
			contains: []string{fmt.Sprintf(`class="msg out found" id="m%d"`, tenth), "Note 005", "Note 010", "Note 054",
				fmt.Sprintf(`href="%s?before=%d"`, thread, ids[4]), fmt.Sprintf(`href="%s?after=%d"`, thread, ids[53]),
				"Earlier messages", "Later messages", "data-newer"},
			notContains: []string{"Note 004", "Note 055", "Is the car ready?"}},
	})
	if n := unread(); n != 1 {
		t.Errorf("the customer's message is read (unread %d) though the page did not show it", n)
	}
	e.run(t, []scenario{
		{name: "the newer link", path: fmt.Sprintf("%s?after=%d", thread, ids[53]), as: store.RoleSales, status: 200,
			contains: []string{"Note 055", "Note 104", fmt.Sprintf(`href="%s?before=%d"`, thread, ids[54]),
				fmt.Sprintf(`href="%s?after=%d"`, thread, ids[103])},
			notContains: []string{"Note 054", "Note 105", " found"}},
		{name: "at another customer's message", path: fmt.Sprintf("%s?at=%d", thread, theirs.ID), as: store.RoleSales, status: 200,
			contains:    []string{"Note 071", "Is the car ready?", fmt.Sprintf(`href="%s?before=%d"`, thread, ids[70])},
			notContains: []string{"Note 070", "Bogdan", "gearbox", " found", "?after=", "data-newer"}},
		{name: "at no message", path: thread + "?at=999999", as: store.RoleSales, status: 200,
			contains: []string{"Note 071", "Is the car ready?"}, notContains: []string{" found", "?after="}},
	})
	if n := unread(); n != 0 {
		t.Errorf("the newest page left %d customer messages unread", n)
	}
}

// sentPhoto has the customer's phone send a photo in a message and
// returns its hash.
func sentPhoto(t *testing.T, e *env, f customerWithCar) string {
	t.Helper()
	// Each customer's own picture: the same content would be the same
	// file, which both would rightly see.
	pic := photoJPEG(t, 30+int(f.customer.ID), 24)
	if resp, body := f.phone.write(t, "", false, upFile{"files", "photo.jpg", pic}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sending a photo: %d %.300s", resp.StatusCode, body)
	}
	_, msgs, _, err := e.st.Thread(f.customer.ID, 0, 1)
	if err != nil || len(msgs) != 1 || len(msgs[0].Attachments) != 1 {
		t.Fatalf("the photo's message: %+v, %v", msgs, err)
	}
	return msgs[0].Attachments[0].Media
}
