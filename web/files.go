package web

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"pitlane/store"
)

// File is a stored file to send.
type File struct {
	Path string
	Type string
	// Name is offered to save it as; empty: none.
	Name string
	// ETag is a strong validator; a content hash is the natural one.
	ETag string
	// Attachment offers the file for saving rather than showing it.
	Attachment bool
}

// sendStall is how long a file download may make no progress: the
// server's write timeout covers a whole response, too short for a long
// video on a phone's mobile data, so each chunk read extends it.
const sendStall = 2 * time.Minute

// SendFile answers a GET or HEAD with f the way http.ServeContent does:
// Accept-Ranges, a single byte range as 206 (a request for several ranges
// gets the whole file, which RFC 9110 allows), 416 for a range outside
// the file, If-Range, and 304 for an If-None-Match that matches. The file
// is streamed, never read into memory. Content addressed files never
// change, so the caller's private cache may keep them.
func SendFile(c *fiber.Ctx, f File) error {
	fh, err := os.Open(f.Path)
	if err != nil {
		return store.NotFound()
	}
	fi, err := fh.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		fh.Close()
		return store.NotFound()
	}
	size := fi.Size()
	h := &c.Response().Header
	h.Set(fiber.HeaderContentType, f.Type)
	h.Set(fiber.HeaderAcceptRanges, "bytes")
	h.Set(fiber.HeaderCacheControl, "private, max-age=31536000, immutable")
	h.Set(fiber.HeaderLastModified, fi.ModTime().UTC().Format(http.TimeFormat))
	if f.ETag != "" {
		h.Set(fiber.HeaderETag, f.ETag)
	}
	if f.Name != "" {
		disposition := "inline"
		if f.Attachment {
			disposition = "attachment"
		}
		h.Set(fiber.HeaderContentDisposition, disposition+"; filename*=UTF-8''"+url.PathEscape(f.Name))
	}
	if f.ETag != "" && etagMatches(c.Get(fiber.HeaderIfNoneMatch), f.ETag) {
		fh.Close()
		return c.SendStatus(fiber.StatusNotModified)
	}
	start, length := int64(0), size
	if rng := c.Get(fiber.HeaderRange); rng != "" && ifRange(c.Get(fiber.HeaderIfRange), f.ETag, fi.ModTime()) {
		from, n, ok := ParseRange(rng, size)
		if !ok {
			fh.Close()
			h.Set(fiber.HeaderContentRange, fmt.Sprintf("bytes */%d", size))
			c.Status(fiber.StatusRequestedRangeNotSatisfiable)
			return nil
		}
		if from >= 0 {
			start, length = from, n
			c.Status(fiber.StatusPartialContent)
			h.Set(fiber.HeaderContentRange, fmt.Sprintf("bytes %d-%d/%d", from, from+n-1, size))
		}
	}
	if c.Method() == fiber.MethodHead {
		fh.Close()
		h.SetContentLength(int(length))
		c.Context().Response.SkipBody = true
		return nil
	}
	return c.SendStream(&fileStream{r: io.NewSectionReader(fh, start, length), f: fh, conn: c.Context().Conn()}, int(length))
}

// etagMatches applies If-None-Match (weak comparison, as RFC 9110 says).
func etagMatches(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == strings.TrimPrefix(etag, "W/") {
			return true
		}
	}
	return false
}

// ifRange says whether a Range header applies: with no If-Range, or one
// that names the current file by its strong ETag or exact date.
func ifRange(header, etag string, modified time.Time) bool {
	header = strings.TrimSpace(header)
	switch {
	case header == "":
		return true
	case strings.HasPrefix(header, `"`):
		return etag != "" && header == etag
	case strings.HasPrefix(header, "W/"):
		return false
	}
	t, err := http.ParseTime(header)
	return err == nil && modified.UTC().Truncate(time.Second).Equal(t)
}

// ParseRange reads a Range header against a file of size bytes. It returns
// from = -1 for a header to ignore (malformed, another unit, several
// ranges: the whole file is sent), and ok = false for a range that lies
// outside the file.
func ParseRange(h string, size int64) (from, n int64, ok bool) {
	spec, found := strings.CutPrefix(strings.TrimSpace(h), "bytes=")
	if !found || strings.Contains(spec, ",") {
		return -1, 0, true
	}
	first, last, found := strings.Cut(strings.TrimSpace(spec), "-")
	first, last = strings.TrimSpace(first), strings.TrimSpace(last)
	if !found {
		return -1, 0, true
	}
	if first == "" { // the last N bytes
		suffix, err := strconv.ParseInt(last, 10, 64)
		if err != nil || suffix < 0 {
			return -1, 0, true
		}
		if suffix == 0 || size == 0 {
			return 0, 0, false
		}
		suffix = min(suffix, size)
		return size - suffix, suffix, true
	}
	start, err := strconv.ParseInt(first, 10, 64)
	if err != nil || start < 0 {
		return -1, 0, true
	}
	if start >= size {
		return 0, 0, false
	}
	end := size - 1
	if last != "" {
		e, err := strconv.ParseInt(last, 10, 64)
		if err != nil || e < start {
			return -1, 0, true
		}
		end = min(e, size-1)
	}
	return start, end - start + 1, true
}

// fileStream streams a file, extending the write deadline at each chunk,
// and closes it when done.
type fileStream struct {
	r    io.Reader
	f    *os.File
	conn net.Conn
}

func (s *fileStream) Read(p []byte) (int, error) {
	if s.conn != nil {
		_ = s.conn.SetWriteDeadline(time.Now().Add(sendStall))
	}
	return s.r.Read(p)
}

func (s *fileStream) Close() error { return s.f.Close() }
