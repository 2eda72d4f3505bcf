package media

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

// withOrientation inserts an EXIF block with the Orientation tag after a
// JPEG's start marker, as a phone camera writes it.
func withOrientation(jpg []byte, o uint16, order binary.AppendByteOrder) []byte {
	tiff := []byte("MM\x00\x2a\x00\x00\x00\x08")
	if order == (binary.AppendByteOrder)(binary.LittleEndian) {
		tiff = []byte("II\x2a\x00\x08\x00\x00\x00")
	}
	tiff = order.AppendUint16(tiff, 2)
	tiff = order.AppendUint16(tiff, 0x010f) // Make, an ASCII tag before it
	tiff = order.AppendUint16(tiff, 2)
	tiff = order.AppendUint32(tiff, 4)
	tiff = append(tiff, "Foo\x00"...)
	tiff = order.AppendUint16(tiff, 0x0112)
	tiff = order.AppendUint16(tiff, 3)
	tiff = order.AppendUint32(tiff, 1)
	tiff = order.AppendUint16(tiff, o)
	tiff = append(tiff, 0, 0, 0, 0, 0, 0)
	seg := append([]byte("Exif\x00\x00"), tiff...)
	app1 := append([]byte{0xFF, 0xE1}, byte((len(seg)+2)>>8), byte(len(seg)+2))
	app1 = append(app1, seg...)
	return append(append(append([]byte{}, jpg[:2]...), app1...), jpg[2:]...)
}

// landscape is a 400×200 photo: red on the left half, blue on the right.
func landscape(t *testing.T) image.Image {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 400, 200))
	for y := range 200 {
		for x := range 400 {
			c := color.RGBA{R: 220, A: 255}
			if x >= 200 {
				c = color.RGBA{B: 220, A: 255}
			}
			img.Set(x, y, c)
		}
	}
	return img
}

func writeFile(t *testing.T, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "upload")
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func decodeJPEG(t *testing.T, data []byte) image.Image {
	t.Helper()
	img, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("thumbnail is not a JPEG: %v", err)
	}
	return img
}

func reddish(c color.Color) bool {
	r, _, b, _ := c.RGBA()
	return r > b*2
}

func TestThumbnailScalesAndTurnsUpright(t *testing.T) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, landscape(t), nil); err != nil {
		t.Fatal(err)
	}
	plain := buf.Bytes()
	tests := []struct {
		name       string
		data       []byte
		w, h       int
		redAtPoint image.Point // a point that must be red once upright
	}{
		{"no EXIF", plain, 100, 50, image.Pt(10, 25)},
		{"orientation 1", withOrientation(plain, 1, binary.BigEndian), 100, 50, image.Pt(10, 25)},
		{"turned clockwise (6)", withOrientation(plain, 6, binary.BigEndian), 50, 100, image.Pt(25, 10)},
		{"turned anticlockwise (8), Intel order", withOrientation(plain, 8, binary.LittleEndian), 50, 100, image.Pt(25, 90)},
		{"upside down (3)", withOrientation(plain, 3, binary.BigEndian), 100, 50, image.Pt(90, 25)},
		{"mirrored (2)", withOrientation(plain, 2, binary.BigEndian), 100, 50, image.Pt(90, 25)},
		{"nonsense orientation", withOrientation(plain, 42, binary.BigEndian), 100, 50, image.Pt(10, 25)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := Thumbnail(writeFile(t, tt.data), "image/jpeg", 100)
			if err != nil {
				t.Fatal(err)
			}
			img := decodeJPEG(t, out)
			if b := img.Bounds(); b.Dx() != tt.w || b.Dy() != tt.h {
				t.Fatalf("thumbnail %dx%d, want %dx%d", b.Dx(), b.Dy(), tt.w, tt.h)
			}
			if !reddish(img.At(tt.redAtPoint.X, tt.redAtPoint.Y)) {
				t.Errorf("the red half is not where an upright photo has it (%v is %v)", tt.redAtPoint, img.At(tt.redAtPoint.X, tt.redAtPoint.Y))
			}
		})
	}
}

func TestThumbnailPNGKeepsSmallImagesAndWhitensTransparency(t *testing.T) {
	img := image.NewNRGBA(image.Rect(0, 0, 30, 20)) // transparent
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	out, err := Thumbnail(writeFile(t, buf.Bytes()), "image/png", 480)
	if err != nil {
		t.Fatal(err)
	}
	th := decodeJPEG(t, out)
	if b := th.Bounds(); b.Dx() != 30 || b.Dy() != 20 {
		t.Errorf("a small image was resized to %v", b)
	}
	if r, g, b, _ := th.At(5, 5).RGBA(); r < 0xf000 || g < 0xf000 || b < 0xf000 {
		t.Errorf("transparent became %v, want white", th.At(5, 5))
	}
}

func TestNoThumbnail(t *testing.T) {
	// A PNG header claiming 20000×20000 pixels: refused before decoding.
	huge := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	huge = binary.BigEndian.AppendUint32(huge, 20000)
	huge = binary.BigEndian.AppendUint32(huge, 20000)
	huge = append(huge, 8, 2, 0, 0, 0, 0, 0, 0, 0)
	for _, c := range []struct {
		name, ctype string
		data        []byte
	}{
		{"HEIC", "image/heic", ftyp("heic", "mif1")},
		{"a video", "video/mp4", ftyp("isom")},
		{"a huge image", "image/png", huge},
		{"a broken JPEG", "image/jpeg", []byte("\xff\xd8\xff\xe0 not really")},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := Thumbnail(writeFile(t, c.data), c.ctype, 100); !errors.Is(err, ErrNoThumbnail) {
				t.Errorf("err = %v, want ErrNoThumbnail", err)
			}
		})
	}
}

func FuzzJPEGOrientation(f *testing.F) {
	var buf bytes.Buffer
	_ = jpeg.Encode(&buf, image.NewGray(image.Rect(0, 0, 2, 2)), nil)
	f.Add(withOrientation(buf.Bytes(), 6, binary.BigEndian))
	f.Add(withOrientation(buf.Bytes(), 3, binary.LittleEndian))
	f.Fuzz(func(t *testing.T, data []byte) {
		if o := jpegOrientation(bytes.NewReader(data)); o < 1 || o > 8 {
			t.Errorf("orientation %d", o)
		}
	})
}
