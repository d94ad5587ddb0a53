package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"motcua/domain"
)

// motcua catalogue --unconfirmed prints every fact the data flags, grouped by where it
// comes from, with its note; --json gives the same list to a program.
func TestCatalogueUnconfirmed(t *testing.T) {
	dir := initStore(t)
	code, out, errs := runCmd(t, "", "catalogue", "--data", dir, "--unconfirmed")
	if code != 0 {
		t.Fatalf("catalogue: %d %s", code, errs)
	}
	for _, want := range []string{"thông tin chưa được xác nhận (danh mục thủ tục phiên bản 2026.1",
		"== Danh mục thủ tục: ", "== Mẫu biểu: ", "== Tờ khai: ",
		"1.000656 Thủ tục đăng ký khai tử\n  – Ghi chú về thời hạn giải quyết: Giải quyết ngay trong ngày",
		"chưa tìm thấy căn cứ (chưa xác nhận)", "  – Số hiệu mẫu: Biểu số 06/VPCP/KSTT",
		"  – Dòng căn cứ ban hành: Ban hành kèm theo Thông tư số 01/2020/TT-VPCP ngày 21/10/2020 của Văn phòng Chính phủ",
		"  – Ngày áp dụng bộ mẫu: 15/09/2025"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	code, js, errs := runCmd(t, "", "catalogue", "--data", dir, "--unconfirmed", "--json")
	var facts []domain.UnconfirmedFact
	if code != 0 || json.Unmarshal([]byte(js), &facts) != nil {
		t.Fatalf("json: %d %s %.300s", code, errs, js)
	}
	n := 0
	for _, f := range facts {
		if f.Source == domain.UnconfirmedCatalogue {
			n++
		}
	}
	if !strings.Contains(out, "== Danh mục thủ tục: "+itoa(n)+" ==") || !strings.HasPrefix(out, itoa(len(facts))+" thông tin") {
		t.Errorf("counts: %d facts, %d of the catalogue; output starts %.120q", len(facts), n, out)
	}

	// Without the flag: the procedures, each with its number of unconfirmed facts.
	code, out, _ = runCmd(t, "", "catalogue", "--data", dir)
	if code != 0 || !strings.Contains(out, "1.000656  Thủ tục đăng ký khai tử — Hộ tịch, trong ngày [1 thông tin chưa được xác nhận]") {
		t.Errorf("procedure list: %d %.400s", code, out)
	}
	// No data yet: the catalogue the app ships with, said so.
	code, out, errs = runCmd(t, "", "catalogue", "--data", filepath.Join(t.TempDir(), "none"), "--unconfirmed")
	if code != 0 || !strings.Contains(errs, "dùng danh mục đi kèm ứng dụng") || !strings.Contains(out, "1.000656 Thủ tục đăng ký khai tử") {
		t.Errorf("no store: %d %q %.200s", code, errs, out)
	}
	if code, _, errs = runCmd(t, "", "catalogue", "--data", dir, "extra"); code != 1 || !strings.Contains(errs, "tham số thừa") {
		t.Errorf("extra argument: %d %s", code, errs)
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
