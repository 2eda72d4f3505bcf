package i18n

import (
	"math"
	"strconv"
	"strings"
	"sync"
	"time"
	// The appliance runs as a Windows service, and Windows has no zoneinfo
	// database for time.LoadLocation to read the dealership's zone from.
	_ "time/tzdata"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/currency"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/number"
)

// Locale is how a dealership writes dates, numbers and money: in a language,
// with a currency (ISO 4217 code such as "EUR") and in a time zone. A nil
// Location means UTC, never the server's zone: the appliance's PC may be set
// to anything.
type Locale struct {
	Lang     Lang
	Currency string
	Location *time.Location
}

// style is what CLDR (through x/text) does not hand us directly for a language.
type style struct {
	printer *message.Printer
	// date is a time.Format layout for a short numeric date.
	date string
	// decimal is the decimal separator. x/text has no public accessor for it,
	// so it is read off a formatted number once.
	decimal string
	// symbolFirst puts the standard currency symbol before the amount
	// ("€1.50"), as CLDR's pattern for the language does; otherwise the
	// narrow symbol follows it ("1,50 €"). Money says why.
	symbolFirst bool
}

var styles = func() map[Lang]style {
	s := map[Lang]style{
		// English is written the British way, day first and on a 24-hour
		// clock, because the dealerships are in Europe.
		English:  {date: "2 Jan 2006", symbolFirst: true},
		Italian:  {date: "02/01/2006"},
		Romanian: {date: "02.01.2006"},
	}
	for l, st := range s {
		st.printer = message.NewPrinter(language.Make(string(l)))
		st.decimal = strings.Trim(st.printer.Sprint(number.Decimal(1.5, number.Scale(1))), "15")
		s[l] = st
	}
	return s
}()

func (l Locale) style() style {
	if st, ok := styles[l.Lang]; ok {
		return st
	}
	return styles[English]
}

func (l Locale) lang() Lang {
	if l.Lang.valid() {
		return l.Lang
	}
	return English
}

func (l Locale) in(t time.Time) time.Time {
	if l.Location == nil {
		return t.UTC()
	}
	return t.In(l.Location)
}

// Date is the short date in the dealership's time zone: "22 Nov 2026",
// "22/11/2026", "22.11.2026".
func (l Locale) Date(t time.Time) string {
	return l.in(t).Format(l.style().date)
}

// Time is the time of day on a 24-hour clock, "14:05", in every language.
func (l Locale) Time(t time.Time) string {
	return l.in(t).Format("15:04")
}

// DateTime is Date followed by Time: "22 Nov 2026 14:05".
func (l Locale) DateTime(t time.Time) string {
	return l.Date(t) + " " + l.Time(t)
}

// FullDate names the weekday and month, without the year, for near dates
// such as calendar headings and reminders: "Sunday 22 November",
// "domenica 22 novembre", "duminică, 22 noiembrie". Italian and Romanian
// write these names in lower case, as their grammar wants mid-sentence.
func (l Locale) FullDate(t time.Time) string {
	t = l.in(t)
	lang := l.lang()
	// The catalogue keys follow Go's English names: date.weekday.sunday, date.month.november.
	return T(lang, "date.full",
		"weekday", T(lang, "date.weekday."+strings.ToLower(t.Weekday().String())),
		"day", t.Day(),
		"month", T(lang, "date.month."+strings.ToLower(t.Month().String())))
}

// maxDecimals bounds Number's decimals: a float64 carries no more digits.
const maxDecimals = 15

// Number formats v with exactly decimals digits after the separator and
// the language's grouping: "1,234.5", "1.234,5". Halves round away from
// zero (2.5 → "3"), as people do, not to even as x/text would.
func (l Locale) Number(v float64, decimals int) string {
	decimals = min(max(decimals, 0), maxDecimals)
	return l.style().printer.Sprint(number.Decimal(roundHalfAway(v, decimals), number.Scale(decimals)))
}

// roundHalfAway nudges v off an exact decimal tie at the given number of
// decimals, so x/text's round-half-to-even lands on the away-from-zero side.
// Ties are judged on the shortest decimal that reads back as v, the same
// digits x/text formats, so 2.675 counts as a tie although its binary
// value is just below it.
func roundHalfAway(v float64, decimals int) float64 {
	s := strconv.FormatFloat(v, 'f', -1, 64)
	dot := strings.IndexByte(s, '.')
	if dot < 0 || len(s)-dot-1 != decimals+1 || s[len(s)-1] != '5' {
		return v
	}
	return math.Nextafter(v, math.Copysign(math.Inf(1), v))
}

// Money formats an amount given in the currency's minor units (cents for
// EUR, bani for RON; whole units for a currency without decimals, such as
// JPY): "€1,234.50", "1.234,50 €", "1.234,50 lei".
//
// English follows CLDR: the standard symbol before the amount ("€1,234.50",
// "RON 1,234.50"). Italian and Romanian put the symbol after the amount and
// deliberately use CLDR's narrow symbol: the standard one is "EUR" and "RON"
// in Romanian, which is not how prices are written there ("1.234,50 €",
// "1.234,50 lei"), and the ambiguity of narrow symbols ($ for USD, CAD, ...)
// does not matter to a dealership that uses one currency. The symbol after
// the amount is joined with a no-break space (U+00A0), as CLDR and browsers'
// Intl.NumberFormat do, so it never wraps onto a line of its own. x/text's
// own currency formatter is not used because it always puts the symbol first.
//
// An unknown or empty Currency prints the amount with two decimals and
// Currency as given, so a misconfiguration shows but does not break a page.
func (l Locale) Money(minor int64) string {
	st := l.style()
	sym, scale := strings.TrimSpace(l.Currency), 2
	if unit, err := currency.ParseISO(sym); err == nil && unit != (currency.Unit{}) {
		if st.symbolFirst {
			sym = st.printer.Sprint(currency.Symbol(unit))
		} else {
			sym = st.printer.Sprint(currency.NarrowSymbol(unit))
		}
		scale, _ = currency.Standard.Rounding(unit)
	}

	// The amount is split into whole and fractional parts as integers, so no
	// float ever touches money.
	abs := uint64(minor)
	if minor < 0 {
		abs = -abs
	}
	perUnit := uint64(1)
	for range scale {
		perUnit *= 10
	}
	var b strings.Builder
	if minor < 0 {
		b.WriteByte('-')
	}
	if sym != "" && st.symbolFirst {
		b.WriteString(sym)
		// CLDR's currency spacing: "CHF 12.00" but "€12.00".
		if r, _ := utf8.DecodeLastRuneInString(sym); unicode.IsLetter(r) {
			b.WriteByte(' ')
		}
	}
	b.WriteString(st.printer.Sprint(number.Decimal(abs / perUnit)))
	if scale > 0 {
		b.WriteString(st.decimal)
		frac := strconv.FormatUint(abs%perUnit, 10)
		b.WriteString(strings.Repeat("0", scale-len(frac)))
		b.WriteString(frac)
	}
	if sym != "" && !st.symbolFirst {
		b.WriteString("\u00a0")
		b.WriteString(sym)
	}
	return b.String()
}

// tenders holds the currencies legal tender somewhere today, so a
// withdrawn one (ITL, ROL) or a code that names no money (gold: XAU) is refused.
var tenders = sync.OnceValue(func() map[currency.Unit]bool {
	m := make(map[currency.Unit]bool)
	for q := currency.Query(); q.Next(); {
		m[q.Unit()] = true
	}
	return m
})

// ValidCurrency reports whether code is the upper-case ISO 4217 code of a
// currency in use today, such as "EUR" or "RON". Callers upper-case what a
// user typed first, so the stored code is canonical.
func ValidCurrency(code string) bool {
	unit, err := currency.ParseISO(code)
	return err == nil && unit.String() == code && tenders()[unit]
}
