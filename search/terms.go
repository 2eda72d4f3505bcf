package search

import (
	"errors"
	"sync"

	"github.com/blevesearch/bleve/v2/index/scorch"
	index "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
	"github.com/blevesearch/vellum/levenshtein"
)

// Prefixes and typos are expanded into the terms the index holds by walking
// each segment's term dictionary in turn. Bleve's own FieldDictPrefix and
// FieldDictFuzzy start a goroutine per segment and build the typo automaton
// afresh for every field; a search expands a dozen word and field pairs, so
// on a busy machine it would wait on hundreds of goroutines being scheduled.

// terms reads the term dictionaries of one index snapshot.
type terms struct {
	segs  []*scorch.SegmentSnapshot
	dicts map[string][]segment.TermDictionary
	typos map[string]segment.Automaton
}

func newTerms(r index.IndexReader) (*terms, error) {
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return nil, errors.New("the search index is not a scorch index")
	}
	return &terms{segs: snap.Segments(), dicts: map[string][]segment.TermDictionary{}, typos: map[string]segment.Automaton{}}, nil
}

func (t *terms) field(name string) []segment.TermDictionary {
	if d, ok := t.dicts[name]; ok {
		return d
	}
	var out []segment.TermDictionary
	for _, s := range t.segs {
		if d, err := s.Segment().Dictionary(name); err == nil && d != nil {
			out = append(out, d)
		}
	}
	t.dicts[name] = out
	return out
}

// candidates iterates terms without reading their postings.
type candidates interface {
	AutomatonIteratorOmitCount(a segment.Automaton, startKeyInclusive, endKeyExclusive []byte) segment.DictionaryIterator
}

// each calls visit with the terms of field a accepts within [start, end)
// (nil: unbounded), segment by segment, so a term held by several segments
// comes several times; it stops when visit returns false.
func (t *terms) each(field string, a segment.Automaton, start, end []byte, visit func(term string) bool) {
	for _, d := range t.field(field) {
		var it segment.DictionaryIterator
		if c, ok := d.(candidates); ok {
			it = c.AutomatonIteratorOmitCount(a, start, end)
		} else {
			it = d.AutomatonIterator(a, start, end)
		}
		for {
			e, err := it.Next()
			if err != nil || e == nil {
				break
			}
			if !visit(e.Term) {
				return
			}
		}
	}
}

// withPrefix calls visit with the terms of field starting with p.
func (t *terms) withPrefix(field, p string, visit func(term string) bool) {
	t.each(field, nil, []byte(p), prefixEnd([]byte(p)), visit)
}

// oneEditFrom calls visit with the terms of field at most one edit from w.
func (t *terms) oneEditFrom(field, w string, visit func(term string) bool) {
	a, ok := t.typos[w]
	if !ok {
		if b, err := oneEdit(); err == nil {
			if dfa, err := b.BuildDfa(w, 1); err == nil {
				a = dfa
			}
		}
		t.typos[w] = a
	}
	if a != nil {
		t.each(field, a, nil, nil, visit)
	}
}

// oneEdit builds automatons matching one edit away; making it is costly,
// so it is made once.
var oneEdit = sync.OnceValues(func() (*levenshtein.LevenshteinAutomatonBuilder, error) {
	return levenshtein.NewLevenshteinAutomatonBuilder(1, true)
})

// prefixEnd is the first key after every key starting with p, or nil
// when there is none.
func prefixEnd(p []byte) []byte {
	end := append([]byte(nil), p...)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}
