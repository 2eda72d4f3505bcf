package pdf

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Romanian comma-below letters and Italian accents survive into the PDF's
// text, which cp1252 core fonts could not do.
func TestUnicodeText(t *testing.T) {
	const line = "Ștefan Țăranu: înmatriculare, funcționează; perché è già così"
	f := New("Test", time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC))
	f.AddPage()
	f.MultiCell(170, 6, line, "", "L", false)
	f.SetFont(Font, "B", 14)
	f.MultiCell(170, 8, "ȘȚĂÂÎ", "", "L", false)
	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("%PDF-")) {
		t.Fatal("not a PDF")
	}
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Skip("pdftotext is not installed (apt-get install -y poppler-utils): the text is not checked")
	}
	in := filepath.Join(t.TempDir(), "t.pdf")
	if err := os.WriteFile(in, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-enc", "UTF-8", in, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{line, "ȘȚĂÂÎ"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("text %q lacks %q", out, want)
		}
	}
}
