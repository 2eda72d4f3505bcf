package control

import (
	"context"
	"io"
	"testing"

	"pitlane/search"
	"pitlane/store"
)

// TestReindex rebuilds the search index by itself (no service) and through
// the socket of a service that holds it, as `pitlane reindex` does either way.
func TestReindex(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir)
	c, err := s.CreateCustomer(store.CLI, store.Customer{Name: "Ioana Popescu"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateVehicle(store.CLI, store.Vehicle{CustomerID: c.ID, Plate: "B 123 XYZ", Make: "Dacia"}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	p, err := Local{Store: s}.Reindex(ctx, nil)
	if err != nil || !p.Finished || p.Documents != 2 {
		t.Fatalf("local Reindex = %+v, %v; want 2 documents", p, err)
	}
	if _, err := (Local{Store: s}).SearchStatus(ctx); err == nil {
		t.Error("SearchStatus without a running index did not fail")
	}

	ix, err := search.Open(dir, s, quiet())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	serve(t, dir, Local{Store: s, Search: ix}, io.Discard)
	client := NewClient(dir)
	defer client.Close()
	var reports []search.Progress
	p, err = client.Reindex(ctx, func(p search.Progress) { reports = append(reports, p) })
	if err != nil || !p.Finished || p.Documents != 2 {
		t.Fatalf("Reindex through the socket = %+v, %v; want 2 documents", p, err)
	}
	if len(reports) == 0 || !reports[len(reports)-1].Finished {
		t.Errorf("progress reports %+v end without the finished one", reports)
	}
	st, err := client.SearchStatus(ctx)
	if err != nil || !st.Ready || st.Documents != 2 || st.Lag != 0 {
		t.Errorf("SearchStatus = %+v, %v", st, err)
	}
	res, err := ix.Search(ctx, search.Query{Text: "b123", Role: store.RoleWorkshop})
	if err != nil || len(res.Groups) != 1 || res.Groups[0].Kind != search.KindVehicle {
		t.Errorf("after the rebuild, b123 finds %+v, %v", res, err)
	}
}
