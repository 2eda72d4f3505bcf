package i18n

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in     string
		want   Lang
		wantOK bool
	}{
		{"it", Italian, true},
		{"it-IT", Italian, true},
		{"IT", Italian, true},
		{"it_IT", Italian, true},
		{" ro ", Romanian, true},
		{"ro-MD", Romanian, true},
		{"en-GB", English, true},
		{"en", English, true},
		{"de", "", false},
		{"und-IT", "", false},
		{"", "", false},
		{"italian", "", false},
		{"it;q=0.9", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := Parse(tt.in)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("Parse(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestMatch(t *testing.T) {
	tests := []struct {
		name     string
		header   string
		fallback Lang
		want     Lang
	}{
		{"italian browser", "it-IT,it;q=0.9,en;q=0.8", Romanian, Italian},
		{"romanian", "ro", English, Romanian},
		{"moldovan romanian", "ro-MD,ro;q=0.9", English, Romanian},
		{"english region", "en-GB,en;q=0.9", Italian, English},
		{"german gets fallback", "de-DE", Italian, Italian},
		{"german then italian", "de-DE,de;q=0.9,it;q=0.5", Romanian, Italian},
		{"quality order wins", "en;q=0.1,ro;q=0.2", Italian, Romanian},
		{"empty gets fallback", "", Romanian, Romanian},
		{"wildcard gets fallback", "*", Italian, Italian},
		{"excluded language", "it;q=0", Romanian, Romanian},
		{"malformed gets fallback", "it-IT;q=nope,,;", Romanian, Romanian},
		{"unsupported fallback becomes English", "de", Lang("de"), English},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Match(tt.header, tt.fallback); got != tt.want {
				t.Errorf("Match(%q, %q) = %q, want %q", tt.header, tt.fallback, got, tt.want)
			}
		})
	}
}

func TestName(t *testing.T) {
	tests := []struct {
		lang Lang
		want string
	}{
		{English, "English"},
		{Italian, "Italiano"},
		{Romanian, "Română"},
		{Lang("de"), "de"},
	}
	for _, tt := range tests {
		t.Run(string(tt.lang), func(t *testing.T) {
			if got := tt.lang.Name(); got != tt.want {
				t.Errorf("%q.Name() = %q, want %q", tt.lang, got, tt.want)
			}
		})
	}
}

// FuzzMatch feeds arbitrary Accept-Language headers: whatever a client
// sends, Match must answer with a supported language and not panic.
func FuzzMatch(f *testing.F) {
	for _, s := range []string{
		"it-IT,it;q=0.9,en;q=0.8", "ro", "de-DE", "", "*", "en;q=0.1,ro;q=0.2",
		"it;q=0", "x-klingon", strings.Repeat("en-GB,", 100), "ro-MD;q=0.5,it;q=1.0",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		for _, fallback := range []Lang{Romanian, "zz"} {
			if got := Match(header, fallback); !got.valid() {
				t.Errorf("Match(%q, %q) = %q, not a supported language", header, fallback, got)
			}
		}
		if l, ok := Parse(header); ok != l.valid() {
			t.Errorf("Parse(%q) = %q, %v", header, l, ok)
		}
	})
}
