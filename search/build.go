package search

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/search/query"
)

// Levels of matching, closest first: a search looks for what was typed
// exactly, then also for words and identifiers starting with it, then also
// for words one typo away, and shows the closer matches first.
const (
	levelExact = iota
	levelPrefix
	levelTypo
	levels
)

// Shortest inputs worth a prefix search, and the most terms one may expand
// to: a prefix matching more is too unspecific to help, and costs a posting
// list per term, so it is left out until more is typed.
const (
	minWordPrefix   = 2
	minPlatePrefix  = 2
	minVINPrefix    = 4
	minPhonePrefix  = 4
	minEmailPrefix  = 3
	minTaxPrefix    = 4
	minNumberPrefix = 4
	minFuzzy        = 4 // a typo in a shorter word leaves too many candidates
	maxExpansions   = 512
)

// builder makes the queries of one search at one level, expanding prefixes
// and typos into the terms the index holds, so that each term is looked up
// once. What it finds in the term dictionaries is kept for the next level.
type builder struct {
	t     *terms
	p     parsed
	level int
	// looked counts the terms the queries built at this level look for:
	// a level that adds none to the one before finds nothing new.
	looked int
	begun  map[[2]string]begun
	typos  map[[2]string][]string
}

// begun is what the term dictionary of a field holds for p.
type begun struct {
	exact bool     // p itself
	more  []string // the longer terms starting with p; nil when too many
}

// words finds records where every word of the input matches in one of
// fields. It is nil when some word matches nothing there.
func (b *builder) words(fields ...string) query.Query {
	if len(b.p.words) == 0 {
		return nil
	}
	all := make([]query.Query, 0, len(b.p.words))
	for _, w := range b.p.words {
		var alts []query.Query
		// Typos are forgiven in names and words, not in numbers and codes.
		typo := b.level >= levelTypo && utf8.RuneCountInString(w) >= minFuzzy && !strings.ContainsFunc(w, unicode.IsDigit)
		for _, f := range fields {
			found := b.prefixTerms(f, w, minWordPrefix)
			if typo {
				for _, t := range b.typoTerms(f, w) {
					found[t] = true
				}
			}
			alts = append(alts, b.termQueries(f, found)...)
		}
		if len(alts) == 0 {
			return nil
		}
		all = append(all, disjunction(alts))
	}
	if len(all) == 1 {
		return all[0]
	}
	return query.NewConjunctionQuery(all)
}

// prefix matches the terms of field that are p, or from levelPrefix start
// with it; nil when none does.
func (b *builder) prefix(field, p string, minLen int) query.Query {
	return disjunction(b.termQueries(field, b.prefixTerms(field, p, minLen)))
}

// prefixTerms finds p among the terms of field and, from levelPrefix, the
// terms starting with it. A p shorter than minLen, or one that starts more
// than maxExpansions terms, is too unspecific to expand.
func (b *builder) prefixTerms(field, p string, minLen int) map[string]bool {
	key := [2]string{field, p}
	bg, ok := b.begun[key]
	if !ok {
		expand := utf8.RuneCountInString(p) >= minLen
		seen := map[string]bool{}
		b.t.withPrefix(field, p, func(term string) bool {
			switch {
			case term == p:
				bg.exact = true
			case !expand:
				// Terms sort after their prefixes: p itself is first, or absent.
				return false
			case !seen[term]:
				if len(seen) == maxExpansions {
					seen = nil
					return false
				}
				seen[term] = true
				bg.more = append(bg.more, term)
			}
			return true
		})
		if seen == nil {
			bg.more = nil
		}
		if b.begun == nil {
			b.begun = map[[2]string]begun{}
		}
		b.begun[key] = bg
	}
	found := map[string]bool{}
	if bg.exact {
		found[p] = true
	}
	if b.level >= levelPrefix {
		for _, t := range bg.more {
			found[t] = true
		}
	}
	return found
}

// typoTerms are the terms of field one edit away from w.
func (b *builder) typoTerms(field, w string) []string {
	key := [2]string{field, w}
	if ts, ok := b.typos[key]; ok {
		return ts
	}
	var ts []string
	b.t.oneEditFrom(field, w, func(term string) bool {
		ts = append(ts, term)
		return len(ts) < maxExpansions
	})
	if b.typos == nil {
		b.typos = map[[2]string][]string{}
	}
	b.typos[key] = ts
	return ts
}

// termQueries looks for each term found in field, in a stable order.
func (b *builder) termQueries(field string, found map[string]bool) []query.Query {
	ts := make([]string, 0, len(found))
	for t := range found {
		ts = append(ts, t)
	}
	slices.Sort(ts)
	qs := make([]query.Query, len(ts))
	for i, t := range ts {
		qs[i] = term(field, t)
	}
	b.looked += len(qs)
	return qs
}

func term(field, t string) query.Query {
	q := query.NewTermQuery(t)
	q.SetField(field)
	return q
}

// disjunction matches any of qs, leaving out the nil ones; nil if none is
// left.
func disjunction(qs []query.Query) query.Query {
	var out []query.Query
	for _, q := range qs {
		if q != nil {
			out = append(out, q)
		}
	}
	switch len(out) {
	case 0:
		return nil
	case 1:
		return out[0]
	}
	return query.NewDisjunctionQuery(out)
}
