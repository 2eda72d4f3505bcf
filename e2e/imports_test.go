package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBackOfficeImportsCustomers: a back-office clerk who works in Italian
// uploads a small list exported from another system, keeps the suggested
// columns, checks it and reads the bad row in Italian, imports it, reads
// the summary and finds the new customer in the list.
func TestBackOfficeImportsCustomers(t *testing.T) {
	app := start(t)
	add := exec.Command(binary, "user", "add", "--data", app.DataDir, "--username", "marta", "--name", "Marta Zecchini",
		"--role", "backoffice", "--lang", "it")
	add.Stdin = strings.NewReader("ufficio-2026!\n")
	if out, err := add.CombinedOutput(); err != nil {
		t.Fatalf("pitlane user add: %v\n%s", err, out)
	}
	file := filepath.Join(t.TempDir(), "clienti.csv")
	csv := "Ragione sociale;Cellulare;Email;Targa;Marca;Modello\r\n" +
		"Ștefan Popescu;+40 721 000 111;stefan@example.ro;B 12 ABC;Dacia;Duster\r\n" +
		"Anna Neri;+39 333 2222222;anna@;CD456EF;Fiat;Tipo\r\n"
	if err := os.WriteFile(file, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}

	ctx := browser(t, 1280, 900)
	signIn(t, ctx, app.URL, "marta", "ufficio-2026!")
	run(t, ctx, "open the menu", chromedp.Click(chromedp.CSS("details.menu summary")))
	if status := follow(t, ctx, `a[href="/imports"]`); status != 200 {
		t.Fatalf("import page: HTTP %d", status)
	}
	if h := text(t, ctx, "main h1"); h != "Importa ed esporta" {
		t.Fatalf("the page is %q", h)
	}
	run(t, ctx, "choose the file", chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{file}))
	if status := submit(t, ctx, "#file"); status != 200 {
		t.Fatalf("upload: HTTP %d", status)
	}
	if h := text(t, ctx, "main h1"); h != "Importa clienti.csv" {
		t.Fatalf("after the upload the page is %q", h)
	}
	for col, want := range map[string]string{"#col0": "name", "#col1": "mobile", "#col2": "email", "#col3": "plate"} {
		if got, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(col))); err != nil || got != want {
			t.Errorf("%s is mapped to %q (%v), want %q", col, got, err, want)
		}
	}
	shot(t, ctx, "import-mapping.png")

	if status := follow(t, ctx, "#check-button"); status != 200 {
		t.Fatalf("check: HTTP %d", status)
	}
	check := text(t, ctx, "#check")
	for _, want := range []string{"non è ancora stato scritto nulla", "Riga 3:", "Email: Inserisci un indirizzo email valido."} {
		if !strings.Contains(check, want) {
			t.Errorf("the check says %q, without %q", check, want)
		}
	}

	if status := follow(t, ctx, "#import-button"); status != 200 {
		t.Fatalf("import: HTTP %d", status)
	}
	run(t, ctx, "the summary", chromedp.WaitVisible(chromedp.CSS("#summary")))
	summary := text(t, ctx, "#summary")
	if !strings.Contains(summary, "Importazione completata") || !strings.Contains(summary, "Riga 3:") {
		t.Errorf("the summary says %q", summary)
	}
	if n := text(t, ctx, `[data-count="customers-created"]`); n != "1" {
		t.Errorf("%s customers created, want 1", n)
	}
	shot(t, ctx, "import-summary.png")

	if status := follow(t, ctx, `#summary a[href="/customers"]`); status != 200 {
		t.Fatalf("customer list: HTTP %d", status)
	}
	if list := text(t, ctx, "main table"); !strings.Contains(list, "Ștefan Popescu") || strings.Contains(list, "Anna Neri") {
		t.Errorf("the customer list shows %q", list)
	}
}
