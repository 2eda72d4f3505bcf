package web

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"pitlane/i18n"
	"pitlane/store"
)

// ProblemText says what is wrong with a refused request in one line of
// lang: the field messages, or the error's own. A script that sent a form
// shows it in place.
func ProblemText(lang i18n.Lang, e *store.Error) string {
	if len(e.Fields) == 0 {
		return i18n.T(lang, e.Key, e.Args...)
	}
	parts := make([]string, 0, len(e.Fields))
	for _, f := range e.Fields {
		parts = append(parts, i18n.T(lang, f.Key, f.Args...))
	}
	return strings.Join(parts, " ")
}

// WantsJSON reports whether the caller (a page's script) asked for JSON.
func WantsJSON(c *fiber.Ctx) bool {
	return strings.Contains(c.Get(fiber.HeaderAccept), fiber.MIMEApplicationJSON)
}
