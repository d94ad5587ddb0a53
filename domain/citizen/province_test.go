package citizen

import (
	"testing"

	"golang.org/x/text/unicode/norm"
)

func TestProvinces(t *testing.T) {
	ps := Provinces()
	if len(ps) != 63 {
		t.Fatalf("got %d provinces, want 63", len(ps))
	}
	if ps[0] != (Province{"001", "Hà Nội"}) || ps[62] != (Province{"096", "Cà Mau"}) {
		t.Errorf("first/last = %v / %v", ps[0], ps[62])
	}
	names := map[string]bool{}
	for i, p := range ps {
		if len(p.Code) != 3 || p.Code < "001" || p.Code > "096" {
			t.Errorf("bad code %q", p.Code)
		}
		if i > 0 && ps[i-1].Code >= p.Code {
			t.Errorf("not sorted at %q", p.Code)
		}
		if !norm.NFC.IsNormalString(p.Name) || p.Name == "" || names[p.Name] {
			t.Errorf("bad or duplicate name %q", p.Name)
		}
		names[p.Name] = true
	}
	for code, want := range map[string]string{
		"001": "Hà Nội", "002": "Hà Giang", "004": "Cao Bằng", "030": "Hải Dương",
		"031": "Hải Phòng", "046": "Thừa Thiên Huế", "048": "Đà Nẵng",
		"066": "Đắk Lắk", "077": "Bà Rịa - Vũng Tàu", "079": "TP. Hồ Chí Minh",
		"092": "Cần Thơ", "096": "Cà Mau",
	} {
		if got, ok := ProvinceName(code); !ok || got != want {
			t.Errorf("ProvinceName(%q) = %q, %v; want %q", code, got, ok, want)
		}
	}
	for _, code := range []string{"000", "003", "005", "018", "028", "029", "032", "039", "047", "078", "097", "1", ""} {
		if _, ok := ProvinceName(code); ok {
			t.Errorf("ProvinceName(%q) should be unknown", code)
		}
	}
}
