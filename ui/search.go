package ui

import (
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"pitlane/i18n"
	"pitlane/search"
	"pitlane/web"
)

// pageLimit is how many results of each kind the results page shows; one
// kind alone ("show all") shows search.MaxLimit.
const pageLimit = 20

type searchData struct {
	Query    string
	Kind     string // the kind the page is narrowed to, if any
	Building bool
	Groups   []groupView
}

type groupView struct {
	Kind  search.Kind
	Label string
	Total int64
	Hits  []hitView
	// More lists the kind alone, when there are more than shown.
	More string
}

type hitView struct {
	URL     string        `json:"url"`
	Title   search.Text   `json:"title"`
	Details []search.Text `json:"details,omitempty"`
}

// searchPage serves GET /search: the results page, which works without
// JavaScript, and with format=json the list under the header's search box.
func (u *UI) searchPage(c *fiber.Ctx) error {
	v, err := u.view(c, "search.title")
	if err != nil {
		return err
	}
	d := searchData{Query: strings.TrimSpace(c.Query("q"))}
	list := c.Query("format") == "json"
	q := search.Query{Text: d.Query, Role: web.PrincipalOf(c).Role, Limit: pageLimit, Count: !list}
	switch {
	case list:
		q.Limit = search.DefaultLimit
	case c.Query("kind") != "":
		d.Kind = c.Query("kind")
		q.Kinds, q.Limit = []search.Kind{search.Kind(d.Kind)}, search.MaxLimit
	}
	if d.Query != "" {
		res := search.Results{Building: true}
		if u.Search != nil {
			if res, err = u.Search.Search(c.Context(), q); err != nil {
				return err
			}
		}
		d.Building = res.Building
		for _, g := range res.Groups {
			d.Groups = append(d.Groups, u.groupView(v, d.Query, g))
		}
	}
	if list {
		return u.searchList(c, v, d)
	}
	v.Data = d
	return u.render(c, fiber.StatusOK, "search", v)
}

func (u *UI) groupView(v *View, query string, g search.Group) groupView {
	gv := groupView{Kind: g.Kind, Label: i18n.T(v.Lang, "search.group."+string(g.Kind)), Total: int64(g.Total)}
	if g.Total > len(g.Hits) {
		gv.More = "/search?" + url.Values{"q": {query}, "kind": {string(g.Kind)}}.Encode()
	}
	for _, h := range g.Hits {
		hv := hitView{URL: h.URL, Title: h.Title, Details: h.Details}
		if !h.When.IsZero() {
			when := v.Loc.Date(h.When)
			if g.Kind == search.KindAppointment || g.Kind == search.KindMessage {
				when = v.Loc.DateTime(h.When)
			}
			hv.Details = append([]search.Text{{{Text: when}}}, hv.Details...)
		}
		gv.Hits = append(gv.Hits, hv)
	}
	return gv
}

// searchList is the JSON the search box's script renders: its texts are
// already translated, and marked text comes as segments the script writes
// as text, never as markup.
func (u *UI) searchList(c *fiber.Ctx, v *View, d searchData) error {
	type group struct {
		Label string    `json:"label"`
		Hits  []hitView `json:"hits"`
	}
	out := struct {
		Query  string  `json:"query"`
		Groups []group `json:"groups"`
		// Status is said by screen readers when the list changes.
		Status string `json:"status"`
		All    string `json:"all"`
		AllURL string `json:"all_url"`
	}{Query: d.Query, Groups: []group{}, AllURL: "/search?" + url.Values{"q": {d.Query}}.Encode()}
	shown := 0
	for _, g := range d.Groups {
		shown += len(g.Hits)
		out.Groups = append(out.Groups, group{Label: g.Label, Hits: g.Hits})
	}
	switch {
	case d.Query == "":
	case d.Building:
		out.Status = i18n.T(v.Lang, "search.building")
	case shown == 0:
		out.Status = i18n.T(v.Lang, "search.none", "query", d.Query)
	default:
		out.Status = i18n.T(v.Lang, "search.results_count", "count", shown)
		out.All = i18n.T(v.Lang, "search.all_results", "query", d.Query)
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(out)
}
