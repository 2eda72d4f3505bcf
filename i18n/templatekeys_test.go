package i18n

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestKeysUsedIn(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"plain", `<h1>{{t "login.title"}}</h1>`, []string{"login.title"}},
		{"spaces and trim markers", `{{- t "a.b" -}} {{ t "c.d" }}`, []string{"a.b", "c.d"}},
		{"with placeholder args", `{{t "users.created" "name" .Name}}`, []string{"users.created"}},
		{"parenthesised", `<input placeholder="{{printf "%s…" (t "common.search")}}">`, []string{"common.search"}},
		{"piped", `{{"nav.users" | t}}`, []string{"nav.users"}},
		{"raw string", "{{t `nav.jobs`}}", []string{"nav.jobs"}},
		{"inside if, else, range, with", `{{if .A}}{{t "k.if"}}{{else if .B}}{{t "k.elseif"}}{{else}}{{t "k.else"}}{{end}}` +
			`{{range .L}}{{t "k.range"}}{{else}}{{t "k.empty"}}{{end}}{{with .W}}{{t "k.with"}}{{end}}`,
			[]string{"k.else", "k.elseif", "k.empty", "k.if", "k.range", "k.with"}},
		{"in a condition", `{{if eq .S (t "k.cond")}}x{{end}}`, []string{"k.cond"}},
		{"define and block", `{{define "head"}}{{t "k.define"}}{{end}}{{block "b" .}}{{t "k.block"}}{{end}}`, []string{"k.block", "k.define"}},
		{"template argument", `{{template "x" (t "k.arg")}}`, []string{"k.arg"}},
		{"variable", `{{$title := t "k.var"}}{{$title}}`, []string{"k.var"}},
		{"repeats once, sorted", `{{t "b"}}{{t "a"}}{{t "b"}}`, []string{"a", "b"}},
		{"comment ignored", `{{/* {{t "k.comment"}} */}}`, nil},
		{"inside another string ignored", `{{print "(t \"k.str\")"}}`, nil},
		{"html text ignored", `<p>t "k.text"</p>`, nil},
		{"dynamic key not visible", `{{t .Key}}`, nil},
		{"other function", `{{tt "k.tt"}}{{T "k.T"}}{{.t "k.field"}}`, nil},
		{"nested t result piped to t", `{{t "k.outer" | t}}`, []string{"k.outer"}},
		{"unparsable", `{{t "k.x"`, nil},
		{"empty", ``, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := KeysUsedIn(tt.src); !slices.Equal(got, tt.want) {
				t.Errorf("KeysUsedIn(%q) = %q, want %q", tt.src, got, tt.want)
			}
		})
	}
}

// FuzzKeysUsedIn feeds arbitrary template text: the scan must not panic,
// and every key it reports must appear in the source.
func FuzzKeysUsedIn(f *testing.F) {
	for _, s := range []string{
		`{{t "login.title"}}`, `{{ t "a" "n" .N }}`, `{{printf "%s" (t "b")}}`, `{{"c" | t}}`,
		`{{if .X}}{{t "d"}}{{else}}{{t "e"}}{{end}}`, `{{define "x"}}{{t "f"}}{{end}}`, `{{t`, `}}{{`,
		"{{t `raw`}}", `{{/* c */}}`, `{{range $i, $v := .L}}{{t "g"}}{{break}}{{end}}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		keys := KeysUsedIn(src)
		if !slices.IsSorted(keys) {
			t.Errorf("keys not sorted: %q", keys)
		}
		// Escapes, the carriage returns dropped from raw strings and invalid
		// UTF-8 (read as U+FFFD) make a key differ from its spelling in the
		// source; otherwise it is there.
		if strings.ContainsAny(src, "\\\r") || !utf8.ValidString(src) {
			return
		}
		for _, k := range keys {
			if !strings.Contains(src, k) {
				t.Errorf("key %q not in source %q", k, src)
			}
		}
	})
}
