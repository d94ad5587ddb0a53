package localdb

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand/v2"
	"os"
	"testing"
)

// scanPage is a page as a scanner gives it: larger than A4 at 150 dpi, RGB with a paper
// tint, noise and dark strokes, JPEG at quality 90.
func testScanPage(t *testing.T, tint uint8) []byte {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	img := image.NewRGBA(image.Rect(0, 0, 1800, 2550))
	for i := 0; i < len(img.Pix); i += 4 {
		v := 236 + uint8(rng.IntN(10))
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = v, v-tint, v-4, 255
	}
	for y := 200; y < 2350; y += 50 {
		for x := 150; x < 1650; x++ {
			if rng.IntN(3) == 0 {
				for yy := y; yy < y+25; yy++ {
					img.SetRGBA(x, yy, color.RGBA{40, 40, 46, 255})
				}
			}
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func sha(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

// Scans are brought to document quality at intake — A4 at 150 dpi, grey when the page has
// no colour, JPEG — except a paper the catalogue keeps as scanned, e-results and PDFs.
func TestStoreScanRecompressesUnlessKept(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t, vnTime(2026, 3, 2, 9, 0))
	// The catalogue keeps the birth certificate's scan as scanned (data, not code).
	cat := *s.Catalogue()
	raw, _ := json.Marshal(cat)
	var edit map[string]any
	json.Unmarshal(raw, &edit)
	for _, p := range edit["procedures"].([]any) {
		p := p.(map[string]any)
		if p["code"] == "1.001193" {
			for _, d := range p["documents"].([]any) {
				if d := d.(map[string]any); d["code"] == "GCS" {
					d["keep_scan"] = true
				}
			}
		}
	}
	raw, _ = json.Marshal(edit)
	if _, err := s.SetCatalogue(ctx, raw); err != nil {
		t.Fatal(err)
	}
	d, err := s.Receive(ctx, clerk, birthIntake())
	if err != nil {
		t.Fatal(err)
	}
	page := testScanPage(t, 0)
	ref, err := s.StoreScan(ctx, bytes.NewReader(page), "to-khai.png", d.ID, "TK")
	if err != nil {
		t.Fatal(err)
	}
	if ref.Mime != "image/jpeg" || ref.Name != "to-khai.jpg" || ref.Size >= int64(len(page))/2 {
		t.Fatalf("recompressed %+v from %d bytes", ref, len(page))
	}
	f, err := os.Open(s.FilePath(ref.SHA256))
	if err != nil {
		t.Fatal(err)
	}
	img, err := jpeg.Decode(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); max(b.Dx(), b.Dy()) != scanLongSide {
		t.Fatalf("scaled to %v, want a long side of %d", b, scanLongSide)
	}
	if _, grey := img.(*image.Gray); !grey {
		t.Fatalf("a page without colour stored as %T", img)
	}
	t.Logf("scan %d bytes → %d bytes", len(page), ref.Size)

	// A page in colour (a tinted form) stays in colour.
	tinted, err := s.StoreScan(ctx, bytes.NewReader(testScanPage(t, 60)), "mau.jpg", d.ID, "GTTT")
	if err != nil {
		t.Fatal(err)
	}
	f, _ = os.Open(s.FilePath(tinted.SHA256))
	img, _ = jpeg.Decode(f)
	f.Close()
	if _, grey := img.(*image.Gray); grey {
		t.Fatal("a coloured page was made grey")
	}

	// Kept as scanned: the paper the catalogue names, an e-result, a PDF.
	for _, doc := range []string{"GCS", ""} {
		kept, err := s.StoreScan(ctx, bytes.NewReader(page), "giay-chung-sinh.jpg", d.ID, doc)
		if err != nil || kept.SHA256 != sha(page) || kept.Size != int64(len(page)) {
			t.Fatalf("%q: %+v %v", doc, kept, err)
		}
	}
	pdf := []byte("%PDF-1.4\n1 0 obj << /Type /Page >> endobj\n%%EOF")
	if p, err := s.StoreScan(ctx, bytes.NewReader(pdf), "a.pdf", d.ID, "TK"); err != nil || p.SHA256 != sha(pdf) {
		t.Fatalf("pdf: %+v %v", p, err)
	}
}
