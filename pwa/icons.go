package pwa

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	"pitlane/fonts"
	"pitlane/store"
)

// appIcon is one icon the app needs: the manifest's three (192 and 512 for
// any launcher, a 512 maskable one that Android crops to its own shape) and
// the one iOS puts on its home screen, which ignores the manifest's.
type appIcon struct {
	name     string
	size     int
	purpose  string
	manifest bool
	// fullBleed fills the whole square: the platform cuts its own shape.
	fullBleed bool
	// letter is the initial's size as a share of the icon; a maskable icon
	// keeps it inside the central circle every mask leaves visible.
	letter float64
}

var appIcons = []appIcon{
	{name: "icon-192.png", size: 192, purpose: "any", manifest: true, letter: 0.62},
	{name: "icon-512.png", size: 512, purpose: "any", manifest: true, letter: 0.62},
	{name: "maskable-512.png", size: 512, purpose: "maskable", manifest: true, fullBleed: true, letter: 0.46},
	{name: "apple-touch-icon.png", size: 180, fullBleed: true, letter: 0.56},
}

// iconCache keeps drawn icons per theme colour and initial: drawing a 512
// px icon takes milliseconds, and every install asks for each.
type iconCache struct {
	mu sync.Mutex
	m  map[string][]byte
}

func (c *iconCache) get(ic appIcon, theme, letter string) ([]byte, error) {
	key := ic.name + "\x00" + theme + "\x00" + letter
	c.mu.Lock()
	defer c.mu.Unlock()
	if png, ok := c.m[key]; ok {
		return png, nil
	}
	png, err := drawIcon(ic, theme, letter)
	if err != nil {
		return nil, err
	}
	// Old themes are dropped wholesale: settings change rarely.
	if c.m == nil || len(c.m) >= 4*len(appIcons) {
		c.m = map[string][]byte{}
	}
	c.m[key] = png
	return png, nil
}

var (
	boldOnce sync.Once
	boldFont *opentype.Font
	boldErr  error
)

// drawIcon draws the dealership's initial in the contrasting colour on the
// theme colour: a rounded square for "any", the full square otherwise.
func drawIcon(ic appIcon, theme, letter string) ([]byte, error) {
	bg := parseHex(theme)
	fg := color.RGBA{255, 255, 255, 255}
	if light(theme) {
		fg = color.RGBA{17, 17, 17, 255}
	}
	n := ic.size
	img := image.NewRGBA(image.Rect(0, 0, n, n))
	radius := 0.0
	if !ic.fullBleed {
		radius = 0.2 * float64(n)
	}
	for y := range n {
		for x := range n {
			if a := roundedCoverage(float64(x)+0.5, float64(y)+0.5, float64(n), radius); a > 0 {
				img.SetRGBA(x, y, color.RGBA{premul(bg.R, a), premul(bg.G, a), premul(bg.B, a), uint8(math.Round(255 * a))})
			}
		}
	}

	boldOnce.Do(func() { boldFont, boldErr = opentype.Parse(fonts.Bold) })
	if boldErr != nil {
		return nil, boldErr
	}
	face, err := opentype.NewFace(boldFont, &opentype.FaceOptions{Size: ic.letter * float64(n), DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		return nil, err
	}
	defer face.Close()
	d := &font.Drawer{Dst: img, Src: image.NewUniform(fg), Face: face}
	b, _ := d.BoundString(letter)
	// Centre the glyph's ink, not its advance box, so any letter sits in
	// the middle.
	w, h := b.Max.X-b.Min.X, b.Max.Y-b.Min.Y
	half := fixed.I(n) / 2
	d.Dot = fixed.Point26_6{X: half - w/2 - b.Min.X, Y: half - h/2 - b.Min.Y}
	d.DrawString(letter)

	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// roundedCoverage is how much of the pixel centred at (x, y) a square of
// side n with corners of radius r covers, antialiased over one pixel.
func roundedCoverage(x, y, n, r float64) float64 {
	if r == 0 {
		return 1
	}
	cx := math.Min(math.Max(x, r), n-r)
	cy := math.Min(math.Max(y, r), n-r)
	d := math.Hypot(x-cx, y-cy)
	return math.Min(math.Max(r-d+0.5, 0), 1)
}

func premul(c uint8, a float64) uint8 { return uint8(math.Round(float64(c) * a)) }

// initial is what the icon shows: the first letter or digit of the
// dealership's name.
func initial(name string) string {
	for _, r := range name {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return string(unicode.ToUpper(r))
		}
	}
	return "P"
}

// parseHex reads "#rrggbb" (store.Settings checks the form).
func parseHex(s string) color.RGBA {
	v, err := strconv.ParseUint(strings.TrimPrefix(s, "#"), 16, 32)
	if err != nil || len(s) != 7 {
		return parseHex(store.DefaultThemeColor)
	}
	return color.RGBA{uint8(v >> 16), uint8(v >> 8), uint8(v), 255}
}

// light reports whether dark text reads better than white on colour s
// (the higher WCAG contrast ratio wins).
func light(s string) bool {
	c := parseHex(s)
	lin := func(v uint8) float64 {
		f := float64(v) / 255
		if f <= 0.04045 {
			return f / 12.92
		}
		return math.Pow((f+0.055)/1.055, 2.4)
	}
	l := 0.2126*lin(c.R) + 0.7152*lin(c.G) + 0.0722*lin(c.B)
	return (l+0.05)/0.05 > 1.05/(l+0.05)
}
