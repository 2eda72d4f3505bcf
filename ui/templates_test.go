package ui

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"pitlane/i18n"
	"pitlane/store"
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
		for _, m := range fieldLabel.FindAllStringSubmatch(text, -1) {
			keys = append(keys, m[1])
		}
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

// fieldLabel matches the label keys of form inputs: (.Field "name" "key" …).
var fieldLabel = regexp.MustCompile(`\.(?:Field|Required) "[a-z_]+" "([a-z_.]+)"`)

// keyLiteral matches catalogue keys written in Go code (Invalid("x", "key"),
// Key: "key", done=key).
var keyLiteral = regexp.MustCompile(`"((?:errors|common|users|settings|login|setup|password|apikeys|audit|customers|vehicles|appointments|jobs|notify|stage|dashboard|nav|role|imports|calendar)\.[a-z_.]+)"|done=([a-z_]+\.[a-z_.]+)`)

// TestCodeUsesKnownKeys does the same for keys named in Go code of the
// packages whose errors reach users.
func TestCodeUsesKnownKeys(t *testing.T) {
	for _, dir := range []string{".", "../store", "../auth", "../web", "../server", "../api", "../csvimport"} {
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
	for _, r := range store.Roles {
		keys = append(keys, "role."+string(r))
	}
	for _, s := range []string{store.SortName, store.SortNewest, store.SortOldest} {
		keys = append(keys, "customers.sort."+s)
	}
	for _, s := range store.ConsentSources {
		keys = append(keys, "customers.source."+s)
	}
	for _, s := range []string{"checkin", "customer", "demo", "import", "manual"} {
		keys = append(keys, "vehicles.source."+s)
	}
	for _, s := range []string{"requested", "confirmed", "cancelled", "no_show", "done"} {
		keys = append(keys, "appointments.status."+s)
	}
	for _, f := range store.Fuels {
		keys = append(keys, "fuel."+f)
	}
	for _, s := range store.Stages {
		keys = append(keys, "stage."+s)
	}
	for _, k := range keys {
		if !i18n.Has(k) {
			t.Errorf("unknown key %q", k)
		}
	}
}
