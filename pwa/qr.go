package pwa

import (
	"encoding/base64"
	"html/template"

	qrcode "github.com/skip2/go-qrcode"
)

// QRCode draws link as a PNG QR code, module pixels per module (whole
// pixels keep the modules crisp), with the quiet border cameras need.
// Medium error correction keeps the code small enough to scan from across
// a desk while surviving a crease in the paper.
func QRCode(link string, module int) ([]byte, error) {
	q, err := qrcode.New(link, qrcode.Medium)
	if err != nil {
		return nil, err
	}
	return q.PNG(-module)
}

// QRDataURL is QRCode as a data: URL, for an <img> that needs no request
// of its own (the page's CSP allows data: images).
func QRDataURL(link string) (template.URL, error) {
	png, err := QRCode(link, 8)
	if err != nil {
		return "", err
	}
	return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png)), nil
}
