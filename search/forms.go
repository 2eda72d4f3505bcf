package search

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"pitlane/store"
)

// The forms identifiers are indexed in, so each is found however staff
// type it.

// phoneForms is every number as digits, as stored ("+39 340 1234567" →
// "393401234567") and, for international numbers, without the calling code
// with and without the trunk 0: a Romanian writes +40 721 234 567 as
// 0721 234 567, an Italian +39 340 1234567 as 340 1234567.
func phoneForms(numbers ...string) []string {
	var out []string
	for _, n := range numbers {
		digits, intl := phoneDigits(n)
		if digits == "" {
			continue
		}
		out = append(out, digits)
		national := digits
		if intl {
			national = digits[callingCodeLen(digits):]
		} else if strings.HasPrefix(digits, "0") {
			national = digits[1:]
		}
		if national != "" && national != digits {
			out = append(out, national)
		}
		if national != "" && !strings.HasPrefix(national, "0") {
			out = append(out, "0"+national)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// phoneDigits returns a number's digits without the + or 00 of an
// international number, and whether it had one.
func phoneDigits(s string) (string, bool) {
	p := store.NormalizePhone(s)
	if rest, ok := strings.CutPrefix(p, "+"); ok {
		return rest, true
	}
	if rest, ok := strings.CutPrefix(p, "00"); ok {
		return rest, true
	}
	return p, false
}

// twoDigitCodes are the ITU-T E.164 calling codes of two digits. The codes
// are prefix-free: 1 and 7 stand alone, these take two digits, all others
// three.
var twoDigitCodes = strings.Fields("20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54 55 56 57 58 " +
	"60 61 62 63 64 65 66 81 82 84 86 90 91 92 93 94 95 98")

func callingCodeLen(digits string) int {
	switch {
	case len(digits) < 4:
		return 0
	case digits[0] == '1' || digits[0] == '7':
		return 1
	case slices.Contains(twoDigitCodes, digits[:2]):
		return 2
	}
	return 3
}

// taxForms is each tax code and VAT number as NormalizeTaxID writes it and,
// for a VAT number with its country prefix ("IT01234567890"), without it.
func taxForms(ids ...string) []string {
	var out []string
	for _, id := range ids {
		n := store.NormalizeTaxID(id)
		if n == "" {
			continue
		}
		out = append(out, n)
		if len(n) > 2 && isLetter(n[0]) && isLetter(n[1]) && isDigit(n[2]) {
			out = append(out, n[2:])
		}
	}
	return out
}

// numberForms is a job number ("2026-000123") as its digits
// ("2026000123"), and its count within the year as written ("000123") and
// as said ("123").
func numberForms(number string) []string {
	out := []string{digitsOnly(number)}
	if i := strings.LastIndexAny(number, "-/"); i >= 0 {
		count := digitsOnly(number[i+1:])
		out = append(out, count)
		if trimmed := strings.TrimLeft(count, "0"); trimmed != "" && trimmed != count {
			out = append(out, trimmed)
		}
	}
	return out
}

// emailWords turns an address into words ("mario.rossi@example.it" →
// "mario rossi example it"), keeping every byte where it was so highlights
// computed on the words fall on the address.
func emailWords(addr string) string {
	var b strings.Builder
	for len(addr) > 0 {
		r, n := utf8.DecodeRuneInString(addr)
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteString(addr[:n])
		} else {
			b.WriteString(strings.Repeat(" ", n))
		}
		addr = addr[n:]
	}
	return b.String()
}

func digitsOnly(s string) string {
	var b strings.Builder
	for _, r := range s {
		if '0' <= r && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isLetter(b byte) bool { return 'A' <= b && b <= 'Z' }
func isDigit(b byte) bool  { return '0' <= b && b <= '9' }
