package upload

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"html"
	"image"
	"image/jpeg"
	"io"
	"io/fs"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"pitlane/i18n"
	"pitlane/media"
	"pitlane/store"
	"pitlane/web"
)

type part struct {
	field, name string
	data        []byte
}

func body(t *testing.T, parts ...part) (*bytes.Buffer, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, p := range parts {
		if p.name == "" {
			w.WriteField(p.field, string(p.data))
			continue
		}
		fw, _ := w.CreateFormFile(p.field, p.name)
		fw.Write(p.data)
	}
	w.Close()
	return &buf, w.FormDataContentType()
}

// app answers with what Read and Commit made of the request, as JSON.
func app(t *testing.T, lim Limits) (*fiber.App, *media.Store, string) {
	t.Helper()
	return appReading(t, func(c *fiber.Ctx, m *media.Store, log *slog.Logger) (*Form, error) { return Read(c, m, lim, log) })
}

// appReading answers with what read and Commit made of the request.
func appReading(t *testing.T, read func(*fiber.Ctx, *media.Store, *slog.Logger) (*Form, error)) (*fiber.App, *media.Store, string) {
	t.Helper()
	dir := t.TempDir()
	m, err := media.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	var routes web.Routes
	a := fiber.New(fiber.Config{StreamRequestBody: true, DisablePreParseMultipartForm: true, BodyLimit: 1 << 20,
		ErrorHandler: func(c *fiber.Ctx, err error) error {
			if e, ok := store.AsError(err); ok {
				return c.Status(web.Status(err)).JSON(e.Fields)
			}
			return c.SendStatus(web.Status(err))
		}})
	a.Use(routes.LimitBodies(1 << 20))
	routes.Public(a, fiber.MethodPost, "/up", func(c *fiber.Ctx) error {
		f, err := read(c, m, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			return err
		}
		defer f.Discard()
		atts, err := f.Commit()
		if err != nil {
			return err
		}
		return c.JSON(fiber.Map{"values": f.Values, "all": f.all, "files": atts})
	})
	routes.Streamed(fiber.MethodPost, "/up")
	return a, m, filepath.Join(dir, "media")
}

type answer struct {
	Values map[string]string
	All    map[string][]string
	Files  []store.Attachment
}

func post(t *testing.T, a *fiber.App, b io.Reader, ctype string, length int64) (int, answer, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/up", b)
	req.Header.Set("Content-Type", ctype)
	req.ContentLength = length
	if length < 0 {
		req.TransferEncoding = []string{"chunked"}
	}
	resp, err := a.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	var ans answer
	json.Unmarshal(raw, &ans)
	return resp.StatusCode, ans, string(raw)
}

func count(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return nil
	})
	return n
}

func jpegOf(t *testing.T, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, image.NewGray(image.Rect(0, 0, w, h)), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func heic() []byte {
	b := binary.BigEndian.AppendUint32(nil, 24)
	return append(append(b, "ftypheic\x00\x00\x00\x00mif1heic"...), make([]byte, 100)...)
}

func TestReadStoresFilesWithThumbnails(t *testing.T) {
	a, m, dir := app(t, Limits{Photo: 1 << 20, Video: 2 << 20})
	b, ctype := body(t, part{"text", "", []byte("hello")}, part{"files", "car.jpg", jpegOf(t, 1000, 500)},
		part{"files", "IMG_0001.HEIC", heic()}, part{"text", "", []byte("second value ignored")})
	status, ans, raw := post(t, a, b, ctype, int64(b.Len()))
	if status != 200 || ans.Values["text"] != "hello" || len(ans.Files) != 2 {
		t.Fatalf("%d %s", status, raw)
	}
	if got := ans.All["text"]; len(got) != 2 || got[1] != "second value ignored" {
		t.Errorf("every value of text: %q", got)
	}
	jpg, hc := ans.Files[0], ans.Files[1]
	if jpg.Type != "image/jpeg" || jpg.Thumb == "" || jpg.Name != "car.jpg" {
		t.Errorf("JPEG %+v", jpg)
	}
	if hc.Type != "image/heic" || hc.Thumb != "" {
		t.Errorf("HEIC %+v: no Go decoder, so no thumbnail", hc)
	}
	cfg, err := jpegConfig(m.Path(jpg.Thumb))
	if err != nil || cfg.Width != ThumbnailSize || cfg.Height != ThumbnailSize/2 {
		t.Errorf("thumbnail %+v, %v", cfg, err)
	}
	if n := count(t, dir); n != 3 {
		t.Errorf("%d files in the media folder, want the two uploads and a thumbnail", n)
	}
}

func TestReadStopsAtTheLimits(t *testing.T) {
	a, _, dir := app(t, Limits{Photo: 10_000, Video: 20_000})
	tests := []struct {
		name   string
		parts  []part
		length func(n int) int64
		field  string
	}{
		{"photo over its limit", []part{{"files", "big.jpg", append(jpegOf(t, 8, 8), make([]byte, 10_000)...)}}, nil, "files"},
		{"chunked body over the total", []part{{"files", "a.heic", append(heic(), make([]byte, 9_000)...)},
			{"files", "b.heic", append(heic(), make([]byte, 9_000)...)}, {"files", "c.heic", append(heic(), make([]byte, 9_000)...)},
			{"files", "d.heic", append(heic(), make([]byte, 9_000)...)}, {"files", "e.heic", append(heic(), make([]byte, 9_000)...)}},
			func(int) int64 { return -1 }, "files"},
		{"a body cut short", nil, nil, "files"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, ctype := body(t, tt.parts...)
			if tt.parts == nil {
				b, ctype = body(t, part{"files", "cut.jpg", jpegOf(t, 50, 50)})
				b.Truncate(b.Len() - 200)
			}
			length := int64(b.Len())
			if tt.length != nil {
				length = tt.length(b.Len())
			}
			status, _, raw := post(t, a, b, ctype, length)
			var fields []store.FieldError
			json.Unmarshal([]byte(raw), &fields)
			if status != http.StatusUnprocessableEntity || len(fields) != 1 || fields[0].Field != tt.field {
				t.Fatalf("%d %s, want 422 on %s", status, raw, tt.field)
			}
			if n := count(t, dir); n != 0 {
				t.Errorf("%d files left in the media folder", n)
			}
		})
	}
	// A text field is bounded too.
	big, _, _ := app(t, Limits{Photo: 1 << 20, Video: 1 << 20})
	b, ctype := body(t, part{"text", "", make([]byte, maxField+1)})
	if status, _, raw := post(t, big, b, ctype, int64(b.Len())); status != http.StatusUnprocessableEntity || !bytes.Contains([]byte(raw), []byte(`"field":"text"`)) {
		t.Errorf("a text field too long: %d %s", status, raw)
	}
	// A form without files is read too.
	status, ans, raw := post(t, a, bytes.NewBufferString("text=hi+there"), "application/x-www-form-urlencoded", 13)
	if status != 200 || ans.Values["text"] != "hi there" || len(ans.Files) != 0 {
		t.Errorf("url-encoded: %d %s", status, raw)
	}
}

func jpegConfig(path string) (image.Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return image.Config{}, err
	}
	defer f.Close()
	return jpeg.DecodeConfig(f)
}

func TestReadPDF(t *testing.T) {
	a, _, dir := appReading(t, func(c *fiber.Ctx, m *media.Store, log *slog.Logger) (*Form, error) { return ReadPDF(c, m, 5_000, log) })
	pdf := []byte("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n")
	tests := []struct {
		name  string
		parts []part
		key   string // "" when accepted
	}{
		{"a PDF", []part{{"number", "", []byte("FT 7")}, {"file", "ft7.pdf", pdf}}, ""},
		{"a photo called invoice.pdf", []part{{"file", "invoice.pdf", jpegOf(t, 8, 8)}}, "upload.error.pdf_type"},
		{"a PDF over the limit", []part{{"file", "big.pdf", append(append([]byte{}, pdf...), make([]byte, 5_000)...)}}, "upload.error.pdf_too_large"},
		{"two PDFs", []part{{"file", "a.pdf", pdf}, {"file", "b.pdf", pdf}}, "upload.error.one_pdf"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, ctype := body(t, tt.parts...)
			status, ans, raw := post(t, a, b, ctype, int64(b.Len()))
			if tt.key == "" {
				if status != 200 || len(ans.Files) != 1 || ans.Files[0].Type != "application/pdf" || ans.Files[0].Thumb != "" || ans.Values["number"] != "FT 7" {
					t.Fatalf("%d %s", status, raw)
				}
				return
			}
			var fields []store.FieldError
			json.Unmarshal([]byte(raw), &fields)
			if status != http.StatusUnprocessableEntity || len(fields) != 1 || fields[0].Key != tt.key || fields[0].Field != "file" {
				t.Fatalf("%d %s, want 422 saying %s", status, raw, tt.key)
			}
		})
	}
	if n := count(t, dir); n != 1 {
		t.Errorf("%d files in the media folder, want only the PDF accepted", n)
	}
}

// The compose script's attributes: the limits in bytes, and what to say
// in the form's language, escaped for an attribute.
func TestShownAttrs(t *testing.T) {
	s := Limits{Photo: 25_000_000, Video: 200_000_000}.Shown()
	got := string(s.Attrs(i18n.Italian, "messages.error.failed"))
	for _, want := range []string{
		`data-max-photo="25000000"`, `data-max-video="200000000"`, `data-max-total="400000000"`,
		`data-say-photo="` + html.EscapeString(i18n.T(i18n.Italian, "upload.error.photo_too_large", "name", "{name}", "max", int64(25))) + `"`,
		`data-say-failed="` + html.EscapeString(i18n.T(i18n.Italian, "messages.error.failed")) + `"`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("attributes lack %s:\n%s", want, got)
		}
	}
	if strings.Contains(got, "<") || strings.Contains(got, "'") {
		t.Errorf("attributes not escaped: %s", got)
	}
}
