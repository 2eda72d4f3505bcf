package store

import "testing"

func TestImportCustomersDryRunWritesNothing(t *testing.T) {
	s := openTest(t)
	c := mustCustomer(t, s, "Mario Rossi", "mario@example.it", "")
	mustVehicle(t, s, c.ID, "AB123CD")
	batch := []ImportCustomer{
		{Rows: []int{2}, Customer: Customer{Name: "Mario Rossi", Email: "mario@example.it", Phone: "+39 333 1234567"},
			Vehicles: []ImportVehicle{{Row: 2, Vehicle: Vehicle{Plate: "AB 123 CD", Make: "Fiat", Model: "Panda", Year: 2019},
				Reading: &Reading{Km: 1000}}}},
		{Rows: []int{3}, Customer: Customer{Name: "Ana Pop", Mobile: "+40 721 000 111"},
			Vehicles: []ImportVehicle{{Row: 3, Vehicle: Vehicle{Plate: "B 12 ABC", Make: "Dacia"}}}},
	}
	before := dump(t, s)
	res, err := s.ImportCustomers(staff, batch, true)
	if err != nil {
		t.Fatal(err)
	}
	want := ImportResult{Customers: ImportCounts{Created: 1, Updated: 1}, Vehicles: ImportCounts{Created: 1, Updated: 1}}
	if res.Customers != want.Customers || res.Vehicles != want.Vehicles || len(res.Failures) != 0 {
		t.Fatalf("dry run = %+v, want %+v", res, want)
	}
	wantUnchanged(t, s, before)

	res, err = s.ImportCustomers(staff, batch, false)
	if err != nil || res.Customers != want.Customers || res.Vehicles != want.Vehicles {
		t.Fatalf("import = %+v, %v", res, err)
	}
	got, _ := s.Customer(c.ID)
	if got.Phone != "+39 333 1234567" || !got.Updated.Equal(t0) {
		t.Errorf("Mario = %+v", got)
	}
	v, _ := s.VehicleByPlate("AB123CD")
	if v.Plate != "AB123CD" || v.Year != 2019 || len(v.Odometer) != 1 || v.Odometer[0].Source != "import" {
		t.Errorf("Mario's car = %+v; the plate should keep its spelling", v)
	}
	again, err := s.ImportCustomers(staff, batch, false)
	if err != nil || again.Customers != (ImportCounts{Unchanged: 2}) || again.Vehicles != (ImportCounts{Unchanged: 2}) {
		t.Errorf("second import = %+v, %v", again, err)
	}
}

func TestImportCustomersRefusesWhatAPersonMustDecide(t *testing.T) {
	s := openTest(t)
	mario := mustCustomer(t, s, "Mario Rossi", "mario@example.it", "")
	lucia := mustCustomer(t, s, "Lucia Rossi", "lucia@example.it", "+39 051 111111")
	mustVehicle(t, s, lucia.ID, "LU111CI")
	tests := []struct {
		name string
		in   ImportCustomer
		key  string
	}{
		{"shared family phone, other name", ImportCustomer{Customer: Customer{Name: "Giorgio Rossi", Phone: "051 111111"}}, ""},
		{"shared landline with another name", ImportCustomer{Customer: Customer{Name: "Giorgio Rossi", Phone: "+39 051 111111"}},
			"imports.error.name_differs"},
		{"keys of two customers", ImportCustomer{Customer: Customer{Name: "Mario Rossi", Email: "mario@example.it", Phone: "+39 051 111111"}},
			"imports.error.several_customers"},
		{"someone else's car", ImportCustomer{Customer: Customer{Name: "Mario Rossi", Email: "mario@example.it"},
			Vehicles: []ImportVehicle{{Row: 1, Vehicle: Vehicle{Plate: "lu-111-ci", Make: "Fiat"}}}}, "imports.error.other_owner"},
		{"e-mail of another customer", ImportCustomer{Customer: Customer{Name: "MARIO ROSSI", Email: "mario@example.it", TaxCode: "X1"},
			Number: lucia.ID}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.in.Rows = []int{1}
			res, err := s.ImportCustomers(staff, []ImportCustomer{tt.in}, true)
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case tt.key == "" && len(res.Failures) > 0:
				t.Errorf("failures = %+v", res.Failures[0].Err)
			case tt.key != "" && (len(res.Failures) != 1 || res.Failures[0].Err.Key != tt.key || res.Failures[0].Err.Existing == 0):
				t.Errorf("result = %+v, want one failure %s naming the record on file", res, tt.key)
			}
		})
	}
	if got, _ := s.Customer(mario.ID); got.TaxCode != "" {
		t.Errorf("a dry run wrote %+v", got)
	}
}

func TestImportCustomersKeepsWhatIsOnFile(t *testing.T) {
	s := openTest(t)
	c, err := s.CreateCustomer(staff, Customer{Name: "Ana Pop", Phone: "+40 21 000 0000", Mobile: "+40 721 000 111",
		Address: "Str. Lunga 1", Marketing: true, MarketingSource: "paper"})
	if err != nil {
		t.Fatal(err)
	}
	// The mobile, in the file's only phone column, and the name in capitals.
	in := ImportCustomer{Rows: []int{1}, Customer: Customer{Name: "POP ANA", Phone: "+40 721-000-111"}}
	res, err := s.ImportCustomers(staff, []ImportCustomer{in}, false)
	if err != nil || res.Customers != (ImportCounts{Unchanged: 1}) {
		t.Fatalf("import = %+v, %v", res, err)
	}
	off := ImportCustomer{Rows: []int{1}, Customer: Customer{Name: "Ana Pop", Mobile: "+40 721 000 111"}, HasMarketing: true}
	if res, err = s.ImportCustomers(staff, []ImportCustomer{off}, false); err != nil || res.Customers != (ImportCounts{Updated: 1}) {
		t.Fatalf("consent off = %+v, %v", res, err)
	}
	got, _ := s.Customer(c.ID)
	if got.Marketing || !got.MarketingDate.IsZero() || got.Name != "Ana Pop" || got.Address != "Str. Lunga 1" || got.Phone != c.Phone {
		t.Errorf("customer = %+v", got)
	}
	if tl, _ := s.Timeline(c.ID, 2); len(tl) != 2 || tl[0].Key != "timeline.marketing_off" && tl[1].Key != "timeline.marketing_off" {
		t.Errorf("timeline = %+v", tl)
	}
}

func TestSameName(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"Mario Rossi", "ROSSI MARIO", true},
		{"Ștefan Popescu", "Stefan Popescu", true},
		{"Mario Rossi", "Mario Giuseppe Rossi", true},
		{"Rossi", "Mario Rossi", false},
		{"Mario Rossi", "Anna Rossi", false},
		{"Officina Bianchi Srl", "officina bianchi SRL", true},
		{"", "", true},
		{"", "Mario", false},
	}
	for _, tt := range tests {
		if got := SameName(tt.a, tt.b); got != tt.want {
			t.Errorf("SameName(%q, %q) = %v", tt.a, tt.b, got)
		}
	}
}
