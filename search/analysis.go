package search

import (
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/char/asciifolding"
	unicodetok "github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/registry"
	"golang.org/x/text/unicode/norm"
)

// mappingVersion names what the index holds and how it is analysed. Bump it
// with any change to the mapping, the analyzer or the documents of a kind:
// an index of another version is rebuilt from the store when opened.
const mappingVersion = 5

// textAnalyzer splits text into words and folds each to lower case without
// accents, so "Ștefan", "Ştefan" (the cedilla often typed for Romanian) and
// "STEFAN" are one term.
const textAnalyzer = "pitlane_text"

func init() {
	err := registry.RegisterAnalyzer(textAnalyzer, func(map[string]any, *registry.Cache) (analysis.Analyzer, error) {
		return newTextAnalyzer(), nil
	})
	if err != nil {
		panic(err)
	}
}

func newTextAnalyzer() analysis.Analyzer {
	return &analysis.DefaultAnalyzer{Tokenizer: unicodetok.NewUnicodeTokenizer(), TokenFilters: []analysis.TokenFilter{foldFilter{}}}
}

// words is the analyzer that indexes text, for queries and highlighting.
var words = newTextAnalyzer()

// foldFilter folds each token. It is a token filter, not Bleve's
// asciifolding character filter: a character filter changes the text's
// length before tokenizing, so term offsets no longer point into the
// original and highlighting marks the wrong letters.
type foldFilter struct{}

var folder = asciifolding.New()

func (foldFilter) Filter(in analysis.TokenStream) analysis.TokenStream {
	for _, t := range in {
		t.Term = fold(t.Term)
	}
	return in
}

// fold returns term in lower case without diacritics. Text composed of
// letters and combining marks (as some keyboards send it) is composed
// first; a mark that composes with nothing is dropped.
func fold(term []byte) []byte {
	ascii := true
	for _, b := range term {
		if b >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		for i, b := range term {
			if 'A' <= b && b <= 'Z' {
				term[i] = b + 'a' - 'A'
			}
		}
		return term
	}
	folded := folder.Filter(norm.NFC.Bytes(term))
	out := make([]byte, 0, len(folded))
	for len(folded) > 0 {
		r, n := utf8.DecodeRune(folded)
		folded = folded[n:]
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		out = utf8.AppendRune(out, unicode.ToLower(r))
	}
	return out
}

// foldString folds one word as the index does.
func foldString(s string) string { return string(fold([]byte(s))) }

// wordsOf analyses text as the index does, returning its folded words.
func wordsOf(text string) []string {
	var out []string
	for _, t := range words.Analyze([]byte(text)) {
		out = append(out, string(t.Term))
	}
	return out
}

// Field names. Each kind has its own, so a query for one kind never reads
// another's postings and results group without a filter.
const (
	fName        = "name"         // customer name (text)
	fEmail       = "email"        // customer e-mail address, whole (keyword)
	fEmailWords  = "email_words"  // its words (text)
	fPhone       = "phone"        // phone numbers as digits, several forms (keyword)
	fTax         = "tax"          // tax code and VAT number (keyword)
	fPlate       = "plate"        // NormalizePlate (keyword)
	fVIN         = "vin"          // keyword
	fCar         = "car"          // make, model, version (text)
	fOwner       = "owner"        // the vehicle owner's name (text)
	fNumber      = "number"       // job number, several forms (keyword)
	fJobText     = "job_text"     // job description, lines and notes (text)
	fApptText    = "appt_text"    // appointment service and department (text)
	fMessageText = "message_text" // a message's text (text)
	fWeek        = "week"         // a job's, appointment's or message's ISO week, 2026-W47 (keyword)
)

var (
	textFields    = []string{fName, fEmailWords, fCar, fOwner, fJobText, fApptText, fMessageText}
	keywordFields = []string{fEmail, fPhone, fTax, fPlate, fVIN, fNumber, fWeek}
)

// newMapping describes the documents. Nothing is stored and there are no
// term vectors: results are read from the store and highlighted from it, so
// the index only has to find them.
func newMapping() *mapping.IndexMappingImpl {
	doc := mapping.NewDocumentStaticMapping()
	for _, f := range textFields {
		fm := mapping.NewTextFieldMapping()
		fm.Analyzer, fm.Store, fm.IncludeTermVectors, fm.IncludeInAll, fm.DocValues = textAnalyzer, false, false, false, false
		doc.AddFieldMappingsAt(f, fm)
	}
	for _, f := range keywordFields {
		fm := mapping.NewKeywordFieldMapping()
		fm.Analyzer, fm.Store, fm.IncludeTermVectors, fm.IncludeInAll, fm.DocValues = keyword.Name, false, false, false, false
		doc.AddFieldMappingsAt(f, fm)
	}
	m := mapping.NewIndexMapping()
	m.DefaultMapping = doc
	m.DefaultAnalyzer = textAnalyzer
	m.IndexDynamic, m.StoreDynamic, m.DocValuesDynamic = false, false, false
	return m
}
