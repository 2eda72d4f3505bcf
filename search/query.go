package search

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"

	"pitlane/store"
)

// Query is one search.
type Query struct {
	Text string
	// Role is the searcher's: only the kinds it may see are searched.
	Role store.Role
	// Kinds narrows the search to these kinds; empty means all.
	Kinds []Kind
	// Limit is the most results per kind; 0 means DefaultLimit.
	Limit int
	// Count asks for the exact number of matches of every kind. Without
	// it, a search that finds Limit records of a kind before it has tried
	// every way of matching reports what it found as a lower bound: enough
	// for the list under a search box.
	Count bool
}

const (
	// DefaultLimit suits the list under the search box.
	DefaultLimit = 5
	// MaxLimit bounds a results page.
	MaxLimit = 50
	// MaxText is the longest input searched; the rest is ignored.
	MaxText = 200
	// maxWords is how many words of the input are looked for.
	maxWords = 6
)

// Group is the results of one kind.
type Group struct {
	Kind Kind
	// Total is how many records of the kind match, or at least match
	// when AtLeast is set; Hits are the best.
	Total   int
	AtLeast bool
	Hits    []Hit
}

// Results are a search's groups, in display order, without empty ones.
type Results struct {
	Groups []Group
	// Building is set while the index is first built: nothing can be
	// found yet.
	Building bool
}

// Search finds what q.Text names among the kinds q.Role may see. Within a
// kind, exact matches come first, then those of words begun, then those
// with a typo; within each, recent jobs, appointments and messages first,
// and newest records first. Results are read from the store, so they show
// records as they are now.
func (ix *Index) Search(ctx context.Context, q Query) (Results, error) {
	var res Results
	p := parse(q.Text)
	if p.empty() {
		return res, nil
	}
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit)
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.idx == nil {
		res.Building = true
		return res, nil
	}
	r, err := readerOf(ix.idx)
	if err != nil {
		return res, err
	}
	defer r.Close()
	t, err := newTerms(r)
	if err != nil {
		return res, err
	}
	b := &builder{t: t, p: p}
	l := &loader{st: ix.st}
	for _, k := range kinds {
		if !k.visibleTo(q.Role) || (len(q.Kinds) > 0 && !slices.Contains(q.Kinds, k.name)) {
			continue
		}
		ids, total, atLeast, err := ix.find(ctx, b, k, limit, q.Count)
		if err != nil {
			return res, fmt.Errorf("search %ss: %w", k.name, err)
		}
		g := Group{Kind: k.name, Total: total, AtLeast: atLeast}
		for _, id := range ids {
			rec, err := ix.st.Record(string(k.name), id)
			if store.Is(err, store.CodeNotFound) {
				// Deleted a moment ago; the index has yet to hear of it.
				g.Total--
				continue
			}
			if err != nil {
				return res, err
			}
			hit := k.show(l, rec.Value, p)
			hit.Kind, hit.ID, hit.URL = k.name, id, k.urlOf(id, rec.Value)
			g.Hits = append(g.Hits, hit)
		}
		if len(g.Hits) > 0 {
			res.Groups = append(res.Groups, g)
		}
	}
	return res, nil
}

// find returns the IDs of the best records of kind k, at most limit: those
// matching at the closest level first and, within a level, those of the
// most recent tier first, newest first; and how many match, or at least
// match when it stopped early and count was not asked for.
//
// Searches are unscored: the index then intersects posting lists as
// bitmaps instead of walking them to keep the term frequencies scoring
// needs, which for the ten thousand jobs of a common word costs
// milliseconds. The levels and tiers do the ranking.
func (ix *Index) find(ctx context.Context, b *builder, k *kind, limit int, count bool) ([]uint64, int, bool, error) {
	var ids []uint64
	seen := map[uint64]bool{}
	looked := -1
	for level := levelExact; level < levels; level++ {
		b.level, b.looked = level, 0
		q := k.query(b)
		if q == nil || b.looked == looked {
			continue
		}
		looked = b.looked
		for _, span := range k.spans() {
			found, err := ix.matches(ctx, k, q, span, limit)
			if err != nil {
				return nil, 0, false, err
			}
			for _, id := range found {
				if !seen[id] {
					seen[id] = true
					ids = append(ids, id)
				}
			}
			if len(ids) >= limit {
				return ix.stopped(ctx, b, k, ids, limit, count)
			}
		}
	}
	// Every level was searched to the end: these are all the matches.
	return ids, len(ids), false, nil
}

// stopped finishes a search that found limit records before the end: the
// total is what was found so far, or counted if asked for.
func (ix *Index) stopped(ctx context.Context, b *builder, k *kind, ids []uint64, limit int, count bool) ([]uint64, int, bool, error) {
	total := len(ids)
	ids = ids[:limit]
	if !count {
		return ids, total, true, nil
	}
	b.level, b.looked = levelTypo, 0
	q := k.query(b)
	if q == nil {
		return ids, total, true, nil
	}
	req := bleve.NewSearchRequestOptions(q, 0, 0, false)
	req.Score = bleve.ScoreNone
	sr, err := ix.idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, 0, false, err
	}
	return ids, int(sr.Total), false, nil
}

// tierHits is the most matches read of one search; a search finding more
// reads its last ones, the newest in index order. firstHits are read first:
// most searches find fewer, and the index sets aside room for every result
// asked for.
const (
	tierHits  = 500
	firstHits = 50
)

// matches returns the IDs of records of kind k that q finds within span
// (all records when nil), newest first.
func (ix *Index) matches(ctx context.Context, k *kind, q query.Query, span *weekSpan, limit int) ([]uint64, error) {
	if span != nil {
		var in []query.Query
		for _, w := range span.weeks(time.Now()) {
			in = append(in, term(fWeek, w))
		}
		q = query.NewConjunctionQuery([]query.Query{q, query.NewDisjunctionQuery(in)})
	}
	// An unscored search stops once it has as many as asked for, its total
	// then only a lower bound: those are any of the matches, not the
	// newest, so more are read.
	req := bleve.NewSearchRequestOptions(q, max(limit, firstHits), 0, false)
	req.Score = bleve.ScoreNone
	sr, err := ix.idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, err
	}
	if more(sr, req.Size) {
		req.Size = tierHits
		if sr, err = ix.idx.SearchInContext(ctx, req); err != nil {
			return nil, err
		}
	}
	if more(sr, tierHits) {
		// Counted in full (a search of no results does not stop early)
		// to read the last ones.
		req.Size = 0
		if sr, err = ix.idx.SearchInContext(ctx, req); err != nil {
			return nil, err
		}
		n := int(sr.Total)
		req.Size, req.From = min(n, tierHits), max(n-tierHits, 0)
		if sr, err = ix.idx.SearchInContext(ctx, req); err != nil {
			return nil, err
		}
	}
	ids := make([]uint64, 0, len(sr.Hits))
	for _, h := range sr.Hits {
		if id, err := strconv.ParseUint(strings.TrimPrefix(h.ID, k.prefix), 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	slices.SortFunc(ids, func(a, b uint64) int { return cmp.Compare(b, a) })
	return ids, nil
}

// more reports whether a search asked for size results found more, or
// stopped before it could tell.
func more(sr *bleve.SearchResult, size int) bool {
	return int(sr.Total) > size || sr.TotalRelation == bleve.TotalRelationGte
}

// readerOf opens a snapshot of idx for expanding terms.
func readerOf(idx bleve.Index) (index.IndexReader, error) {
	adv, err := idx.Advanced()
	if err != nil {
		return nil, err
	}
	return adv.Reader()
}
