package search

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"

	"pitlane/store"
)

// reopen closes ix (stopping its Run) and opens the folder again, as a
// restart of the appliance does.
func reopen(t *testing.T, g *garage, ix *Index, cancelRun func()) *Index {
	t.Helper()
	cancelRun()
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	return g.open(t)
}

// openOnce opens the index without the test cleanup of g.open, returning a
// function that stops and closes it.
func openOnce(t *testing.T, g *garage) (*Index, func()) {
	t.Helper()
	ix, err := Open(g.dir, g.st, quiet)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		ix.Run(ctx)
		close(done)
	}()
	return ix, func() {
		cancel()
		<-done
	}
}

func TestCatchesUpAfterRestart(t *testing.T) {
	g := newGarage(t)
	ix, stop := openOnce(t, g)
	caughtUp(t, ix)
	gen := currentGen(t, g.dir)

	// Written while the index is closed, as during a crash.
	late := g.customer(t, store.Customer{Name: "Ilie Năstase"})
	renamed := g.rossi
	renamed.Name = "Mario Bianchi"
	if _, err := g.st.UpdateCustomer(staff, renamed); err != nil {
		t.Fatal(err)
	}
	ix = reopen(t, g, ix, stop)
	s := caughtUp(t, ix)
	if got := currentGen(t, g.dir); got != gen {
		t.Errorf("the index was rebuilt (%s → %s); it should have caught up", gen, got)
	}
	if !find(t, ix, "nastase", store.RoleSales).has(KindCustomer, late.ID) {
		t.Error("a customer added while the index was closed is not found")
	}
	if find(t, ix, "rossi panda", store.RoleSales).has(KindVehicle, g.panda.ID) {
		t.Error("the car is still found by its owner's old name")
	}
	if !find(t, ix, "bianchi panda", store.RoleSales).has(KindVehicle, g.panda.ID) {
		t.Error("the car is not found by its owner's new name")
	}
	last, _ := g.st.LastSeq()
	if s.Seq != last {
		t.Errorf("position %d, feed ends at %d", s.Seq, last)
	}
}

func TestRebuildsWhenFolderDeleted(t *testing.T) {
	g := newGarage(t)
	ix, stop := openOnce(t, g)
	caughtUp(t, ix)
	stop()
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(filepath.Join(g.dir, DirName)); err != nil {
		t.Fatal(err)
	}
	ix = g.open(t)
	s := caughtUp(t, ix)
	if s.Documents != 10 {
		t.Errorf("%d documents after the rebuild, want 10 (6 customers, 2 cars, a job, an appointment)", s.Documents)
	}
	if !find(t, ix, "AB123CD", store.RoleSales).has(KindVehicle, g.panda.ID) {
		t.Error("the rebuilt index does not find the car")
	}
}

func TestRebuildsOnMappingVersionChange(t *testing.T) {
	g := newGarage(t)
	ix, stop := openOnce(t, g)
	caughtUp(t, ix)
	gen := currentGen(t, g.dir)
	stop()
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	// As an index written by an older build.
	setStoredPosition(t, filepath.Join(g.dir, DirName, gen), func(p *position) { p.Version = mappingVersion - 1 })

	ix = g.open(t)
	caughtUp(t, ix)
	if got := currentGen(t, g.dir); got == gen {
		t.Error("an index of another mapping version was kept")
	}
	if _, err := os.Stat(filepath.Join(g.dir, DirName, gen)); !os.IsNotExist(err) {
		t.Errorf("the old index folder is still there (%v)", err)
	}
	if !find(t, ix, "Popescu", store.RoleSales).has(KindCustomer, g.popescu.ID) {
		t.Error("the rebuilt index does not find the customer")
	}
}

func TestRebuildsForAnotherDatabase(t *testing.T) {
	g := newGarage(t)
	ix, stop := openOnce(t, g)
	caughtUp(t, ix)
	gen := currentGen(t, g.dir)
	stop()
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	// A restored backup: the feed has a change at the index's position,
	// but not the one the index applied.
	setStoredPosition(t, filepath.Join(g.dir, DirName, gen), func(p *position) { p.Mark = "0:customer:999" })
	ix = g.open(t)
	caughtUp(t, ix)
	if currentGen(t, g.dir) == gen {
		t.Error("an index made from another database was kept")
	}
}

func setStoredPosition(t *testing.T, path string, change func(p *position)) {
	t.Helper()
	idx, err := bleve.OpenUsing(path, scorchConfig())
	if err != nil {
		t.Fatal(err)
	}
	pos, err := readPosition(idx)
	if err != nil {
		t.Fatal(err)
	}
	change(&pos)
	if err := persistPosition(context.Background(), idx, pos); err != nil {
		t.Fatal(err)
	}
	if err := idx.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestRebuildWhileServing: searches keep working during a rebuild, and
// what is written meanwhile is in the new index.
func TestRebuildWhileServing(t *testing.T) {
	g := newGarage(t)
	ix := g.open(t)
	caughtUp(t, ix)
	var reports []Progress
	ctx := context.Background()
	done := make(chan error, 1)
	go func() { done <- ix.Rebuild(ctx, func(p Progress) { reports = append(reports, p) }) }()
	var added []store.Customer
	for i := range 20 {
		added = append(added, g.customer(t, store.Customer{Name: fmt.Sprintf("Cliente Nuovo%02d", i)}))
		if !find(t, ix, "AB123CD", store.RoleSales).has(KindVehicle, g.panda.ID) {
			t.Fatal("the car is not found during the rebuild")
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	caughtUp(t, ix)
	for _, c := range added {
		if !find(t, ix, c.Name, store.RoleSales).has(KindCustomer, c.ID) {
			t.Errorf("%s, added during the rebuild, is not found", c.Name)
		}
	}
	if len(reports) == 0 || !reports[len(reports)-1].Finished || reports[len(reports)-1].Total != 10 {
		t.Errorf("progress reports %+v; want a finished last one of 10 records", reports)
	}
}

func TestRolesSeeOnlyTheirKinds(t *testing.T) {
	want := map[store.Role][]Kind{
		store.RoleSales:      {KindCustomer, KindVehicle, KindAppointment, KindJob, KindMessage},
		store.RoleBackoffice: {KindCustomer, KindVehicle, KindAppointment, KindJob, KindMessage},
		store.RoleWorkshop:   {KindCustomer, KindVehicle, KindAppointment, KindJob, KindMessage},
		store.RoleManager:    {KindCustomer, KindVehicle, KindAppointment, KindJob, KindMessage},
		"":                   nil,
		"customer":           nil,
	}
	for role, kinds := range want {
		if got := Visible(role); fmt.Sprint(got) != fmt.Sprint(kinds) {
			t.Errorf("%q sees %v, want %v", role, got, kinds)
		}
	}

	g := newGarage(t)
	ix := g.open(t)
	caughtUp(t, ix)
	if res := find(t, ix, "Rossi", ""); len(res.Groups) != 0 {
		t.Errorf("a caller without a role found %s", res)
	}
	// A kind limited to some roles is searched only for them.
	jobs := kindNamed(string(KindJob))
	saved := jobs.roles
	jobs.roles = []store.Role{store.RoleWorkshop}
	t.Cleanup(func() { jobs.roles = saved })
	if !find(t, ix, "brake", store.RoleWorkshop).has(KindJob, g.brakes.ID) {
		t.Error("workshop does not find the job")
	}
	if res := find(t, ix, "brake", store.RoleSales); len(res.ids(KindJob)) != 0 {
		t.Errorf("sales found jobs: %s", res)
	}
}

// TestCloseStopsARebuild: stopping the service during a rebuild stops it
// promptly, and what it left is cleared at the next start.
func TestCloseStopsARebuild(t *testing.T) {
	g := newGarage(t)
	var bundles []store.Bundle
	for i := range 3000 {
		bundles = append(bundles, store.Bundle{Customer: store.Customer{Name: fmt.Sprintf("Cliente %d", i)},
			Vehicles: []store.VehicleBundle{{Vehicle: store.Vehicle{Plate: fmt.Sprintf("RB%05d", i), Make: "Fiat"}}}})
	}
	if _, err := g.st.ImportBundles(staff, "test", bundles); err != nil {
		t.Fatal(err)
	}
	ix, err := Open(g.dir, g.st, quiet)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- ix.Rebuild(context.Background(), nil) }()
	for {
		if s, _ := ix.Status(); s.Rebuild != nil && s.Rebuild.Done > 0 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	start := time.Now()
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("closing during a rebuild took %s", took)
	}
	if err := <-done; err == nil {
		t.Error("the interrupted rebuild reported success")
	}
	ix = g.open(t)
	s := caughtUp(t, ix)
	if s.Documents != 10+6000 {
		t.Errorf("%d documents after the restart, want %d", s.Documents, 10+6000)
	}
	entries, _ := os.ReadDir(filepath.Join(g.dir, DirName))
	if len(entries) != 2 {
		t.Errorf("the search folder holds %d entries after the restart, want the current file and one index", len(entries))
	}
}

// Segments moves when the index writes what it applied, and Quiet returns
// once it stands still.
func TestSegmentsCountsBackgroundWork(t *testing.T) {
	g := newGarage(t)
	ix := g.open(t)
	caughtUp(t, ix)
	settled := func() uint64 {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := ix.Quiet(ctx, 300*time.Millisecond); err != nil {
			t.Fatalf("the index never stopped writing segments: %v", err)
		}
		return ix.Segments()
	}
	before := settled()
	g.customer(t, store.Customer{Name: "Ilie Năstase"})
	caughtUp(t, ix)
	if after := settled(); after <= before {
		t.Errorf("segments %d after a change was applied, %d before: want more", after, before)
	}
}
