package forms

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"motcua/domain"
)

func TestDeclarationFilesIdentical(t *testing.T) {
	embedded := DeclarationFiles()
	dir := filepath.Join("..", "assets", "declarations")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, e := range entries {
		if filepath.Ext(e.Name()) != ".json" {
			continue
		}
		seen[e.Name()] = true
		ref, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(ref, embedded[e.Name()]) {
			t.Errorf("assets/declarations/%s and forms/declarations/%s differ: edit both", e.Name(), e.Name())
		}
	}
	for name := range embedded {
		if !seen[name] {
			t.Errorf("forms/declarations/%s has no copy in assets/declarations", name)
		}
	}
}

// TestDeclarationsCoverCatalogue: every declaration the seed catalogue names exists, with
// the required six among them.
func TestDeclarationsCoverCatalogue(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "assets", "catalogue.json"))
	if err != nil {
		t.Fatal(err)
	}
	cat, err := domain.ParseCatalogue(data)
	if err != nil {
		t.Fatal(err)
	}
	decls := DefaultDeclarations()
	for _, p := range cat.Procedures {
		if p.Declaration == "" {
			continue
		}
		if _, ok := decls.Get(p.Declaration); !ok {
			t.Errorf("procedure %s names declaration %q, which has no template", p.Code, p.Declaration)
		}
	}
	for _, id := range []string{"to-khai-khai-sinh", "to-khai-khai-tu", "to-khai-dang-ky-ket-hon",
		"to-khai-xac-nhan-tinh-trang-hon-nhan", "to-khai-cap-ban-sao-trich-luc", "phieu-yeu-cau-chung-thuc"} {
		tpl, ok := decls.Get(id)
		if !ok {
			t.Errorf("no template %s", id)
			continue
		}
		if tpl.ID != id || tpl.Title == "" || tpl.Commitment == "" || len(tpl.Signers) == 0 {
			t.Errorf("%s: incomplete %+v", id, tpl)
		}
		for _, in := range tpl.Inputs() {
			if !norm.NFC.IsNormalString(in.Label + in.Ask + in.Field.Hint) {
				t.Errorf("%s/%s: text not NFC", id, in.Key)
			}
		}
	}
	if got := len(decls.IDs()); got < 6 {
		t.Errorf("%d templates", got)
	}
}

func TestNumberWords(t *testing.T) {
	for n, want := range map[int64]string{
		0:             "không",
		1:             "một",
		4:             "bốn",
		5:             "năm",
		10:            "mười",
		11:            "mười một",
		14:            "mười bốn",
		15:            "mười lăm",
		20:            "hai mươi",
		21:            "hai mươi mốt",
		24:            "hai mươi bốn",
		25:            "hai mươi lăm",
		31:            "ba mươi mốt",
		100:           "một trăm",
		101:           "một trăm linh một",
		105:           "một trăm linh năm",
		110:           "một trăm mười",
		115:           "một trăm mười lăm",
		999:           "chín trăm chín mươi chín",
		1000:          "một nghìn",
		1005:          "một nghìn không trăm linh năm",
		1990:          "một nghìn chín trăm chín mươi",
		1999:          "một nghìn chín trăm chín mươi chín",
		2000:          "hai nghìn",
		2005:          "hai nghìn không trăm linh năm",
		2010:          "hai nghìn không trăm mười",
		2015:          "hai nghìn không trăm mười lăm",
		2021:          "hai nghìn không trăm hai mươi mốt",
		2026:          "hai nghìn không trăm hai mươi sáu",
		10000:         "mười nghìn",
		21000:         "hai mươi mốt nghìn",
		200000:        "hai trăm nghìn",
		1000000:       "một triệu",
		1002000:       "một triệu không trăm linh hai nghìn",
		1200000:       "một triệu hai trăm nghìn",
		1000000000:    "một tỷ",
		2500000000:    "hai tỷ năm trăm triệu",
		1000000000000: "một nghìn tỷ",
		-7:            "âm bảy",
	} {
		if got := NumberWords(n); got != want {
			t.Errorf("NumberWords(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestDateWords(t *testing.T) {
	for _, c := range []struct {
		y    int
		m    time.Month
		d    int
		want string
	}{
		{2026, 3, 15, "ngày mười lăm tháng ba năm hai nghìn không trăm hai mươi sáu"},
		{2026, 4, 1, "ngày một tháng tư năm hai nghìn không trăm hai mươi sáu"},
		{2025, 12, 31, "ngày ba mươi mốt tháng mười hai năm hai nghìn không trăm hai mươi lăm"},
		{2024, 11, 24, "ngày hai mươi bốn tháng mười một năm hai nghìn không trăm hai mươi bốn"},
		{2005, 1, 10, "ngày mười tháng một năm hai nghìn không trăm linh năm"},
		{1999, 2, 21, "ngày hai mươi mốt tháng hai năm một nghìn chín trăm chín mươi chín"},
	} {
		d := time.Date(c.y, c.m, c.d, 0, 0, 0, 0, domain.VN())
		if got := DateWords(d); got != c.want {
			t.Errorf("DateWords(%s) = %q, want %q", d.Format("02/01/2006"), got, c.want)
		}
	}
	if got := capitalise(DateWords(time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC))); !strings.HasPrefix(got, "Ngày mười lăm") {
		t.Errorf("capitalised %q", got)
	}
}

func declaration(t *testing.T, id string) domain.DeclarationTemplate {
	t.Helper()
	tpl, ok := DefaultDeclarations().Get(id)
	if !ok {
		t.Fatalf("no template %s", id)
	}
	return tpl
}

func TestPrefillAndSummary(t *testing.T) {
	issued := time.Date(2021, 4, 20, 0, 0, 0, 0, time.UTC)
	a := domain.Person{Name: "nguyễn văn an", IDNumber: "001099012345", Birth: "1999-03-15", Sex: "Nam",
		Address: "Số 12 ngõ 34 phố Huế, Hà Nội", Phone: "0912345678"}
	src := FillValues(a, issued, Unit{Name: "Trung tâm Phục vụ hành chính công xã An Hưng"})
	for k, v := range map[string]string{
		domain.FillApplicantName:      "Nguyễn Văn An",
		domain.FillApplicantIDPaper:   "Căn cước công dân số 001099012345, cấp ngày 20/04/2021",
		domain.FillApplicantBirth:     "15/03/1999",
		domain.FillApplicantBirthYear: "1999",
		domain.FillUnitAuthority:      "Ủy ban nhân dân xã An Hưng",
	} {
		if src[k] != v {
			t.Errorf("%s = %q, want %q", k, src[k], v)
		}
	}
	if _, ok := src[domain.FillApplicantEmail]; ok {
		t.Error("empty source given")
	}
	for _, c := range []struct {
		number string
		issued time.Time
		want   string
	}{
		{"001099012345", time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC), "Thẻ căn cước số 001099012345, cấp ngày 01/07/2024"},
		{"001 099 012 345", time.Time{}, "Số định danh cá nhân 001099012345"},
		{"031090123", issued, "Chứng minh nhân dân số 031090123, cấp ngày 20/04/2021"},
		{"hộ chiếu C1234567", time.Time{}, "hộ chiếu C1234567"},
	} {
		if got := IDPaper(c.number, c.issued); got != c.want {
			t.Errorf("IDPaper(%q) = %q, want %q", c.number, got, c.want)
		}
	}
	for name, want := range map[string]string{
		"Trung tâm Phục vụ hành chính công phường Lê Chân":  "Ủy ban nhân dân phường Lê Chân",
		"Trung tâm Phục vụ hành chính công đặc khu Cát Hải": "Ủy ban nhân dân đặc khu Cát Hải",
		"Bộ phận một cửa": "Bộ phận một cửa",
	} {
		if got := DefaultAddressee(Unit{Name: name}); got != want {
			t.Errorf("DefaultAddressee(%q) = %q", name, got)
		}
	}

	tpl := declaration(t, "to-khai-xac-nhan-tinh-trang-hon-nhan")
	vals := tpl.Prefill(src)
	for k, v := range map[string]string{"to": "Ủy ban nhân dân xã An Hưng", "requester_name": "Nguyễn Văn An",
		"subject_name": "Nguyễn Văn An", "subject_birth": "15/03/1999", "subject_sex": "Nam",
		"subject_id": "Căn cước công dân số 001099012345, cấp ngày 20/04/2021", "subject_nationality": "Việt Nam"} {
		if vals[k] != v {
			t.Errorf("prefill %s = %q, want %q", k, vals[k], v)
		}
	}
	if got := tpl.SummaryText(vals); got != "Cấp Giấy xác nhận tình trạng hôn nhân cho Nguyễn Văn An" {
		t.Errorf("summary %q", got)
	}
	if got := declaration(t, "to-khai-khai-sinh").SummaryText(vals); got != "" {
		t.Errorf("summary without the child's name: %q", got)
	}
}

// birthValues is a birth declaration as a helper fills it in.
func birthValues() map[string]string {
	return map[string]string{
		"to":                  "Ủy ban nhân dân xã An Hưng",
		"requester_name":      "Trần Thị Hoa",
		"requester_residence": "Thôn Đông, xã An Hưng, thành phố Hải Phòng",
		"requester_id":        "Căn cước công dân số 031190004567, cấp ngày 20/04/2021",
		"relationship":        "Mẹ",
		"child_name":          "Nguyễn Minh Khôi",
		"child_birth":         "10/02/2026",
		"child_sex":           "Nam",
		"child_ethnicity":     "Kinh",
		"child_nationality":   "Việt Nam",
		"child_birthplace":    "Bệnh viện Phụ sản Hải Phòng, phường Lê Chân, thành phố Hải Phòng",
		"child_hometown":      "Xã An Hưng, thành phố Hải Phòng",
		"mother_name":         "Trần Thị Hoa",
		"mother_birth_year":   "1990",
		"mother_ethnicity":    "Kinh",
		"mother_nationality":  "Việt Nam",
		"mother_residence":    "Thôn Đông, xã An Hưng, thành phố Hải Phòng",
		"father_name":         "Nguyễn Văn Nam",
		"father_birth_year":   "1988",
		"father_ethnicity":    "Kinh",
		"father_nationality":  "Việt Nam",
		"father_residence":    "Thôn Tây, xã An Hưng, thành phố Hải Phòng",
		"copies":              "2",
	}
}

func marriageValues() map[string]string {
	return map[string]string{
		"to":                "Ủy ban nhân dân xã An Hưng",
		"bride_name":        "Lê Thị Mai",
		"bride_birth":       "12/05/1996",
		"bride_ethnicity":   "Kinh",
		"bride_nationality": "Việt Nam",
		"bride_residence":   "Số 5 ngõ 2 phố Lạch Tray, phường Lê Chân, thành phố Hải Phòng",
		"bride_id":          "Thẻ căn cước số 031196001234, cấp ngày 15/08/2024",
		"bride_times":       "Lần đầu",
		"groom_name":        "Phạm Văn Đức",
		"groom_birth":       "03/11/1994",
		"groom_ethnicity":   "Tày",
		"groom_nationality": "Việt Nam",
		"groom_residence":   "Thôn Đông, xã An Hưng, thành phố Hải Phòng",
		"groom_id":          "Căn cước công dân số 031094005678, cấp ngày 02/03/2021",
		"groom_times":       "Lần thứ hai",
		"copies":            "1",
	}
}

// sampleValues fills every input of a template with a distinct value of its kind.
func sampleValues(tpl domain.DeclarationTemplate) map[string]string {
	out := map[string]string{}
	names := []string{"Hoàng Văn Lâm", "Đỗ Thị Ngọc", "Vũ Quang Huy", "Bùi Thị Lan", "Phan Đức Toàn", "Lý Thị Thu"}
	n := 0
	for i, in := range tpl.Inputs() {
		f := in.Field
		switch f.Kind {
		case domain.KindName:
			out[in.Key] = names[n%len(names)]
			n++
		case domain.KindDate:
			out[in.Key] = fmt.Sprintf("%02d/0%d/20%02d", i%28+1, i%9+1, i%20)
		case domain.KindYear:
			out[in.Key] = fmt.Sprint(1960 + i)
		case domain.KindTime:
			out[in.Key] = "14:30"
		case domain.KindNumber:
			out[in.Key] = fmt.Sprint(i%5 + 1)
		case domain.KindSelect:
			out[in.Key] = f.Options[i%len(f.Options)]
		default:
			out[in.Key] = fmt.Sprintf("Giá trị %d của %s", i, strings.ToLower(f.Label))
		}
	}
	return out
}

// printed is how a value appears in the PDF.
func printed(in domain.DeclarationInput, v string) []string {
	switch {
	case in.Field.Style == domain.StyleCopies:
		return []string{fmt.Sprintf("%02s", v)}
	case in.Field.Kind == domain.KindTime:
		h, m, _ := strings.Cut(v, ":")
		return []string{h + " giờ " + m + " phút"}
	case in.Field.Kind == domain.KindNumber && in.Field.Suffix != "":
		return []string{fmt.Sprintf("%02s %s", v, in.Field.Suffix)}
	}
	out := []string{v}
	if in.Field.Words != "" {
		d, _ := domain.ParseDate(v)
		out = append(out, capitalise(DateWords(d)))
	}
	return out
}

// TestDeclarationRender prints every template with every value filled and reads the PDF
// back: every value, the fixed sentences and the signature blocks are there.
func TestDeclarationRender(t *testing.T) {
	rd := renderer()
	decls := DefaultDeclarations()
	for _, id := range decls.IDs() {
		tpl, _ := decls.Get(id)
		vals := sampleValues(tpl)
		switch id {
		case "to-khai-khai-sinh":
			vals = birthValues()
		case "to-khai-dang-ky-ket-hon":
			vals = marriageValues()
		}
		pdf := render(t, id, func(w *bytes.Buffer) error { return rd.Declaration(w, tpl, vals) })
		if n := pageCount(t, pdf); n != 1 {
			t.Errorf("%s: %d pages, want 1", id, n)
		}
		text := flatText(t, pdf)
		columns := map[string]string{} // a table cell's value, read from its column alone
		for _, s := range tpl.Sections {
			for i, c := range s.Columns {
				w := (contentW - 50) / float64(len(s.Columns))
				columns[c.Label] = cropText(t, pdf, marginL+50+float64(i)*w, w)
			}
		}
		wants := []string{tpl.Title, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
			"Kính gửi: " + vals["to"], tpl.PlaceLabel + ": An Hưng, ngày 26 tháng 02 năm 2026"}
		for _, sentence := range strings.Split(tpl.Commitment, "\n") {
			wants = append(wants, sentence)
		}
		for _, sg := range tpl.Signers {
			wants = append(wants, sg.Title, sg.Note)
		}
		for _, in := range tpl.Inputs() {
			if v := vals[in.Key]; v != "" && in.Column == "" {
				wants = append(wants, printed(in, v)...)
			} else if v != "" {
				wantAll(t, id+" "+in.Column, columns[in.Column], printed(in, v)...)
			}
		}
		wantAll(t, id, text, wants...)
		if strings.Contains(text, ".....") {
			t.Errorf("%s: a dotted dottedLeader although every value is filled:\n%s", id, text)
		}
	}
}

// cropText is the text of a vertical band of page 1 (x and width in mm), white space
// collapsed.
func cropText(t *testing.T, pdf string, x, w float64) string {
	t.Helper()
	out := tool(t, "pdftotext", "-enc", "UTF-8", "-r", "72", "-f", "1", "-l", "1", "-x", fmt.Sprint(int(x*mmPt)), "-y", "0",
		"-W", fmt.Sprint(int(w*mmPt)), "-H", "842", pdf, "-")
	return strings.Join(strings.Fields(out), " ")
}

func TestDeclarationBirthLayout(t *testing.T) {
	rd := renderer()
	tpl := declaration(t, "to-khai-khai-sinh")
	pdf := render(t, "khai-sinh", func(w *bytes.Buffer) error { return rd.Declaration(w, tpl, birthValues()) })
	text := layoutText(t, pdf)
	// Questions the form puts on one line stay on one line; the date is also in words.
	for _, want := range []string{
		"Ngày, tháng, năm sinh: 10/02/2026",
		"ghi bằng chữ: Ngày mười tháng hai năm hai nghìn không trăm hai mươi sáu",
		"Giới tính: Nam",
		"Năm sinh: 1988",
		"Đề nghị cấp bản sao: Có X",
		"Số lượng: 02 bản",
		"Người yêu cầu",
		"(Ký, ghi rõ họ, chữ đệm, tên)",
		"(Ban hành kèm theo Thông tư số 04/2024/TT-BTP",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q", want)
		}
	}
	for _, line := range strings.Split(text, "\n") {
		if strings.Contains(line, "Giới tính: Nam") && !(strings.Contains(line, "Dân tộc: Kinh") && strings.Contains(line, "Quốc tịch: Việt Nam")) {
			t.Errorf("sex, ethnicity and nationality are not on one line: %q", line)
		}
	}
	// The signature block has room to sign: the signer's printed name sits well below the note.
	ws := words(t, pdf)
	var noteY, nameY float64
	for i, w := range ws {
		if w.text == "(Ký," {
			noteY = w.yMin
		}
		if w.text == "Hoa" && i > 0 && ws[i-1].text == "Thị" && w.yMin > noteY && noteY > 0 {
			nameY = w.yMin
		}
	}
	if noteY == 0 || nameY-noteY < 20*mmPt {
		t.Errorf("signature space %.1f mm", (nameY-noteY)/mmPt)
	}
	if t.Failed() {
		t.Log(text)
	}
}

// TestDeclarationBlank: with nothing filled in, every question gets a dotted dottedLeader to
// write on, the boxes are empty, and the addressee line is dotted too.
func TestDeclarationBlank(t *testing.T) {
	rd := renderer()
	for _, id := range DefaultDeclarations().IDs() {
		tpl := declaration(t, id)
		pdf := render(t, id, func(w *bytes.Buffer) error { return rd.Declaration(w, tpl, nil) })
		text := layoutText(t, pdf)
		if n := pageCount(t, pdf); n != 1 {
			t.Errorf("%s: blank form has %d pages", id, n)
		}
		wantAll(t, id, text, "Kính gửi: .....", tpl.Signers[0].Note)
		for _, in := range tpl.Inputs() {
			if in.Field.Style != "" || in.Column != "" {
				continue
			}
			found := false
			for _, line := range strings.Split(text, "\n") {
				if i := strings.Index(line, strings.TrimSpace(declLabel(in.Field))); i >= 0 && strings.Contains(line[i:], "...") {
					found = true
				}
			}
			if !found {
				t.Errorf("%s: %q has no dotted line to write on", id, in.Field.Label)
			}
		}
	}
}

// TestDeclarationScreenshots renders the declarations to PNG for people to look at; with
// MOTCUA_FORMS_PNG=dir (make screenshots) they are kept there as declaration-*.png.
func TestDeclarationScreenshots(t *testing.T) {
	dir := os.Getenv("MOTCUA_FORMS_PNG")
	if dir == "" {
		dir = t.TempDir()
	}
	rd := renderer()
	decls := DefaultDeclarations()
	shots := map[string]map[string]string{
		"declaration-khai-sinh": birthValues(),
		"declaration-ket-hon":   marriageValues(),
	}
	ids := map[string]string{"declaration-khai-sinh": "to-khai-khai-sinh", "declaration-ket-hon": "to-khai-dang-ky-ket-hon"}
	names := make([]string, 0, len(shots))
	for n := range shots {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		tpl, _ := decls.Get(ids[name])
		vals := shots[name]
		pdf := render(t, name, func(w *bytes.Buffer) error { return rd.Declaration(w, tpl, vals) })
		tool(t, "pdftoppm", "-r", "80", "-png", "-singlefile", pdf, filepath.Join(dir, name))
		if st, err := os.Stat(filepath.Join(dir, name+".png")); err != nil || st.Size() < 10000 {
			t.Errorf("%s: no picture rendered (%v)", name, err)
		}
	}
}

func TestDeclarationUnusualValues(t *testing.T) {
	rd := renderer()
	tpl := declaration(t, "to-khai-khai-tu")
	vals := map[string]string{
		"deceased_name": norm.NFD.String("Nguyễn Thị Ánh Tuyết"),
		"death_place":   strings.Repeat("Rất dài ", 60) + "\x00\u200b😀",
		"death_cause":   "Suy tim\ncấp",
		"death_date":    "không phải ngày",
	}
	pdf := render(t, "unusual", func(w *bytes.Buffer) error { return rd.Declaration(w, tpl, vals) })
	text := flatText(t, pdf)
	wantAll(t, "unusual", text, "Nguyễn Thị Ánh Tuyết", "Suy tim cấp", "Rất dài Rất dài")
	if err := rd.Declaration(&bytes.Buffer{}, domain.DeclarationTemplate{}, nil); err == nil {
		t.Error("an empty template printed")
	}
}
