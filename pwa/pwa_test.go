package pwa

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"pitlane/i18n"
	"pitlane/store"
)

// TestTemplatesUseKnownKeys fails when a template of the app calls t with
// a key the catalogue does not have.
func TestTemplatesUseKnownKeys(t *testing.T) {
	src, err := TemplateSources()
	if err != nil {
		t.Fatal(err)
	}
	for name, text := range src {
		keys := i18n.KeysUsedIn(text)
		if name != "layout.html" && name != "message.html" && len(keys) == 0 {
			t.Errorf("%s uses no catalogue key: every visible string must be translated", name)
		}
		for _, k := range keys {
			if !i18n.Has(k) {
				t.Errorf("%s uses unknown key %q", name, k)
			}
		}
	}
}

// keyLiteral matches catalogue keys of this feature written in Go code.
var keyLiteral = regexp.MustCompile(`"((?:pwa|pairing|timeline|settings\.error)\.[a-z_.]+)"|done=([a-z_]+\.[a-z_.]+)`)

// TestCodeUsesKnownKeys checks the keys this feature names in Go code, in
// the app, the staff pages and the store operations behind them.
func TestCodeUsesKnownKeys(t *testing.T) {
	files := []string{"../ui/pairing.go", "../store/pairing.go", "../store/devices.go", "../store/settings.go"}
	own, _ := filepath.Glob("*.go")
	for _, f := range append(own, files...) {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range keyLiteral.FindAllStringSubmatch(string(b), -1) {
			if k := m[1] + m[2]; !strings.HasSuffix(k, ".") && !i18n.Has(k) {
				t.Errorf("%s names unknown key %q", f, k)
			}
		}
	}
	for _, k := range []string{"pairing.warn_local", "pairing.warn_http", "pwa.pair.unknown", "pwa.pair.used", "pwa.pair.expired"} {
		if !i18n.Has(k) {
			t.Errorf("unknown key %q", k)
		}
	}
	for _, s := range store.Fuels {
		if !i18n.Has("fuel." + s) {
			t.Errorf("no name for fuel %q", s)
		}
	}
	for _, step := range sheetSteps {
		if !i18n.Has(step) {
			t.Errorf("unknown sheet step %q", step)
		}
	}
}

// The inbox is a block other templates replace: it must stay one.
func TestHomeHasInboxBlock(t *testing.T) {
	p, err := New(Deps{})
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range i18n.Supported {
		if p.pages[lang]["home"].Lookup("inbox") == nil {
			t.Fatalf("home (%s) has no \"inbox\" block", lang)
		}
	}
}

func TestDeviceName(t *testing.T) {
	for _, tt := range []struct{ ua, want string }{
		{"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36", "Chrome · Android"},
		{"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", "Safari · iPhone"},
		{"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/126.0.6478.54 Mobile/15E148 Safari/604.1", "Chrome · iPhone"},
		{"Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36", "Samsung Internet · Android"},
		{"Mozilla/5.0 (Android 14; Mobile; rv:127.0) Gecko/127.0 Firefox/127.0", "Firefox · Android"},
		{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0", "Edge · Windows"},
		{"Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", "Safari · iPad"},
		{"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15", "Safari · Mac"},
		{"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/126.0.0.0 Safari/537.36", "Chrome · Linux"},
		{"curl/8.5.0", "?"},
		{"", "?"},
	} {
		if got := DeviceName(tt.ua); got != tt.want {
			t.Errorf("DeviceName(%.40q) = %q, want %q", tt.ua, got, tt.want)
		}
	}
}

func FuzzDeviceName(f *testing.F) {
	f.Add("Mozilla/5.0 (Linux; Android 14) Chrome/126.0 Mobile Safari/537.36")
	f.Add("iPhone Safari/604.1")
	f.Add("")
	f.Fuzz(func(t *testing.T, ua string) {
		name := DeviceName(ua)
		if name == "" || len(name) > 40 || !utf8.ValidString(name) {
			t.Fatalf("DeviceName(%q) = %q", ua, name)
		}
	})
}

func TestLinkPreview(t *testing.T) {
	for ua, preview := range map[string]bool{
		"WhatsApp/2.23.20.0 A":                                       true,
		"facebookexternalhit/1.1 Facebot Twitterbot/1.0":             true,
		"TelegramBot (like TwitterBot)":                              true,
		"Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)": true,
		"": true,
		"Mozilla/5.0 (Linux; Android 13; CUBOT X30) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36":                     false,
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1": false,
	} {
		if got := isLinkPreview(ua); got != preview {
			t.Errorf("isLinkPreview(%q) = %v", ua, got)
		}
	}
}

func TestShortName(t *testing.T) {
	for in, want := range map[string]string{
		"Pitlane":                        "Pitlane",
		"Officina Rossi":                 "Officina",
		"Autofficina Rossi & Figli":      "Autofficina",
		"Carrozzeria-Elettrauto Bianchi": "Bianchi",
		"Ștefănescu Service Auto":        "Ștefănescu",
		"SuperlongdealershipnameSRL":     "Superlongdea",
		"  Garage 24  ":                  "Garage 24",
	} {
		if got := shortName(in); got != want || utf8.RuneCountInString(got) > 12 {
			t.Errorf("shortName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestOpeningHours(t *testing.T) {
	st := store.DefaultSettings() // Mon–Fri 08–18, Sat 08–12, Sun closed, Europe/Rome
	rome := st.Location()
	at := func(day, hour, min int) time.Time { return time.Date(2026, 3, day, hour, min, 0, 0, rome) } // 2 March 2026 is a Monday
	for _, tt := range []struct {
		name string
		now  time.Time
		lang i18n.Lang
		want string
		open bool
	}{
		{"Monday morning", at(2, 9, 0), i18n.English, "Open now, until 18:00.", true},
		{"Monday before opening", at(2, 7, 59), i18n.English, "Closed now. Opens today at 08:00.", false},
		{"Monday evening", at(2, 18, 0), i18n.Italian, "Ora chiuso. Apre domani alle 08:00.", false},
		{"Saturday afternoon", at(7, 13, 0), i18n.Romanian, "Acum este închis. Se deschide luni la 08:00.", false},
		{"Sunday", at(8, 10, 0), i18n.English, "Closed now. Opens tomorrow at 08:00.", false},
		// 23:30 UTC on Friday is already Saturday 00:30 in Rome.
		{"in the dealership's zone", time.Date(2026, 3, 6, 23, 30, 0, 0, time.UTC), i18n.English, "Closed now. Opens today at 08:00.", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := openingHours(st, tt.lang, tt.now)
			if h.Now != tt.want || h.Open != tt.open {
				t.Errorf("= %q (open %v), want %q", h.Now, h.Open, tt.want)
			}
			if len(h.Days) != 7 || strings.ToUpper(h.Days[0].Name[:1]) != h.Days[0].Name[:1] {
				t.Errorf("days = %+v", h.Days)
			}
		})
	}
	closed := store.DefaultSettings()
	for i := range closed.Hours {
		closed.Hours[i] = store.DayHours{Closed: true}
	}
	if h := openingHours(closed, i18n.English, at(2, 9, 0)); h.Now != "Closed now." || h.Open {
		t.Errorf("always closed: %+v", h)
	}
	if h := openingHours(st, i18n.English, at(4, 12, 0)); !h.Days[2].Today || h.Days[0].Today {
		t.Errorf("Wednesday is not today: %+v", h.Days)
	}
}

func TestIconColours(t *testing.T) {
	for colour, isLight := range map[string]bool{"#163a5f": false, "#000000": false, "#ffffff": true, "#ffd400": true, "#a01020": false, "#7fdbff": true} {
		if light(colour) != isLight {
			t.Errorf("light(%s) = %v", colour, !isLight)
		}
	}
	for name, want := range map[string]string{"officina Rossi": "O", "ștefan auto": "Ș", "24 Ore": "2", "  & Co": "C", "": "P"} {
		if got := initial(name); got != want {
			t.Errorf("initial(%q) = %q, want %q", name, got, want)
		}
	}
}
