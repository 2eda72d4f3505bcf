// Package i18n holds the message catalogue and formats dates, numbers and money in the dealership's locale.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"log/slog"
	"slices"
	"strings"
	"sync"
)

// The catalogue is split by area (locales/AREA.LANG.json) so that work on
// different features does not edit the same file. Each file is a flat JSON
// object, key → message, one key per line and sorted by key so that additions
// show up as one-line diffs. A key lives in exactly one area.
//
//go:embed locales/*.json
var localeFiles embed.FS

// catalogues is filled once at start-up and only read afterwards, so lookups
// need no lock.
var catalogues = loadCatalogues()

func loadCatalogues() map[Lang]map[string]string {
	cats := make(map[Lang]map[string]string, len(Supported))
	for _, l := range Supported {
		msgs := map[string]string{}
		for _, path := range localePaths(l) {
			data, err := localeFiles.ReadFile(path)
			if err != nil {
				panic(fmt.Sprintf("i18n: %v", err))
			}
			var area map[string]string
			if err := json.Unmarshal(data, &area); err != nil {
				// The files are embedded, so this is a build defect the tests catch.
				panic(fmt.Sprintf("i18n: %s: %v", path, err))
			}
			for k, v := range area {
				if _, dup := msgs[k]; dup {
					panic(fmt.Sprintf("i18n: %s: key %s is also in another area", path, k))
				}
				msgs[k] = v
			}
		}
		cats[l] = msgs
	}
	return cats
}

// localePaths lists the area files of one language.
func localePaths(l Lang) []string {
	paths, err := fs.Glob(localeFiles, "locales/*."+string(l)+".json")
	if err != nil || len(paths) == 0 {
		panic(fmt.Sprintf("i18n: no catalogue files for %s", l))
	}
	return paths
}

// warned remembers which problems were already logged, so a template that
// renders a bad key on every request logs it once, not per request.
var warned sync.Map

func warnOnce(msg string, l Lang, key string) {
	if _, seen := warned.LoadOrStore(string(l)+"\x00"+key, true); !seen {
		slog.Warn(msg, "lang", string(l), "key", key)
	}
}

// T returns the message for key in language l with its {name} placeholders
// filled from args, given as name, value pairs:
//
//	T(Italian, "users.created", "name", "Ana") // "Utente Ana creato."
//
// Values are printed with fmt.Sprint; format numbers, dates and money with a
// Locale first. A placeholder without a value is left as written so the
// mistake shows. A key missing from l falls back to English; a key missing
// from English comes back as "[[key]]", logged once, so a page still renders.
func T(l Lang, key string, args ...any) string {
	msg, ok := catalogues[l][key]
	if !ok {
		msg, ok = catalogues[English][key]
		if !ok {
			warnOnce("i18n: unknown message key", l, key)
			return "[[" + key + "]]"
		}
		if l.valid() {
			warnOnce("i18n: message missing from catalogue, using English", l, key)
		}
	}
	if len(args) < 2 || !strings.Contains(msg, "{") {
		return msg
	}
	return expand(msg, args)
}

// expand fills placeholders in one pass, so a value that itself contains
// "{name}" (a customer can type anything) is never expanded again.
func expand(msg string, args []any) string {
	var b strings.Builder
	b.Grow(len(msg) + 16)
	for {
		open := strings.IndexByte(msg, '{')
		if open < 0 {
			break
		}
		end := strings.IndexByte(msg[open:], '}')
		if end < 0 {
			break
		}
		end += open
		name := msg[open+1 : end]
		v, ok := arg(args, name)
		if !ok || !isPlaceholderName(name) {
			// Not ours: keep the brace and look for the next one after it.
			b.WriteString(msg[:open+1])
			msg = msg[open+1:]
			continue
		}
		b.WriteString(msg[:open])
		fmt.Fprint(&b, v)
		msg = msg[end+1:]
	}
	b.WriteString(msg)
	return b.String()
}

func arg(args []any, name string) (any, bool) {
	for i := 0; i+1 < len(args); i += 2 {
		if n, ok := args[i].(string); ok && n == name {
			return args[i+1], true
		}
	}
	return nil, false
}

func isPlaceholderName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_', 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z':
		case '0' <= r && r <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// placeholders lists the placeholder names in msg, in order of appearance.
func placeholders(msg string) []string {
	var names []string
	for {
		open := strings.IndexByte(msg, '{')
		if open < 0 {
			return names
		}
		end := strings.IndexByte(msg[open:], '}')
		if end < 0 {
			return names
		}
		if name := msg[open+1 : open+end]; isPlaceholderName(name) {
			names = append(names, name)
			msg = msg[open+end+1:]
		} else {
			msg = msg[open+1:]
		}
	}
}

// Has reports whether key is in the English catalogue, the reference one.
func Has(key string) bool {
	_, ok := catalogues[English][key]
	return ok
}

// Keys returns every key of the English catalogue, sorted.
func Keys() []string {
	keys := make([]string, 0, len(catalogues[English]))
	for k := range catalogues[English] {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
