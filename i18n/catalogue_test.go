package i18n

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"
)

func TestCatalogueComplete(t *testing.T) {
	en := catalogues[English]
	if len(en) == 0 {
		t.Fatal("English catalogue is empty")
	}
	for _, l := range Supported {
		t.Run(string(l), func(t *testing.T) {
			cat := catalogues[l]
			for key := range en {
				msg, ok := cat[key]
				switch {
				case !ok:
					t.Errorf("%s: missing", key)
				case strings.TrimSpace(msg) == "":
					t.Errorf("%s: empty", key)
				case msg != strings.TrimSpace(msg):
					t.Errorf("%s: leading or trailing space in %q", key, msg)
				}
			}
			for key := range cat {
				if _, ok := en[key]; !ok {
					t.Errorf("%s: not in the English catalogue", key)
				}
			}
		})
	}
}

func TestPlaceholdersMatchEnglish(t *testing.T) {
	for _, l := range Supported {
		t.Run(string(l), func(t *testing.T) {
			for key, msg := range catalogues[l] {
				want := placeholderSet(catalogues[English][key])
				if got := placeholderSet(msg); !slices.Equal(got, want) {
					t.Errorf("%s: placeholders %v, English has %v", key, got, want)
				}
				// A stray brace is a mistyped placeholder ("{name" or "{ name}").
				rest := msg
				for _, p := range placeholders(msg) {
					rest = strings.ReplaceAll(rest, "{"+p+"}", "")
				}
				if strings.ContainsAny(rest, "{}") {
					t.Errorf("%s: malformed placeholder in %q", key, msg)
				}
			}
		})
	}
}

func placeholderSet(msg string) []string {
	p := placeholders(msg)
	slices.Sort(p)
	return slices.Compact(p)
}

// TestLocaleFiles walks each file token by token, because json.Unmarshal
// silently keeps the last of two duplicate keys.
func TestLocaleFiles(t *testing.T) {
	var paths []string
	for _, l := range Supported {
		paths = append(paths, localePaths(l)...)
	}
	for _, path := range paths {
		t.Run(path, func(t *testing.T) {
			data, err := localeFiles.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !json.Valid(data) {
				t.Fatal("not valid JSON")
			}
			dec := json.NewDecoder(bytes.NewReader(data))
			if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
				t.Fatalf("want a JSON object, got %v (%v)", tok, err)
			}
			seen := make(map[string]bool)
			prev := ""
			for dec.More() {
				tok, err := dec.Token()
				if err != nil {
					t.Fatal(err)
				}
				key := tok.(string)
				if seen[key] {
					t.Errorf("%s: duplicate key", key)
				}
				if key < prev {
					t.Errorf("%s: after %s; keep keys sorted", key, prev)
				}
				seen[key], prev = true, key
				val, err := dec.Token()
				if err != nil {
					t.Fatal(err)
				}
				if _, ok := val.(string); !ok {
					t.Errorf("%s: value %v is not a string; the catalogue is flat", key, val)
				}
			}
			if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
				t.Fatalf("want end of object, got %v (%v)", tok, err)
			}
			if _, err := dec.Token(); err != io.EOF {
				t.Errorf("data after the object (%v)", err)
			}
			// One key per line keeps additions to one-line diffs.
			if lines := bytes.Count(data, []byte("\n")); lines != len(seen)+2 {
				t.Errorf("%d lines for %d keys; want one key per line", lines, len(seen))
			}
		})
	}
}

// TestAreasMatchAcrossLanguages: every area exists in every language, so a
// key is looked up in the same area whatever the language.
func TestAreasMatchAcrossLanguages(t *testing.T) {
	area := func(path, lang string) string {
		return strings.TrimSuffix(strings.TrimPrefix(path, "locales/"), "."+lang+".json")
	}
	var want []string
	for _, p := range localePaths(English) {
		want = append(want, area(p, "en"))
	}
	for _, l := range Supported {
		var got []string
		for _, p := range localePaths(l) {
			got = append(got, area(p, string(l)))
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s areas %v, English has %v", l, got, want)
		}
	}
}

// Romanian is often typed with the cedilla letters ş ţ of Turkish; the
// correct ones carry a comma below (ș ț).
func TestRomanianUsesCommaBelow(t *testing.T) {
	for key, msg := range catalogues[Romanian] {
		if strings.ContainsAny(msg, "şţŞŢ") {
			t.Errorf("%s: cedilla instead of comma below in %q", key, msg)
		}
	}
}

func TestT(t *testing.T) {
	tests := []struct {
		name string
		lang Lang
		key  string
		args []any
		want string
	}{
		{"plain", English, "common.save", nil, "Save"},
		{"italian", Italian, "common.save", nil, "Salva"},
		{"romanian diacritics", Romanian, "common.search", nil, "Căutați"},
		{"placeholder", Italian, "users.created", []any{"name", "Ana"}, "Utente Ana creato."},
		{"placeholder romanian", Romanian, "users.created", []any{"name", "Ana"}, "Utilizatorul Ana a fost creat."},
		{"number value", English, "login.error.rate_limited", []any{"minutes", 15}, "Too many failed attempts. Try again in 15 minutes."},
		{"several placeholders", Romanian, "date.full", []any{"weekday", "luni", "day", 23, "month", "noiembrie"}, "luni, 23 noiembrie"},
		{"argument order free", English, "date.full", []any{"month", "November", "day", 23, "weekday", "Monday"}, "Monday 23 November"},
		{"missing value left visible", English, "users.created", nil, "User {name} created."},
		{"dangling name ignored", English, "users.created", []any{"name"}, "User {name} created."},
		{"unused argument ignored", English, "users.created", []any{"name", "Ana", "role", "x"}, "User Ana created."},
		{"value not expanded again", English, "users.created", []any{"name", "{name}"}, "User {name} created."},
		{"unknown key", Italian, "no.such.key", nil, "[[no.such.key]]"},
		{"unknown language falls back to English", Lang("de"), "common.save", nil, "Save"},
		{"empty language falls back to English", "", "users.created", []any{"name", "Ana"}, "User Ana created."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := T(tt.lang, tt.key, tt.args...); got != tt.want {
				t.Errorf("T(%q, %q, %v) = %q, want %q", tt.lang, tt.key, tt.args, got, tt.want)
			}
		})
	}
}

func TestExpand(t *testing.T) {
	tests := []struct {
		name, msg string
		args      []any
		want      string
	}{
		{"literal braces kept", "a {b c} {", []any{"b", 1}, "a {b c} {"},
		{"nested brace", "x {a{b} y", []any{"b", 2}, "x {a2 y"},
		{"adjacent", "{a}{b}", []any{"a", 1, "b", 2}, "12"},
		{"non-string name", "{a}", []any{1, 2}, "{a}"},
		{"empty name", "{}", []any{"", 1}, "{}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := expand(tt.msg, tt.args); got != tt.want {
				t.Errorf("expand(%q, %v) = %q, want %q", tt.msg, tt.args, got, tt.want)
			}
		})
	}
}

func TestUnknownKeyLoggedOnce(t *testing.T) {
	var buf bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&buf, nil)))
	t.Cleanup(func() { slog.SetDefault(old) })

	for range 3 {
		T(English, "test.logged_once")
	}
	if n := strings.Count(buf.String(), "test.logged_once"); n != 1 {
		t.Errorf("logged %d times, want once:\n%s", n, buf.String())
	}
}

func TestHasAndKeys(t *testing.T) {
	keys := Keys()
	if !slices.IsSorted(keys) {
		t.Error("Keys() not sorted")
	}
	if len(keys) != len(catalogues[English]) {
		t.Errorf("Keys() has %d keys, English catalogue %d", len(keys), len(catalogues[English]))
	}
	for _, k := range []string{"app.name", "nav.dashboard", "login.title", "stage.waiting_parts", "fuel.cng", "audit.action.demo_seed"} {
		if !Has(k) {
			t.Errorf("Has(%q) = false", k)
		}
		if !slices.Contains(keys, k) {
			t.Errorf("Keys() lacks %q", k)
		}
	}
	if Has("nav") || Has("") || Has("no.such.key") {
		t.Error("Has reports a key that does not exist")
	}
}
