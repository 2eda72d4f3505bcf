package media

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	_ "image/png" // decoders for image.Decode
	"io"
	"os"

	"golang.org/x/image/draw"
	_ "golang.org/x/image/webp"
)

// ErrNoThumbnail means no thumbnail can be made of the file: it is not an
// image Go decodes (HEIC has no Go decoder; a video is not an image), or it
// is too large to decode safely.
var ErrNoThumbnail = errors.New("no thumbnail for this file")

// thumbnailTypes are the types Thumbnail decodes.
var thumbnailTypes = []string{"image/jpeg", "image/png", "image/webp"}

// CanThumbnail reports whether Thumbnail handles files of type ctype.
func CanThumbnail(ctype string) bool { return accepted(ctype, thumbnailTypes) }

// maxPixels bounds the images decoded: 50 megapixels is more than any
// phone takes, and decoding that many takes about 200 MB of memory.
const maxPixels = 50_000_000

// thumbnailSlots bounds how many images are decoded at once, so a burst of
// uploads cannot take the memory the rest of the appliance needs.
var thumbnailSlots = make(chan struct{}, 2)

// Thumbnail decodes the image file at path (of type ctype, as sniffed) and
// returns a JPEG of it at most size pixels on its longer side, turned
// upright as the camera's EXIF orientation says.
func Thumbnail(path, ctype string, size int) ([]byte, error) {
	if !CanThumbnail(ctype) {
		return nil, ErrNoThumbnail
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cfg, _, err := image.DecodeConfig(f)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoThumbnail, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > maxPixels {
		return nil, ErrNoThumbnail
	}
	orientation := 1
	if ctype == "image/jpeg" {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return nil, err
		}
		orientation = jpegOrientation(f)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	thumbnailSlots <- struct{}{}
	defer func() { <-thumbnailSlots }()
	src, _, err := image.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoThumbnail, err)
	}
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	if w > size || h > size {
		if w >= h {
			w, h = size, max(1, h*size/b.Dx())
		} else {
			w, h = max(1, w*size/b.Dy()), size
		}
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	// JPEG has no transparency: what was transparent is shown on white.
	draw.Draw(dst, dst.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	draw.CatmullRom.Scale(dst, dst.Bounds(), src, b, draw.Over, nil)
	var out bytes.Buffer
	if err := jpeg.Encode(&out, orient(dst, orientation), &jpeg.Options{Quality: 80}); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// jpegOrientation reads the EXIF Orientation tag (1 to 8) of a JPEG; 1,
// upright, when there is none. Phones store photos as the sensor saw them
// and say in this tag how to turn them.
func jpegOrientation(r io.Reader) int {
	head := make([]byte, 128<<10)
	n, _ := io.ReadFull(r, head)
	head = head[:n]
	if len(head) < 4 || head[0] != 0xFF || head[1] != 0xD8 {
		return 1
	}
	for i := 2; i+4 <= len(head); {
		if head[i] != 0xFF {
			return 1
		}
		marker := head[i+1]
		if marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01 || marker == 0xFF {
			i++
			continue
		}
		if marker == 0xDA || marker == 0xD9 { // image data: no EXIF before it
			return 1
		}
		length := int(binary.BigEndian.Uint16(head[i+2:]))
		if length < 2 || i+2+length > len(head) {
			return 1
		}
		seg := head[i+4 : i+2+length]
		if marker == 0xE1 && bytes.HasPrefix(seg, []byte("Exif\x00\x00")) {
			return exifOrientation(seg[6:])
		}
		i += 2 + length
	}
	return 1
}

// exifOrientation finds tag 0x0112 in IFD0 of a TIFF structure.
func exifOrientation(tiff []byte) int {
	if len(tiff) < 8 {
		return 1
	}
	var order binary.ByteOrder
	switch string(tiff[:2]) {
	case "II":
		order = binary.LittleEndian
	case "MM":
		order = binary.BigEndian
	default:
		return 1
	}
	ifd := int(order.Uint32(tiff[4:]))
	if ifd < 8 || ifd+2 > len(tiff) {
		return 1
	}
	count := int(order.Uint16(tiff[ifd:]))
	for i := range count {
		e := ifd + 2 + 12*i
		if e+12 > len(tiff) {
			return 1
		}
		if order.Uint16(tiff[e:]) == 0x0112 && order.Uint16(tiff[e+2:]) == 3 {
			if o := int(order.Uint16(tiff[e+8:])); o >= 1 && o <= 8 {
				return o
			}
			return 1
		}
	}
	return 1
}

// orient turns img as EXIF orientation o says to show it upright.
func orient(img *image.RGBA, o int) image.Image {
	if o <= 1 || o > 8 {
		return img
	}
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	dw, dh := w, h
	if o >= 5 {
		dw, dh = h, w
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for y := range dh {
		for x := range dw {
			var sx, sy int
			switch o {
			case 2: // mirrored
				sx, sy = w-1-x, y
			case 3: // upside down
				sx, sy = w-1-x, h-1-y
			case 4: // mirrored upside down
				sx, sy = x, h-1-y
			case 5: // mirrored, turned
				sx, sy = y, x
			case 6: // to be turned clockwise
				sx, sy = y, h-1-x
			case 7: // mirrored, turned the other way
				sx, sy = w-1-y, h-1-x
			case 8: // to be turned anticlockwise
				sx, sy = w-1-y, x
			}
			dst.SetRGBA(x, y, img.RGBAAt(sx, sy))
		}
	}
	return dst
}
