// Package config is the one table of the appliance's options: flag,
// environment variable, default and validation, printed by --help.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
)

// Config is the parsed configuration of `pitlane serve`.
type Config struct {
	DataDir        string
	Addr           string
	HTTPAddr       string
	TLS            string
	Domain         string
	Email          string
	ACMECA         string
	TrustedProxies []netip.Prefix
	PublicURL      string
	LogLevel       slog.Level
	LogFormat      string
	// MaxPhoto and MaxVideo are the largest photo and video a message
	// may carry, in bytes.
	MaxPhoto int64
	MaxVideo int64
}

// Option is one row of the table.
type Option struct {
	Flag    string
	Env     string
	Default string
	Usage   string
	Secret  bool
	// Apply validates the value and stores it in the config.
	Apply func(c *Config, v string) error
}

// Options is the table. Keep it sorted as --help should show it.
var Options = []Option{
	{Flag: "data", Env: "PITLANE_DATA", Default: "./pitlane-data",
		Usage: "data folder: database, media, certificates, backups",
		Apply: func(c *Config, v string) error {
			if strings.TrimSpace(v) == "" {
				return errors.New("must not be empty")
			}
			abs, err := filepath.Abs(v)
			c.DataDir = abs
			return err
		}},
	{Flag: "addr", Env: "PITLANE_ADDR", Default: "",
		Usage: "HOST:PORT to serve on (default :443 with TLS, :8080 without)",
		Apply: func(c *Config, v string) error { c.Addr = v; return checkAddr(v) }},
	{Flag: "http-addr", Env: "PITLANE_HTTP_ADDR", Default: "",
		Usage: "HOST:PORT for plain HTTP that redirects to HTTPS and answers ACME challenges (default :80 with TLS; \"none\" disables)",
		Apply: func(c *Config, v string) error {
			c.HTTPAddr = v
			if v == "none" {
				return nil
			}
			return checkAddr(v)
		}},
	{Flag: "tls", Env: "PITLANE_TLS", Default: "local",
		Usage: "off (behind a reverse proxy or tunnel), local (own certificate authority), acme (public certificate for --domain)",
		Apply: func(c *Config, v string) error {
			switch v {
			case "off", "local", "acme":
				c.TLS = v
				return nil
			}
			return errors.New("must be off, local or acme")
		}},
	{Flag: "domain", Env: "PITLANE_DOMAIN", Default: "",
		Usage: "public host name (required with --tls acme)",
		Apply: func(c *Config, v string) error {
			c.Domain = strings.ToLower(strings.TrimSpace(v))
			if c.Domain != "" && (strings.ContainsAny(c.Domain, "/: ") || !strings.Contains(c.Domain, ".") && c.Domain != "localhost") {
				return errors.New("must be a host name such as garage.example.com")
			}
			return nil
		}},
	{Flag: "email", Env: "PITLANE_EMAIL", Default: "",
		Usage: "e-mail for the ACME account (certificate expiry notices)",
		Apply: func(c *Config, v string) error { c.Email = strings.TrimSpace(v); return nil }},
	{Flag: "acme-ca", Env: "PITLANE_ACME_CA", Default: "",
		Usage: "ACME directory URL (default: Let's Encrypt)",
		Apply: func(c *Config, v string) error {
			c.ACMECA = v
			if v == "" {
				return nil
			}
			u, err := url.Parse(v)
			if err != nil || u.Scheme != "https" || u.Host == "" {
				return errors.New("must be an https:// URL")
			}
			return nil
		}},
	{Flag: "trusted-proxy", Env: "PITLANE_TRUSTED_PROXY", Default: "",
		Usage: "comma-separated addresses or CIDRs of reverse proxies whose X-Forwarded-* headers are believed",
		Apply: func(c *Config, v string) error {
			c.TrustedProxies = nil
			for _, s := range strings.Split(v, ",") {
				s = strings.TrimSpace(s)
				if s == "" {
					continue
				}
				if !strings.Contains(s, "/") {
					a, err := netip.ParseAddr(s)
					if err != nil {
						return fmt.Errorf("%q is not an IP address or CIDR", s)
					}
					s = netip.PrefixFrom(a, a.BitLen()).String()
				}
				p, err := netip.ParsePrefix(s)
				if err != nil {
					return fmt.Errorf("%q is not an IP address or CIDR", s)
				}
				c.TrustedProxies = append(c.TrustedProxies, p.Masked())
			}
			return nil
		}},
	{Flag: "public-url", Env: "PITLANE_PUBLIC_URL", Default: "",
		Usage: "URL customers and staff reach the appliance at, for links and QR codes (default: from --domain or the request)",
		Apply: func(c *Config, v string) error {
			c.PublicURL = strings.TrimRight(v, "/")
			if v == "" {
				return nil
			}
			u, err := url.Parse(v)
			if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
				return errors.New("must be an http(s):// URL")
			}
			return nil
		}},
	{Flag: "max-photo-mb", Env: "PITLANE_MAX_PHOTO_MB", Default: "25",
		Usage: "largest photo a message may carry, in MB",
		Apply: func(c *Config, v string) error { return megabytes(&c.MaxPhoto, v) }},
	{Flag: "max-video-mb", Env: "PITLANE_MAX_VIDEO_MB", Default: "200",
		Usage: "largest video a message may carry, in MB",
		Apply: func(c *Config, v string) error { return megabytes(&c.MaxVideo, v) }},
	{Flag: "log-level", Env: "PITLANE_LOG_LEVEL", Default: "info",
		Usage: "debug, info, warn or error",
		Apply: func(c *Config, v string) error { return c.LogLevel.UnmarshalText([]byte(v)) }},
	{Flag: "log-format", Env: "PITLANE_LOG_FORMAT", Default: "text",
		Usage: "text or json",
		Apply: func(c *Config, v string) error {
			if v != "text" && v != "json" {
				return errors.New("must be text or json")
			}
			c.LogFormat = v
			return nil
		}},
}

// megabytes reads a size limit in MB (10⁶ bytes, as phones show sizes).
func megabytes(dst *int64, v string) error {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 1 || n > 4000 {
		return errors.New("must be a whole number of MB from 1 to 4000")
	}
	*dst = int64(n) * 1_000_000
	return nil
}

func checkAddr(v string) error {
	if v == "" {
		return nil
	}
	_, port, err := net.SplitHostPort(v)
	if err == nil && port == "" {
		err = errors.New("missing port")
	}
	if err == nil {
		_, err = net.LookupPort("tcp", port)
	}
	if err != nil {
		return errors.New("must be HOST:PORT, for example :8443 or 127.0.0.1:8080")
	}
	return nil
}

// Parse reads flags from args, falling back to the environment, then to the
// defaults. Errors name the flag and say what to fix.
func Parse(name string, args []string, getenv func(string) string, out io.Writer) (Config, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() { PrintHelp(out, name) }
	values := make([]*string, len(Options))
	for i, o := range Options {
		def := o.Default
		if env := getenv(o.Env); env != "" {
			def = env
		}
		values[i] = fs.String(o.Flag, def, o.Usage)
	}
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	var c Config
	for i, o := range Options {
		if err := o.Apply(&c, *values[i]); err != nil {
			return Config{}, fmt.Errorf("--%s (%s): %w", o.Flag, o.Env, err)
		}
	}
	err := c.finish()
	return c, err
}

// finish fills defaults that depend on other options and checks them together.
func (c *Config) finish() error {
	if c.Addr == "" {
		c.Addr = ":443"
		if c.TLS == "off" {
			c.Addr = ":8080"
		}
	}
	if c.HTTPAddr == "" && c.TLS != "off" {
		c.HTTPAddr = ":80"
	}
	if c.HTTPAddr == "none" || c.TLS == "off" {
		c.HTTPAddr = ""
	}
	if c.TLS == "acme" && c.Domain == "" {
		return errors.New("--tls acme needs --domain (PITLANE_DOMAIN): the public host name the certificate is for")
	}
	if c.LogFormat == "" {
		c.LogFormat = "text"
	}
	return nil
}

// PrintHelp prints the options table.
func PrintHelp(w io.Writer, name string) {
	fmt.Fprintf(w, "Usage: %s [options]\n\nOptions (flag, environment variable, default):\n", name)
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	for _, o := range Options {
		def := o.Default
		if o.Secret {
			def = "(secret)"
		}
		if def == "" {
			def = "-"
		}
		fmt.Fprintf(tw, "  --%s\t%s\t%s\t%s\n", o.Flag, o.Env, def, o.Usage)
	}
	tw.Flush()
}

// Defaults is the configuration with every option at its default.
func Defaults() Config {
	c, err := Parse("pitlane", nil, func(string) string { return "" }, io.Discard)
	if err != nil {
		panic("config defaults do not validate: " + err.Error())
	}
	return c
}
