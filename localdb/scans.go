package localdb

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"path/filepath"
	"strings"

	"golang.org/x/image/draw"

	"motcua/domain"
)

// Scans at intake. A counter's scanner often gives 300 dpi colour; a 2 MB page takes a
// minute on a commune's 256 kbit/s line. Images are brought to document quality when they
// are stored: at most A4 at ScanDPI, grey when the page has no colour, JPEG at ScanQuality.
// A paper whose catalogue entry says KeepScan (a rule requires the original image) is kept
// as scanned, and so are PDFs and e-results.
const (
	ScanDPI     = 150
	ScanQuality = 70
	// scanLongSide is A4's long side (297 mm) at ScanDPI.
	scanLongSide = 297 * ScanDPI * 10 / 254
	// scanSmall: an image this small is left alone (already a document-quality scan).
	scanSmall = 160 << 10
)

// StoreScan stores a scan of a paper of a dossier (document: its code in the checklist;
// "" for an e-result) as StoreFile does, after recompressing an image to document quality
// unless the catalogue keeps this paper's scans as scanned.
func (s *Store) StoreScan(ctx context.Context, r io.Reader, name, dossierID, document string) (domain.FileRef, error) {
	if document == "" || s.keepScan(ctx, dossierID, document) {
		return s.StoreFile(ctx, r, name)
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return domain.FileRef{}, fmt.Errorf("store file: %w", err)
	}
	if out, ok := RecompressScan(data); ok {
		data = out
		name = strings.TrimSuffix(name, filepath.Ext(name)) + ".jpg"
	}
	return s.StoreFile(ctx, bytes.NewReader(data), name)
}

// keepScan reports whether the catalogue keeps the scans of a dossier's paper as scanned.
func (s *Store) keepScan(ctx context.Context, dossierID, document string) bool {
	d, err := s.Get(ctx, dossierID)
	if err != nil {
		return true // unknown: keep what was scanned
	}
	p, ok := s.Catalogue().Lookup(d.Procedure.Code)
	if !ok {
		return false
	}
	for _, doc := range p.Documents {
		if doc.Code == document {
			return doc.KeepScan
		}
	}
	return false
}

// RecompressScan brings a JPEG or PNG scan to document quality: scaled down to fit A4 at
// ScanDPI, grey if it has no colour, JPEG at ScanQuality. ok is false when the bytes are no
// such image, are small already, or would not get at least 10% smaller.
func RecompressScan(data []byte) (out []byte, ok bool) {
	mime := sniffMime(data[:min(len(data), 16)])
	if mime != "image/jpeg" && mime != "image/png" {
		return nil, false
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > 60_000_000 {
		return nil, false
	}
	long := max(cfg.Width, cfg.Height)
	if len(data) <= scanSmall && long <= scanLongSide {
		return nil, false
	}
	var img image.Image
	if mime == "image/jpeg" {
		img, err = jpeg.Decode(bytes.NewReader(data))
	} else {
		img, err = png.Decode(bytes.NewReader(data))
	}
	if err != nil {
		return nil, false
	}
	w, h := cfg.Width, cfg.Height
	if long > scanLongSide {
		w, h = max(1, w*scanLongSide/long), max(1, h*scanLongSide/long)
	}
	var dst draw.Image
	if isGrey(img) {
		dst = image.NewGray(image.Rect(0, 0, w, h))
	} else {
		dst = image.NewRGBA(image.Rect(0, 0, w, h))
	}
	draw.ApproxBiLinear.Scale(dst, dst.Bounds(), img, img.Bounds(), draw.Src, nil)
	var b bytes.Buffer
	if err := jpeg.Encode(&b, dst, &jpeg.Options{Quality: ScanQuality}); err != nil {
		return nil, false
	}
	if b.Len() > len(data)*9/10 {
		return nil, false
	}
	return b.Bytes(), true
}

// isGrey reports whether an image has no colour worth keeping: on a grid of samples, all
// but 1% have their channels within a few levels of each other (paper, ink, a stamp
// excepted).
func isGrey(img image.Image) bool {
	if _, ok := img.(*image.Gray); ok {
		return true
	}
	r := img.Bounds()
	const steps = 80
	coloured, n := 0, 0
	for y := r.Min.Y; y < r.Max.Y; y += max(1, r.Dy()/steps) {
		for x := r.Min.X; x < r.Max.X; x += max(1, r.Dx()/steps) {
			c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
			hi := max(c.R, c.G, c.B)
			lo := min(c.R, c.G, c.B)
			if hi-lo > 24 {
				coloured++
			}
			n++
		}
	}
	return coloured*100 <= n
}
