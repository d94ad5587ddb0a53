package forms

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	qrcode "github.com/skip2/go-qrcode"

	"motcua/domain"
)

// The hand-off slip carries the number to read out, the citizen, the procedure, the day it
// is valid, and a QR code that is exactly the entry's id (module for module).
func TestHandoffSlip(t *testing.T) {
	rd := renderer()
	h := domain.Handoff{ID: "0190aaaa-0000-7000-8000-000000000001", Number: "H-1017", Day: "2026-02-26",
		Procedure: domain.ProcedureRef{Code: "1.001193", Name: "Đăng ký khai sinh"}, Applicant: domain.Person{Name: "Nguyễn Văn An"},
		PreparedAt: vnTime(2026, 2, 26, 9, 15), PreparedBy: "canbo2"}
	pdf := render(t, "handoff-slip", func(w *bytes.Buffer) error { return rd.HandoffSlip(w, h) })
	text := flatText(t, pdf)
	for _, want := range []string{"PHIẾU CHUYỂN QUẦY", "H-1017", "Người yêu cầu: Nguyễn Văn An", "Thủ tục: Đăng ký khai sinh",
		"Lập lúc 09:15 ngày 26/02/2026, cán bộ hỗ trợ: Lê Văn Hùng", "có giá trị đến hết ngày 26/02/2026"} {
		if !strings.Contains(text, want) {
			t.Errorf("slip lacks %q:\n%s", want, text)
		}
	}
	if pageCount(t, pdf) != 1 {
		t.Error("the slip runs onto a second page")
	}
	dir := t.TempDir()
	tool(t, "pdfimages", "-png", pdf, filepath.Join(dir, "img"))
	f, err := os.Open(filepath.Join(dir, "img-000.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	q, err := qrcode.New(h.ID, qrcode.Medium)
	if err != nil {
		t.Fatal(err)
	}
	bits := q.Bitmap()
	for y := range bits {
		for x := range bits {
			if isDark(img, x*qrModule+qrModule/2, y*qrModule+qrModule/2) != bits[y][x] {
				t.Fatalf("QR module (%d,%d) differs from the entry id's QR", x, y)
			}
		}
	}
	if err := rd.HandoffSlip(&bytes.Buffer{}, domain.Handoff{}); err == nil {
		t.Error("a slip printed for no entry")
	}
	if os.Getenv("MOTCUA_SHOTS_DIR") != "" {
		tool(t, "pdftoppm", "-png", "-r", "110", pdf, filepath.Join(os.Getenv("MOTCUA_SHOTS_DIR"), "handoff-slip"))
	}
}
