package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"motcua/domain"
)

func TestReportEndToEnd(t *testing.T) {
	dir := initStore(t)
	if code, out, errs := runCmd(t, "", "seed", "--data", dir, "--dossiers", "300", "--days", "45"); code != 0 {
		t.Fatalf("seed: %d %s %s", code, out, errs)
	}
	now := time.Now().In(domain.VN())
	from, to := now.AddDate(0, 0, -44).Format(time.DateOnly), now.Format(time.DateOnly)
	outDir := t.TempDir()

	// II.06a as XLSX: the total row's "received" is every dossier received in the period.
	xlsx := filepath.Join(outDir, "ii06a.xlsx")
	code, out, errs := runCmd(t, "", "report", "--data", dir, "--kind", "ii06a", "--from", from, "--to", to, "-o", xlsx)
	if code != 0 || !strings.Contains(out, "Đã xuất Biểu số 06/VPCP/KSTT") || !strings.Contains(errs, "Đang tổng hợp") ||
		!strings.Contains(out, "Hồ sơ công dân rút (trạng thái 7): tính vào số nhận giải quyết (3), không tính vào số đã giải quyết (7)") {
		t.Fatalf("ii06a: %d %q %q", code, out, errs)
	}
	x, err := excelize.OpenFile(xlsx)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	rows, _ := x.GetRows("II.06a")
	var total []string
	for _, r := range rows {
		if len(r) > 2 && r[1] == "Tổng cộng" {
			total = r
		}
	}
	// All 300 were received inside the period, none before it.
	if len(total) != 13 || total[2] != "300" || total[5] != "0" {
		t.Fatalf("total row %q", total)
	}
	n := func(i int) int { v, _ := strconv.Atoi(strings.ReplaceAll(total[i], ",", "")); return v }
	if n(2) != n(3)+n(4)+n(5) || n(6) != n(7)+n(8)+n(9) || n(10) != n(11)+n(12) || n(6)+n(10) > n(2) || n(6) == 0 {
		t.Errorf("total row does not add up: %q", total)
	}
	if !strings.Contains(strings.Join(rows[0], " "), "Biểu số 06/VPCP/KSTT") {
		t.Errorf("first row %q", rows[0])
	}

	// The province's treatment of withdrawn and refused dossiers, from the settings or a
	// flag, changes the figures as the report says.
	s, err := openExisting(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	period, _ := domain.ParsePeriod(from, to)
	apart, _, err := s.Report(context.Background(), period, domain.ReportOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg := s.Config()
	cfg.Report.Closed.Withdrawn = domain.ClosedResolvedOnTime
	if err := s.UpdateConfig(context.Background(), domain.Staff{Username: "admin", Role: domain.RoleAdmin}, cfg); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if apart.Total.Withdrawn == 0 || apart.Total.Refused == 0 {
		t.Fatalf("the seed has no withdrawn or no refused dossier: %+v", apart.Total)
	}
	chosen := filepath.Join(outDir, "ii06a-chosen.xlsx")
	code, out, errs = runCmd(t, "", "report", "--data", dir, "--from", from, "--to", to, "--refused", "excluded", "-o", chosen)
	if code != 0 || !strings.Contains(out, "Hồ sơ công dân rút (trạng thái 7): tính vào số nhận giải quyết (3) và số đã giải quyết đúng hạn (7), (9)") ||
		!strings.Contains(out, "Hồ sơ từ chối giải quyết sau khi đã tiếp nhận (trạng thái 3): không tính vào biểu") ||
		!strings.Contains(out, "Hồ sơ dừng xử lý (trạng thái 8): tính vào số nhận giải quyết (3), không tính") {
		t.Fatalf("chosen treatments: %d %q %q", code, out, errs)
	}
	x2, err := excelize.OpenFile(chosen)
	if err != nil {
		t.Fatal(err)
	}
	defer x2.Close()
	rows2, _ := x2.GetRows("II.06a")
	for _, r := range rows2 {
		if len(r) > 2 && r[1] == "Tổng cộng" {
			total = r
		}
	}
	a := apart.Total
	want := []int{a.Received - a.Refused, a.Resolved + a.Withdrawn, a.OnTime + a.Withdrawn, a.InProgress}
	if got := []int{n(2), n(6), n(8), n(10)}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("(3), (7), (9), (11) = %v, want %v (apart: %+v)", got, want, a)
	}

	// The books as PDF and CSV; the format follows the file's extension or --format.
	pdf := filepath.Join(outDir, "so-theo-doi.pdf")
	if code, out, errs = runCmd(t, "", "report", "--data", dir, "--kind", "tracking-book", "--from", from, "--to", to, "-o", pdf); code != 0 {
		t.Fatalf("tracking book: %d %s %s", code, out, errs)
	}
	if !strings.Contains(out, "(300 dòng)") {
		t.Errorf("tracking book output %q", out)
	}
	if b, _ := os.ReadFile(pdf); !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Fatal("not a PDF")
	}
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Fatalf("pdftotext is required (apt-get install poppler-utils): %v", err)
	}
	text, err := exec.Command("pdftotext", "-enc", "UTF-8", pdf, "-").Output()
	if err != nil || !strings.Contains(string(text), "SỔ THEO DÕI HỒ SƠ") || !strings.Contains(string(text), "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG XÃ AN HƯNG") {
		t.Errorf("tracking book text: %v\n%.600s", err, text)
	}
	csvOut := filepath.Join(outDir, "so-tra-ket-qua.txt")
	if code, out, errs = runCmd(t, "", "report", "--data", dir, "--kind", "return-book", "--format", "csv", "--from", from, "--to", to, "-o", csvOut); code != 0 {
		t.Fatalf("return book: %d %s %s", code, out, errs)
	}
	if b, _ := os.ReadFile(csvOut); !bytes.HasPrefix(b, []byte("\ufeffTT,Thời gian trả,Mã hồ sơ")) || bytes.Count(b, []byte("\r\n")) < 50 {
		t.Errorf("return book csv: %.300s", b)
	}
	if left, _ := filepath.Glob(filepath.Join(outDir, ".motcua-report-*")); len(left) > 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}

func TestReportBadInput(t *testing.T) {
	dir := initStore(t)
	out := filepath.Join(t.TempDir(), "r.xlsx")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--kind", "ii07", "--from", "2026-02-01", "--to", "2026-02-28", "-o", out}, "loại báo cáo «ii07» không có"},
		{[]string{"--from", "2026-02-30", "--to", "2026-03-01", "-o", out}, "Ngày bắt đầu «2026-02-30» không hợp lệ"},
		{[]string{"--from", "01/02/2026", "--to", "2026-03-01", "-o", out}, "cần dạng NĂM-THÁNG-NGÀY"},
		{[]string{"--from", "2026-02-01", "--to", "hôm nay", "-o", out}, "Ngày kết thúc «hôm nay» không hợp lệ"},
		{[]string{"--from", "2026-03-01", "--to", "2026-02-01", "-o", out}, "Ngày bắt đầu (01/03/2026) sau ngày kết thúc (01/02/2026)"},
		{[]string{"--to", "2026-02-01", "-o", out}, "thiếu --from hoặc --to"},
		{[]string{"--from", "2026-02-01", "--to", "2026-02-28"}, "thiếu -o"},
		{[]string{"--from", "2026-02-01", "--to", "2026-02-28", "-o", filepath.Join(t.TempDir(), "r.docx")}, "«docx» không được hỗ trợ"},
		{[]string{"--from", "2026-02-01", "--to", "2026-02-28", "-o", filepath.Join(t.TempDir(), "r")}, "thêm --format"},
		{[]string{"--from", "2026-02-01", "--to", "2026-02-28", "-o", filepath.Join(t.TempDir(), "không-có", "r.pdf")}, "không ghi được tệp"},
		{[]string{"--from", "2026-02-01", "--to", "2026-02-28", "--resolved-at", "later", "-o", out}, "--resolved-at «later» không hợp lệ"},
		{[]string{"--from", "2026-02-01", "--to", "2026-02-28", "--withdrawn", "resolved", "-o", out}, "cách tính «resolved» không có"},
	}
	for _, c := range cases {
		code, _, errs := runCmd(t, "", append([]string{"report", "--data", dir}, c.args...)...)
		if code != 1 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 1 and %q", c.args, code, errs, c.want)
		}
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a failed report left a file")
	}
	code, _, errs := runCmd(t, "", "report", "--data", filepath.Join(t.TempDir(), "none"), "--from", "2026-02-01", "--to", "2026-02-28", "-o", out)
	if code != 1 || !strings.Contains(errs, "chưa có dữ liệu") {
		t.Errorf("no store: %d %s", code, errs)
	}
}

// TestReportSamples writes the month's II.06a and books of a seeded, fully configured
// centre to MOTCUA_REPORT_SAMPLES (PDF, XLSX), for looking at and for the README's
// screenshots.
func TestReportSamples(t *testing.T) {
	samples := os.Getenv("MOTCUA_REPORT_SAMPLES")
	if samples == "" {
		t.Skip("MOTCUA_REPORT_SAMPLES not set")
	}
	dir := initStore(t)
	s, err := openExisting(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	cfg := s.Config()
	cfg.Parent, cfg.Place = "UBND xã An Hưng", "An Hưng"
	if err := s.UpdateConfig(context.Background(), domain.Staff{Username: "admin", Role: domain.RoleAdmin}, cfg); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if code, out, errs := runCmd(t, "", "seed", "--data", dir, "--dossiers", "2400", "--days", "75"); code != 0 {
		t.Fatalf("seed: %d %s %s", code, out, errs)
	}
	first := time.Now().In(domain.VN()).AddDate(0, -1, 0)
	first = time.Date(first.Year(), first.Month(), 1, 0, 0, 0, 0, domain.VN())
	from, to := first.Format(time.DateOnly), first.AddDate(0, 1, -1).Format(time.DateOnly)
	for _, r := range []struct{ kind, file string }{{"ii06a", "report-ii06a.pdf"}, {"ii06a", "report-ii06a.xlsx"},
		{"tracking-book", "book-tracking.pdf"}, {"tracking-book", "book-tracking.xlsx"}, {"return-book", "book-return.pdf"}} {
		if code, out, errs := runCmd(t, "", "report", "--data", dir, "--kind", r.kind, "--from", from, "--to", to,
			"-o", filepath.Join(samples, r.file)); code != 0 {
			t.Fatalf("%s: %d %s %s", r.file, code, out, errs)
		}
	}
}

// A report that cannot be written says why in words, not the OS's English.
func TestReportUnwritableSaysWhyInWords(t *testing.T) {
	dir := initStore(t)
	folder := t.TempDir()
	code, _, errs := runCmd(t, "", "report", "--data", dir, "--kind", "ii06a", "--from", "2026-01-01", "--to", "2026-01-31", "-o", folder, "--format", "xlsx")
	if code == 0 || !strings.Contains(errs, "không ghi được tệp") || !strings.Contains(errs, "đó là một thư mục") || strings.Contains(errs, "is a directory") {
		t.Fatalf("report onto a folder: %d %q", code, errs)
	}
}
