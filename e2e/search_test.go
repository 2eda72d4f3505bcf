package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"pitlane/auth"
	"pitlane/search"
	"pitlane/store"
)

// searchHealth is the search index's part of /healthz.
type searchHealth struct {
	State     string `json:"state"`
	Lag       uint64 `json:"lag"`
	Documents uint64 `json:"documents"`
}

func healthOf(base string) (searchHealth, error) {
	var h struct {
		Search searchHealth `json:"search"`
	}
	res, err := http.Get(base + "/healthz")
	if err != nil {
		return h.Search, err
	}
	defer res.Body.Close()
	return h.Search, json.NewDecoder(res.Body).Decode(&h)
}

// untilIndexed waits until the appliance's index holds every change.
func untilIndexed(t *testing.T, base string) searchHealth {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		h, err := healthOf(base)
		if err == nil && h.State == "ok" && h.Lag == 0 {
			return h
		}
		if time.Now().After(deadline) {
			t.Fatalf("the search index did not catch up: %+v, %v", h, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// searchDesk is a data folder, its store open, holding the staff account
// luca (password "chiave-inglese-10", with role) and the customer Mario
// Rossi; the test adds what it searches for and closes the store before
// starting the appliance on the folder.
func searchDesk(t *testing.T, role store.Role) (string, *store.Store, store.Customer) {
	t.Helper()
	dir := t.TempDir()
	st, err := store.Open(dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	hash, err := auth.HashPassword("chiave-inglese-10")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateUser(store.CLI, store.NewUser{Username: "luca", Name: "Luca Neri", Role: role, PasswordHash: hash}); err != nil {
		t.Fatal(err)
	}
	rossi, err := st.CreateCustomer(store.CLI, store.Customer{Name: "Mario Rossi", Phone: "+39 340 123 4567"})
	if err != nil {
		t.Fatal(err)
	}
	return dir, st, rossi
}

// TestStaffFindsACarAsTheyType: a workshop user types part of a plate in
// the header's search box, sees the car under Vehicles with the typed part
// marked, moves to it with the arrow key and opens it with Enter. Without
// JavaScript, the same box leads to the results page.
func TestStaffFindsACarAsTheyType(t *testing.T) {
	dir, st, rossi := searchDesk(t, store.RoleWorkshop)
	panda, err := st.CreateVehicle(store.CLI, store.Vehicle{CustomerID: rossi.ID, Plate: "AB 123 CD", Make: "Fiat", Model: "Panda"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateVehicle(store.CLI, store.Vehicle{CustomerID: rossi.ID, Plate: "XY 987 ZW", Make: "Lancia", Model: "Ypsilon"}); err != nil {
		t.Fatal(err)
	}
	note, err := st.StaffMessage(store.CLI, rossi.ID, "Le gomme invernali sono arrivate.", nil)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	_, base := serveData(t, dir)
	untilIndexed(t, base)
	carPath := fmt.Sprintf("/vehicles/%d", panda.ID)

	ctx := browser(t, 1280, 900)
	signIn(t, ctx, base, "luca", "chiave-inglese-10")
	run(t, ctx, "type part of a plate",
		chromedp.SendKeys(chromedp.CSS("#search-q"), "ab 12"),
		chromedp.WaitVisible(chromedp.CSS(`#search-list [role=option]`)),
	)
	if got := text(t, ctx, "#search-list .search-group"); got != "Vehicles" {
		t.Errorf("the group is %q, want Vehicles", got)
	}
	if got := text(t, ctx, "#search-list [role=option] mark"); got != "AB 12" {
		t.Errorf("the marked text is %q, want AB 12", got)
	}
	if got := eval[string](t, ctx, `document.querySelector("#search-q").getAttribute("aria-expanded")`); got != "true" {
		t.Errorf("aria-expanded=%q while the list is open", got)
	}
	shot(t, ctx, "search-as-you-type.png")

	run(t, ctx, "arrow down", chromedp.SendKeys(chromedp.CSS("#search-q"), kb.ArrowDown))
	active := eval[string](t, ctx, `document.querySelector("#search-q").getAttribute("aria-activedescendant") || ""`)
	if active == "" || eval[string](t, ctx, `document.getElementById("`+active+`").getAttribute("aria-selected")`) != "true" {
		t.Fatalf("ArrowDown did not select the first result (aria-activedescendant=%q)", active)
	}
	if _, err := chromedp.RunResponse(ctx, chromedp.SendKeys(chromedp.CSS("#search-q"), kb.Enter)); err != nil {
		t.Fatalf("Enter on the result: %v", err)
	}
	if got := eval[string](t, ctx, `location.pathname`); got != carPath {
		t.Fatalf("Enter opened %s, want %s", got, carPath)
	}

	run(t, ctx, "Escape closes the list",
		chromedp.SendKeys(chromedp.CSS("#search-q"), "rossi"),
		chromedp.WaitVisible(chromedp.CSS(`#search-list [role=option]`)),
		chromedp.SendKeys(chromedp.CSS("#search-q"), kb.Escape),
	)
	if !eval[bool](t, ctx, `document.getElementById("search-list").hidden`) ||
		eval[string](t, ctx, `document.querySelector("#search-q").getAttribute("aria-expanded")`) != "false" {
		t.Error("Escape left the list open")
	}

	run(t, ctx, "type a word of a message",
		chromedp.SendKeys(chromedp.CSS("#search-q"), kb.Escape+"invernali"),
		chromedp.WaitVisible(chromedp.CSS(`#search-list [role=option]`)),
	)
	if got := text(t, ctx, "#search-list .search-group"); got != "Messages" {
		t.Errorf("the group is %q, want Messages", got)
	}
	threadURL := fmt.Sprintf("/messages/%d?at=%d#m%d", rossi.ID, note.ID, note.ID)
	if got := eval[string](t, ctx, `document.querySelector("#search-list [role=option]").dataset.url`); got != threadURL {
		t.Errorf("the message result opens %s, want %s", got, threadURL)
	}
	if got := text(t, ctx, "#search-list [role=option] mark"); got != "invernali" {
		t.Errorf("the marked text is %q, want invernali", got)
	}

	// Without JavaScript the box is a form: Enter shows the results page.
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	run(t, ctx, "open a page without scripts", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("#search-q")))
	run(t, ctx, "type a plate", chromedp.SendKeys(chromedp.CSS("#search-q"), "ab123"))
	if status := submit(t, ctx, "#search-q"); status != 200 {
		t.Fatalf("results page: HTTP %d", status)
	}
	if got := eval[string](t, ctx, `location.pathname + location.search`); got != "/search?q=ab123" {
		t.Errorf("the form went to %s", got)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('main a[href="`+carPath+`"]').length`); n != 1 {
		t.Errorf("the results page links the car %d times, want once", n)
	}
	if got := text(t, ctx, "main .hits mark"); got != "AB 123" {
		t.Errorf("the results page marks %q, want AB 123", got)
	}
	shot(t, ctx, "search-results.png")

	phone := browser(t, 360, 740)
	signIn(t, phone, base, "luca", "chiave-inglese-10")
	if eval[bool](t, phone, `document.documentElement.scrollWidth > window.innerWidth`) {
		t.Error("with the search box the header scrolls sideways on a 360 px phone")
	}
	shot(t, phone, "search-360.png")
}

// TestSearchSurvivesKill9 is the crash proof: the appliance is killed with
// SIGKILL while it builds its index and again while it applies a stream of
// new records; after the restart the index holds every record of the
// database, and each record written meanwhile is found.
func TestSearchSurvivesKill9(t *testing.T) {
	const seeded = 4000
	dir := t.TempDir()
	st, err := store.Open(dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	key := "pl_" + auth.NewToken()
	if _, err := st.CreateAPIKey(store.CLI, "crash test", store.RoleBackoffice, key[:9], auth.HashToken(key)); err != nil {
		t.Fatal(err)
	}
	for first := 0; first < seeded; first += 1000 {
		var bundles []store.Bundle
		for i := first; i < first+1000; i++ {
			bundles = append(bundles, store.Bundle{
				Customer: store.Customer{Name: fmt.Sprintf("Cliente %d", i), Email: fmt.Sprintf("seed%d@example.test", i)},
				Vehicles: []store.VehicleBundle{{Vehicle: store.Vehicle{Plate: fmt.Sprintf("SD%05d", i), Make: "Fiat", Model: "Panda"},
					Jobs: []store.Job{{Description: "Tagliando e cambio olio"}}}},
			})
		}
		if _, err := st.ImportBundles(store.CLI, "crash_seed", bundles); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()

	w := &apiWriter{key: key}
	// First run: killed while it builds the index.
	p, base := serveData(t, dir)
	w.start(base, 4)
	h := waitHealth(t, base, "the first build", func(h searchHealth) bool { return h.State == "building" || h.State == "rebuilding" })
	kill(t, p)
	w.stop()
	t.Logf("killed during the build (%+v) with %d records written through the API", h, w.count())

	// Second run: killed while it applies new records.
	p, base = serveData(t, dir)
	waitHealth(t, base, "the rebuild", func(h searchHealth) bool { return h.State == "ok" })
	w.start(base, 4)
	before := w.count()
	h = waitHealth(t, base, "new records to apply", func(h searchHealth) bool { return h.Lag > 0 && w.count() > before+20 })
	kill(t, p)
	w.stop()
	t.Logf("killed with %d changes to apply (%+v), %d records written through the API", h.Lag, h, w.count())

	// Third run: everything is found.
	p, base = serveData(t, dir)
	final := untilIndexed(t, base)
	for _, r := range w.written() {
		for _, q := range []struct {
			text string
			kind search.Kind
			id   uint64
		}{{r.email, search.KindCustomer, r.customer}, {r.plate, search.KindVehicle, r.vehicle}} {
			if q.id != 0 && !w.finds(t, base, q.text, q.kind, q.id) {
				t.Errorf("%q does not find %s %d after the crashes", q.text, q.kind, q.id)
			}
		}
	}
	for i := 0; i < seeded; i += 97 {
		if res := w.search(t, base, fmt.Sprintf("SD%05d", i)); !strings.Contains(res, fmt.Sprintf(`"title":"SD%05d"`, i)) {
			t.Errorf("seeded car SD%05d is not found", i)
		}
	}
	p.stop(t)

	// The index holds one document per record, no more, no less.
	st, err = store.Open(dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var records uint64
	for _, k := range search.Kinds() {
		n, err := st.RecordCount(string(k))
		if err != nil {
			t.Fatal(err)
		}
		records += uint64(n)
	}
	if final.Documents != records {
		t.Errorf("the index holds %d documents, the database %d records", final.Documents, records)
	}
}

func kill(t *testing.T, p *process) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-p.done
}

func waitHealth(t *testing.T, base, what string, ok func(searchHealth) bool) searchHealth {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		h, err := healthOf(base)
		if err == nil && ok(h) {
			return h
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: %+v, %v", what, h, err)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// apiWriter adds customers with a car each through the API, as an
// integration would, remembering what the appliance acknowledged.
type apiWriter struct {
	key    string
	mu     sync.Mutex
	n      int
	done   []written
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

type written struct {
	email, plate      string
	customer, vehicle uint64
}

func (w *apiWriter) start(base string, writers int) {
	ctx, cancel := context.WithCancel(context.Background())
	w.cancel = cancel
	for range writers {
		w.wg.Go(func() {
			for ctx.Err() == nil {
				w.mu.Lock()
				w.n++
				r := written{email: fmt.Sprintf("api%d@example.test", w.n), plate: fmt.Sprintf("KL%05dX", w.n)}
				w.mu.Unlock()
				var c, v struct {
					ID uint64 `json:"id"`
				}
				if w.post(ctx, base+"/api/v1/customers", map[string]any{"name": "Api " + r.plate, "email": r.email}, &c) != nil {
					continue
				}
				r.customer = c.ID
				if w.post(ctx, base+"/api/v1/vehicles", map[string]any{"customer_id": c.ID, "plate": r.plate, "make": "Dacia"}, &v) == nil {
					r.vehicle = v.ID
				}
				w.mu.Lock()
				w.done = append(w.done, r)
				w.mu.Unlock()
			}
		})
	}
}

func (w *apiWriter) stop() {
	w.cancel()
	w.wg.Wait()
}

func (w *apiWriter) count() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.done)
}

func (w *apiWriter) written() []written {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]written(nil), w.done...)
}

var errNotCreated = errors.New("not created")

func (w *apiWriter) post(ctx context.Context, url string, body any, out any) error {
	data, _ := json.Marshal(body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(data))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+w.key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		io.Copy(io.Discard, res.Body)
		return errNotCreated
	}
	return json.NewDecoder(res.Body).Decode(out)
}

func (w *apiWriter) search(t *testing.T, base, q string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/search?limit=3&q="+url.QueryEscape(q), nil)
	req.Header.Set("Authorization", "Bearer "+w.key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("search %q: HTTP %d %s", q, res.StatusCode, body)
	}
	return string(body)
}

func (w *apiWriter) finds(t *testing.T, base, q string, kind search.Kind, id uint64) bool {
	var res struct {
		Groups []struct {
			Kind    search.Kind `json:"kind"`
			Results []struct {
				ID uint64 `json:"id"`
			} `json:"results"`
		} `json:"groups"`
	}
	if err := json.Unmarshal([]byte(w.search(t, base, q)), &res); err != nil {
		t.Fatal(err)
	}
	for _, g := range res.Groups {
		for _, r := range g.Results {
			if g.Kind == kind && r.ID == id {
				return true
			}
		}
	}
	return false
}

// TestThreadOpenedAtAnOldMessage: staff find a message from months of
// conversation ago and the thread opens at it, marked, with the way to
// newer messages. While they read, the customer writes from the app: the
// unread badge counts it, but the page stays where it is (nothing jumps
// under the reader). A reply sent from there leads to the newest messages,
// the customer's new one and the reply among them.
func TestThreadOpenedAtAnOldMessage(t *testing.T) {
	dir, st, rossi := searchDesk(t, store.RoleSales)
	old, err := st.StaffMessage(store.CLI, rossi.ID, "Il carburatore della Vespa è pronto.", nil)
	if err != nil {
		t.Fatal(err)
	}
	// More than a page (50) of conversation after it.
	for i := range 70 {
		if _, err := st.StaffMessage(store.CLI, rossi.ID, fmt.Sprintf("Aggiornamento numero %d", i+1), nil); err != nil {
			t.Fatal(err)
		}
	}
	token, _, err := st.CreatePairLink(store.CLI, rossi.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	_, base := serveData(t, dir)
	untilIndexed(t, base)

	desk := browser(t, 1280, 900)
	signIn(t, desk, base, "luca", "chiave-inglese-10")
	run(t, desk, "type a word of the old message",
		chromedp.SendKeys(chromedp.CSS("#search-q"), "carburatore"),
		chromedp.WaitVisible(chromedp.CSS(`#search-list [role=option]`)),
		chromedp.SendKeys(chromedp.CSS("#search-q"), kb.ArrowDown),
	)
	if _, err := chromedp.RunResponse(desk, chromedp.SendKeys(chromedp.CSS("#search-q"), kb.Enter)); err != nil {
		t.Fatalf("Enter on the message: %v", err)
	}
	found := fmt.Sprintf("#m%d", old.ID)
	if got := eval[string](t, desk, `location.pathname + location.search`); got != fmt.Sprintf("/messages/%d?at=%d", rossi.ID, old.ID) {
		t.Fatalf("the result opened %s", got)
	}
	if !eval[bool](t, desk, `document.querySelector("`+found+`.found") !== null`) {
		t.Fatal("the thread does not mark the message it was opened at")
	}
	page := text(t, desk, "#live")
	if strings.Contains(page, "Aggiornamento numero 70") || !eval[bool](t, desk, `document.querySelector("#live .newer a") !== null`) {
		t.Fatalf("the page at the old message shows the newest one, or no way to newer ones: %.300s", page)
	}
	if !eval[bool](t, desk, `[...document.querySelectorAll("[data-unread]")].every((b) => b.hidden)`) {
		t.Fatal("an unread badge shows before the customer writes")
	}
	run(t, desk, "mark the page and the message", chromedp.Evaluate[chromedp.Void](`window.__notReloaded = true;
		document.querySelector("`+found+`").__seen = true`))

	phone := browser(t, 360, 740)
	run(t, phone, "a phone", chromedp.Emulate(pixel{}))
	if _, err := chromedp.Run(phone, chromedp.NavigateResponse(base+"/pair/"+token)); err != nil {
		t.Fatal(err)
	}
	const question = "Quanto costa il carburatore?"
	run(t, phone, "the customer writes",
		chromedp.Navigate(base+"/app/messages"),
		chromedp.WaitVisible(chromedp.CSS("#text")),
		chromedp.SendKeys(chromedp.CSS("#text"), question),
	)
	if status := submit(t, phone, "#text"); status != 200 {
		t.Fatalf("the customer's message: HTTP %d", status)
	}

	// The badge follows; the thread does not move.
	waitFor(t, desk, "the unread badge", `[...document.querySelectorAll("[data-unread]")].some((b) => !b.hidden &&
		b.querySelector("[data-count]").textContent === "1")`)
	// Read by script: chromedp's own node lookups can go stale while the
	// badge changes.
	liveText := func() string { return eval[string](t, desk, `document.getElementById("live").textContent`) }
	if !eval[bool](t, desk, `window.__notReloaded === true && document.querySelector("`+found+`.found")?.__seen === true`) ||
		strings.Contains(liveText(), question) {
		t.Error("the page at the old message was replaced when the customer wrote")
	}

	const reply = "Sono 120 euro, montaggio compreso."
	run(t, desk, "reply from the old page", chromedp.SendKeys(chromedp.CSS("#text"), reply),
		chromedp.Click(chromedp.CSS(`#compose button[type=submit]`)))
	waitFor(t, desk, "the newest messages", `!document.querySelector("#live").hasAttribute("data-newer") &&
		document.querySelector("#live").textContent.includes(`+fmt.Sprintf("%q", reply)+`)`)
	if thread := liveText(); !strings.Contains(thread, question) || strings.Contains(thread, "carburatore della Vespa") {
		t.Errorf("after the reply the thread shows %.300s", thread)
	}
}
