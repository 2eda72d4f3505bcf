package installer

import (
	"net"
	"net/http"
	"strconv"
	"strings"
)

// redirectToHTTPS answers every request with a 308 to the same path and query
// on HTTPS. 308 rather than 301 so that a form posted to http:// is re-posted,
// not turned into a GET. The host is the one the client asked for, so a
// device that reached the machine by its LAN address stays on that address;
// fallbackHost is used when the request carries no usable Host.
func redirectToHTTPS(httpsPort int, fallbackHost string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := requestHost(r.Host)
		if host == "" {
			host = fallbackHost
		}
		if host == "" {
			http.Error(w, "Use HTTPS: this server needs a Host header to redirect you.", http.StatusBadRequest)
			return
		}
		if httpsPort != 443 {
			host = net.JoinHostPort(host, strconv.Itoa(httpsPort))
		} else if strings.Contains(host, ":") {
			host = "[" + host + "]"
		}
		http.Redirect(w, r, "https://"+host+r.URL.RequestURI(), http.StatusPermanentRedirect)
	})
}

// requestHost returns the host part of a Host header, without the port, or ""
// when it is not a plain host name or IP address (it ends up in a Location
// header, so nothing else gets through).
func requestHost(hostport string) string {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(host, ".")
	if strings.HasPrefix(host, "[") && strings.HasSuffix(host, "]") {
		host = host[1 : len(host)-1]
	}
	if ip := net.ParseIP(host); ip != nil {
		return ip.String()
	}
	if !isDNSName(host) {
		return ""
	}
	return strings.ToLower(host)
}
