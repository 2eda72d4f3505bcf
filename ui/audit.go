package ui

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"pitlane/store"
)

type auditData struct {
	Entries []store.AuditEntry
	Next    uint64
	Action  string
	Actions []string
}

// auditActions are the actions the filter offers.
var auditActions = []string{"login", "login_failed", "logout", "setup_complete", "user_create", "user_update",
	"user_disable", "user_enable", "password_change", "settings_update", "apikey_create", "apikey_revoke",
	"customer_create", "vehicle_create", "appointment_create", "job_create", "job_stage", "demo_seed",
	"backup_create", "backup_failed", "backup_settings_update",
	"pair_link_create", "device_pair", "device_revoke",
	"customer_import", "customer_export"}

func (u *UI) auditPage(c *fiber.Ctx) error {
	v, err := u.view(c, "audit.title")
	if err != nil {
		return err
	}
	before, _ := strconv.ParseUint(c.Query("before"), 10, 64)
	action := c.Query("action")
	entries, next, err := u.Store.AuditLog(store.AuditFilter{Before: before, Limit: 50, Action: action})
	if err != nil {
		return err
	}
	v.Data = auditData{Entries: entries, Next: next, Action: action, Actions: auditActions}
	return u.render(c, fiber.StatusOK, "audit", v)
}
