// Package upload reads the photos and videos a form sends as the request
// body streams in: each file's type is checked by its content, each is
// held to its type's size limit, stored by content hash, and images get a
// thumbnail.
package upload

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net"
	"slices"
	"time"

	"github.com/gofiber/fiber/v2"

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

// The types accepted, by content. Phones take JPEG or HEIC photos and MP4
// or QuickTime videos; browsers make PNG, WebP and WebM.
var (
	PhotoTypes = []string{"image/jpeg", "image/png", "image/webp", "image/heic", "image/heif"}
	VideoTypes = []string{"video/mp4", "video/quicktime", "video/webm"}
)

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

// Form is a form read from a request: its text fields and its files,
// checked and held back until Commit.
type Form struct {
	Values map[string]string
	staged []*media.Staged
	names  []string
	media  *media.Store
	log    *slog.Logger
}

// Value is a text field, "" when absent.
func (f *Form) Value(name string) string { return f.Values[name] }

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
	f := &Form{Values: map[string]string{}, media: m, log: log}
	length := int64(c.Request().Header.ContentLength())
	mt, params, err := mime.ParseMediaType(c.Get(fiber.HeaderContentType))
	if err != nil || mt != fiber.MIMEMultipartForm || params["boundary"] == "" {
		if length < 0 || length > maxField {
			c.Context().SetConnectionClose()
			return nil, fiber.ErrRequestEntityTooLarge
		}
		c.Request().PostArgs().VisitAll(func(k, v []byte) {
			if _, seen := f.Values[string(k)]; !seen {
				f.Values[string(k)] = string(v)
			}
		})
		return f, nil
	}
	if length > lim.Total() {
		c.Context().SetConnectionClose()
		return nil, invalid("upload.error.total", "max", MB(lim.Total()))
	}
	var body io.Reader = c.Context().RequestBodyStream()
	if body == nil {
		body = bytes.NewReader(c.Body())
	}
	counted := &counter{r: body, conn: c.Context().Conn()}
	err = f.read(multipart.NewReader(io.LimitReader(counted, lim.Total()+1), params["boundary"]), lim)
	if err != nil {
		f.Discard()
		if counted.n > lim.Total() {
			err = invalid("upload.error.total", "max", MB(lim.Total()))
		}
		// The browser shows the answer only once it has sent its request:
		// read the rest of it (bounded by the limit) before answering.
		web.DrainBody(c, lim.Total())
		return nil, err
	}
	return f, nil
}

func (f *Form) read(mr *multipart.Reader, lim Limits) error {
	limit := func(ctype string) (int64, bool) {
		switch {
		case slices.Contains(PhotoTypes, ctype):
			return lim.Photo, true
		case slices.Contains(VideoTypes, ctype):
			return lim.Video, true
		}
		return 0, false
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return invalid("upload.error.broken")
		}
		name := part.FileName()
		if name == "" { // a text field, or a file input left empty
			data, err := io.ReadAll(io.LimitReader(part, maxField+1))
			if err != nil {
				return invalid("upload.error.broken")
			}
			if len(data) > maxField {
				return store.Invalid(part.FormName(), "messages.error.too_long", "max", store.MaxMessageText)
			}
			if _, seen := f.Values[part.FormName()]; !seen {
				f.Values[part.FormName()] = string(data)
			}
			continue
		}
		if len(f.staged) == store.MaxAttachments {
			return invalid("messages.error.too_many_files", "max", store.MaxAttachments)
		}
		in := &readErr{r: part}
		st, err := f.media.Stage(in, limit)
		var tooLarge *media.TooLargeError
		switch {
		case in.err != nil:
			// The body ended early: the phone lost its connection.
			return invalid("upload.error.broken")
		case errors.As(err, &tooLarge):
			key := "upload.error.photo_too_large"
			if slices.Contains(VideoTypes, tooLarge.Type) {
				key = "upload.error.video_too_large"
			}
			return invalid(key, "name", name, "max", MB(tooLarge.Max))
		case errors.Is(err, media.ErrType):
			return invalid("upload.error.type", "name", name)
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
