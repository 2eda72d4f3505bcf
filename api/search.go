package api

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"pitlane/search"
	"pitlane/web"
)

type searchOut struct {
	Query string `json:"query"`
	// Building: the index is being built and cannot find anything yet.
	Building bool             `json:"building"`
	Groups   []searchGroupOut `json:"groups"`
}

type searchGroupOut struct {
	Kind    search.Kind    `json:"kind"`
	Total   int            `json:"total"`
	Results []searchHitOut `json:"results"`
}

type searchHitOut struct {
	Kind      search.Kind     `json:"kind"`
	ID        uint64          `json:"id"`
	URL       string          `json:"url"`
	Title     string          `json:"title"`
	Details   []string        `json:"details"`
	When      *time.Time      `json:"when,omitempty"`
	Highlight searchHighlight `json:"highlight"`
}

// searchHighlight is the title and details cut into segments, those that
// matched the query flagged.
type searchHighlight struct {
	Title   search.Text   `json:"title"`
	Details []search.Text `json:"details"`
}

// search finds records by what q names, grouped by kind, only the kinds the
// key's role may see.
func (a *API) search(c *fiber.Ctx) error {
	q := search.Query{Text: strings.TrimSpace(c.Query("q")), Role: web.PrincipalOf(c).Role, Count: true}
	q.Limit, _ = strconv.Atoi(c.Query("limit"))
	if k := c.Query("kind"); k != "" {
		q.Kinds = []search.Kind{search.Kind(k)}
	}
	out := searchOut{Query: q.Text, Groups: []searchGroupOut{}}
	res := search.Results{Building: true}
	if a.Search != nil {
		var err error
		if res, err = a.Search.Search(c.Context(), q); err != nil {
			return err
		}
	}
	out.Building = res.Building && q.Text != ""
	for _, g := range res.Groups {
		gout := searchGroupOut{Kind: g.Kind, Total: g.Total, Results: []searchHitOut{}}
		for _, h := range g.Hits {
			hit := searchHitOut{Kind: h.Kind, ID: h.ID, URL: h.URL, Title: h.Title.String(), Details: []string{},
				Highlight: searchHighlight{Title: h.Title, Details: h.Details}}
			if hit.Highlight.Details == nil {
				hit.Highlight.Details = []search.Text{}
			}
			for _, d := range h.Details {
				hit.Details = append(hit.Details, d.String())
			}
			if !h.When.IsZero() {
				hit.When = &h.When
			}
			gout.Results = append(gout.Results, hit)
		}
		out.Groups = append(out.Groups, gout)
	}
	return c.JSON(out)
}
