// Package installer runs Pitlane as an OS service and gives it TLS: ACME through certmagic, a local CA, or none behind a proxy.
package installer
