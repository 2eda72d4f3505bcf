package backup

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Retention is how many backups to keep, grandfather-father-son: the
// newest backup of each of the last Daily days that have one, of each of
// the last Weekly ISO weeks, and of each of the last Monthly months, days
// counted in the dealership's time zone. A backup any rule keeps stays.
// Counting only periods that have a backup (as restic does) means a PC
// that was off for a fortnight does not come back to find its dailies gone.
type Retention struct {
	Daily, Weekly, Monthly int
}

// backupFile is a backup in the folder, by name and time taken.
type backupFile struct {
	name string
	at   time.Time
	n    int // tells apart backups within one second
}

// keep returns the names of files to keep and to delete.
func (r Retention) keep(files []backupFile, loc *time.Location) (keep, drop []string) {
	files = slices.Clone(files)
	slices.SortFunc(files, func(a, b backupFile) int {
		if c := b.at.Compare(a.at); c != 0 {
			return c
		}
		return b.n - a.n
	})
	kept := map[string]bool{}
	rules := []struct {
		n      int
		period func(time.Time) string
	}{
		{r.Daily, func(t time.Time) string { return t.Format("2006-01-02") }},
		{r.Weekly, func(t time.Time) string { y, w := t.ISOWeek(); return fmt.Sprintf("%d-W%02d", y, w) }},
		{r.Monthly, func(t time.Time) string { return t.Format("2006-01") }},
	}
	for _, rule := range rules {
		last, count := "", 0
		for _, f := range files {
			if count >= rule.n {
				break
			}
			if p := rule.period(f.at.In(loc)); p != last {
				kept[f.name], last = true, p
				count++
			}
		}
	}
	if len(files) > 0 {
		// Whatever the rules say, the newest backup is never deleted.
		kept[files[0].name] = true
	}
	for _, f := range files {
		if kept[f.name] {
			keep = append(keep, f.name)
		} else {
			drop = append(drop, f.name)
		}
	}
	return keep, drop
}

// staleAfter is when a partial file is left over from a backup that was cut
// off (a crash, a power cut), not one still being written.
const staleAfter = 6 * time.Hour

// Prune deletes from folder the backups r does not keep, and partial files
// left by interrupted backups. It touches only files named as this feature
// names them. It returns the names deleted.
func Prune(folder string, r Retention, loc *time.Location, now time.Time) ([]string, error) {
	entries, err := os.ReadDir(folder)
	if err != nil {
		return nil, err
	}
	var files []backupFile
	var deleted []string
	var errs []error
	for _, e := range entries {
		name := e.Name()
		if e.Type().IsRegular() && strings.HasPrefix(name, ".") && strings.HasSuffix(name, partialSuffix) &&
			IsName(strings.TrimSuffix(strings.TrimPrefix(name, "."), partialSuffix)) {
			if info, err := e.Info(); err == nil && now.Sub(info.ModTime()) > staleAfter {
				if err := os.Remove(filepath.Join(folder, name)); err != nil {
					errs = append(errs, err)
				} else {
					deleted = append(deleted, name)
				}
			}
			continue
		}
		if !e.Type().IsRegular() {
			continue
		}
		if at, n, ok := nameTime(name); ok {
			files = append(files, backupFile{name: name, at: at, n: n})
		}
	}
	_, drop := r.keep(files, loc)
	for _, name := range drop {
		if err := os.Remove(filepath.Join(folder, name)); err != nil {
			errs = append(errs, err)
			continue
		}
		deleted = append(deleted, name)
	}
	return deleted, errors.Join(errs...)
}
