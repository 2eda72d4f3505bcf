package store

import (
	"fmt"
	"maps"
	"strings"
	"testing"
)

func TestStageLabels(t *testing.T) {
	tests := []struct {
		name   string
		labels map[string]string
		want   map[string]string
		fields []string
	}{
		{"none", nil, nil, nil},
		{"trimmed, empty dropped", map[string]string{StageReady: "  Pronta   da ritirare ", StageDelivered: " "},
			map[string]string{StageReady: "Pronta da ritirare"}, nil},
		{"unknown stage", map[string]string{"parked": "Parked"}, nil, []string{"stage_labels"}},
		{"too long", map[string]string{StageInProgress: strings.Repeat("é", 41)}, nil, []string{"stage_in_progress"}},
		{"at most 40", map[string]string{StageInProgress: strings.Repeat("é", 40)},
			map[string]string{StageInProgress: strings.Repeat("é", 40)}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTest(t)
			ws, err := s.SaveWorkshop(staff, Workshop{SlotMinutes: 30, ReminderHour: 18, StageLabels: tt.labels})
			if tt.fields != nil {
				wantError(t, err, CodeInvalid, tt.fields)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			stored, _ := s.Workshop()
			if !maps.Equal(ws.StageLabels, tt.want) || !maps.Equal(stored.StageLabels, tt.want) {
				t.Errorf("labels = %q, stored %q, want %q", ws.StageLabels, stored.StageLabels, tt.want)
			}
		})
	}
}

// A stage the dealership renamed reaches the customer's notification by
// its name; the others keep the catalogue's key, translated for each
// customer.
func TestStageNotificationUsesLabel(t *testing.T) {
	s := openTest(t)
	c := mustCustomer(t, s, "Mario", "", "")
	j := mustJob(t, s, mustVehicle(t, s, c.ID, "AB123CD").ID, StageCheckedIn)
	if _, err := s.SaveWorkshop(staff, Workshop{SlotMinutes: 30, ReminderHour: 18,
		StageLabels: map[string]string{StageReady: "Pronta, passa pure"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetJobStage(staff, j.ID, StageInProgress); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetJobStage(staff, j.ID, StageReady); err != nil {
		t.Fatal(err)
	}
	got := outbox(t, s)
	if len(got) != 2 {
		t.Fatalf("queued %d notifications, want 2", len(got))
	}
	tests := []struct{ body, args string }{
		{"stage.in_progress", fmt.Sprint([]string{"number", j.Number})},
		{"notify.job_stage.body", fmt.Sprint([]string{"number", j.Number, "stage", "Pronta, passa pure"})},
	}
	for i, tt := range tests {
		if got[i].TitleKey != "notify.job_stage.title" || got[i].BodyKey != tt.body || fmt.Sprint(got[i].Args) != tt.args {
			t.Errorf("notification %d = %s / %s %v, want %s %s", i, got[i].TitleKey, got[i].BodyKey, got[i].Args, tt.body, tt.args)
		}
	}
}
