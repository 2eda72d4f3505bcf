package ui

import (
	"testing"

	"pitlane/i18n"
	"pitlane/store"
)

// TestJobKeysExist covers the keys the job pages build from store lists.
func TestJobKeysExist(t *testing.T) {
	var keys []string
	for _, it := range store.DefaultInspection {
		keys = append(keys, "inspection."+it)
	}
	for _, k := range store.LineKinds {
		keys = append(keys, "jobs.kind."+k)
	}
	for _, s := range []string{store.LineProposed, store.LineApproved, store.LineDeclined} {
		keys = append(keys, "jobs.line."+s)
	}
	for _, s := range []string{store.ItemGreen, store.ItemAmber, store.ItemRed} {
		keys = append(keys, "jobs.item."+s)
	}
	for _, a := range []string{"job_checkin", "job_technician", "job_inspection", "job_inspection_item", "job_line",
		"job_line_remove", "job_line_decision", "job_invoice", "inspection_template"} {
		keys = append(keys, "audit.action."+a)
	}
	for _, k := range keys {
		if !i18n.Has(k) {
			t.Errorf("no message %q", k)
		}
	}
}

func TestParseHundredths(t *testing.T) {
	cases := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"1", 100, true}, {"1.5", 150, true}, {"1,5", 150, true}, {"120,50", 12050, true}, {",5", 50, true},
		{"22", 2200, true}, {"1.234", 0, false}, {"-1", 0, false}, {"abc", 0, false}, {"", 0, false},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			got, ok := parseHundredths(c.in)
			if got != c.want || ok != c.ok {
				t.Errorf("parseHundredths(%q) = %d, %v; want %d, %v", c.in, got, ok, c.want, c.ok)
			}
		})
	}
}
