package csvimport

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	xunicode "golang.org/x/text/encoding/unicode"
)

func encode(t *testing.T, e encoding.Encoding, s string) []byte {
	t.Helper()
	b, err := e.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatalf("encode %q: %v", s, err)
	}
	return b
}

func TestDetectAndRead(t *testing.T) {
	utf16 := xunicode.UTF16(xunicode.LittleEndian, xunicode.UseBOM)
	tests := []struct {
		name    string
		data    []byte
		format  Format
		columns []string
		rows    [][]string
		numbers []int
	}{
		{"comma, UTF-8", []byte("Name,Phone\nMario Rossi,333 1234567\n"),
			Format{"utf-8", ',', true, 0}, []string{"Name", "Phone"}, [][]string{{"Mario Rossi", "333 1234567"}}, []int{2}},
		{"semicolon from Italian Excel, decimal commas inside", []byte("Nome;Km;Note\r\nRossi;12,5;ciao, come va\r\nBianchi;1.200;\r\n"),
			Format{"utf-8", ';', true, 0}, []string{"Nome", "Km", "Note"},
			[][]string{{"Rossi", "12,5", "ciao, come va"}, {"Bianchi", "1.200"}}, []int{2, 3}},
		{"tab", []byte("Name\tEmail\nAna Pop\tana@example.ro\n"),
			Format{"utf-8", '\t', true, 0}, []string{"Name", "Email"}, [][]string{{"Ana Pop", "ana@example.ro"}}, []int{2}},
		{"UTF-8 with BOM", []byte("\uFEFFNome;Città\nNicolò;Forlì\n"),
			Format{"utf-8", ';', true, 0}, []string{"Nome", "Città"}, [][]string{{"Nicolò", "Forlì"}}, []int{2}},
		{"Windows-1252 Italian", encode(t, charmap.Windows1252, "Nome;Città\nNicolò Sarà;Forlì\nPerù;Cantù\n"),
			Format{"windows-1252", ';', true, 0}, []string{"Nome", "Città"}, [][]string{{"Nicolò Sarà", "Forlì"}, {"Perù", "Cantù"}}, []int{2, 3}},
		// Windows-1250 has only the cedilla letters; Romanian files use them
		// for ș and ț, which is what they mean.
		{"Windows-1250 Romanian with cedillas", encode(t, charmap.Windows1250, "Nume;Localitate\nŞtefan Ţuţuianu;Brăila\nIonuţ Vişan;Târgu Mureş\n"),
			Format{"windows-1250", ';', true, 0}, []string{"Nume", "Localitate"},
			[][]string{{"Ștefan Țuțuianu", "Brăila"}, {"Ionuț Vișan", "Târgu Mureș"}}, []int{2, 3}},
		{"Windows-1250 with only ă â î", encode(t, charmap.Windows1250, "Nume;Oras\nMihăiţă;Brăila\nAna;Bârlad\n"),
			Format{"windows-1250", ';', true, 0}, []string{"Nume", "Oras"}, [][]string{{"Mihăiță", "Brăila"}, {"Ana", "Bârlad"}}, []int{2, 3}},
		{"UTF-8 Romanian with comma-below letters kept", []byte("Nume,Oraș\nȘtefan Țuțu,Iași\n"),
			Format{"utf-8", ',', true, 0}, []string{"Nume", "Oraș"}, [][]string{{"Ștefan Țuțu", "Iași"}}, []int{2}},
		{"UTF-16 from Excel's Unicode text", encode(t, utf16, "Nume\tTelefon\r\nȘtefan\t0721 000 111\r\n"),
			Format{"utf-16", '\t', true, 0}, []string{"Nume", "Telefon"}, [][]string{{"Ștefan", "0721 000 111"}}, []int{2}},
		{"quoted fields with newlines and quotes keep spreadsheet row numbers",
			[]byte("Name;Notes;Phone\n\"Rossi, Mario\";\"first line\nsecond \"\"quoted\"\" line\nthird\";333\n\nBianchi;;444\n"),
			Format{"utf-8", ';', true, 0}, []string{"Name", "Notes", "Phone"},
			[][]string{{"Rossi, Mario", "first line\nsecond \"quoted\" line\nthird", "333"}, {"Bianchi", "", "444"}}, []int{2, 4}},
		{"title lines above the column names", []byte("Elenco clienti al 01/03/2026;;\n;;\nNome;Telefono;Email\nRossi;051 123456;r@example.it\n"),
			Format{"utf-8", ';', true, 2}, []string{"Nome", "Telefono", "Email"}, [][]string{{"Rossi", "051 123456", "r@example.it"}}, []int{4}},
		{"no header row", []byte("Mario Rossi;333 1234567;mario@example.it\nAna Pop;0721 111 222;ana@example.ro\n"),
			Format{"utf-8", ';', false, 0}, []string{"", "", ""},
			[][]string{{"Mario Rossi", "333 1234567", "mario@example.it"}, {"Ana Pop", "0721 111 222", "ana@example.ro"}}, []int{1, 2}},
		{"short and long rows, blank rows left out", []byte("Name,Town,Notes\nRossi,Bologna\n,,\nBianchi,Imola,x,y\n"),
			Format{"utf-8", ',', true, 0}, []string{"Name", "Town", "Notes", ""},
			[][]string{{"Rossi", "Bologna"}, {"Bianchi", "Imola", "x", "y"}}, []int{2, 4}},
		{"empty cells at the end of Excel rows are no columns", []byte("Nome;Città;;;\nRossi;Forlì;;;\nBianchi;;;;\n"),
			Format{"utf-8", ';', true, 0}, []string{"Nome", "Città"}, [][]string{{"Rossi", "Forlì"}, {"Bianchi"}}, []int{2, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := Detect(tt.data)
			if f != tt.format {
				t.Errorf("Detect = %+v, want %+v", f, tt.format)
			}
			tab, err := Read(tt.data, tt.format)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(tab.Columns, tt.columns) {
				t.Errorf("columns = %q, want %q", tab.Columns, tt.columns)
			}
			var rows [][]string
			var numbers []int
			for _, r := range tab.Rows {
				rows = append(rows, r.Cells)
				numbers = append(numbers, r.Number)
			}
			if !slices.EqualFunc(rows, tt.rows, slices.Equal) {
				t.Errorf("rows = %q, want %q", rows, tt.rows)
			}
			if !slices.Equal(numbers, tt.numbers) {
				t.Errorf("row numbers = %v, want %v", numbers, tt.numbers)
			}
		})
	}
}

func TestCheckText(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want error
	}{
		{"csv", []byte("a;b\n1;2\n"), nil},
		{"xlsx", []byte("PK\x03\x04\x14\x00\x06\x00"), ErrWorkbook},
		{"xls", []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"), ErrWorkbook},
		{"binary", []byte("\x7fELF\x02\x01\x01\x00\x00"), ErrNotText},
		{"UTF-16 has zero bytes but is text", []byte("\xFF\xFEa\x00;\x00b\x00"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := CheckText(tt.data); err != tt.want {
				t.Errorf("CheckText = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestReadRefuses(t *testing.T) {
	if _, err := Read([]byte("a|b\n"), Format{Encoding: "utf-8", Delimiter: '|'}); err == nil {
		t.Error("a | delimiter was accepted")
	}
	wide := strings.Repeat("x;", MaxColumns) + "x\n"
	if _, err := Read([]byte("a;b\n"+wide), Format{Encoding: "utf-8", Delimiter: ';', Header: true}); err != ErrTooManyColumns {
		t.Errorf("a row of %d cells: %v", MaxColumns+1, err)
	}
	if _, err := Read([]byte(strings.Repeat(";;\n", 10)+"a;b"+strings.Repeat(";", 5000)+"\n"), Format{Encoding: "utf-8", Delimiter: ';'}); err != nil {
		t.Errorf("empty cells counted as columns: %v", err)
	}
}

// FuzzRead feeds the reader, the mapper and the planner any bytes: they must
// not panic, and what they return must hold together.
func FuzzRead(f *testing.F) {
	for _, s := range []string{
		"Name;Phone\nMario;333\n",
		"Nome,Cognome,Targa,Km\nMario,Rossi,AB123CD,\"12.000\"\n",
		"\uFEFFa\tb\n\"x\ny\"\tz\n",
		"\xFF\xFEa\x00;\x00",
		"Ragione sociale;P.IVA;Targa;Telaio;Data immatricolazione\nACME;IT01234567890;AA111BB;ZFA31200000123456;31/12/2019\n",
		"\"unterminated\n",
		"\xe0\xe8\xec;\xba\xfe\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		format := Detect(data)
		tab, err := Read(data, format)
		if err != nil {
			return
		}
		last := 0
		for _, r := range tab.Rows {
			if len(r.Cells) > len(tab.Columns) || len(tab.Columns) > MaxColumns {
				t.Fatalf("row %d has %d cells for %d columns", r.Number, len(r.Cells), len(tab.Columns))
			}
			if r.Number <= last {
				t.Fatalf("row numbers not increasing: %d after %d", r.Number, last)
			}
			last = r.Number
			for _, c := range r.Cells {
				if !utf8.ValidString(c) {
					t.Fatalf("invalid UTF-8 in %q", c)
				}
			}
		}
		m := Suggest(tab.Columns)
		if len(m) != len(tab.Columns) {
			t.Fatalf("mapping of %d columns for %d", len(m), len(tab.Columns))
		}
		p, err := MakePlan(tab, m, Options{Now: t0})
		if err != nil {
			return
		}
		rows := map[int]bool{}
		for _, c := range p.Customers {
			for _, r := range c.Rows {
				rows[r] = true
			}
		}
		for _, e := range p.Errors {
			rows[e.Row] = true
		}
		if len(rows) > p.Rows || p.Rows != len(tab.Rows) {
			t.Fatalf("plan of %d rows accounts for %d", p.Rows, len(rows))
		}
		if bytes.Contains(data, []byte{0}) && strings.Contains(format.Encoding, "8859") {
			t.Fatalf("zero bytes read as %s", format.Encoding)
		}
	})
}
