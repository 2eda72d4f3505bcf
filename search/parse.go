package search

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"pitlane/store"
)

// parsed is the input in the forms the index holds.
type parsed struct {
	words   []string // folded words
	compact string   // letters and digits in upper case: plates, VINs
	taxID   string   // NormalizeTaxID
	digits  string   // a phone number typed, as phoneDigits writes it
	email   string   // lower case, when it could be (part of) an address
	number  string   // a job number's digits, when it could be one
}

func parse(text string) parsed {
	text = strings.TrimSpace(truncate(text, MaxText))
	var p parsed
	if text == "" {
		return p
	}
	p.words = wordsOf(text)
	if len(p.words) > maxWords {
		p.words = p.words[:maxWords]
	}
	if c := store.NormalizePlate(text); utf8.RuneCountInString(c) <= 17 {
		p.compact = c
	}
	p.taxID = store.NormalizeTaxID(text)
	if onlyRunes(text, "0123456789 +-./()") {
		if d, _ := phoneDigits(text); len(d) >= 3 {
			p.digits = d
		}
	}
	if !strings.ContainsFunc(text, unicode.IsSpace) {
		p.email = strings.ToLower(text)
	}
	if onlyRunes(strings.TrimPrefix(text, "#"), "0123456789-/ ") {
		p.number = digitsOnly(text)
	}
	return p
}

func (p parsed) empty() bool {
	return len(p.words) == 0 && p.compact == "" && p.digits == "" && p.email == ""
}

func onlyRunes(s, allowed string) bool {
	for _, r := range s {
		if !strings.ContainsRune(allowed, r) {
			return false
		}
	}
	return true
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
