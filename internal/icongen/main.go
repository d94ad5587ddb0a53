// Command icongen draws motcua's icon: a red rounded square holding a white document with a
// folded corner, three lines of text and a red seal with a gold star. It writes the 512×512
// PNG the app and FyneApp.toml use and, for Windows, an .ico with the sizes Explorer asks for.
//
//	go run ./internal/icongen -png assets/icon.png -ico /tmp/motcua.ico
//
// Shapes are sampled 8×8 (16×16 for small sizes) per pixel, so edges stay clean at 16 px.
package main

import (
	"bytes"
	"encoding/binary"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
)

func main() {
	pngPath := flag.String("png", "", "write the 512×512 PNG here")
	icoPath := flag.String("ico", "", "write a Windows .ico (16–256 px) here")
	flag.Parse()
	if *pngPath == "" && *icoPath == "" {
		fmt.Fprintln(os.Stderr, "usage: icongen [-png FILE] [-ico FILE]")
		os.Exit(2)
	}
	if *pngPath != "" {
		if err := writePNG(*pngPath, Render(512)); err != nil {
			fail(err)
		}
	}
	if *icoPath != "" {
		b, err := ICO([]int{16, 20, 24, 32, 40, 48, 64, 128, 256})
		if err == nil {
			err = os.WriteFile(*icoPath, b, 0o644)
		}
		if err != nil {
			fail(err)
		}
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "icongen:", err)
	os.Exit(1)
}

func writePNG(path string, img image.Image) error {
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&buf, img); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

var (
	redTop    = color.NRGBA{0xE5, 0x39, 0x35, 0xFF}
	redBottom = color.NRGBA{0xB7, 0x1C, 0x1C, 0xFF}
	white     = color.NRGBA{0xFF, 0xFF, 0xFF, 0xFF}
	fold      = color.NRGBA{0xF2, 0xC4, 0xC0, 0xFF}
	line      = color.NRGBA{0xC9, 0xCE, 0xD6, 0xFF}
	seal      = color.NRGBA{0xDA, 0x25, 0x1D, 0xFF}
	gold      = color.NRGBA{0xFF, 0xCD, 0x00, 0xFF}
)

// Geometry in units of the icon's side (0..1, y down).
const (
	docL, docR, docT, docB = 0.255, 0.745, 0.15, 0.85
	docRadius              = 0.035
	foldSize               = 0.15
	sealX, sealY, sealR    = 0.5, 0.645, 0.145
	starR                  = 0.095
)

var star = starPolygon(sealX, sealY+0.008, starR, starR*0.382)

// colorAt is the icon's colour at (x, y); ok is false outside it.
func colorAt(x, y float64, small bool) (color.NRGBA, bool) {
	if !inRoundRect(x, y, 0.03, 0.03, 0.97, 0.97, 0.19) {
		return color.NRGBA{}, false
	}
	c := mix(redTop, redBottom, (y-0.03)/0.94)
	// The document, its top-right corner folded down: above the corner's diagonal is cut
	// away, below it is the flap.
	if inRoundRect(x, y, docL, docT, docR, docB, docRadius) {
		inCorner := x > docR-foldSize && y < docT+foldSize
		switch {
		case inCorner && x-(docR-foldSize) > y-docT:
		case inCorner:
			c = fold
		default:
			c = white
		}
	}
	// Lines of text (left out when too small to read as lines).
	if !small {
		for i, w := range []float64{0.25, 0.40, 0.40} {
			y0 := 0.245 + float64(i)*0.075
			if inRoundRect(x, y, 0.32, y0, 0.32+w, y0+0.038, 0.019) {
				c = line
			}
		}
	}
	// The seal and its star.
	if d := math.Hypot(x-sealX, y-sealY); d <= sealR {
		c = seal
		if inPolygon(x, y, star) {
			c = gold
		}
	}
	return c, true
}

// Render draws the icon at size×size.
func Render(size int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	ss := 8
	if size <= 64 {
		ss = 16
	}
	small := size <= 24
	for py := 0; py < size; py++ {
		for px := 0; px < size; px++ {
			var r, g, b, a float64
			for sy := 0; sy < ss; sy++ {
				for sx := 0; sx < ss; sx++ {
					x := (float64(px) + (float64(sx)+0.5)/float64(ss)) / float64(size)
					y := (float64(py) + (float64(sy)+0.5)/float64(ss)) / float64(size)
					if c, ok := colorAt(x, y, small); ok {
						r += float64(c.R)
						g += float64(c.G)
						b += float64(c.B)
						a++
					}
				}
			}
			if a == 0 {
				continue
			}
			n := float64(ss * ss)
			img.SetNRGBA(px, py, color.NRGBA{uint8(r/a + 0.5), uint8(g/a + 0.5), uint8(b/a + 0.5), uint8(255*a/n + 0.5)})
		}
	}
	return img
}

// ICO builds a Windows icon file holding a PNG image for each size (Vista and later read
// PNG entries at every size).
func ICO(sizes []int) ([]byte, error) {
	var images [][]byte
	for _, s := range sizes {
		var buf bytes.Buffer
		if err := png.Encode(&buf, Render(s)); err != nil {
			return nil, err
		}
		images = append(images, buf.Bytes())
	}
	var out bytes.Buffer
	binary.Write(&out, binary.LittleEndian, [3]uint16{0, 1, uint16(len(sizes))})
	offset := 6 + 16*len(sizes)
	for i, s := range sizes {
		dim := uint8(s)
		if s >= 256 {
			dim = 0 // 0 means 256
		}
		out.Write([]byte{dim, dim, 0, 0})
		binary.Write(&out, binary.LittleEndian, [2]uint16{1, 32})
		binary.Write(&out, binary.LittleEndian, [2]uint32{uint32(len(images[i])), uint32(offset)})
		offset += len(images[i])
	}
	for _, img := range images {
		out.Write(img)
	}
	return out.Bytes(), nil
}

func mix(a, b color.NRGBA, t float64) color.NRGBA {
	t = math.Max(0, math.Min(1, t))
	l := func(x, y uint8) uint8 { return uint8(float64(x)*(1-t) + float64(y)*t + 0.5) }
	return color.NRGBA{l(a.R, b.R), l(a.G, b.G), l(a.B, b.B), 0xFF}
}

func inRoundRect(x, y, l, t, r, b, rad float64) bool {
	if x < l || x > r || y < t || y > b {
		return false
	}
	cx := math.Max(l+rad, math.Min(x, r-rad))
	cy := math.Max(t+rad, math.Min(y, b-rad))
	return math.Hypot(x-cx, y-cy) <= rad
}

type point struct{ x, y float64 }

func starPolygon(cx, cy, outer, inner float64) []point {
	var pts []point
	for i := 0; i < 10; i++ {
		r := outer
		if i%2 == 1 {
			r = inner
		}
		a := -math.Pi/2 + float64(i)*math.Pi/5
		pts = append(pts, point{cx + r*math.Cos(a), cy + r*math.Sin(a)})
	}
	return pts
}

func inPolygon(x, y float64, pts []point) bool {
	in := false
	for i, j := 0, len(pts)-1; i < len(pts); j, i = i, i+1 {
		a, b := pts[i], pts[j]
		if (a.y > y) != (b.y > y) && x < (b.x-a.x)*(y-a.y)/(b.y-a.y)+a.x {
			in = !in
		}
	}
	return in
}
