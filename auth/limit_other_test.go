//go:build !linux

package auth

import "errors"

var errNoLimit = errors.New("capping the address space is only implemented on Linux")

func canLimitAddressSpace() error { return errNoLimit }

func limitAddressSpace(uint64) error { return errNoLimit }
