package csvimport

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"pitlane/i18n"
	"pitlane/store"
)

// importFile reads, maps by suggestion and runs a file.
func importFile(t *testing.T, s *store.Store, data string, dryRun bool) Result {
	t.Helper()
	tab, err := Read([]byte(data), Detect([]byte(data)))
	if err != nil {
		t.Fatal(err)
	}
	p, err := MakePlan(tab, Suggest(tab.Columns), Options{Now: t0, Location: rome})
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(s, clerk, p, dryRun, nil)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func counts(created, updated, unchanged int) store.ImportCounts {
	return store.ImportCounts{Created: created, Updated: updated, Unchanged: unchanged}
}

const garageFile = `Ragione sociale;Cellulare;Email;Codice fiscale;Targa;Telaio;Marca;Modello;Anno immatricolazione;Alimentazione;Km;Data km
Mario Rossi;+39 333 1111111;mario@example.it;RSSMRA80A01H501U;AB123CD;ZFA31200000123456;Fiat;Panda;2019;Benzina;"48.200";10/01/2026
ROSSI MARIO;+39 333-111 1111;;;EF456GH;;Lancia;Ypsilon;2021;Ibrida;12000;
Ștefan Popescu;+40 721 000 111;;;B 12 ABC;;Dacia;Duster;2020;Motorină;;
Officina Bianchi Srl;051 222333;info@bianchi.example;;;;;;;;;
`

func TestImportGroupsCarsAndIsRepeatable(t *testing.T) {
	s := openStore(t)
	res := importFile(t, s, garageFile, false)
	if len(res.Errors) > 0 {
		t.Fatalf("errors: %+v", res.Errors)
	}
	if res.Customers != counts(3, 0, 0) || res.Vehicles != counts(3, 0, 0) || res.Rows != 4 || res.Failed != 0 {
		t.Fatalf("first import = %+v", res)
	}
	mario, err := s.CustomerByPhone("+393331111111")
	if err != nil || mario.Name != "Mario Rossi" || mario.Email != "mario@example.it" || mario.TaxCode != "RSSMRA80A01H501U" {
		t.Fatalf("Mario = %+v, %v", mario, err)
	}
	cars, _ := s.CustomerVehicles(mario.ID)
	if len(cars) != 2 {
		t.Fatalf("Mario has %d cars, want the Panda and the Ypsilon of his two rows", len(cars))
	}
	panda, _ := s.VehicleByPlate("AB123CD")
	if panda.Year != 2019 || panda.Fuel != "petrol" || len(panda.Odometer) != 1 || panda.Odometer[0].Km != 48200 ||
		panda.Odometer[0].Source != "import" || !panda.Odometer[0].At.Equal(time.Date(2026, 1, 10, 11, 0, 0, 0, time.UTC)) {
		t.Errorf("Panda = %+v", panda)
	}
	if v, _ := s.VehicleByPlate("B12ABC"); v.Fuel != "diesel" {
		t.Errorf("Duster = %+v", v)
	}
	audit, _, _ := s.AuditLog(store.AuditFilter{Action: "customer_import", Limit: 100})
	if len(audit) != 6 || audit[0].Actor != clerk {
		t.Errorf("audit has %d customer_import entries, want 6 (3 customers, 3 cars) by the clerk", len(audit))
	}
	if tl, _ := s.Timeline(mario.ID, 10); len(tl) != 3 {
		t.Errorf("Mario's timeline = %+v, want created and two cars", tl)
	}

	t.Run("the same file again changes nothing", func(t *testing.T) {
		seq, _ := s.LastSeq()
		res := importFile(t, s, garageFile, false)
		if res.Customers != counts(0, 0, 3) || res.Vehicles != counts(0, 0, 3) || len(res.Errors) > 0 {
			t.Fatalf("second import = %+v", res)
		}
		if after, _ := s.LastSeq(); after != seq {
			t.Errorf("change feed moved from %d to %d", seq, after)
		}
	})

	t.Run("a changed e-mail and a new reading update", func(t *testing.T) {
		changed := strings.Replace(garageFile, "mario@example.it", "mario.rossi@example.com", 1)
		changed = strings.Replace(changed, `"48.200";10/01/2026`, `"51.000";01/03/2026`, 1)
		res := importFile(t, s, changed, false)
		if res.Customers != counts(0, 1, 2) || res.Vehicles != counts(0, 1, 2) || len(res.Errors) > 0 {
			t.Fatalf("import = %+v", res)
		}
		got, _ := s.Customer(mario.ID)
		if got.Email != "mario.rossi@example.com" || got.Name != "Mario Rossi" || got.Phone != mario.Phone {
			t.Errorf("Mario = %+v", got)
		}
		if _, err := s.CustomerByEmail("mario@example.it"); !store.Is(err, store.CodeNotFound) {
			t.Errorf("old e-mail still finds a customer: %v", err)
		}
		panda, _ := s.VehicleByPlate("AB123CD")
		if len(panda.Odometer) != 2 || panda.Odometer[1].Km != 51000 {
			t.Errorf("Panda readings = %+v", panda.Odometer)
		}
		if tl, _ := s.Timeline(mario.ID, 1); len(tl) != 1 || tl[0].Key != "imports.timeline.vehicle_updated" {
			t.Errorf("timeline = %+v", tl)
		}
	})
}

func TestDryRunWritesNothing(t *testing.T) {
	s := openStore(t)
	if _, err := s.CreateCustomer(clerk, store.Customer{Name: "Mario Rossi", Mobile: "+39 333 1111111"}); err != nil {
		t.Fatal(err)
	}
	before, _ := s.Counts()
	seq, _ := s.LastSeq()
	audit, _, _ := s.AuditLog(store.AuditFilter{})
	res := importFile(t, s, garageFile, true)
	if !res.DryRun || res.Customers != counts(2, 1, 0) || res.Vehicles != counts(3, 0, 0) {
		t.Fatalf("dry run = %+v, want 2 new and 1 updated customer, 3 new cars", res)
	}
	after, _ := s.Counts()
	if after.Customers != before.Customers || after.Vehicles != before.Vehicles {
		t.Errorf("counts moved from %+v to %+v", before, after)
	}
	if got, _ := s.LastSeq(); got != seq {
		t.Errorf("change feed moved from %d to %d", seq, got)
	}
	if got, _, _ := s.AuditLog(store.AuditFilter{}); len(got) != len(audit) {
		t.Errorf("audit grew from %d to %d entries", len(audit), len(got))
	}
	if _, err := s.VehicleByPlate("AB123CD"); !store.Is(err, store.CodeNotFound) {
		t.Errorf("a dry run added a car: %v", err)
	}
	real := importFile(t, s, garageFile, false)
	if real.Customers != res.Customers || real.Vehicles != res.Vehicles {
		t.Errorf("import = %+v, dry run said %+v", real, res)
	}
}

func TestRowErrorsInItalian(t *testing.T) {
	s := openStore(t)
	other, _ := s.CreateCustomer(clerk, store.Customer{Name: "Luca Verdi", Email: "luca@example.it"})
	if _, err := s.CreateVehicle(clerk, store.Vehicle{CustomerID: other.ID, Plate: "ZZ999ZZ", Make: "Fiat"}); err != nil {
		t.Fatal(err)
	}
	file := `Nome;Email;Telefono;Targa;Marca;Alimentazione;Data immatricolazione;Km
Anna Neri;anna@;;AA111AA;Fiat;Benzina;;
Bruno Blu;bruno@example.it;;BB222BB;;Vapore;31/02/2020;
Carla Gialli;carla@example.it;;ZZ 999 ZZ;Fiat;;;
Dario Rosa;dario@example.it;;DD444DD;Opel;;;tanti
Dario Rosa;dario@example.it;;DD444DD;Opel;;;
Elena Bruni;luca@example.it;;;;;;
Franco Viola;franco@example.it;051 111111;;;;;
Francesco Viola;franco@example.it;;;;;;
;;;GG777GG;Fiat;;;
`
	res := importFile(t, s, file, false)
	var got []string
	for _, e := range res.Errors {
		got = append(got, fmt.Sprintf("%d %s", e.Row, e.Message(i18n.Italian)))
	}
	want := []string{
		"2 Email: Inserisci un indirizzo email valido.",
		"3 Marca: Questo campo è obbligatorio.",
		"3 Alimentazione: Alimentazione “Vapore” sconosciuta: usa benzina, diesel, ibrida, ibrida plug-in, elettrica, GPL o metano.",
		"3 Prima immatricolazione: Inserisci una data valida.",
		"4 Il veicolo ZZ999ZZ è registrato a un altro cliente (n. 1). Registra il cambio di proprietario nella pagina del veicolo.",
		"5 Chilometri: Inserisci i chilometri, tra 0 e 3.000.000.",
		"7 La sua email, il telefono o il codice fiscale appartengono al cliente n. 1, Luca Verdi, che ha un nome diverso. Correggi il file o il nome in Pitlane.",
		"9 Nome cliente: Diverso dalla riga 8, che è lo stesso cliente. Rendi le righe coerenti.",
		"10 Nome cliente: Questo campo è obbligatorio.",
	}
	if !slices.Equal(got, want) {
		t.Errorf("errors\n got %q\nwant %q", got, want)
	}
	// Carla's only row fails on her car, so she is not added either.
	if res.Failed != 7 || res.Customers != counts(2, 0, 0) || res.Vehicles != counts(1, 0, 0) {
		t.Errorf("result = %+v, want 7 failed rows, Dario with his car and Franco", res)
	}
	if _, err := s.CustomerByEmail("carla@example.it"); !store.Is(err, store.CodeNotFound) {
		t.Errorf("Carla was added though her row failed: %v", err)
	}
	for _, e := range res.Errors {
		if e.Row == 4 && (e.Existing == 0 || !e.Vehicle) {
			t.Errorf("row 4's error does not point at the car on file: %+v", e)
		}
		if e.Row == 7 && (e.Existing != other.ID || e.Vehicle) {
			t.Errorf("row 7's error does not point at Luca: %+v", e)
		}
	}
}

func TestSameCarTwiceInFile(t *testing.T) {
	s := openStore(t)
	res := importFile(t, s, "Name;Email;Plate;Make\nA;a@example.it;AB123CD;Fiat\nB;b@example.it;ab-123-cd;Fiat\n", false)
	if len(res.Errors) != 1 || res.Errors[0].Row != 3 || res.Errors[0].Key != "imports.error.car_twice" {
		t.Fatalf("errors = %+v", res.Errors)
	}
}

func TestNameOnlyCustomersAreFoundAgain(t *testing.T) {
	s := openStore(t)
	file := "Nome;Indirizzo\nGino Neri;Via Po 1, Torino\nGino Neri;Via Roma 2, Milano\n"
	if res := importFile(t, s, file, false); res.Customers != counts(2, 0, 0) {
		t.Fatalf("first import = %+v", res)
	}
	if res := importFile(t, s, file, false); res.Customers != counts(0, 0, 2) {
		t.Fatalf("second import = %+v", res)
	}
}

func TestLargeFileInChunks(t *testing.T) {
	s := openStore(t)
	var b strings.Builder
	b.WriteString("Name;Email;Plate;Make\n")
	const n = 1201
	for i := range n {
		fmt.Fprintf(&b, "Customer %d;c%d@example.it;PL%05d;Fiat\n", i, i, i)
	}
	tab, _ := Read([]byte(b.String()), Detect([]byte(b.String())))
	p, err := MakePlan(tab, Suggest(tab.Columns), Options{Now: t0})
	if err != nil {
		t.Fatal(err)
	}
	var seen []int
	res, err := Run(s, clerk, p, false, func(done, total int) {
		if total != n {
			t.Errorf("total = %d", total)
		}
		seen = append(seen, done)
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{0, 500, 1000, 1201}; !slices.Equal(seen, want) {
		t.Errorf("progress = %v, want %v", seen, want)
	}
	if res.Customers.Created != n || res.Vehicles.Created != n {
		t.Errorf("result = %+v", res)
	}
}
