package search

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pitlane/store"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

var staff = store.Actor{Kind: "cli", Name: "test"}

// garage is a store with a few records whose names, plates and numbers the
// tests search for.
type garage struct {
	dir string
	st  *store.Store

	jose, stefanComma, stefanCedilla, sefan, popescu, rossi store.Customer
	panda, dacia                                            store.Vehicle
	brakes                                                  store.Job
	service                                                 store.Appointment
}

func newGarage(t *testing.T) *garage {
	t.Helper()
	g := &garage{dir: t.TempDir()}
	var err error
	g.st, err = store.Open(g.dir, store.Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.st.Close() })
	g.jose = g.customer(t, store.Customer{Name: "José Álvarez"})
	g.stefanComma = g.customer(t, store.Customer{Name: "Ștefan Marin"})
	g.stefanCedilla = g.customer(t, store.Customer{Name: "Ştefan Dumitru"})
	g.sefan = g.customer(t, store.Customer{Name: "Şefan Radu"})
	g.popescu = g.customer(t, store.Customer{Name: "Ioana Popescu", Phone: "+40 721 234 567", TaxCode: "1850101123456"})
	g.rossi = g.customer(t, store.Customer{Name: "Mario Rossi", Email: "mario.rossi@example.it",
		Mobile: "+39 340 123 4567", VAT: "IT01234567890"})
	g.panda = g.vehicle(t, store.Vehicle{CustomerID: g.rossi.ID, Plate: "AB 123-CD", VIN: "ZFA31200000123456", Make: "Fiat", Model: "Panda", Year: 2019})
	g.dacia = g.vehicle(t, store.Vehicle{CustomerID: g.popescu.ID, Plate: "B-123-XYZ", Make: "Dacia", Model: "Sandero"})
	g.brakes, err = g.st.CreateJob(staff, store.Job{VehicleID: g.panda.ID, Description: "Front brake pads and discs replaced"})
	if err != nil {
		t.Fatal(err)
	}
	if g.brakes, err = g.st.AddLine(staff, g.brakes.ID, store.Line{Kind: store.LineLabour, Description: "Sostituzione pastiglie anteriori",
		Qty: 100, UnitPrice: 5000, TaxRate: 2200, Status: store.LineApproved}); err != nil {
		t.Fatal(err)
	}
	start := time.Now().Add(48 * time.Hour).Truncate(time.Hour)
	g.service, err = g.st.CreateAppointment(staff, store.Appointment{CustomerID: g.popescu.ID, VehicleID: g.dacia.ID,
		Start: start, End: start.Add(time.Hour), Department: "Meccanica", Service: "Tagliando annuale"})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func (g *garage) customer(t *testing.T, c store.Customer) store.Customer {
	t.Helper()
	c, err := g.st.CreateCustomer(staff, c)
	if err != nil {
		t.Fatalf("create %s: %v", c.Name, err)
	}
	return c
}

func (g *garage) vehicle(t *testing.T, v store.Vehicle) store.Vehicle {
	t.Helper()
	v, err := g.st.CreateVehicle(staff, v)
	if err != nil {
		t.Fatalf("create %s: %v", v.Plate, err)
	}
	return v
}

// open opens the garage's index and runs it until the test ends.
func (g *garage) open(t *testing.T) *Index {
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
	t.Cleanup(func() {
		cancel()
		<-done
		if err := ix.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return ix
}

// caughtUp waits until the index has applied every change.
func caughtUp(t *testing.T, ix *Index) Status {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		s, err := ix.Status()
		if err != nil {
			t.Fatal(err)
		}
		if s.Ready && s.Lag == 0 && s.Rebuild == nil {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("the index did not catch up: %+v", s)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func find(t *testing.T, ix *Index, text string, role store.Role) Results {
	t.Helper()
	res, err := ix.Search(context.Background(), Query{Text: text, Role: role, Limit: 20})
	if err != nil {
		t.Fatalf("search %q: %v", text, err)
	}
	return res
}

// ids lists the results of kind k.
func (r Results) ids(k Kind) []uint64 {
	var out []uint64
	for _, g := range r.Groups {
		if g.Kind == k {
			for _, h := range g.Hits {
				out = append(out, h.ID)
			}
		}
	}
	return out
}

func (r Results) has(k Kind, id uint64) bool {
	for _, got := range r.ids(k) {
		if got == id {
			return true
		}
	}
	return false
}

func (r Results) String() string {
	var b strings.Builder
	for _, g := range r.Groups {
		for _, h := range g.Hits {
			b.WriteString(string(g.Kind) + " " + h.Title.String() + "; ")
		}
	}
	return b.String()
}

func currentGen(t *testing.T, dir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, DirName, currentFile))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}
