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
		"job_line_remove", "job_file_remove", "job_line_decision", "job_invoice", "inspection_template"} {
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

// TestLineForm: a line's edit form starts from the line as it is, written so
// that saving it unchanged reads back the same; after a refusal the form of
// that line, and only that one, shows what was typed and why.
func TestLineForm(t *testing.T) {
	l := store.Line{ID: 2, Kind: store.LineLabour, Description: "Oil", Qty: 150, UnitPrice: 123456, TaxRate: 2200}
	v := &View{Lang: i18n.Italian, Form: map[string]string{}, Errors: map[string]string{}}
	f := v.LineForm(7, l)
	if f.Open || f.Values["qty"] != "1.50" || f.Values["unit_price"] != "1234.56" || f.Values["tax_rate"] != "22.00" {
		t.Errorf("fresh form = %+v", f)
	}
	for _, s := range []string{f.Values["qty"], f.Values["unit_price"], f.Values["tax_rate"]} {
		if _, ok := parseHundredths(s); !ok {
			t.Errorf("%q does not read back", s)
		}
	}
	v.Form = map[string]string{"edit_line": "2", "edit_qty": "0", "edit_description": "Oil?"}
	v.Errors = map[string]string{"edit_qty": "too few"}
	if f := v.LineForm(7, l); !f.Open || f.Values["qty"] != "0" || f.Values["description"] != "Oil?" || f.Errors["qty"] != "too few" {
		t.Errorf("refused form = %+v", f)
	}
	if f := v.LineForm(7, store.Line{ID: 3, Qty: 100}); f.Open || f.Values["qty"] != "1.00" || f.Errors["qty"] != "" {
		t.Errorf("another line's form = %+v", f)
	}
}

func TestStageNames(t *testing.T) {
	v := &View{Lang: i18n.Italian, StageLabels: map[string]string{store.StageReady: "Pronta!"}}
	if got := v.Stage(store.StageReady); got != "Pronta!" {
		t.Errorf("renamed stage = %q", got)
	}
	if got := v.Stage(store.StageInProgress); got != i18n.T(i18n.Italian, "stage.in_progress") || got == "" {
		t.Errorf("default stage = %q", got)
	}
}
