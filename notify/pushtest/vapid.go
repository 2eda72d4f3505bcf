package pushtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/mail"
	"net/url"
	"strings"
	"time"
)

// Claims are the VAPID JWT's claims (RFC 8292 section 2) and the key that
// signed it.
type Claims struct {
	Aud string
	Exp time.Time
	Sub string
	Key string // the application server's public key, base64url
}

// maxExp is how far ahead a token may expire (RFC 8292 section 2: no more
// than 24 hours from the request).
const maxExp = 24 * time.Hour

// VerifyVAPID checks an Authorization header as a push service does
// (RFC 8292): the "vapid t=JWT, k=key" scheme, an ES256 signature by k,
// aud the endpoint's origin, exp in the future but at most 24 hours away,
// and sub a real contact — a mailto: address or an https: URL, not a
// placeholder such as @localhost or a doubled "mailto:mailto:", which
// Apple's push service refuses (403 BadJwtToken). When key is not empty the
// token must be signed by it: browsers bind a subscription to the
// application server key it was made with.
func VerifyVAPID(header, endpoint, key string, now time.Time) (Claims, error) {
	var c Claims
	scheme, params, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok || !strings.EqualFold(scheme, "vapid") {
		return c, errors.New(`authorization scheme is not "vapid"`)
	}
	var token string
	for _, p := range strings.Split(params, ",") {
		name, value, _ := strings.Cut(strings.TrimSpace(p), "=")
		switch name {
		case "t":
			token = value
		case "k":
			c.Key = value
		}
	}
	if token == "" || c.Key == "" {
		return c, errors.New("vapid authorization without t= or k=")
	}
	if key != "" && c.Key != key {
		return c, errors.New("token signed by another key than the subscription's application server key")
	}
	pubBytes, err := base64.RawURLEncoding.DecodeString(c.Key)
	if err != nil {
		return c, fmt.Errorf("k: %w", err)
	}
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), pubBytes)
	if err != nil {
		return c, fmt.Errorf("k: %w", err)
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return c, errors.New("JWT is not three parts")
	}
	var head struct {
		Alg string `json:"alg"`
	}
	if err := decodePart(parts[0], &head); err != nil {
		return c, fmt.Errorf("JWT header: %w", err)
	}
	if head.Alg != "ES256" {
		return c, fmt.Errorf("JWT alg %q, want ES256", head.Alg)
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || len(sig) != 64 {
		return c, errors.New("JWT signature is not 64 bytes of base64url")
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
	if !ecdsa.Verify(pub, digest[:], r, s) {
		return c, errors.New("JWT signature does not verify")
	}
	var claims struct {
		Aud string  `json:"aud"`
		Exp float64 `json:"exp"`
		Sub string  `json:"sub"`
	}
	if err := decodePart(parts[1], &claims); err != nil {
		return c, fmt.Errorf("JWT claims: %w", err)
	}
	c.Aud, c.Sub, c.Exp = claims.Aud, claims.Sub, time.Unix(int64(claims.Exp), 0)
	u, err := url.Parse(endpoint)
	if err != nil {
		return c, err
	}
	if origin := u.Scheme + "://" + u.Host; c.Aud != origin {
		return c, fmt.Errorf("aud %q, want the push service's origin %q", c.Aud, origin)
	}
	if !c.Exp.After(now) {
		return c, fmt.Errorf("JWT expired at %s", c.Exp)
	}
	if c.Exp.After(now.Add(maxExp)) {
		return c, fmt.Errorf("exp %s is more than 24 hours ahead", c.Exp)
	}
	return c, checkSubject(c.Sub)
}

func decodePart(part string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(part)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// checkSubject accepts a contact someone could actually reach.
func checkSubject(sub string) error {
	switch {
	case strings.HasPrefix(sub, "mailto:"):
		addr := strings.TrimPrefix(sub, "mailto:")
		a, err := mail.ParseAddress(addr)
		if err != nil || a.Address != addr {
			return fmt.Errorf("sub %q is not mailto: and one e-mail address", sub)
		}
		_, domain, _ := strings.Cut(addr, "@")
		if placeholder(domain) {
			return fmt.Errorf("sub %q is a placeholder address", sub)
		}
		return nil
	case strings.HasPrefix(sub, "https://"):
		u, err := url.Parse(sub)
		if err != nil || u.Host == "" || placeholder(u.Hostname()) {
			return fmt.Errorf("sub %q is not a public https: URL", sub)
		}
		return nil
	}
	return fmt.Errorf("sub %q is neither mailto: nor https:", sub)
}

// placeholder reports host names that name no one: local and reserved
// (RFC 2606, RFC 6761) names.
func placeholder(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if host == "localhost" || !strings.Contains(host, ".") {
		return true
	}
	for _, suffix := range []string{".localhost", ".local", ".invalid", ".test", ".example", ".internal", ".lan"} {
		if strings.HasSuffix(host, suffix) {
			return true
		}
	}
	switch host {
	case "example.com", "example.net", "example.org":
		return true
	}
	return false
}
