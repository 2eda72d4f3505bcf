package server_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pitlane/config"
	"pitlane/media"
	"pitlane/search"
	"pitlane/server"
	"pitlane/store"
)

// withSearch gives the appliance its search index, following the database
// until the test ends, as serve wires it.
func (e *env) withSearch(t *testing.T) *search.Index {
	t.Helper()
	dir := filepath.Dir(e.st.Path())
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ix, err := search.Open(dir, e.st, log)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		ix.Run(ctx)
		close(done)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
		ix.Close()
	})
	m, err := media.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Defaults()
	cfg.DataDir, cfg.TLS = dir, "off"
	if e.srv, err = server.New(server.Options{Config: cfg, Store: e.st, Media: m, Version: "test", Logger: log, Search: ix}); err != nil {
		t.Fatal(err)
	}
	return ix
}

// indexed waits until the index has applied every change.
func indexed(t *testing.T, ix *search.Index) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		s, err := ix.Status()
		if err == nil && s.Ready && s.Lag == 0 && s.Rebuild == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the search index did not catch up: %+v, %v", s, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestSearch(t *testing.T) {
	e := newEnv(t)
	ix := e.withSearch(t)
	actor := store.Actor{Kind: "cli", Name: "test"}
	rossi, err := e.st.CreateCustomer(actor, store.Customer{Name: "Mario Rossi", Email: "mario@example.it", Phone: "+39 340 123 4567"})
	if err != nil {
		t.Fatal(err)
	}
	panda, err := e.st.CreateVehicle(actor, store.Vehicle{CustomerID: rossi.ID, Plate: "AB 123 CD", Make: "Fiat", Model: "Panda"})
	if err != nil {
		t.Fatal(err)
	}
	evil, err := e.st.CreateCustomer(actor, store.Customer{Name: `<script>alert(1)</script> Verdi`})
	if err != nil {
		t.Fatal(err)
	}
	note, err := e.st.StaffMessage(actor, rossi.ID, "La Panda è pronta, freni nuovi.", nil)
	if err != nil {
		t.Fatal(err)
	}
	indexed(t, ix)
	car := fmt.Sprintf(`"/vehicles/%d"`, panda.ID)
	thread := fmt.Sprintf(`"/messages/%d?at=%d#m%d"`, rossi.ID, note.ID, note.ID)

	e.run(t, []scenario{
		// The API, with a key of any staff role.
		{name: "api without key", path: "/api/v1/search?q=AB12", status: 401},
		{name: "api partial plate", path: "/api/v1/search?q=ab12", as: store.RoleWorkshop, apiKey: true, status: 200,
			contains: []string{`"kind":"vehicle"`, `"id":` + fmt.Sprint(panda.ID), `"url":` + car, `"title":"AB 123 CD"`,
				`{"text":"AB 12","match":true}`, `"total":1`}},
		{name: "api name with a typo", path: "/api/v1/search?q=Rosi", as: store.RoleSales, apiKey: true, status: 200,
			contains: []string{`"kind":"customer"`, `"title":"Mario Rossi"`, `"details":["+39 340 123 4567","mario@example.it"]`}},
		{name: "api nothing", path: "/api/v1/search?q=zzzz", as: store.RoleSales, apiKey: true, status: 200,
			contains: []string{`"groups":[]`}},
		{name: "api one kind", path: "/api/v1/search?q=rossi&kind=customer", as: store.RoleManager, apiKey: true, status: 200,
			contains: []string{`"kind":"customer"`}, notContains: []string{`"kind":"vehicle"`}},
		{name: "api message", path: "/api/v1/search?q=freni", as: store.RoleBackoffice, apiKey: true, status: 200,
			contains: []string{`"kind":"message"`, `"id":` + fmt.Sprint(note.ID), `"url":` + thread,
				`"title":"La Panda è pronta, freni nuovi."`, `{"text":"freni","match":true}`, `"details":["test → Mario Rossi"]`, `"when":"`}},
		{name: "api escapes", path: "/api/v1/search?q=verdi", as: store.RoleSales, apiKey: true, status: 200,
			contains: []string{`\u003cscript\u003e`}, notContains: []string{"<script>"}},

		// The results page, which works without JavaScript.
		{name: "page needs sign-in", path: "/search?q=AB12", status: 303, location: "/login"},
		{name: "page", path: "/search?q=AB12", as: store.RoleWorkshop, status: 200,
			contains: []string{"Vehicles", `href=` + car, "<mark>AB 12</mark>3 CD", `value="AB12"`}},
		{name: "page message", path: "/search?q=frenni", as: store.RoleSales, status: 200,
			contains: []string{`id="results-message"`, "Messages", `href=` + thread, "pronta, <mark>freni</mark> nuovi."}},
		{name: "page escapes", path: "/search?q=verdi", as: store.RoleSales, status: 200,
			contains:    []string{"&lt;script&gt;alert(1)&lt;/script&gt; <mark>Verdi</mark>", fmt.Sprintf(`href="/customers/%d"`, evil.ID)},
			notContains: []string{"<script>alert(1)"}},
		{name: "page nothing found", path: "/search?q=zzzz", as: store.RoleSales, status: 200,
			contains: []string{"Nothing found for “zzzz”."}},
		{name: "page empty", path: "/search", as: store.RoleSales, status: 200, contains: []string{`id="search-page-q"`},
			notContains: []string{"Nothing found"}},

		// The list under the header's search box.
		{name: "as you type", path: "/search?format=json&q=ab+12", as: store.RoleBackoffice, status: 200,
			contains: []string{`"label":"Vehicles"`, `"url":` + car, `"status":"Results: 1"`, `"all_url":"/search?q=ab+12"`}},
		{name: "as you type in Italian", path: "/search?format=json&q=rossi", as: store.RoleSales, status: 200,
			header: map[string]string{"Accept-Language": "it"}, contains: []string{`"label":"Clienti"`, `"label":"Veicoli"`}},
		{name: "as you type, a message in Romanian", path: "/search?format=json&q=fren", as: store.RoleWorkshop, status: 200,
			header: map[string]string{"Accept-Language": "ro"}, contains: []string{`"label":"Mesaje"`, `"url":` + thread}},

		// The header box on every staff page, and its script.
		{name: "header box", path: "/", as: store.RoleSales, status: 200,
			contains: []string{`<form class="search" role="search" action="/search" method="get">`, `id="search-list"`, `/static/search.js?v=`}},
		{name: "no box signed out", path: "/login", status: 200, notContains: []string{`id="search-q"`}},
	})

	indexed(t, ix)
	if _, body := e.do(scenario{method: http.MethodGet, path: "/healthz"}); !strings.Contains(body, `"search":{`) ||
		!strings.Contains(body, `"state":"ok"`) || !strings.Contains(body, `"lag":0`) {
		t.Errorf("/healthz does not report the search index: %s", body)
	}
}
