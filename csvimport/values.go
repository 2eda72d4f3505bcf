package csvimport

import (
	"errors"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"pitlane/i18n"
	"pitlane/store"
)

var errValue = errors.New("value not understood")

// dateLayouts are the date forms spreadsheets in Europe write: day first, or
// ISO. One-digit days and months ("2/1/2026") parse with these too.
var dateLayouts = []string{"2006-1-2", "2006/1/2", "2006.1.2", "2/1/2006", "2.1.2006", "2-1-2006"}

// parseDate reads a calendar date, ignoring a time after it
// ("02/01/2026 00:00"), as midnight UTC, as the car form stores dates.
func parseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, " T"); i > 0 {
		s = s[:i]
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil && t.Year() >= 1900 {
			return t, nil
		}
	}
	return time.Time{}, errValue
}

var (
	grouped     = regexp.MustCompile(`^\d{1,3}([.,]\d{3})+$`)
	plainNumber = regexp.MustCompile(`^(\d+\.?\d*|\.\d+)$`)
)

// parseNumber reads a number written with either decimal separator, with or
// without thousands separators: "48.200" and "48,200" are forty-eight
// thousand two hundred (a single separator followed by three digits groups
// thousands), "1.234,5" and "1,234.5" the same number, "12,5" twelve and a
// half. Spaces, apostrophes and a trailing "km" are ignored.
func parseNumber(s string) (float64, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	s = strings.TrimSpace(strings.TrimSuffix(s, "km"))
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\u00a0', '\u202f', '\'', '’':
			return -1
		}
		return r
	}, s)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	dot, comma := strings.LastIndexByte(s, '.'), strings.LastIndexByte(s, ',')
	switch {
	case dot >= 0 && comma >= 0:
		dec, group := ".", ","
		if comma > dot {
			dec, group = ",", "."
		}
		s = strings.ReplaceAll(strings.ReplaceAll(s, group, ""), dec, ".")
	case grouped.MatchString(s):
		s = strings.NewReplacer(".", "", ",", "").Replace(s)
	default:
		s = strings.ReplaceAll(s, ",", ".")
	}
	if !plainNumber.MatchString(s) {
		return 0, errValue
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) {
		return 0, errValue
	}
	if neg {
		f = -f
	}
	return f, nil
}

// parseInt reads a whole number, rounding a fraction.
func parseInt(s string) (int, error) {
	f, err := parseNumber(s)
	if err != nil || math.Abs(f) > 1e15 {
		return 0, errValue
	}
	return int(math.Round(f)), nil
}

// parseYear reads a year, or the year of a date.
func parseYear(s string) (int, error) {
	if t, err := parseDate(s); err == nil {
		return t.Year(), nil
	}
	s = strings.TrimSpace(s)
	if len(s) != 4 {
		return 0, errValue
	}
	return strconv.Atoi(s)
}

// words maps folded words to a value, built from the catalogue in every
// language and from the other words files use.
func words(catalogue map[string]string, extra map[string]string) map[string]string {
	m := map[string]string{}
	for key, val := range catalogue {
		for _, l := range i18n.Supported {
			m[fold(i18n.T(l, key))] = val
		}
	}
	for w, val := range extra {
		m[w] = val
	}
	return m
}

var yesNo = words(map[string]string{"common.yes": "yes", "common.no": "no"}, map[string]string{
	"y": "yes", "true": "yes", "1": "yes", "x": "yes", "s": "yes", "ok": "yes", "vero": "yes", "adevarat": "yes",
	"n": "no", "false": "no", "0": "no", "falso": "no", "fals": "no",
})

// parseYesNo reads a yes/no cell in any of the languages.
func parseYesNo(s string) (bool, error) {
	switch yesNo[fold(s)] {
	case "yes":
		return true, nil
	case "no":
		return false, nil
	}
	return false, errValue
}

var fuels = func() map[string]string {
	keys := map[string]string{}
	for _, f := range store.Fuels {
		keys["fuel."+f] = f
	}
	extra := map[string]string{
		"gasoline": "petrol", "benzina": "petrol", "benzin": "petrol",
		"gasolio": "diesel", "motorina": "diesel", "nafta": "diesel",
		"hybrid": "hybrid", "ibrida": "hybrid", "ibrido": "hybrid", "hibrid": "hybrid", "hev": "hybrid",
		"full hybrid": "hybrid", "mild hybrid": "hybrid", "ibrida benzina": "hybrid", "ibrido benzina": "hybrid",
		"benzina elettrica": "hybrid", "ibrida diesel": "hybrid",
		"plugin": "plugin", "plug in": "plugin", "plug in hybrid": "plugin", "phev": "plugin", "ibrida plug in": "plugin",
		"ibrido plug in": "plugin", "hibrid plug in": "plugin",
		"electric": "electric", "elettrica": "electric", "elettrico": "electric", "electrica": "electric",
		"ev": "electric", "bev": "electric",
		"gpl": "lpg", "benzina gpl": "lpg", "gpl benzina": "lpg", "autogas": "lpg",
		"metano": "cng", "benzina metano": "cng", "metano benzina": "cng", "gnc": "cng", "gaz natural": "cng",
	}
	for _, f := range store.Fuels {
		extra[f] = f
	}
	return words(keys, extra)
}()

// parseFuel reads a fuel as any system writes it ("Gasolio", "Benzina/GPL").
func parseFuel(s string) (string, error) {
	if f, ok := fuels[fold(s)]; ok {
		return f, nil
	}
	return "", errValue
}

var langs = words(nil, map[string]string{
	"english": "en", "inglese": "en", "engleza": "en", "en": "en",
	"italian": "it", "italiano": "it", "italiana": "it", "it": "it",
	"romanian": "ro", "romeno": "ro", "rumeno": "ro", "romana": "ro", "ro": "ro",
})

// parseLang reads a language by code ("it", "it-IT") or name ("Italiano").
func parseLang(s string) (string, error) {
	if l, ok := i18n.Parse(s); ok {
		return string(l), nil
	}
	if l, ok := langs[fold(s)]; ok {
		return l, nil
	}
	return "", errValue
}

// parseNumberRef reads a customer number as an export writes it ("#12").
func parseNumberRef(s string) (uint64, error) {
	n, err := strconv.ParseUint(strings.TrimPrefix(strings.TrimSpace(s), "#"), 10, 64)
	if err != nil || n == 0 {
		return 0, errValue
	}
	return n, nil
}

// cleanCell trims a cell and takes off the apostrophe an export puts before
// a value a spreadsheet would run as a formula.
func cleanCell(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 1 && s[0] == '\'' && strings.ContainsRune(formulaStart, rune(s[1])) {
		return s[1:]
	}
	return s
}

// formulaStart are the characters that make a spreadsheet read a cell as a
// formula.
const formulaStart = "=+-@\t\r"
