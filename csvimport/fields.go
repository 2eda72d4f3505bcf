package csvimport

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"pitlane/i18n"
	"pitlane/store"
)

// Field is something a column can hold: part of a customer or of a car.
type Field struct {
	Name string
	// Vehicle is set for the fields of a car.
	Vehicle bool
	// aliases are column names other systems and spreadsheets use for the
	// field, in English, Italian and Romanian, written as fold writes them.
	aliases []string
}

// Label is the catalogue key of the field's name, which is also the column
// name an export writes, so an exported file maps itself on import.
func (f Field) Label() string { return fmt.Sprintf("imports.field.%s", f.Name) }

// Fields lists what a column can hold, in the order the mapping form offers
// them. Where a column name fits two fields equally ("Tel. cellulare"), the
// earlier one wins, so mobile comes before phone.
var Fields = []Field{
	{Name: "customer_id", aliases: []string{"customer no", "customer number", "n cliente", "nr cliente", "nr client", "numar client"}},
	{Name: "name", aliases: []string{"name", "full name", "customer", "customer name", "client", "client name", "owner",
		"nome", "nome completo", "nominativo", "cliente", "ragione sociale", "denominazione", "intestatario", "proprietario",
		"nome cliente", "nume", "nume complet", "nume client", "denumire", "denumire client", "proprietar"}},
	{Name: "first_name", aliases: []string{"first name", "given name", "forename", "prenome", "prenume"}},
	{Name: "last_name", aliases: []string{"last name", "surname", "family name", "cognome", "nume de familie"}},
	{Name: "company", aliases: []string{"company", "business", "azienda", "societa", "persona giuridica", "companie", "firma",
		"persoana juridica"}},
	{Name: "mobile", aliases: []string{"mobile", "mobile phone", "mobile number", "cell", "cellphone", "cell phone", "cellulare",
		"telefono cellulare", "numero cellulare", "telefonino", "mobil", "telefon mobil", "numar mobil"}},
	{Name: "phone", aliases: []string{"phone", "telephone", "tel", "phone number", "landline", "telefono", "telefono fisso",
		"fisso", "numero telefono", "recapito telefonico", "telefon", "telefon fix", "numar telefon", "numar de telefon"}},
	{Name: "email", aliases: []string{"email", "e mail", "mail", "email address", "e mail address", "posta elettronica",
		"indirizzo email", "indirizzo e mail", "adresa email", "adresa de email", "adresa e mail", "posta electronica"}},
	{Name: "address", aliases: []string{"address", "street", "street address", "indirizzo", "via", "residenza", "sede",
		"adresa", "strada", "domiciliu", "sediu"}},
	{Name: "postcode", aliases: []string{"postcode", "post code", "postal code", "zip", "zip code", "cap", "codice postale",
		"cod postal"}},
	{Name: "city", aliases: []string{"city", "town", "citta", "comune", "localita", "paese", "oras", "localitate", "municipiu"}},
	{Name: "province", aliases: []string{"province", "county", "provincia", "prov", "judet", "sector"}},
	{Name: "tax_code", aliases: []string{"tax code", "fiscal code", "tax id", "personal tax code", "codice fiscale", "cod fiscale",
		"cf", "c f", "cnp", "cod numeric personal"}},
	{Name: "vat", aliases: []string{"vat", "vat number", "vat no", "vat id", "partita iva", "p iva", "piva", "iva", "cui", "cif",
		"cod fiscal", "cod unic de inregistrare", "cod tva", "cod de tva", "numar tva"}},
	{Name: "lang", aliases: []string{"language", "lang", "lingua", "limba"}},
	{Name: "marketing", aliases: []string{"marketing", "marketing consent", "newsletter", "consenso marketing", "privacy marketing",
		"consenso commerciale", "acord marketing", "consimtamant marketing"}},
	{Name: "notes", aliases: []string{"notes", "note", "comments", "remarks", "annotazioni", "osservazioni", "commenti",
		"observatii", "mentiuni", "comentarii"}},
	{Name: "plate", Vehicle: true, aliases: []string{"plate", "number plate", "licence plate", "license plate", "registration",
		"registration number", "reg", "reg no", "vrm", "targa", "numero targa", "n targa", "numar inmatriculare",
		"nr inmatriculare", "numar de inmatriculare", "numar auto", "nr auto"}},
	{Name: "vin", Vehicle: true, aliases: []string{"vin", "chassis", "chassis number", "chassis no", "frame", "frame number",
		"telaio", "numero telaio", "n telaio", "nr telaio", "serie sasiu", "seria sasiu", "serie de sasiu", "nr sasiu", "sasiu",
		"numar sasiu", "vin code"}},
	{Name: "make", Vehicle: true, aliases: []string{"make", "brand", "manufacturer", "marca", "marchio", "casa", "costruttore",
		"producator"}},
	{Name: "model", Vehicle: true, aliases: []string{"model", "modello", "vehicle model", "car model"}},
	{Name: "version", Vehicle: true, aliases: []string{"version", "trim", "variant", "versione", "allestimento", "varianta",
		"versiune", "echipare"}},
	{Name: "year", Vehicle: true, aliases: []string{"year", "model year", "year of manufacture", "anno", "anno modello",
		"anno immatricolazione", "anno di immatricolazione", "anno costruzione", "an", "an fabricatie", "anul fabricatiei",
		"an inmatriculare"}},
	{Name: "registered", Vehicle: true, aliases: []string{"registered", "first registration", "registration date",
		"date of first registration", "data immatricolazione", "data prima immatricolazione", "immatricolazione",
		"data di immatricolazione", "data inmatricularii", "data inmatriculare", "prima inmatriculare",
		"data primei inmatriculari"}},
	{Name: "fuel", Vehicle: true, aliases: []string{"fuel", "fuel type", "alimentazione", "carburante", "combustibile",
		"carburant", "combustibil"}},
	{Name: "colour", Vehicle: true, aliases: []string{"colour", "color", "paint", "colore", "culoare"}},
	{Name: "km", Vehicle: true, aliases: []string{"km", "odometer", "mileage", "kilometres", "kilometers", "odometer km",
		"chilometri", "km percorsi", "chilometraggio", "km attuali", "kilometraj", "km bord", "rulaj"}},
	{Name: "km_date", Vehicle: true, aliases: []string{"km date", "odometer date", "mileage date", "reading date",
		"data km", "data lettura km", "data chilometraggio", "data kilometraj", "data citire km"}},
}

// FieldByName returns the field called name.
func FieldByName(name string) (Field, bool) {
	for _, f := range Fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// aliases maps every folded column name to its field: the aliases, then
// each field's label in every language. Aliases come first: the Italian
// label of the first name is "Nome", which alone means the whole name.
var aliases = func() map[string]string {
	m := map[string]string{}
	for _, f := range Fields {
		for _, a := range f.aliases {
			if m[a] == "" {
				m[a] = f.Name
			}
		}
	}
	for _, f := range Fields {
		for _, l := range i18n.Supported {
			if k := fold(i18n.T(l, f.Label())); m[k] == "" {
				m[k] = f.Name
			}
		}
	}
	return m
}()

// fold writes a column name the way aliases are written: lower case, no
// accents, words of letters and digits separated by one space.
func fold(s string) string {
	s = store.FoldName(s)
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}), " ")
}

// Mapping says, for each column of a table, the Field name it holds, or ""
// for a column to leave out.
type Mapping []string

// Suggest maps columns by their names. A name is taken whole first
// ("Anno immatricolazione"); failing that, by the longest alias among its
// words ("E-mail cliente" is an e-mail). Each field goes to one column only.
func Suggest(columns []string) Mapping {
	m := make(Mapping, len(columns))
	taken := map[string]bool{}
	for i, c := range columns {
		if f := aliases[fold(c)]; f != "" && !taken[f] {
			m[i], taken[f] = f, true
		}
	}
	for i, c := range columns {
		if m[i] != "" {
			continue
		}
		words := strings.Fields(fold(c))
		best, bestLen, bestOrder := "", 0, len(Fields)
		for order, f := range Fields {
			if taken[f.Name] {
				continue
			}
			for _, a := range f.aliases {
				n := len(strings.Fields(a))
				if containsWords(words, strings.Fields(a)) && (n > bestLen || n == bestLen && order < bestOrder) {
					best, bestLen, bestOrder = f.Name, n, order
				}
			}
		}
		if best != "" {
			m[i], taken[best] = best, true
		}
	}
	// "Nome" beside "Cognome" is the first name; "Nume" beside "Prenume"
	// the family name.
	for i, f := range m {
		switch {
		case f == "name" && taken["last_name"] && !taken["first_name"]:
			m[i] = "first_name"
		case f == "name" && taken["first_name"] && !taken["last_name"]:
			m[i] = "last_name"
		}
	}
	return m
}

// containsWords says all of want appear, in order and next to each other,
// in words.
func containsWords(words, want []string) bool {
	for i := 0; i+len(want) <= len(words); i++ {
		match := true
		for j, w := range want {
			if words[i+j] != w {
				match = false
				break
			}
		}
		if match {
			return true
		}
	}
	return false
}

// namesAField says some cell of rec is a known column name.
func namesAField(rec []string) bool {
	for _, c := range rec {
		if aliases[fold(c)] != "" {
			return true
		}
	}
	return false
}

// Check says what is wrong with a mapping of columns: a field chosen twice,
// an unknown field, no customer name. Field errors name the column as "col"
// and its index.
func (m Mapping) Check(columns int) error {
	var v store.Validation
	seen := map[string]bool{}
	for i, f := range m {
		if f == "" {
			continue
		}
		if _, ok := FieldByName(f); !ok || i >= columns {
			v.Add(colField(i), "imports.error.unknown_field")
			continue
		}
		if seen[f] {
			v.Add(colField(i), "imports.error.field_twice")
		}
		seen[f] = true
	}
	if !seen["name"] && !seen["first_name"] && !seen["last_name"] {
		v.Add("mapping", "imports.error.no_name")
	}
	if !seen["plate"] {
		for f := range seen {
			if ff, _ := FieldByName(f); ff.Vehicle {
				v.Add("mapping", "imports.error.no_plate")
				break
			}
		}
	}
	return v.Err()
}

// colField names column i in a mapping's field errors.
func colField(i int) string { return "col" + strconv.Itoa(i) }
