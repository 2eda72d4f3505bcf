package config

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"log/slog"
	"net/netip"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// env is a fake environment for Parse.
func env(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

func TestParse(t *testing.T) {
	abs := func(p string) string {
		a, err := filepath.Abs(p)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	tests := []struct {
		name  string
		args  []string
		env   func(string) string
		check func(t *testing.T, c Config)
	}{
		{"defaults", nil, env(), func(t *testing.T, c Config) {
			want := Config{DataDir: abs("pitlane-data"), Addr: ":443", HTTPAddr: ":80", TLS: "local",
				LogLevel: slog.LevelInfo, LogFormat: "text"}
			if !equal(c, want) {
				t.Errorf("got %+v\nwant %+v", c, want)
			}
			if !filepath.IsAbs(c.DataDir) {
				t.Errorf("data folder %q is relative: a Windows service would resolve it from System32", c.DataDir)
			}
		}},
		{"tls off serves plain HTTP on 8080 without a redirect listener", []string{"--tls", "off"}, env(), func(t *testing.T, c Config) {
			if c.Addr != ":8080" || c.HTTPAddr != "" {
				t.Errorf("addr %q, http-addr %q; want :8080 and none", c.Addr, c.HTTPAddr)
			}
		}},
		{"upload limits: 25 MB photos and 200 MB videos unless told", nil, env(), func(t *testing.T, c Config) {
			if c.MaxPhoto != 25_000_000 || c.MaxVideo != 200_000_000 {
				t.Errorf("photo %d, video %d bytes", c.MaxPhoto, c.MaxVideo)
			}
		}},
		{"upload limits from flag and environment", []string{"--max-video-mb", "500"}, env("PITLANE_MAX_PHOTO_MB", "10"), func(t *testing.T, c Config) {
			if c.MaxPhoto != 10_000_000 || c.MaxVideo != 500_000_000 {
				t.Errorf("photo %d, video %d bytes", c.MaxPhoto, c.MaxVideo)
			}
		}},
		{"tls off ignores http-addr", []string{"--tls=off", "--http-addr=:81"}, env(), func(t *testing.T, c Config) {
			if c.HTTPAddr != "" {
				t.Errorf("http-addr %q with tls off, want none", c.HTTPAddr)
			}
		}},
		{"http-addr none disables the redirect listener", []string{"--http-addr", "none"}, env(), func(t *testing.T, c Config) {
			if c.HTTPAddr != "" || c.Addr != ":443" {
				t.Errorf("addr %q, http-addr %q; want :443 and none", c.Addr, c.HTTPAddr)
			}
		}},
		{"explicit addresses", []string{"--addr", "127.0.0.1:8443", "--http-addr", "[::1]:8080"}, env(), func(t *testing.T, c Config) {
			if c.Addr != "127.0.0.1:8443" || c.HTTPAddr != "[::1]:8080" {
				t.Errorf("addr %q, http-addr %q", c.Addr, c.HTTPAddr)
			}
		}},
		{"environment applies", nil, env(
			"PITLANE_DATA", "/srv/pitlane",
			"PITLANE_TLS", "acme",
			"PITLANE_DOMAIN", "Garage.Example.COM",
			"PITLANE_EMAIL", " ops@example.com ",
			"PITLANE_ACME_CA", "https://acme.example.net/directory",
			"PITLANE_LOG_LEVEL", "debug",
			"PITLANE_LOG_FORMAT", "json",
			"PITLANE_PUBLIC_URL", "https://garage.example.com/",
		), func(t *testing.T, c Config) {
			want := Config{DataDir: abs("/srv/pitlane"), Addr: ":443", HTTPAddr: ":80", TLS: "acme",
				Domain: "garage.example.com", Email: "ops@example.com", ACMECA: "https://acme.example.net/directory",
				PublicURL: "https://garage.example.com", LogLevel: slog.LevelDebug, LogFormat: "json"}
			if !equal(c, want) {
				t.Errorf("got %+v\nwant %+v", c, want)
			}
		}},
		{"flags override environment", []string{"--tls", "local", "--log-format", "text", "--addr", ":9443"},
			env("PITLANE_TLS", "off", "PITLANE_LOG_FORMAT", "json", "PITLANE_ADDR", ":7000"), func(t *testing.T, c Config) {
				if c.TLS != "local" || c.LogFormat != "text" || c.Addr != ":9443" || c.HTTPAddr != ":80" {
					t.Errorf("got tls %q, log-format %q, addr %q, http-addr %q; want the flags' values", c.TLS, c.LogFormat, c.Addr, c.HTTPAddr)
				}
			}},
		{"empty environment variable means unset", nil, env("PITLANE_TLS", ""), func(t *testing.T, c Config) {
			if c.TLS != "local" {
				t.Errorf("tls %q, want the default local", c.TLS)
			}
		}},
		{"trusted proxies: addresses and CIDRs", []string{"--trusted-proxy", " 10.0.0.1, 192.168.7.9/16,,::1 ,fd00::/8"}, env(), func(t *testing.T, c Config) {
			want := []netip.Prefix{
				netip.MustParsePrefix("10.0.0.1/32"),
				netip.MustParsePrefix("192.168.0.0/16"),
				netip.MustParsePrefix("::1/128"),
				netip.MustParsePrefix("fd00::/8"),
			}
			if !slices.Equal(c.TrustedProxies, want) {
				t.Errorf("trusted proxies %v, want %v", c.TrustedProxies, want)
			}
		}},
		{"localhost is a valid domain", []string{"--domain", "localhost"}, env(), func(t *testing.T, c Config) {
			if c.Domain != "localhost" {
				t.Errorf("domain %q", c.Domain)
			}
		}},
		{"public url over plain http", []string{"--public-url", "http://192.168.1.10:8080"}, env(), func(t *testing.T, c Config) {
			if c.PublicURL != "http://192.168.1.10:8080" {
				t.Errorf("public url %q", c.PublicURL)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse("pitlane serve", tt.args, tt.env, io.Discard)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			tt.check(t, c)
		})
	}
}

func equal(a, b Config) bool {
	return slices.Equal(a.TrustedProxies, b.TrustedProxies) &&
		a.DataDir == b.DataDir && a.Addr == b.Addr && a.HTTPAddr == b.HTTPAddr && a.TLS == b.TLS &&
		a.Domain == b.Domain && a.Email == b.Email && a.ACMECA == b.ACMECA && a.PublicURL == b.PublicURL &&
		a.LogLevel == b.LogLevel && a.LogFormat == b.LogFormat
}

func TestParseRefuses(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  func(string) string
		want []string // all must appear in the error
	}{
		{"bad tls mode", []string{"--tls", "on"}, env(), []string{"--tls", "PITLANE_TLS", "off, local or acme"}},
		{"bad tls mode from the environment", nil, env("PITLANE_TLS", "yes"), []string{"--tls", "PITLANE_TLS"}},
		{"addr without port", []string{"--addr", "localhost"}, env(), []string{"--addr", "PITLANE_ADDR", "HOST:PORT"}},
		{"addr with empty port", []string{"--addr", "127.0.0.1:"}, env(), []string{"--addr", "PITLANE_ADDR", "HOST:PORT"}},
		{"addr with port out of range", []string{"--addr", ":70000"}, env(), []string{"--addr", "PITLANE_ADDR", "HOST:PORT"}},
		{"http-addr without port", []string{"--http-addr", "0.0.0.0"}, env(), []string{"--http-addr", "PITLANE_HTTP_ADDR"}},
		{"acme without domain", []string{"--tls", "acme"}, env(), []string{"--domain", "PITLANE_DOMAIN"}},
		{"domain with a port", []string{"--domain", "garage.example.com:443"}, env(), []string{"--domain", "PITLANE_DOMAIN"}},
		{"domain that is a URL", []string{"--domain", "https://garage.example.com"}, env(), []string{"--domain", "PITLANE_DOMAIN"}},
		{"domain without a dot", []string{"--domain", "garage"}, env(), []string{"--domain", "PITLANE_DOMAIN"}},
		{"domain with a space", []string{"--domain", "my garage.com"}, env(), []string{"--domain", "PITLANE_DOMAIN"}},
		{"acme-ca over plain http", []string{"--acme-ca", "http://acme.example.net/directory"}, env(), []string{"--acme-ca", "PITLANE_ACME_CA", "https://"}},
		{"acme-ca without host", []string{"--acme-ca", "https:///directory"}, env(), []string{"--acme-ca", "PITLANE_ACME_CA"}},
		{"trusted proxy not an address", []string{"--trusted-proxy", "10.0.0.1,proxy.local"}, env(), []string{"--trusted-proxy", "PITLANE_TRUSTED_PROXY", `"proxy.local"`}},
		{"trusted proxy bad CIDR", []string{"--trusted-proxy", "10.0.0.0/33"}, env(), []string{"--trusted-proxy", "PITLANE_TRUSTED_PROXY", `"10.0.0.0/33"`}},
		{"trusted proxy bad octet", nil, env("PITLANE_TRUSTED_PROXY", "10.0.0.256"), []string{"--trusted-proxy", "PITLANE_TRUSTED_PROXY", `"10.0.0.256"`}},
		{"public url with another scheme", []string{"--public-url", "ftp://garage.example.com"}, env(), []string{"--public-url", "PITLANE_PUBLIC_URL", "http(s)://"}},
		{"public url without host", []string{"--public-url", "garage.example.com"}, env(), []string{"--public-url", "PITLANE_PUBLIC_URL"}},
		{"log level", []string{"--log-level", "verbose"}, env(), []string{"--log-level", "PITLANE_LOG_LEVEL"}},
		{"video limit of nothing", []string{"--max-video-mb", "0"}, env(), []string{"--max-video-mb", "PITLANE_MAX_VIDEO_MB", "whole number"}},
		{"photo limit with a unit", nil, env("PITLANE_MAX_PHOTO_MB", "25MB"), []string{"--max-photo-mb", "PITLANE_MAX_PHOTO_MB"}},
		{"log format", []string{"--log-format", "xml"}, env(), []string{"--log-format", "PITLANE_LOG_FORMAT", "text or json"}},
		{"empty data folder", []string{"--data", " "}, env(), []string{"--data", "PITLANE_DATA"}},
		{"unexpected argument", []string{"--tls", "off", "serve"}, env(), []string{`unexpected argument "serve"`}},
		{"unknown flag", []string{"--port", "80"}, env(), []string{"port"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse("pitlane serve", tt.args, tt.env, io.Discard)
			if err == nil {
				t.Fatalf("Parse accepted it: %+v", c)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestHelp(t *testing.T) {
	var out bytes.Buffer
	_, err := Parse("pitlane serve", []string{"--help"}, env(), &out)
	if !errors.Is(err, flag.ErrHelp) {
		t.Errorf("--help: err = %v, want flag.ErrHelp", err)
	}
	var printed bytes.Buffer
	PrintHelp(&printed, "pitlane serve")
	if out.String() != printed.String() {
		t.Errorf("--help printed something other than PrintHelp:\n%s", out.String())
	}
	help := printed.String()
	if !strings.HasPrefix(help, "Usage: pitlane serve") {
		t.Errorf("help does not start with the usage line:\n%s", help)
	}
	for _, o := range Options {
		t.Run(o.Flag, func(t *testing.T) {
			for _, w := range []string{"--" + o.Flag, o.Env, o.Usage} {
				if !strings.Contains(help, w) {
					t.Errorf("help does not mention %q:\n%s", w, help)
				}
			}
			if o.Default != "" && !o.Secret && !strings.Contains(help, o.Default) {
				t.Errorf("help does not show the default %q", o.Default)
			}
		})
	}
}

func TestDefaults(t *testing.T) {
	c := Defaults()
	parsed, err := Parse("pitlane", nil, env(), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if !equal(c, parsed) {
		t.Errorf("Defaults() = %+v, want %+v", c, parsed)
	}
	if c.Addr != ":443" || c.TLS != "local" || !filepath.IsAbs(c.DataDir) {
		t.Errorf("Defaults() = %+v", c)
	}
}

func FuzzParseArgs(f *testing.F) {
	for i, o := range Options {
		f.Add(uint8(i), o.Default, uint8(i+1), "")
	}
	f.Add(uint8(1), "[::1]:80", uint8(3), "acme")
	f.Add(uint8(6), "10.0.0.1/8,::1", uint8(7), "http://x.y/")
	f.Add(uint8(4), "localhost", uint8(3), "acme")
	f.Fuzz(func(t *testing.T, i uint8, v string, j uint8, w string) {
		oi, oj := Options[int(i)%len(Options)], Options[int(j)%len(Options)]
		args := []string{"--" + oi.Flag + "=" + v, "--" + oj.Flag, w}
		c, err := Parse("pitlane serve", args, env(), io.Discard)
		if err != nil {
			return
		}
		switch {
		case !filepath.IsAbs(c.DataDir):
			t.Errorf("%q: data folder %q is relative", args, c.DataDir)
		case c.TLS != "off" && c.TLS != "local" && c.TLS != "acme":
			t.Errorf("%q: tls %q", args, c.TLS)
		case c.Addr == "":
			t.Errorf("%q: no listen address", args)
		case c.TLS == "acme" && c.Domain == "":
			t.Errorf("%q: acme without a domain", args)
		case c.TLS == "off" && c.HTTPAddr != "":
			t.Errorf("%q: redirect listener %q with tls off", args, c.HTTPAddr)
		case c.HTTPAddr == "none":
			t.Errorf("%q: http-addr \"none\" left as an address", args)
		case c.LogFormat != "text" && c.LogFormat != "json":
			t.Errorf("%q: log format %q", args, c.LogFormat)
		}
	})
}
