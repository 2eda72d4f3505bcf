package i18n

import (
	"strings"

	"golang.org/x/text/language"
)

// Lang is a language the user interface is translated into, named by its
// ISO 639-1 code.
type Lang string

// The supported languages.
const (
	English  Lang = "en"
	Italian  Lang = "it"
	Romanian Lang = "ro"
)

// Supported lists the languages with a complete catalogue, English first
// because it is the reference every other catalogue is checked against.
var Supported = []Lang{English, Italian, Romanian}

// matcher is built once from Supported, so the index it returns is an index
// into Supported; it is safe for concurrent use.
var matcher = func() language.Matcher {
	tags := make([]language.Tag, len(Supported))
	for i, l := range Supported {
		tags[i] = language.Make(string(l))
	}
	return language.NewMatcher(tags)
}()

// Parse reads a language code such as "it", "it-IT", "it_IT" or "IT" and
// reports whether it names a supported language.
func Parse(s string) (Lang, bool) {
	// A code as stored needs no parsing: every notification sent asks.
	if l := Lang(s); l.valid() {
		return l, true
	}
	tag, err := language.Parse(strings.TrimSpace(s))
	if err != nil {
		return "", false
	}
	// Only an explicit base counts: "und-IT" would otherwise guess Italian.
	base, conf := tag.Base()
	if conf != language.Exact {
		return "", false
	}
	l := Lang(base.String())
	if !l.valid() {
		return "", false
	}
	return l, true
}

// Match picks the supported language that best fits an Accept-Language
// header, or fallback when none does (English if fallback is not supported).
func Match(acceptLanguage string, fallback Lang) Lang {
	if !fallback.valid() {
		fallback = English
	}
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return fallback
	}
	// The matcher's own default is its first tag (English) with confidence
	// No; the dealership's fallback is the better answer then.
	_, i, conf := matcher.Match(tags...)
	if conf == language.No {
		return fallback
	}
	return Supported[i]
}

// Name is the language's name in that language, for a language picker.
func (l Lang) Name() string {
	switch l {
	case English:
		return "English"
	case Italian:
		return "Italiano"
	case Romanian:
		return "Română"
	}
	return string(l)
}

func (l Lang) valid() bool {
	switch l {
	case English, Italian, Romanian:
		return true
	}
	return false
}
