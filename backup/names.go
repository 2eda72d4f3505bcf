package backup

import (
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// Backup files are named for the moment they were taken, in UTC so that
// names sort in time order across daylight-saving changes:
// pitlane-20261122-020000.tar.zst, and .tar.zst.age when encrypted. A
// second backup within the same second gets -2, -3…
//
// Retention deletes only files with such a name, so a folder shared with
// other files is safe.
var namePattern = regexp.MustCompile(`^pitlane-(\d{8}-\d{6})(?:-([2-9]|[1-9]\d+))?\.tar\.zst(\.age)?$`)

const nameLayout = "20060102-150405"

// fileName is the name of a backup taken at t; n > 1 tells apart backups
// taken within the same second.
func fileName(t time.Time, encrypted bool, n int) string {
	name := "pitlane-" + t.UTC().Format(nameLayout)
	if n > 1 {
		name += "-" + strconv.Itoa(n)
	}
	name += ".tar.zst"
	if encrypted {
		name += ".age"
	}
	return name
}

// IsName reports whether name is a backup file this feature writes (not a
// partial one).
func IsName(name string) bool { return namePattern.MatchString(name) }

// nameTime is when the backup with this name was taken; ok is false for a
// name that is not a backup's.
func nameTime(name string) (t time.Time, n int, ok bool) {
	m := namePattern.FindStringSubmatch(name)
	if m == nil {
		return time.Time{}, 0, false
	}
	t, err := time.ParseInLocation(nameLayout, m[1], time.UTC)
	if err != nil {
		return time.Time{}, 0, false
	}
	n = 1
	if m[2] != "" {
		n, _ = strconv.Atoi(m[2])
	}
	return t, n, true
}

// partialSuffix marks a backup still being written; it is renamed to its
// real name only once complete and on disk.
const partialSuffix = ".partial"

func partialName(name string) string { return fmt.Sprintf(".%s%s", name, partialSuffix) }
