package ui

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"pitlane/i18n"
)

// TestTemplatesUseKnownKeys fails when a template calls t with a key the
// catalogue does not have.
func TestTemplatesUseKnownKeys(t *testing.T) {
	src, err := TemplateSources()
	if err != nil {
		t.Fatal(err)
	}
	if len(src) < 10 {
		t.Fatalf("only %d templates found", len(src))
	}
	for name, text := range src {
		keys := i18n.KeysUsedIn(text)
		if name != "layout.html" && len(keys) == 0 {
			t.Errorf("%s uses no catalogue key: every visible string must be translated", name)
		}
		for _, k := range keys {
			if !i18n.Has(k) {
				t.Errorf("%s uses unknown key %q", name, k)
			}
		}
	}
}

// keyLiteral matches catalogue keys written in Go code (Invalid("x", "key"),
// Key: "key", done=key).
var keyLiteral = regexp.MustCompile(`"((?:errors|common|users|settings|login|setup|password|apikeys|audit|customers|vehicles|appointments|jobs|notify|stage|dashboard|nav|role)\.[a-z_.]+)"|done=([a-z_]+\.[a-z_.]+)`)

// TestCodeUsesKnownKeys does the same for keys named in Go code of the
// packages whose errors reach users.
func TestCodeUsesKnownKeys(t *testing.T) {
	for _, dir := range []string{".", "../store", "../auth", "../web", "../server", "../api"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range keyLiteral.FindAllStringSubmatch(string(b), -1) {
				k := m[1] + m[2]
				if !i18n.Has(k) {
					t.Errorf("%s names unknown key %q", f, k)
				}
			}
		}
	}
}

// TestDynamicKeysExist covers keys built at run time from a fixed list.
func TestDynamicKeysExist(t *testing.T) {
	var keys []string
	for _, a := range auditActions {
		keys = append(keys, "audit.action."+a)
	}
	for _, d := range weekdays {
		keys = append(keys, "settings.weekday."+d)
	}
	for _, r := range []string{"sales", "backoffice", "workshop", "manager"} {
		keys = append(keys, "role."+r)
	}
	for _, k := range keys {
		if !i18n.Has(k) {
			t.Errorf("unknown key %q", k)
		}
	}
}
