package pdf

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestInvoiceText(t *testing.T) {
	in := Invoice{Title: "Factură 2026-0001", Issued: time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC),
		Dealer: []string{"Autoservice Ștefan", "Str. Mare 1"}, To: []string{"Mario Rossi"},
		About:  "AB123CD Fiat Panda · 2026-000001",
		Heads:  [5]string{"Descriere", "Cant.", "Preț", "TVA", "Total"},
		Lines:  [][5]string{{"Plăcuțe frână", "1", "80,00 lei", "19%", "80,00 lei"}},
		Totals: [][2]string{{"Net", "80,00 lei"}, {"TVA", "15,20 lei"}, {"Total de plată", "95,20 lei"}}}
	data, err := in.Render()
	if err != nil {
		t.Fatal(err)
	}
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Skip("pdftotext is not installed (apt-get install -y poppler-utils)")
	}
	p := filepath.Join(t.TempDir(), "i.pdf")
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-enc", "UTF-8", "-layout", p, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Factură 2026-0001", "Autoservice Ștefan", "Plăcuțe frână", "Total de plată", "95,20 lei"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("PDF text lacks %q:\n%s", want, out)
		}
	}
}
