// Package csvimport moves customers and their cars in and out of the CSV
// files other systems and spreadsheets read and write.
package csvimport

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	xunicode "golang.org/x/text/encoding/unicode"
)

// Format is how a file is written: its character encoding, the character
// between fields, and whether (after Skip title lines) its first row names
// the columns.
type Format struct {
	Encoding  string `json:"encoding"`
	Delimiter rune   `json:"delimiter"`
	Header    bool   `json:"header"`
	// Skip is the number of title lines above the column names ("Customer
	// list at 01/03/2026"); it applies only with Header.
	Skip int `json:"skip"`
}

// Encodings are the character encodings a file may be read in. Spreadsheets
// on Windows save "CSV" in the PC's code page: Windows-1252 in Italy,
// Windows-1250 in Romania; "Unicode text" is UTF-16.
var Encodings = []string{"utf-8", "utf-16", "windows-1252", "iso-8859-1", "windows-1250", "iso-8859-2"}

// Delimiters are the field separators a file may use. Excel writes ";" where
// the comma is the decimal separator (Italy, Romania), "," elsewhere, and a
// tab in "text" files.
var Delimiters = []rune{',', ';', '\t'}

var decoders = map[string]*encoding.Decoder{
	"windows-1252": charmap.Windows1252.NewDecoder(),
	"iso-8859-1":   charmap.ISO8859_1.NewDecoder(),
	"windows-1250": charmap.Windows1250.NewDecoder(),
	"iso-8859-2":   charmap.ISO8859_2.NewDecoder(),
}

var (
	bomUTF8    = []byte{0xEF, 0xBB, 0xBF}
	bomUTF16LE = []byte{0xFF, 0xFE}
	bomUTF16BE = []byte{0xFE, 0xFF}
)

// ErrNotText says the file is not a text file; ErrWorkbook that it is an
// Excel workbook, to be saved as CSV first.
var (
	ErrNotText  = errors.New("not a text file")
	ErrWorkbook = errors.New("an Excel workbook, not CSV")
)

// CheckText tells a text file from a workbook or other binary file by its
// first bytes, whatever it is called.
func CheckText(data []byte) error {
	switch {
	case bytes.HasPrefix(data, []byte("PK\x03\x04")), bytes.HasPrefix(data, []byte("\xD0\xCF\x11\xE0")):
		return ErrWorkbook
	case bytes.HasPrefix(data, bomUTF16LE), bytes.HasPrefix(data, bomUTF16BE):
		return nil
	}
	head := data[:min(len(data), 64<<10)]
	if bytes.IndexByte(head, 0) >= 0 {
		return ErrNotText
	}
	return nil
}

// decode turns the file into text in the named encoding. Text read from a
// Central European code page gets the Romanian ș and ț with a comma below:
// those pages only have the cedilla forms ş and ţ, which Romanian files use
// in their place.
func decode(data []byte, enc string) string {
	switch enc {
	case "utf-16":
		var e encoding.Encoding = xunicode.UTF16(xunicode.LittleEndian, xunicode.UseBOM)
		if out, err := e.NewDecoder().Bytes(data); err == nil {
			return string(out)
		}
		return ""
	case "utf-8", "":
		return strings.ToValidUTF8(string(bytes.TrimPrefix(data, bomUTF8)), "\uFFFD")
	}
	d, ok := decoders[enc]
	if !ok {
		return decode(data, "utf-8")
	}
	out, err := d.Bytes(data)
	if err != nil {
		return decode(data, "utf-8")
	}
	if enc == "windows-1250" || enc == "iso-8859-2" {
		return commaBelow.Replace(string(out))
	}
	return string(out)
}

var commaBelow = strings.NewReplacer("ş", "ș", "Ş", "Ș", "ţ", "ț", "Ţ", "Ț")

// detectEncoding reads the byte-order mark, else takes UTF-8 when the bytes
// are valid UTF-8 (a legacy file with accents almost never is), else the
// code page whose reading looks most like European names and words.
func detectEncoding(data []byte) string {
	switch {
	case bytes.HasPrefix(data, bomUTF8):
		return "utf-8"
	case bytes.HasPrefix(data, bomUTF16LE), bytes.HasPrefix(data, bomUTF16BE):
		return "utf-16"
	case utf8.Valid(data):
		return "utf-8"
	}
	best, bestScore := "", 0
	for _, enc := range []string{"windows-1252", "windows-1250", "iso-8859-2"} {
		score := 0
		for _, r := range decode(data, enc) {
			score += runeScore(r)
		}
		if best == "" || score > bestScore {
			best, bestScore = enc, score
		}
	}
	return best
}

// likely are the letters and signs of names and addresses in the languages
// a dealership in Italy or Romania meets; a code page that reads the file as
// these is the right one.
const likely = "àèéìòùÀÈÉÌÒÙáíóúÁÍÓÚâêîôûÂÊÎÔÛäëïöüÄËÏÖÜßçÇñÑăĂșȘțȚşŞţŢ€°«»‘’“”–—…\u00a0"

func runeScore(r rune) int {
	switch {
	case r < 0x80 && (r >= 0x20 || r == '\t' || r == '\n' || r == '\r'):
		return 0
	case strings.ContainsRune(likely, r):
		return 2
	case r == utf8.RuneError || unicode.IsControl(r):
		return -5
	}
	return -1
}

// detectDelimiter picks the separator that splits the first records into
// the same number of fields, more than one.
func detectDelimiter(text string) rune {
	best, bestScore := Delimiters[0], 0
	for _, d := range []rune{';', ',', '\t'} {
		records := readRecords(text, d, 50)
		if len(records) == 0 {
			continue
		}
		counts := map[int]int{}
		for _, r := range records {
			counts[len(r)]++
		}
		width, n := 0, 0
		for w, c := range counts {
			if c > n || (c == n && w > width) {
				width, n = w, c
			}
		}
		if width < 2 {
			continue
		}
		if score := n*1000 + width; score > bestScore {
			best, bestScore = d, score
		}
	}
	return best
}

// readRecords reads up to limit records, stopping quietly at the first
// error: detection only needs a sample.
func readRecords(text string, delim rune, limit int) [][]string {
	r := newReader(text, delim)
	var out [][]string
	for len(out) < limit {
		rec, err := r.Read()
		if err != nil {
			break
		}
		out = append(out, rec)
	}
	return out
}

func newReader(text string, delim rune) *csv.Reader {
	r := csv.NewReader(strings.NewReader(text))
	r.Comma = delim
	r.FieldsPerRecord = -1
	// Hand-edited files have quotes inside fields ("Mario "Super" Rossi").
	r.LazyQuotes = true
	return r
}

// Detect guesses how data is written: encoding, delimiter, and whether a
// row of column names comes first, under any title lines.
func Detect(data []byte) Format {
	f := Format{Encoding: detectEncoding(data)}
	text := decode(data, f.Encoding)
	f.Delimiter = detectDelimiter(text)
	records := readRecords(text, f.Delimiter, 12)
	widest := 0
	for _, rec := range records {
		widest = max(widest, filled(rec))
	}
	// Title lines fill one cell; the column names fill most of theirs.
	for i, rec := range records {
		if filled(rec) < min(2, widest) || filled(rec) == 0 {
			continue
		}
		next := i+1 < len(records) && !looksLikeHeader(records[i+1])
		f.Header = looksLikeHeader(rec) && (namesAField(rec) || next)
		if f.Header {
			f.Skip = i
		}
		break
	}
	return f
}

func filled(rec []string) int {
	n := 0
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			n++
		}
	}
	return n
}

// looksLikeHeader says a row names columns rather than holding a customer:
// no cell looks like an e-mail, a date or a number.
func looksLikeHeader(rec []string) bool {
	for _, c := range rec {
		c = strings.TrimSpace(c)
		if strings.Contains(c, "@") {
			return false
		}
		if _, err := parseDate(c); err == nil {
			return false
		}
		digits := 0
		for _, r := range c {
			if r >= '0' && r <= '9' {
				digits++
			}
		}
		if digits >= 4 {
			return false
		}
	}
	return true
}

// Table is a file read in a Format: its column names and its data rows.
type Table struct {
	Columns []string
	Rows    []Row
}

// Row is one data row. Number is its row number as a spreadsheet shows the
// file (the column names are row 1), so people find it. A row may have
// fewer cells than the table has columns: the rest are empty.
type Row struct {
	Number int
	Cells  []string
}

// Cell is the row's value in column i, "" past its last cell.
func (r Row) Cell(i int) string {
	if i < len(r.Cells) {
		return r.Cells[i]
	}
	return ""
}

// MaxRows and MaxColumns bound a file: more is not a dealership's customer
// list, and a table that size would only fill the appliance's memory.
const (
	MaxRows    = 500_000
	MaxColumns = 256
)

// ErrTooManyRows and ErrTooManyColumns say a file is larger than MaxRows or
// MaxColumns.
var (
	ErrTooManyRows    = errors.New("too many rows")
	ErrTooManyColumns = errors.New("too many columns")
)

// used is the number of cells up to the last one filled in: spreadsheets
// end rows with empty cells that are no column.
func used(rec []string) int {
	for n := len(rec); n > 0; n-- {
		if strings.TrimSpace(rec[n-1]) != "" {
			return n
		}
	}
	return 0
}

// LineError says where a file stops being readable CSV.
type LineError struct {
	Line int
	Err  error
}

func (e *LineError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }
func (e *LineError) Unwrap() error { return e.Err }

// Read reads data in format f. Blank rows are left out; the table has as
// many columns as the widest row, so no value is lost.
func Read(data []byte, f Format) (*Table, error) {
	if !slices.Contains(Delimiters, f.Delimiter) {
		return nil, fmt.Errorf("unsupported delimiter %q", f.Delimiter)
	}
	r := newReader(decode(data, f.Encoding), f.Delimiter)
	t := &Table{}
	width, embedded, records := 0, 0, 0
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		var perr *csv.ParseError
		if errors.As(err, &perr) {
			return nil, &LineError{Line: perr.StartLine, Err: perr.Err}
		}
		if err != nil {
			return nil, err
		}
		line, _ := r.FieldPos(0)
		// A spreadsheet shows each record as one row, however many lines
		// its quoted cells span.
		number := line - embedded
		for _, c := range rec {
			embedded += strings.Count(c, "\n")
		}
		records++
		if f.Header && records <= f.Skip {
			continue
		}
		if width = max(width, used(rec)); width > MaxColumns {
			return nil, ErrTooManyColumns
		}
		if f.Header && t.Columns == nil {
			t.Columns = rec
			continue
		}
		if used(rec) == 0 {
			continue
		}
		if len(t.Rows) == MaxRows {
			return nil, ErrTooManyRows
		}
		t.Rows = append(t.Rows, Row{Number: number, Cells: rec[:used(rec)]})
	}
	t.Columns = t.Columns[:min(len(t.Columns), width)]
	// Columns without a name stay "", for the page to call them by number.
	for i := range width {
		if i >= len(t.Columns) {
			t.Columns = append(t.Columns, "")
		}
		t.Columns[i] = strings.TrimSpace(t.Columns[i])
	}
	return t, nil
}
