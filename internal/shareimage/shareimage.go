// Package shareimage draws the pictures Whipcount gives to browsers and
// social networks: the site's icon and each campaign's share card, the
// image a link shows when it is posted. It draws with the Go fonts, so the
// pictures look the same on every machine and need no files.
package shareimage

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"strings"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"
)

// The house colours (see web/static/app.css).
var (
	navy   = color.RGBA{0x12, 0x32, 0x5e, 0xff}
	yellow = color.RGBA{0xff, 0xd4, 0x6b, 0xff}
	white  = color.RGBA{0xff, 0xff, 0xff, 0xff}
	pale   = color.RGBA{0xd7, 0xe2, 0xf0, 0xff}
)

// CardWidth and CardHeight are the share card's size: the 1.91:1 shape
// that Open Graph and Twitter's large card both show uncropped.
const (
	CardWidth  = 1200
	CardHeight = 630
)

var (
	boldFont    *opentype.Font
	regularFont *opentype.Font
)

func init() {
	var err error
	if boldFont, err = opentype.Parse(gobold.TTF); err != nil {
		panic(err) // the font is compiled in; this cannot fail
	}
	if regularFont, err = opentype.Parse(goregular.TTF); err != nil {
		panic(err)
	}
}

func face(f *opentype.Font, size float64) (font.Face, error) {
	return opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
}

// wrap breaks text into lines no wider than width in face.
func wrap(fc font.Face, text string, width int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(text) {
		try := w
		if line != "" {
			try = line + " " + w
		}
		if line != "" && font.MeasureString(fc, try).Ceil() > width {
			lines = append(lines, line)
			line = w
			continue
		}
		line = try
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}

// Card draws a campaign's share card: its title large, a line under it
// (the call to action), and the site's mark. A title too long for three
// lines at the largest size is set smaller.
func Card(title, line string) ([]byte, error) {
	img := image.NewRGBA(image.Rect(0, 0, CardWidth, CardHeight))
	draw.Draw(img, img.Bounds(), image.NewUniform(navy), image.Point{}, draw.Src)
	// A yellow band down the left edge.
	draw.Draw(img, image.Rect(0, 0, 24, CardHeight), image.NewUniform(yellow), image.Point{}, draw.Src)
	const margin = 90
	width := CardWidth - 2*margin

	var titleFace font.Face
	var lines []string
	for _, size := range []float64{84, 72, 62, 54, 46} {
		fc, err := face(boldFont, size)
		if err != nil {
			return nil, fmt.Errorf("share card: %w", err)
		}
		titleFace, lines = fc, wrap(fc, title, width)
		if len(lines) <= 3 {
			break
		}
	}
	if len(lines) > 4 {
		lines = append(lines[:3], strings.TrimSpace(lines[3])+"…")
		lines = lines[:4]
	}
	lineHeight := titleFace.Metrics().Height.Ceil() + 6
	y := margin + titleFace.Metrics().Ascent.Ceil()
	for _, l := range lines {
		text(img, titleFace, white, margin, y, l)
		y += lineHeight
	}
	sub, err := face(regularFont, 40)
	if err != nil {
		return nil, fmt.Errorf("share card: %w", err)
	}
	y += 24
	for _, l := range wrap(sub, line, width) {
		text(img, sub, yellow, margin, y, l)
		y += sub.Metrics().Height.Ceil() + 4
	}
	brand, err := face(boldFont, 36)
	if err != nil {
		return nil, fmt.Errorf("share card: %w", err)
	}
	mark(img, image.Rect(margin, CardHeight-margin-48, margin+48, CardHeight-margin))
	text(img, brand, pale, margin+66, CardHeight-margin-10, "Whipcount")

	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("share card: %w", err)
	}
	return buf.Bytes(), nil
}

func text(dst draw.Image, fc font.Face, c color.Color, x, y int, s string) {
	d := font.Drawer{Dst: dst, Src: image.NewUniform(c), Face: fc, Dot: fixed.P(x, y)}
	d.DrawString(s)
}

// mark draws the site's icon into r: a yellow tick on a navy rounded
// square with a pale border, so it shows on dark and light backgrounds.
func mark(dst draw.Image, r image.Rectangle) {
	s := float32(r.Dx())
	z := vector.NewRasterizer(r.Dx(), r.Dy())
	rounded(z, 0, 0, s, s, s*0.2)
	z.Draw(dst, r, image.NewUniform(pale), image.Point{})
	z.Reset(r.Dx(), r.Dy())
	in := s * 0.07
	rounded(z, in, in, s-in, s-in, s*0.16)
	z.Draw(dst, r, image.NewUniform(navy), image.Point{})
	z.Reset(r.Dx(), r.Dy())
	// The tick: a thick stroke drawn as one polygon.
	pts := [][2]float32{{0.22, 0.52}, {0.33, 0.41}, {0.44, 0.53}, {0.69, 0.26}, {0.80, 0.37}, {0.44, 0.75}}
	z.MoveTo(pts[0][0]*s, pts[0][1]*s)
	for _, p := range pts[1:] {
		z.LineTo(p[0]*s, p[1]*s)
	}
	z.ClosePath()
	z.Draw(dst, r, image.NewUniform(yellow), image.Point{})
}

// rounded adds a rectangle with rounded corners to z's path.
func rounded(z *vector.Rasterizer, x0, y0, x1, y1, rad float32) {
	z.MoveTo(x0+rad, y0)
	z.LineTo(x1-rad, y0)
	z.QuadTo(x1, y0, x1, y0+rad)
	z.LineTo(x1, y1-rad)
	z.QuadTo(x1, y1, x1-rad, y1)
	z.LineTo(x0+rad, y1)
	z.QuadTo(x0, y1, x0, y1-rad)
	z.LineTo(x0, y0+rad)
	z.QuadTo(x0, y0, x0+rad, y0)
	z.ClosePath()
}

// IconPNG is the site's icon as a square PNG of size pixels.
func IconPNG(size int) ([]byte, error) {
	img := image.NewRGBA(image.Rect(0, 0, size, size))
	mark(img, img.Bounds())
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("icon: %w", err)
	}
	return buf.Bytes(), nil
}

// FaviconICO is the icon as /favicon.ico: an ICO file holding 16, 32 and
// 48 pixel PNGs, which every browser reads.
func FaviconICO() ([]byte, error) {
	sizes := []int{16, 32, 48}
	var pngs [][]byte
	for _, n := range sizes {
		b, err := IconPNG(n)
		if err != nil {
			return nil, err
		}
		pngs = append(pngs, b)
	}
	var buf bytes.Buffer
	// ICONDIR: reserved, type 1 (icon), count.
	for _, v := range []uint16{0, 1, uint16(len(sizes))} {
		_ = binary.Write(&buf, binary.LittleEndian, v)
	}
	offset := 6 + 16*len(sizes)
	for i, n := range sizes {
		// ICONDIRENTRY: width, height, colours, reserved, planes, bits,
		// size of the image data, its offset.
		buf.Write([]byte{byte(n), byte(n), 0, 0})
		_ = binary.Write(&buf, binary.LittleEndian, uint16(1))
		_ = binary.Write(&buf, binary.LittleEndian, uint16(32))
		_ = binary.Write(&buf, binary.LittleEndian, uint32(len(pngs[i])))
		_ = binary.Write(&buf, binary.LittleEndian, uint32(offset))
		offset += len(pngs[i])
	}
	for _, p := range pngs {
		buf.Write(p)
	}
	return buf.Bytes(), nil
}
