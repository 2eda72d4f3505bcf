// Package upload reads the photos and videos a form sends as the request
// body streams in: each file's type is checked by its content, each is
// held to its type's size limit, stored by content hash, and images get a
// thumbnail.
package upload

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	"html/template"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"pitlane/i18n"
	"pitlane/media"
	"pitlane/store"
	"pitlane/web"
)

// Limits are the largest photo and video a form may carry, in bytes.
type Limits struct {
	Photo, Video int64
}

// Total is the most one request may carry: two videos' worth, more than
// a message of photos needs. A larger body is refused before it is read.
func (l Limits) Total() int64 { return 2 * l.Video }

// MB is a limit in the megabytes people read on their phones.
func MB(bytes int64) int64 { return bytes / 1_000_000 }

// Shown are the limits as a form shows them (in MB) and as its script
// checks files before sending any (in bytes).
type Shown struct {
	PhotoMB, VideoMB, TotalMB int64
	Photo, Video, Total       int64
}

// Shown is l for a form.
func (l Limits) Shown() Shown {
	return Shown{PhotoMB: MB(l.Photo), VideoMB: MB(l.Video), TotalMB: MB(l.Total()), Photo: l.Photo, Video: l.Video, Total: l.Total()}
}

// Attrs are the data attributes web/static/compose.js reads from a form
// that sends photos and videos: the limits, and what to say in lang when a
// file breaks one, or (failed, a catalogue key) when sending fails.
func (s Shown) Attrs(lang i18n.Lang, failed string) template.HTMLAttr {
	attrs := []struct{ name, value string }{
		{"data-max-photo", strconv.FormatInt(s.Photo, 10)},
		{"data-max-video", strconv.FormatInt(s.Video, 10)},
		{"data-max-total", strconv.FormatInt(s.Total, 10)},
		{"data-say-photo", i18n.T(lang, "upload.error.photo_too_large", "name", "{name}", "max", s.PhotoMB)},
		{"data-say-video", i18n.T(lang, "upload.error.video_too_large", "name", "{name}", "max", s.VideoMB)},
		{"data-say-type", i18n.T(lang, "upload.error.type", "name", "{name}")},
		{"data-say-total", i18n.T(lang, "upload.error.total", "max", s.TotalMB)},
		{"data-say-failed", i18n.T(lang, failed)},
	}
	var b strings.Builder
	for i, a := range attrs {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s=\"%s\"", a.name, html.EscapeString(a.value))
	}
	return template.HTMLAttr(b.String())
}

// The types accepted, by content. Phones take JPEG or HEIC photos and MP4
// or QuickTime videos; browsers make PNG, WebP and WebM.
var (
	PhotoTypes = []string{"image/jpeg", "image/png", "image/webp", "image/heic", "image/heif"}
	VideoTypes = []string{"video/mp4", "video/quicktime", "video/webm"}
)

// MaxPDF is the largest invoice PDF staff may upload from the accounting
// system: such a PDF is a few pages of text, a scanned one a few MB.
const MaxPDF = 20_000_000

// ThumbnailSize is the longer side of thumbnails, in pixels: sharp at
// twice the size a phone shows them in a thread.
const ThumbnailSize = 480

// maxField bounds a form's text fields: a message of 4000 characters is
// at most 16 KB.
const maxField = 64 << 10

// stall is how long an upload may send nothing before it is given up:
// the server's read timeout covers a whole request, far too short for a
// video sent over a phone's mobile data.
const stall = 2 * time.Minute

// accept is what a form may carry: the types and their limits, how many
// files, and the messages that refuse the rest.
type accept struct {
	limit     media.Limit
	total     int64
	files     int
	tooMany   error
	overall   error // the request is over total
	broken    error // the body ended early
	wrongType func(name string) error
	tooLarge  func(name string, e *media.TooLargeError) error
}

func photosAndVideos(lim Limits) accept {
	return accept{
		limit: func(ctype string) (int64, bool) {
			switch {
			case slices.Contains(PhotoTypes, ctype):
				return lim.Photo, true
			case slices.Contains(VideoTypes, ctype):
				return lim.Video, true
			}
			return 0, false
		},
		total:     lim.Total(),
		files:     store.MaxAttachments,
		tooMany:   invalid("upload.error.too_many_files", "max", store.MaxAttachments),
		broken:    invalid("upload.error.broken"),
		overall:   invalid("upload.error.total", "max", MB(lim.Total())),
		wrongType: func(name string) error { return invalid("upload.error.type", "name", name) },
		tooLarge: func(name string, e *media.TooLargeError) error {
			key := "upload.error.photo_too_large"
			if slices.Contains(VideoTypes, e.Type) {
				key = "upload.error.video_too_large"
			}
			return invalid(key, "name", name, "max", MB(e.Max))
		},
	}
}

// onePDF's messages name the field "file", the PDF form's only input.
func onePDF(max int64) accept {
	invalid := func(key string, args ...any) error { return store.Invalid("file", key, args...) }
	tooLarge := invalid("upload.error.pdf_too_large", "max", MB(max))
	return accept{
		limit:     func(ctype string) (int64, bool) { return max, ctype == "application/pdf" },
		total:     max + maxField,
		files:     1,
		tooMany:   invalid("upload.error.one_pdf"),
		broken:    invalid("upload.error.broken"),
		overall:   tooLarge,
		wrongType: func(name string) error { return invalid("upload.error.pdf_type", "name", name) },
		tooLarge:  func(string, *media.TooLargeError) error { return tooLarge },
	}
}

// Form is a form read from a request: its text fields and its files,
// checked and held back until Commit.
type Form struct {
	Values map[string]string
	all    map[string][]string
	staged []*media.Staged
	names  []string
	media  *media.Store
	log    *slog.Logger
}

// Value is a text field, "" when absent.
func (f *Form) Value(name string) string { return f.Values[name] }

// All is every value of a text field sent more than once (checkboxes).
func (f *Form) All(name string) []string { return f.all[name] }

func (f *Form) add(name, value string) {
	if _, seen := f.Values[name]; !seen {
		f.Values[name] = value
	}
	f.all[name] = append(f.all[name], value)
}

// Files is how many files the form carries.
func (f *Form) Files() int { return len(f.staged) }

// Discard removes the files not committed; call it (deferred) on every
// path.
func (f *Form) Discard() {
	for _, s := range f.staged {
		s.Discard()
	}
	f.staged = nil
}

// Commit stores the files under their hashes, makes thumbnails of the
// images, and returns them as attachments. A thumbnail that cannot be made
// is no error: the file is shown as an icon.
func (f *Form) Commit() ([]store.Attachment, error) {
	var out []store.Attachment
	for i, s := range f.staged {
		file, err := s.Commit()
		if err != nil {
			f.staged = f.staged[i+1:]
			f.Discard()
			return nil, err
		}
		a := store.Attachment{Media: file.Hash, Type: file.Type, Size: file.Size, Name: f.names[i]}
		if media.CanThumbnail(file.Type) {
			a.Thumb = f.thumbnail(file)
		}
		out = append(out, a)
	}
	f.staged = nil
	return out, nil
}

func (f *Form) thumbnail(file media.File) string {
	jpg, err := media.Thumbnail(f.media.Path(file.Hash), file.Type, ThumbnailSize)
	if err == nil {
		var th media.File
		th, err = f.media.Put(bytes.NewReader(jpg), int64(len(jpg)), "image/jpeg")
		if err == nil {
			return th.Hash
		}
	}
	if !errors.Is(err, media.ErrNoThumbnail) {
		f.log.Warn("making a thumbnail", "media", file.Hash, "type", file.Type, "err", err)
	}
	return ""
}

// invalid is a refusal the user can act on, shown beside the file input.
func invalid(key string, args ...any) error { return store.Invalid("files", key, args...) }

// Read reads a multipart/form-data body as it arrives, staging each file
// in the media folder: a file of a type not accepted, or over its type's
// limit, is refused as soon as that is known, with a message that says
// which and why, and nothing of it stays on disk. A form sent without
// files (url-encoded) is read too. The route must be declared with
// web.Routes.Streamed.
func Read(c *fiber.Ctx, m *media.Store, lim Limits, log *slog.Logger) (*Form, error) {
	return readForm(c, m, photosAndVideos(lim), log)
}

// ReadPDF reads a form as Read does, but its one file must be a PDF (by
// its content, "%PDF-") of at most max bytes.
func ReadPDF(c *fiber.Ctx, m *media.Store, max int64, log *slog.Logger) (*Form, error) {
	return readForm(c, m, onePDF(max), log)
}

func readForm(c *fiber.Ctx, m *media.Store, acc accept, log *slog.Logger) (*Form, error) {
	f := &Form{Values: map[string]string{}, all: map[string][]string{}, media: m, log: log}
	length := int64(c.Request().Header.ContentLength())
	mt, params, err := mime.ParseMediaType(c.Get(fiber.HeaderContentType))
	if err != nil || mt != fiber.MIMEMultipartForm || params["boundary"] == "" {
		if length < 0 || length > maxField {
			c.Context().SetConnectionClose()
			return nil, fiber.ErrRequestEntityTooLarge
		}
		c.Request().PostArgs().VisitAll(func(k, v []byte) { f.add(string(k), string(v)) })
		return f, nil
	}
	if length > acc.total {
		c.Context().SetConnectionClose()
		return nil, acc.overall
	}
	var body io.Reader = c.Context().RequestBodyStream()
	if body == nil {
		body = bytes.NewReader(c.Body())
	}
	counted := &counter{r: body, conn: c.Context().Conn()}
	err = f.read(multipart.NewReader(io.LimitReader(counted, acc.total+1), params["boundary"]), acc)
	if err != nil {
		f.Discard()
		if counted.n > acc.total {
			err = acc.overall
		}
		// The browser shows the answer only once it has sent its request:
		// read the rest of it (bounded by the limit) before answering.
		web.DrainBody(c, acc.total)
		return nil, err
	}
	return f, nil
}

func (f *Form) read(mr *multipart.Reader, acc accept) error {
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return acc.broken
		}
		name := part.FileName()
		if name == "" { // a text field, or a file input left empty
			data, err := io.ReadAll(io.LimitReader(part, maxField+1))
			if err != nil {
				return acc.broken
			}
			if len(data) > maxField {
				return store.Invalid(part.FormName(), "messages.error.too_long", "max", store.MaxMessageText)
			}
			f.add(part.FormName(), string(data))
			continue
		}
		if len(f.staged) == acc.files {
			return acc.tooMany
		}
		in := &readErr{r: part}
		st, err := f.media.Stage(in, acc.limit)
		var tooLarge *media.TooLargeError
		switch {
		case in.err != nil:
			// The body ended early: the phone lost its connection.
			return acc.broken
		case errors.As(err, &tooLarge):
			return acc.tooLarge(name, tooLarge)
		case errors.Is(err, media.ErrType):
			return acc.wrongType(name)
		case err != nil:
			return fmt.Errorf("receive %s: %w", name, err)
		}
		f.staged = append(f.staged, st)
		f.names = append(f.names, name)
	}
}

// counter counts the body read and keeps the connection's read deadline
// ahead while bytes arrive.
type counter struct {
	r    io.Reader
	n    int64
	conn net.Conn
}

func (c *counter) Read(p []byte) (int, error) {
	if c.conn != nil {
		_ = c.conn.SetReadDeadline(time.Now().Add(stall))
	}
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// readErr remembers a read error other than the end of the data.
type readErr struct {
	r   io.Reader
	err error
}

func (r *readErr) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if err != nil && !errors.Is(err, io.EOF) {
		r.err = err
	}
	return n, err
}
