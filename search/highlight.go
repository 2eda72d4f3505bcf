package search

import (
	"strings"
	"unicode/utf8"
)

// Results are highlighted here rather than by Bleve: the index stores no
// text to highlight from (results come from the store), and what matched a
// plate is its normalised form, which must be mapped back onto the plate as
// written ("AB12" marks "AB 12" in "AB 123 CD").

// Segment is a run of result text, marked when it matched the query.
type Segment struct {
	Text  string `json:"text"`
	Match bool   `json:"match,omitempty"`
}

// Text is result text in segments. Pages and scripts write each segment as
// text, a match inside <mark>, so nothing a record holds is ever read as
// markup.
type Text []Segment

// String is the text without marks.
func (t Text) String() string {
	var b strings.Builder
	for _, s := range t {
		b.WriteString(s.Text)
	}
	return b.String()
}

// Marked reports whether any segment matched.
func (t Text) Marked() bool {
	for _, s := range t {
		if s.Match {
			return true
		}
	}
	return false
}

func plain(s string) Text {
	if s == "" {
		return nil
	}
	return Text{{Text: s}}
}

// span is a byte range [start, end) of a text.
type span struct{ start, end int }

// marked cuts s into segments with spans marked; spans are sorted and may
// touch or overlap.
func marked(s string, spans []span) Text {
	var t Text
	at := 0
	for _, sp := range spans {
		if sp.start < at {
			sp.start = at
		}
		if sp.end <= sp.start {
			continue
		}
		if sp.start > at {
			t = append(t, Segment{Text: s[at:sp.start]})
		}
		if n := len(t); n > 0 && t[n-1].Match && sp.start == at {
			t[n-1].Text += s[sp.start:sp.end]
		} else {
			t = append(t, Segment{Text: s[sp.start:sp.end], Match: true})
		}
		at = sp.end
	}
	if at < len(s) {
		t = append(t, Segment{Text: s[at:]})
	}
	return t
}

// markWords marks the words of s that the query's words match as the index
// matched them: whole words exactly or with one typo, and the typed part
// of a word the query starts.
func (p parsed) markWords(s string) Text {
	if s == "" {
		return nil
	}
	var spans []span
	for _, tok := range words.Analyze([]byte(s)) {
		if n := p.matchWord(string(tok.Term)); n > 0 {
			spans = append(spans, span{tok.Start, tok.Start + originalPrefix(s[tok.Start:tok.End], n)})
		} else if n < 0 {
			spans = append(spans, span{tok.Start, tok.End})
		}
	}
	return marked(s, spans)
}

// matchWord says how term matched: -1 whole, n > 0 its first n bytes (a
// prefix typed), 0 not at all.
func (p parsed) matchWord(term string) int {
	best := 0
	for _, w := range p.words {
		switch {
		case term == w:
			return -1
		case utf8.RuneCountInString(w) >= minFuzzy && withinOneEdit(term, w):
			return -1
		case utf8.RuneCountInString(w) >= minWordPrefix && strings.HasPrefix(term, w):
			best = max(best, len(w))
		}
	}
	return best
}

// originalPrefix is how many bytes of word fold to its first n folded bytes.
func originalPrefix(word string, n int) int {
	folded := 0
	for i, r := range word {
		if folded >= n {
			return i
		}
		folded += len(fold([]byte(string(r))))
	}
	return len(word)
}

// withinOneEdit reports whether a and b are at most one insertion,
// deletion or substitution of a letter apart, as a fuzzy query of
// fuzziness 1 matches.
func withinOneEdit(a, b string) bool {
	ra, rb := []rune(a), []rune(b)
	if len(ra) < len(rb) {
		ra, rb = rb, ra
	}
	if len(ra)-len(rb) > 1 {
		return false
	}
	i := 0
	for i < len(rb) && ra[i] == rb[i] {
		i++
	}
	switch {
	case i == len(rb):
		return true
	case len(ra) == len(rb):
		return string(ra[i+1:]) == string(rb[i+1:])
	}
	return string(ra[i+1:]) == string(rb[i:])
}

// markCompact marks the part of an identifier as written (a plate "AB 123
// CD") whose normalised form starts with needle ("AB12").
func (p parsed) markCompact(s, needle string, normalize func(string) string) Text {
	if needle == "" {
		return plain(s)
	}
	if sp, ok := findNormalized(s, needle, normalize, true); ok {
		return marked(s, []span{sp})
	}
	return p.markWords(s)
}

// findNormalized finds needle in the normalised form of s and returns where
// it lies in s; atStart only at its beginning.
func findNormalized(s, needle string, normalize func(string) string, atStart bool) (span, bool) {
	var norm strings.Builder
	var from []int // byte in s where each byte of norm came from
	var to []int
	for i, r := range s {
		n := normalize(string(r))
		norm.WriteString(n)
		for range len(n) {
			from, to = append(from, i), append(to, i+utf8.RuneLen(r))
		}
	}
	ns := norm.String()
	at := strings.Index(ns, needle)
	if at < 0 || (atStart && at != 0) || needle == "" {
		return span{}, false
	}
	return span{from[at], to[at+len(needle)-1]}, true
}

// markPhone marks the digits typed in a phone number as written, in the
// form the index matched: the whole number, or the national number with or
// without its trunk 0.
func (p parsed) markPhone(s string) Text {
	if p.digits == "" {
		return plain(s)
	}
	digits, intl := phoneDigits(s)
	all := digitsOnly(s)
	lead := len(all) - len(digits) // the 00 of an international number
	national := lead
	if intl {
		national += callingCodeLen(digits)
	} else if strings.HasPrefix(digits, "0") {
		national++
	}
	from, n := 0, 0
	switch {
	case strings.HasPrefix(digits, p.digits):
		from, n = lead, len(p.digits)
	case strings.HasPrefix(all[national:], p.digits):
		from, n = national, len(p.digits)
	case strings.HasPrefix(p.digits, "0") && strings.HasPrefix(all[national:], p.digits[1:]):
		from, n = national, len(p.digits)-1
	default:
		return plain(s)
	}
	var sp span
	seen := 0
	for i, r := range s {
		if r < '0' || r > '9' {
			continue
		}
		if seen == from {
			sp.start = i
		}
		seen++
		if seen == from+n {
			sp.end = i + 1
			break
		}
	}
	return marked(s, []span{sp})
}

// markEmail marks the start of an address typed, or its words.
func (p parsed) markEmail(s string) Text {
	if p.email != "" && strings.HasPrefix(strings.ToLower(s), p.email) {
		return marked(s, []span{{0, len(p.email)}})
	}
	t := p.markWords(emailWords(s))
	// markWords cut the spaced copy; put the address's own bytes back.
	at := 0
	for i := range t {
		n := len(t[i].Text)
		t[i].Text = s[at : at+n]
		at += n
	}
	return t
}

// markNumber marks a job number typed whole, from its start, or as its
// count within the year.
func (p parsed) markNumber(number string) Text {
	if p.number == "" {
		return plain(number)
	}
	if sp, ok := findNormalized(number, p.number, digitsOnly, true); ok {
		return marked(number, []span{sp})
	}
	if i := strings.LastIndexAny(number, "-/"); i >= 0 {
		count := number[i+1:]
		if strings.TrimLeft(count, "0") == strings.TrimLeft(p.number, "0") {
			return marked(number, []span{{i + 1, len(number)}})
		}
	}
	return plain(number)
}

// excerptRunes is about how much of a long text a result shows.
const excerptRunes = 140

// excerpt is a long text cut to the part around its first match.
func excerpt(s string, p parsed) string {
	if utf8.RuneCountInString(s) <= excerptRunes {
		return s
	}
	start := 0
	for _, tok := range words.Analyze([]byte(s)) {
		if p.matchWord(string(tok.Term)) != 0 {
			start = tok.Start
			break
		}
	}
	// Some context before the match, from a word's start.
	back := start
	for n := 0; back > 0 && n < excerptRunes/4; n++ {
		_, size := utf8.DecodeLastRuneInString(s[:back])
		back -= size
	}
	if back > 0 {
		if sp := strings.IndexByte(s[back:start], ' '); sp >= 0 {
			back += sp + 1
		}
	}
	end := back
	for n := 0; end < len(s) && n < excerptRunes; n++ {
		_, size := utf8.DecodeRuneInString(s[end:])
		end += size
	}
	if end < len(s) {
		if sp := strings.LastIndexByte(s[back:end], ' '); sp > 0 {
			end = back + sp
		}
	}
	out := strings.TrimSpace(s[back:end])
	if back > 0 {
		out = "…" + out
	}
	if end < len(s) {
		out += "…"
	}
	return out
}
