// Package fonts embeds the typeface documents and icons are drawn with, so
// the appliance never depends on the fonts of the PC it runs on.
package fonts

import _ "embed"

// DejaVu Sans covers every language the appliance speaks (Romanian ș and ț
// included). Its licence, which allows embedding, is in LICENSE.
var (
	//go:embed DejaVuSans.ttf
	Regular []byte
	//go:embed DejaVuSans-Bold.ttf
	Bold []byte
)
