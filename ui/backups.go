package ui

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"pitlane/backup"
	"pitlane/i18n"
	"pitlane/store"
	"pitlane/web"
)

// backupsShown is how many past backups the page lists.
const backupsShown = 30

type backupsData struct {
	Status   backup.Status
	Phase    string // catalogue key of what the running backup is doing
	Percent  int
	Settings store.BackupSettings
	Hours    []int
	Rows     []backupRow
}

// backupRow is one past backup, formatted for the page's locale.
type backupRow struct {
	store.BackupRecord
	When, SizeText, Took, Problem, RecordsText string
	Download                                   bool
}

func (u *UI) backupsView(c *fiber.Ctx, bs *store.BackupSettings) (*View, error) {
	v, err := u.view(c, "backup.title")
	if err != nil {
		return nil, err
	}
	current, err := u.Backups.Settings()
	if err != nil {
		return nil, err
	}
	if bs == nil {
		bs = &current
	}
	records, err := u.Store.BackupRecords(backupsShown)
	if err != nil {
		return nil, err
	}
	d := backupsData{Status: u.Backups.Status(), Settings: *bs}
	d.Phase, d.Percent = phaseOf(d.Status)
	for h := range 24 {
		d.Hours = append(d.Hours, h)
	}
	for _, r := range records {
		row := backupRow{BackupRecord: r, When: v.Loc.DateTime(r.Created), SizeText: sizeText(v.Loc, r.Size),
			Took: durationText(v.Loc, r.Duration), RecordsText: v.Loc.Number(float64(r.Records), 0)}
		if !r.Verified {
			row.Problem = backupProblem(v.Lang, r)
		}
		// Only a file still in the configured folder can be downloaded.
		if r.File != "" && r.Folder == current.Folder {
			_, err := u.Backups.File(r.File)
			row.Download = err == nil
		}
		d.Rows = append(d.Rows, row)
	}
	v.Data = d
	return v, nil
}

func phaseOf(s backup.Status) (key string, percent int) {
	phase := s.Progress.Phase
	if phase == "" {
		phase = "starting"
	}
	if s.Progress.Total > 0 {
		percent = int(100 * s.Progress.Done / s.Progress.Total)
	}
	return "backup.phase." + phase, min(max(percent, 0), 100)
}

// backupProblem says in the reader's language why a backup failed.
func backupProblem(lang i18n.Lang, r store.BackupRecord) string {
	if r.ErrorKey == "" || !i18n.Has(r.ErrorKey) {
		return i18n.T(lang, "errors.internal")
	}
	args := make([]any, len(r.ErrorArgs))
	for i, a := range r.ErrorArgs {
		args[i] = a
	}
	return i18n.T(lang, r.ErrorKey, args...)
}

func (u *UI) backupsPage(c *fiber.Ctx) error {
	v, err := u.backupsView(c, nil)
	if err != nil {
		return err
	}
	return u.render(c, fiber.StatusOK, "backups", v)
}

// runBackup starts "Back up now" and returns to the page, which shows its
// progress.
func (u *UI) runBackup(c *fiber.Ctx) error {
	err := u.Backups.Start(backup.Request{Trigger: store.BackupManual, Actor: web.Actor(c)})
	if err == nil {
		return redirect(c, "/backups?done=backup.started")
	}
	if _, ok := store.AsError(err); !ok {
		return err
	}
	v, verr := u.backupsView(c, nil)
	if verr != nil {
		return verr
	}
	v.fail(err)
	if e, _ := store.AsError(err); len(e.Fields) > 0 {
		v.Error = i18n.T(v.Lang, e.Fields[0].Key)
	}
	return u.render(c, web.Status(err), "backups", v)
}

// backupProgress is what the page's script polls while a backup runs.
func (u *UI) backupProgress(c *fiber.Ctx) error {
	v, err := u.view(c, "backup.title")
	if err != nil {
		return err
	}
	s := u.Backups.Status()
	phase, percent := phaseOf(s)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{"running": s.Running, "phase": s.Progress.Phase, "label": i18n.T(v.Lang, phase),
		"percent": percent})
}

func (u *UI) saveBackupSettings(c *fiber.Ctx) error {
	bs := store.BackupSettings{Folder: c.FormValue("folder"), Recipient: c.FormValue("recipient")}
	var notNumbers []store.FieldError
	for _, f := range []struct {
		name string
		dst  *int
	}{{"hour", &bs.Hour}, {"keep_daily", &bs.KeepDaily}, {"keep_weekly", &bs.KeepWeekly}, {"keep_monthly", &bs.KeepMonthly}} {
		n, err := strconv.Atoi(strings.TrimSpace(c.FormValue(f.name)))
		if err != nil {
			notNumbers = append(notNumbers, store.FieldError{Field: f.name, Key: "common.error.invalid_number"})
		}
		*f.dst = n
	}
	err := backup.CheckSettings(bs, notNumbers...)
	if err == nil {
		_, err = u.Backups.SaveSettings(web.Actor(c), bs)
	}
	if err == nil {
		return redirect(c, "/backups?done=backup.settings_saved")
	}
	if _, ok := store.AsError(err); !ok {
		return err
	}
	v, verr := u.backupsView(c, &bs)
	if verr != nil {
		return verr
	}
	v.keep(c, "hour", "keep_daily", "keep_weekly", "keep_monthly")
	v.fail(err)
	return u.render(c, web.Status(err), "backups", v)
}

// downloadBackup sends a backup file from the configured folder, with
// range requests so a broken download can resume. Backup files never change
// once written, so their modification time and size make a strong ETag.
func (u *UI) downloadBackup(c *fiber.Ctx) error {
	name := c.Params("name")
	path, err := u.Backups.File(name)
	if err != nil {
		return err
	}
	fi, err := os.Stat(path)
	if err != nil {
		return store.NotFound()
	}
	return web.SendFile(c, web.File{Path: path, Type: "application/octet-stream", Name: name, Attachment: true,
		ETag: fmt.Sprintf(`"%x-%x"`, fi.ModTime().UnixNano(), fi.Size())})
}

// sizeText writes a byte count the way people read file sizes.
func sizeText(loc i18n.Locale, n int64) string {
	switch {
	case n < 1000:
		return loc.Number(float64(n), 0) + " B"
	case n < 1000*1000:
		return loc.Number(float64(n)/1e3, 0) + " KB"
	case n < 1000*1000*1000:
		return loc.Number(float64(n)/1e6, 1) + " MB"
	}
	return loc.Number(float64(n)/1e9, 2) + " GB"
}

func durationText(loc i18n.Locale, d time.Duration) string {
	if d < 90*time.Second {
		return loc.Number(d.Seconds(), 1) + " s"
	}
	return loc.Number(d.Minutes(), 1) + " min"
}
