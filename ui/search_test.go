package ui

import (
	"testing"

	"pitlane/i18n"
	"pitlane/search"
)

// TestSearchGroupLabels: the results page and the search box name each
// kind of result with a key built at run time.
func TestSearchGroupLabels(t *testing.T) {
	for _, k := range search.Kinds() {
		if key := "search.group." + string(k); !i18n.Has(key) {
			t.Errorf("no catalogue key %s for the %s results", key, k)
		}
	}
}
