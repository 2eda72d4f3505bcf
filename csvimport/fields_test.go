package csvimport

import (
	"slices"
	"testing"

	"pitlane/i18n"
	"pitlane/store"
)

func TestSuggest(t *testing.T) {
	tests := []struct {
		name    string
		columns []string
		want    Mapping
	}{
		{"English", []string{"Name", "Phone", "Mobile", "E-mail", "Address", "VAT No", "Registration", "VIN", "Make", "Model", "Year", "Mileage", "Remarks"},
			Mapping{"name", "phone", "mobile", "email", "address", "vat", "plate", "vin", "make", "model", "year", "km", "notes"}},
		{"Italian dealer software", []string{"Ragione sociale", "Cellulare", "Telefono", "Codice fiscale", "P.IVA", "Targa", "Telaio",
			"Marca", "Modello", "Anno immatricolazione", "Alimentazione", "Km percorsi", "Indirizzo", "CAP", "Città", "Prov."},
			Mapping{"name", "mobile", "phone", "tax_code", "vat", "plate", "vin", "make", "model", "year", "fuel", "km",
				"address", "postcode", "city", "province"}},
		{"Italian first and last name", []string{"Nome", "Cognome", "Data immatricolazione", "E-mail cliente", "Tel. cellulare"},
			Mapping{"first_name", "last_name", "registered", "email", "mobile"}},
		{"Romanian", []string{"Nume", "Telefon", "CNP", "CUI", "Număr înmatriculare", "Serie șasiu", "Marcă", "Model",
			"An fabricație", "Combustibil", "Kilometraj", "Județ", "Observații"},
			Mapping{"name", "phone", "tax_code", "vat", "plate", "vin", "make", "model", "year", "fuel", "km", "province", "notes"}},
		{"Romanian first and family name", []string{"Prenume", "Nume", "Adresă de e-mail", "Telefon mobil"},
			Mapping{"first_name", "last_name", "email", "mobile"}},
		{"unknown and repeated columns are left out", []string{"Codice interno", "Email", "Email 2", ""},
			Mapping{"", "email", "", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Suggest(tt.columns); !slices.Equal(got, tt.want) {
				t.Errorf("Suggest(%q)\n got %q\nwant %q", tt.columns, got, tt.want)
			}
		})
	}
}

// An export's column names, in any language, map back to their fields.
func TestSuggestReadsExportColumns(t *testing.T) {
	for _, l := range i18n.Supported {
		for _, cols := range [][]string{customerColumns, vehicleColumns} {
			var names []string
			for _, c := range cols {
				f, _ := FieldByName(c)
				names = append(names, i18n.T(l, f.Label()))
			}
			if got := Suggest(names); !slices.Equal(got, Mapping(cols)) {
				t.Errorf("%s: Suggest(%q) = %q", l, names, got)
			}
		}
	}
}

func TestMappingCheck(t *testing.T) {
	tests := []struct {
		name   string
		m      Mapping
		fields []string
	}{
		{"name only", Mapping{"name", ""}, nil},
		{"first and last name", Mapping{"first_name", "last_name"}, nil},
		{"no name", Mapping{"email", "phone"}, []string{"mapping"}},
		{"field twice", Mapping{"name", "email", "email"}, []string{"col2"}},
		{"unknown field", Mapping{"name", "shoe_size"}, []string{"col1"}},
		{"car without plate", Mapping{"name", "make"}, []string{"mapping"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.m.Check(len(tt.m))
			e, _ := store.AsError(err)
			var got []string
			if e != nil {
				for _, f := range e.Fields {
					got = append(got, f.Field)
				}
			}
			if !slices.Equal(got, tt.fields) {
				t.Errorf("Check = %v, want fields %v", err, tt.fields)
			}
		})
	}
}

// Every field has a label in the catalogue: it names the column in exports
// and in the mapping form.
func TestFieldLabels(t *testing.T) {
	for _, f := range Fields {
		if !i18n.Has(f.Label()) {
			t.Errorf("no catalogue key %s", f.Label())
		}
	}
}
