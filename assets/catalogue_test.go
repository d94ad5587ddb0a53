package assets_test

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"motcua/domain"
)

// loadCatalogue reads and validates catalogue.json from this directory.
func loadCatalogue(t *testing.T) *domain.Catalogue {
	t.Helper()
	data, err := os.ReadFile("catalogue.json")
	if err != nil {
		t.Fatalf("read catalogue.json: %v", err)
	}
	c, err := domain.ParseCatalogue(data)
	if err != nil {
		t.Fatalf("parse catalogue.json: %v", err)
	}
	return c
}

func mustLookup(t *testing.T, c *domain.Catalogue, code string) domain.Procedure {
	t.Helper()
	p, ok := c.Lookup(code)
	if !ok {
		t.Fatalf("procedure %s missing from catalogue", code)
	}
	return p
}

func TestCatalogueSize(t *testing.T) {
	c := loadCatalogue(t)
	if c.Version != "2026.1" {
		t.Errorf("version = %q, want 2026.1", c.Version)
	}
	if n := len(c.Procedures); n < 35 {
		t.Fatalf("catalogue has %d procedures, want at least 35", n)
	}
}

func TestCodesUniqueAndWellFormed(t *testing.T) {
	c := loadCatalogue(t)
	re := regexp.MustCompile(`^\d\.\d{6}$`)
	seen := map[string]bool{}
	for _, p := range c.Procedures {
		if !re.MatchString(p.Code) {
			t.Errorf("code %q does not match %s", p.Code, re)
		}
		if seen[p.Code] {
			t.Errorf("duplicate code %s", p.Code)
		}
		seen[p.Code] = true
	}
}

// TestTextIsNFC checks every human-readable string, not only names: search and
// printing compare bytes, so a decomposed (NFD) string would silently never match.
func TestTextIsNFC(t *testing.T) {
	c := loadCatalogue(t)
	check := func(code, what, s string) {
		if !norm.NFC.IsNormalString(s) {
			t.Errorf("%s: %s is not NFC: %q", code, what, s)
		}
	}
	check("catalogue", "note", c.Note)
	for _, p := range c.Procedures {
		check(p.Code, "name", p.Name)
		check(p.Code, "field", p.Field)
		check(p.Code, "result_type", p.ResultType)
		check(p.Code, "assist_note", p.AssistNote)
		check(p.Code, "time.note", p.Time.Note)
		check(p.Code, "fee.name", p.Fee.Name)
		check(p.Code, "fee.note", p.Fee.Note)
		check(p.Code, "source", p.Source)
		for _, d := range p.Documents {
			check(p.Code, "document "+d.Code, d.Name)
		}
	}
}

func TestDocumentsAndFields(t *testing.T) {
	c := loadCatalogue(t)
	docCode := regexp.MustCompile(`^[A-Z0-9]+$`)
	fieldName := map[string]string{}
	for _, p := range c.Procedures {
		if len(p.Documents) == 0 {
			t.Errorf("%s: no documents", p.Code)
		}
		seen := map[string]bool{}
		for _, d := range p.Documents {
			if !docCode.MatchString(d.Code) {
				t.Errorf("%s: document code %q is not a short ASCII code", p.Code, d.Code)
			}
			if seen[d.Code] {
				t.Errorf("%s: duplicate document code %s", p.Code, d.Code)
			}
			seen[d.Code] = true
		}
		if prev, ok := fieldName[p.FieldCode]; ok && prev != p.Field {
			t.Errorf("field code %s used for both %q and %q", p.FieldCode, prev, p.Field)
		}
		fieldName[p.FieldCode] = p.Field
		if p.Popularity < 0 || p.Popularity > 100 {
			t.Errorf("%s: popularity %d outside 0–100", p.Code, p.Popularity)
		}
		if strings.TrimSpace(p.Source) == "" {
			t.Errorf("%s: missing source", p.Code)
		}
		if p.Fee.Kind == domain.FeeProvince && p.Fee.Note == "" {
			t.Errorf("%s: provincial fee needs a note naming the resolution", p.Code)
		}
	}
}

func TestUnconfirmedNamesRealFields(t *testing.T) {
	allowed := map[string]bool{
		"code": true, "name": true, "field": true, "time": true, "fee": true, "documents": true,
		"presence_required": true, "assist_allowed": true, "declaration": true, "result_type": true,
		"time.note": true, // the time is sourced, a detail of its note is not
	}
	c := loadCatalogue(t)
	for _, p := range c.Procedures {
		for _, u := range p.Unconfirmed {
			if !allowed[u] {
				t.Errorf("%s: unconfirmed lists unknown field %q", p.Code, u)
			}
		}
	}
	// An admin sees every flag in words, with what the catalogue says now.
	facts := c.Unconfirmed()
	if len(facts) == 0 {
		t.Fatal("no unconfirmed facts listed")
	}
	for _, f := range facts {
		if f.Fact == f.Key || f.Value == "" {
			t.Errorf("%s: flag %q shown as %q with value %q", f.Subject, f.Key, f.Fact, f.Value)
		}
	}
}

func TestNoResidenceRegistration(t *testing.T) {
	c := loadCatalogue(t)
	for _, p := range c.Procedures {
		n := strings.ToLower(p.Name)
		if strings.HasPrefix(n, "đăng ký thường trú") || strings.HasPrefix(n, "đăng ký tạm trú") ||
			strings.Contains(n, "gia hạn tạm trú") ||
			(strings.Contains(n, "xóa đăng ký thường trú") && !strings.HasPrefix(n, "liên thông")) {
			t.Errorf("%s %q is a residence procedure (commune police), not this counter", p.Code, p.Name)
		}
	}
}

func TestDomainFeeFacts(t *testing.T) {
	c := loadCatalogue(t)

	extract := mustLookup(t, c, "2.000635") // Cấp bản sao trích lục hộ tịch
	if extract.Fee.Kind != domain.FeePerCopy || extract.Fee.Amount != 8000 {
		t.Errorf("2.000635 fee = %+v, want per_copy 8000", extract.Fee)
	}

	copyFee := mustLookup(t, c, "2.000815").Fee // Chứng thực bản sao từ bản chính
	wantTiers := []domain.FeeTier{{FromPage: 1, ToPage: 2, PerPage: 2000}, {FromPage: 3, PerPage: 1000}}
	if copyFee.Kind != domain.FeePerPage || copyFee.CapPerCopy != 200000 || len(copyFee.Tiers) != len(wantTiers) {
		t.Fatalf("2.000815 fee = %+v, want per_page tiers 2000/1000 cap 200000", copyFee)
	}
	for i, tier := range wantTiers {
		if copyFee.Tiers[i] != tier {
			t.Errorf("2.000815 tier %d = %+v, want %+v", i, copyFee.Tiers[i], tier)
		}
	}

	sig := mustLookup(t, c, "2.000884") // Chứng thực chữ ký
	if sig.Fee.Kind != domain.FeeFixed || sig.Fee.Amount != 10000 {
		t.Errorf("2.000884 fee = %+v, want fixed 10000", sig.Fee)
	}

	for _, code := range []string{"1.001193", "1.000656"} { // khai sinh, khai tử: free on time
		if f := mustLookup(t, c, code).Fee; f.Kind != domain.FeeNone || f.Note == "" {
			t.Errorf("%s fee = %+v, want none with a note on late registration", code, f)
		}
	}
}

func TestSameDayProcedures(t *testing.T) {
	c := loadCatalogue(t)
	for _, code := range []string{"1.001193", "1.000656", "1.000894", "2.000635", "2.000815", "2.000884"} {
		if u := mustLookup(t, c, code).Time.Unit; u != domain.TimeSameDay {
			t.Errorf("%s time unit = %q, want same_day", code, u)
		}
	}
	if tm := mustLookup(t, c, "1.004873").Time; tm.Unit != domain.TimeWorkingDays || tm.Value != 3 {
		t.Errorf("1.004873 time = %+v, want 3 working days", tm)
	}
}

func TestAssistRestricted(t *testing.T) {
	c := loadCatalogue(t)
	for _, code := range []string{
		"2.000884", // chứng thực chữ ký: signer signs in front of the official
		"1.000894", // đăng ký kết hôn: both parties present and sign
		"1.001022", // nhận cha, mẹ, con: parties present, no proxy
	} {
		p := mustLookup(t, c, code)
		if p.AssistAllowed {
			t.Errorf("%s: assist_allowed must be false", code)
		}
		if strings.TrimSpace(p.AssistNote) == "" {
			t.Errorf("%s: restricted assisted filling needs an assist_note", code)
		}
		if !p.PresenceRequired {
			t.Errorf("%s: presence_required must be true", code)
		}
	}
	if n := mustLookup(t, c, "2.000884").AssistNote; !strings.Contains(n, "không ký thay") {
		t.Errorf("2.000884 assist_note should say the official may not sign instead: %q", n)
	}
	if !mustLookup(t, c, "1.001193").AssistAllowed {
		t.Error("1.001193: helpers may fill the birth declaration")
	}
}

func TestDeclarations(t *testing.T) {
	valid := map[string]bool{
		"to-khai-khai-sinh":                    true,
		"to-khai-khai-tu":                      true,
		"to-khai-dang-ky-ket-hon":              true,
		"to-khai-xac-nhan-tinh-trang-hon-nhan": true,
		"to-khai-cap-ban-sao-trich-luc":        true,
		"phieu-yeu-cau-chung-thuc":             true,
	}
	c := loadCatalogue(t)
	for _, p := range c.Procedures {
		if p.Declaration != "" && !valid[p.Declaration] {
			t.Errorf("%s: unknown declaration template %q", p.Code, p.Declaration)
		}
	}
	want := map[string]string{
		"1.001193": "to-khai-khai-sinh",
		"1.000656": "to-khai-khai-tu",
		"1.000894": "to-khai-dang-ky-ket-hon",
		"1.004873": "to-khai-xac-nhan-tinh-trang-hon-nhan",
		"2.000635": "to-khai-cap-ban-sao-trich-luc",
		"2.000815": "phieu-yeu-cau-chung-thuc",
	}
	for code, decl := range want {
		if got := mustLookup(t, c, code).Declaration; got != decl {
			t.Errorf("%s declaration = %q, want %q", code, got, decl)
		}
	}
}

func TestPopularityOrder(t *testing.T) {
	c := loadCatalogue(t)
	top := c.ByPopularity()
	if len(top) < 2 || top[0].Code != "1.001193" || top[1].Code != "2.000815" {
		t.Errorf("most popular should be khai sinh then chứng thực bản sao, got %s, %s", top[0].Code, top[1].Code)
	}
}

// The corrections checked against the Law on Civil Status (issue 14): marriage with a
// foreign element counts 15 calendar days (art. 38.2); death registration is same-day
// (art. 34) and its 3-day extension stays flagged; a birth registration's authorisation
// must be certified unless the holder is a close relative.
func TestCatalogueCorrections(t *testing.T) {
	c := loadCatalogue(t)
	p, _ := c.Lookup("2.000806")
	if p.Time.Unit != domain.TimeCalendarDays || p.Time.Value != 15 || slices.Contains(p.Unconfirmed, "time") {
		t.Errorf("marriage with a foreign element: time %+v, unconfirmed %v", p.Time, p.Unconfirmed)
	}
	p, _ = c.Lookup("1.000656")
	if p.Time.Unit != domain.TimeSameDay || !slices.Contains(p.Unconfirmed, "time.note") || !strings.Contains(p.Time.Note, "chưa xác nhận") {
		t.Errorf("death registration: time %+v, unconfirmed %v", p.Time, p.Unconfirmed)
	}
	if !strings.Contains(p.Fee.Note, "quá hạn (sau 15 ngày) thu theo mức HĐND tỉnh") {
		t.Errorf("death registration fee note: %q", p.Fee.Note)
	}
	p, _ = c.Lookup("1.001193")
	found := false
	for _, d := range p.Documents {
		if d.Code == "UQ" {
			found = strings.Contains(d.Name, "phải được chứng thực (trừ khi người được ủy quyền là ông, bà, cha, mẹ, con, vợ, chồng, anh, chị, em ruột")
		}
	}
	if !found {
		t.Error("birth registration: the authorisation letter does not say it must be certified")
	}
}
