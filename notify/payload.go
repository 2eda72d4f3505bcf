package notify

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/SherClockHolmes/webpush-go"

	"pitlane/i18n"
	"pitlane/store"
)

// Size limits. Every message is padded to recordSize, so its length tells
// an eavesdropper nothing, and 3 KB passes every push service (Mozilla's
// refuses more than about 3 KB for constrained devices, Apple's and
// Google's take 4 KB).
const (
	recordSize = 3 << 10
	// MaxPayload is the most plaintext a message can carry: the record less
	// the aes128gcm header (86 bytes with a P-256 key), the AES-GCM tag (16)
	// and the padding delimiter (1).
	MaxPayload = recordSize - 86 - 16 - 1
	// maxTitle keeps a title to what a lock screen shows.
	maxTitle = 120
)

// Payload is what the service worker receives: it shows Title and Body,
// uses Tag as the notification's tag, and opens URL when tapped.
type Payload struct {
	// Tag is the notification's outbox ID. A notification sent twice (the
	// appliance crashed between the push service's 201 and recording it)
	// carries the same tag, and a second notification with a tag already
	// shown replaces it rather than adding another.
	Tag      string `json:"tag"`
	Title    string `json:"title"`
	Body     string `json:"body,omitempty"`
	URL      string `json:"url"`
	Category string `json:"category,omitempty"`
}

// render builds the payload in the customer's language and encodes it in
// at most MaxPayload bytes, shortening the body (then the title) at a rune
// boundary if it must.
func render(n store.Notification, lang i18n.Lang) []byte {
	args := make([]any, len(n.Args))
	for i, a := range n.Args {
		args[i] = a
	}
	p := Payload{Tag: strconv.FormatUint(n.ID, 10), Title: i18n.T(lang, n.TitleKey, args...),
		URL: appURL(n.URL), Category: n.Category}
	if n.BodyKey != "" {
		p.Body = i18n.T(lang, n.BodyKey, args...)
	}
	if utf8.RuneCountInString(p.Title) > maxTitle {
		p.Title = string([]rune(p.Title)[:maxTitle-1]) + "…"
	}
	b := encode(p)
	for _, field := range []*string{&p.Body, &p.Title} {
		if len(b) <= MaxPayload {
			break
		}
		// The longest prefix that fits, found by bisection: JSON escaping
		// makes the encoded length no simple function of the cut.
		whole := *field
		lo, hi := 0, len(whole)
		for hi-lo > 1 {
			mid := (lo + hi) / 2
			*field = shorten(whole, mid)
			if len(encode(p)) <= MaxPayload {
				lo = mid
			} else {
				hi = mid
			}
		}
		*field = shorten(whole, lo)
		b = encode(p)
	}
	return b
}

// encode marshals without HTML escaping: the payload is not HTML, and
// "\u003c" for "<" would spend six bytes of the budget on one.
func encode(p Payload) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(p) // strings only: cannot fail
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// shorten keeps at most n bytes of s, never splitting a rune, and marks
// the cut with an ellipsis.
func shorten(s string, n int) string {
	if n >= len(s) {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	if kept := strings.TrimRight(s[:n], " "); kept != "" {
		return kept + "…"
	}
	return ""
}

// appURL keeps a notification's link inside the app: a path on this
// origin, never another site ("//evil.example" is another site too).
func appURL(u string) string {
	if !strings.HasPrefix(u, "/") || strings.HasPrefix(u, "//") || strings.HasPrefix(u, "/\\") || len(u) > 512 {
		return "/app/"
	}
	return u
}

// ttl is how long the push service keeps a message for a phone that is
// off: a workshop update is stale after a day; an offer can wait a week.
func ttl(category string) time.Duration {
	switch category {
	case store.CategoryWorkshop:
		return 24 * time.Hour
	case store.CategoryMarketing:
		return 7 * 24 * time.Hour
	}
	return 3 * 24 * time.Hour
}

// urgency tells the push service how soon to wake the phone (RFC 8030
// section 5.3): at once for the car in the workshop or an appointment, when
// convenient for marketing, which may wait for Wi-Fi or a charger.
func urgency(n store.Notification) webpush.Urgency {
	switch {
	case n.Urgent || n.Category == store.CategoryWorkshop:
		return webpush.UrgencyHigh
	case n.Category == store.CategoryMarketing:
		return webpush.UrgencyLow
	}
	return webpush.UrgencyNormal
}
