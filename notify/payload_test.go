package notify

import (
	"encoding/json"
	"testing"

	"pitlane/i18n"
	"pitlane/store"
)

// TestStageNotificationText: a stage the dealership renamed reaches the
// customer's phone by that name, in any language; the others by the
// catalogue's name in the customer's language.
func TestStageNotificationText(t *testing.T) {
	tests := []struct {
		name string
		body string
		args []string
		lang i18n.Lang
		want string
	}{
		{"renamed", "notify.job_stage.body", []string{"number", "2026-000001", "stage", "Pronta, passa pure"}, i18n.Romanian, "Pronta, passa pure"},
		{"catalogue's", "stage.ready", []string{"number", "2026-000001"}, i18n.Italian, i18n.T(i18n.Italian, "stage.ready")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p Payload
			n := store.Notification{ID: 1, TitleKey: "notify.job_stage.title", BodyKey: tt.body, Args: tt.args, URL: "/app/jobs/1"}
			if err := json.Unmarshal(render(n, tt.lang), &p); err != nil {
				t.Fatal(err)
			}
			if p.Body != tt.want || p.Body == "" || p.Title != i18n.T(tt.lang, "notify.job_stage.title", "number", "2026-000001") {
				t.Errorf("payload %+v, want body %q", p, tt.want)
			}
		})
	}
}
