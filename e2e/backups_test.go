package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// addUser creates an account through the running appliance's control
// socket, as the owner would from the command line.
func addUser(t *testing.T, app *appliance, username, name, role, password string) {
	t.Helper()
	cmd := exec.Command(binary, "user", "add", "--data", app.DataDir, "--username", username, "--name", name, "--role", role)
	cmd.Stdin = strings.NewReader(password + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("pitlane user add: %v\n%s", err, out)
	}
}

// TestManagerBacksUpNow: the manager opens Backups from the menu, chooses
// the folder, clicks "Back up now", follows it until the verified backup is
// listed, and downloads it.
func TestManagerBacksUpNow(t *testing.T) {
	app := start(t)
	addUser(t, app, "giulia", "Giulia Bianchi", "manager", "officina-2026!")
	folder := t.TempDir()
	ctx := browser(t, 1280, 900)
	signIn(t, ctx, app.URL, "giulia", "officina-2026!")

	run(t, ctx, "open the menu", chromedp.Click(chromedp.CSS("details.menu summary")))
	if status := follow(t, ctx, `a[href="/backups"]`); status != 200 {
		t.Fatalf("Backups page: HTTP %d", status)
	}
	if h := text(t, ctx, "main h1"); h != "Backups" {
		t.Fatalf("the page is %q", h)
	}
	run(t, ctx, "choose the folder", chromedp.SendKeys(chromedp.CSS("#folder"), folder))
	if status := submit(t, ctx, "#folder"); status != 200 {
		t.Fatalf("saving the settings: HTTP %d", status)
	}
	if msg := text(t, ctx, "main .flash"); !strings.Contains(msg, "Backup settings saved") {
		t.Fatalf("after saving the page says %q", msg)
	}

	if status := follow(t, ctx, "#backup-run"); status != 200 {
		t.Fatalf("Back up now: HTTP %d", status)
	}
	// The page follows the backup by itself, reloading once it is done.
	waitFor(t, ctx, "the verified backup in the list",
		`!document.querySelector("[data-backup-progress]") && !!document.querySelector("tr.verified a[download]")`)
	if rows := eval[int](t, ctx, `document.querySelectorAll("tbody tr").length`); rows != 1 {
		t.Errorf("%d backups listed, want the one just taken", rows)
	}
	if row := text(t, ctx, "tr.verified"); !strings.Contains(row, "Verified") || !strings.Contains(row, "Manual · Giulia Bianchi") {
		t.Fatalf("the backup's row says %q", row)
	}
	shot(t, ctx, "backups.png")

	href := eval[string](t, ctx, `document.querySelector("tr.verified a[download]").getAttribute("href")`)
	name := strings.TrimPrefix(href, "/backups/files/")
	onDisk, err := os.Stat(filepath.Join(folder, name))
	if err != nil {
		t.Fatalf("the listed backup is not in the folder: %v", err)
	}
	type response struct {
		Status      int    `json:"status"`
		Type        string `json:"type"`
		Disposition string `json:"disposition"`
		Size        int64  `json:"size"`
		Head        []int  `json:"head"`
	}
	fetch := func(rangeHeader string) response {
		t.Helper()
		r, err := chromedp.Run(ctx, chromedp.Evaluate[response](`(async () => {
			const opts = `+"`"+rangeHeader+"`"+` ? {headers: {Range: `+"`"+rangeHeader+"`"+`}} : {};
			const r = await fetch(`+"`"+href+"`"+`, opts);
			const body = new Uint8Array(await r.arrayBuffer());
			return {status: r.status, type: r.headers.get("content-type"), disposition: r.headers.get("content-disposition"),
				size: body.length, head: Array.from(body.slice(0, 4))};
		})()`, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("download %s: %v", href, err)
		}
		return r
	}
	whole := fetch("")
	zstd := []int{0x28, 0xb5, 0x2f, 0xfd}
	if whole.Status != 200 || whole.Size != onDisk.Size() || whole.Type != "application/octet-stream" ||
		!strings.Contains(whole.Disposition, "attachment") || !strings.Contains(whole.Disposition, name) ||
		!equalInts(whole.Head, zstd) {
		t.Fatalf("download: %+v, the file has %d bytes", whole, onDisk.Size())
	}
	if part := fetch("bytes=0-3"); part.Status != 206 || part.Size != 4 || !equalInts(part.Head, zstd) {
		t.Fatalf("partial download: %+v", part)
	}
}

// waitFor evaluates cond in the page until it is true; the page may be
// reloading meanwhile.
func waitFor(t *testing.T, ctx context.Context, what, cond string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](cond))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: %v", what, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
