package ui

import (
	"testing"

	"pitlane/csvimport"
	"pitlane/i18n"
)

// TestImportKeysExist covers the import page's keys built at run time.
func TestImportKeysExist(t *testing.T) {
	var keys []string
	for _, s := range []csvimport.State{csvimport.StateReady, csvimport.StateChecking, csvimport.StateChecked,
		csvimport.StateImporting, csvimport.StateDone, csvimport.StateFailed} {
		keys = append(keys, "imports.state."+string(s))
	}
	for _, e := range csvimport.Encodings {
		keys = append(keys, "imports.encoding."+e)
	}
	for _, f := range csvimport.Fields {
		keys = append(keys, f.Label())
	}
	for _, k := range keys {
		if !i18n.Has(k) {
			t.Errorf("unknown key %q", k)
		}
	}
}
