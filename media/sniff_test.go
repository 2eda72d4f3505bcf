package media

import (
	"bytes"
	"encoding/binary"
	"testing"
)

// ftyp is the first box of an ISO base media file with these brands.
func ftyp(major string, compatible ...string) []byte {
	size := 16 + 4*len(compatible)
	b := make([]byte, 0, size+16)
	b = binary.BigEndian.AppendUint32(b, uint32(size))
	b = append(b, "ftyp"+major+"\x00\x00\x00\x00"...)
	for _, c := range compatible {
		b = append(b, c...)
	}
	// The next box, as a real file has.
	return append(b, 0, 0, 0, 8, 'f', 'r', 'e', 'e')
}

func TestSniff(t *testing.T) {
	tests := []struct {
		name string
		head []byte
		want string
	}{
		{"iPhone photo (HEIC)", ftyp("heic", "mif1", "heic"), "image/heic"},
		{"Android photo (HEIF, mif1 first)", ftyp("mif1", "mif1", "heic"), "image/heic"},
		{"HEIF without HEVC", ftyp("mif1", "mif1"), "image/heif"},
		{"AVIF is not HEIF", ftyp("avif", "avif", "mif1", "miaf"), "image/avif"},
		{"iPhone video (QuickTime)", ftyp("qt  ", "qt  "), "video/quicktime"},
		{"Android video (MP4)", ftyp("isom", "isom", "iso2", "avc1", "mp41"), "video/mp4"},
		{"MP4 with mp42 major", ftyp("mp42", "mp42", "isom"), "video/mp4"},
		{"3GP", ftyp("3gp4", "3gp4", "isom"), "video/mp4"},
		{"unknown brand", ftyp("zzzz", "zzzz"), "application/octet-stream"},
		{"WebM", []byte("\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08\x42\x82\x84webm"), "video/webm"},
		{"JPEG", []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), "image/jpeg"},
		{"PNG", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), "image/png"},
		{"WebP", []byte("RIFF\x24\x00\x00\x00WEBPVP8 "), "image/webp"},
		{"a PDF called photo.jpg", []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"), "application/pdf"},
		{"text has no parameters", []byte("hello"), "text/plain"},
		{"ftyp box with a bad size", append([]byte{0, 0, 0, 3}, ftyp("heic")[4:]...), "application/octet-stream"},
		{"truncated ftyp", ftyp("heic")[:12], "application/octet-stream"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Sniff(tt.head); got != tt.want {
				t.Errorf("Sniff = %q, want %q", got, tt.want)
			}
		})
	}
}

func FuzzSniff(f *testing.F) {
	f.Add(ftyp("heic", "mif1"))
	f.Add(ftyp("qt  "))
	f.Add([]byte("\xff\xd8\xff"))
	f.Fuzz(func(t *testing.T, head []byte) {
		if got := Sniff(head); got == "" || bytes.ContainsRune([]byte(got), ';') {
			t.Errorf("Sniff(%q) = %q", head, got)
		}
	})
}
