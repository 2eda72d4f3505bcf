//go:build !linux && !windows

package notify

import "os/exec"

func lowerPriority()        {}
func belowNormal(*exec.Cmd) {}
func lowerStarted(int)      {}
