package auth

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"syscall"
)

func canLimitAddressSpace() error { return nil }

// limitAddressSpace lets the process map at most extra more bytes, so an
// absurd allocation fails at once instead of exhausting the machine.
func limitAddressSpace(extra uint64) error {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return err
	}
	for line := range strings.Lines(string(status)) {
		kb, ok := strings.CutPrefix(line, "VmSize:")
		if !ok {
			continue
		}
		n, err := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(kb), "kB")), 10, 64)
		if err != nil {
			return err
		}
		var lim syscall.Rlimit
		if err := syscall.Getrlimit(syscall.RLIMIT_AS, &lim); err != nil {
			return err
		}
		lim.Cur = min(n*1024+extra, lim.Max)
		return syscall.Setrlimit(syscall.RLIMIT_AS, &lim)
	}
	return errors.New("no VmSize in /proc/self/status")
}
