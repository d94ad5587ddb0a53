package main

import (
	"bytes"
	"encoding/binary"
	"image/png"
	"os"
	"testing"
)

// The icon reads at 32 px: transparent corners, red frame, white page, red seal.
func TestRenderSmall(t *testing.T) {
	img := Render(32)
	if a := img.NRGBAAt(0, 0).A; a != 0 {
		t.Errorf("corner alpha %d", a)
	}
	if c := img.NRGBAAt(3, 16); c.R < 0xB0 || c.G > 0x50 {
		t.Errorf("frame %v", c)
	}
	if c := img.NRGBAAt(10, 17); c.R < 0xF0 || c.G < 0xF0 || c.B < 0xF0 {
		t.Errorf("page %v", c)
	}
	if c := img.NRGBAAt(16, 24); c.R < 0xC0 || c.G > 0xD0 {
		t.Errorf("seal %v", c)
	}
	if dir := os.Getenv("ICONGEN_PREVIEW"); dir != "" {
		for _, s := range []int{16, 32, 48} {
			f, _ := os.Create(dir + "/icon" + string(rune('0'+s/16)) + ".png")
			png.Encode(f, Render(s))
			f.Close()
		}
	}
}

func TestICO(t *testing.T) {
	b, err := ICO([]int{16, 32, 256})
	if err != nil {
		t.Fatal(err)
	}
	var hdr [3]uint16
	binary.Read(bytes.NewReader(b), binary.LittleEndian, &hdr)
	if hdr != [3]uint16{0, 1, 3} || b[6] != 16 || b[6+32] != 0 {
		t.Fatalf("header %v % x", hdr, b[:48])
	}
	off := binary.LittleEndian.Uint32(b[6+32+12:])
	img, err := png.Decode(bytes.NewReader(b[off:]))
	if err != nil || img.Bounds().Dx() != 256 {
		t.Fatalf("256 px entry: %v", err)
	}
}
