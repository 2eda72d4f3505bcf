package media

import (
	"bytes"
	"encoding/binary"
	"net/http"
	"strings"
)

// Sniff names the type of content from its first bytes (512 are enough),
// as http.DetectContentType does, and also knows what phones record that
// it does not: HEIC/HEIF photos and QuickTime videos, which like MP4 are
// ISO base media files whose first box ("ftyp") names their brands.
func Sniff(head []byte) string {
	if t := sniffFtyp(head); t != "" {
		return t
	}
	ctype := http.DetectContentType(head)
	if i := strings.IndexByte(ctype, ';'); i >= 0 {
		ctype = ctype[:i]
	}
	return ctype
}

// Brands of the ftyp box (ISO/IEC 14496-12 §4.3) and the type they mean.
var (
	heicBrands = []string{"heic", "heix", "heim", "heis", "hevc", "hevx"}
	heifBrands = []string{"mif1", "msf1", "heif"}
	mp4Brands  = []string{"isom", "iso2", "iso3", "iso4", "iso5", "iso6", "iso8", "iso9", "mp41", "mp42", "avc1", "M4V ", "M4VP", "MSNV", "dash", "f4v "}
)

func sniffFtyp(head []byte) string {
	if len(head) < 16 || string(head[4:8]) != "ftyp" {
		return ""
	}
	size := int(binary.BigEndian.Uint32(head[:4]))
	if size < 16 || size%4 != 0 {
		return ""
	}
	box := head[:min(size, len(head))]
	major := string(box[8:12])
	var brands []string
	for i := 16; i+4 <= len(box); i += 4 {
		brands = append(brands, string(box[i:i+4]))
	}
	has := func(list []string) bool {
		for _, b := range append([]string{major}, brands...) {
			for _, want := range list {
				if b == want {
					return true
				}
			}
		}
		return false
	}
	// An image file lists the still-image brands; a video never does.
	switch {
	case major == "avif" || major == "avis":
		return "image/avif"
	case has(heicBrands):
		return "image/heic"
	case has(heifBrands):
		return "image/heif"
	case major == "qt  ":
		return "video/quicktime"
	case has(mp4Brands):
		return "video/mp4"
	case bytes.HasPrefix(box[8:12], []byte("3gp")) || bytes.HasPrefix(box[8:12], []byte("3g2")):
		return "video/3gpp"
	}
	return ""
}
