package forms

import (
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"motcua/domain"
	"motcua/domain/citizen"
)

// Declarations (tờ khai) are the forms a citizen fills in and signs: birth, death and
// marriage registration, marital status, civil-status extracts, certified copies. Unlike
// the counter's own forms, their questions are data too: each template lists its fields
// (what is asked, how it is checked, which intake field fills it) and how the official
// paper lays them out. The seed set is embedded from declarations/*.json;
// assets/declarations/ holds the same files for people looking for the data (a test keeps
// them identical). On "no-writing days" an official fills one in on the Hỗ trợ viết screen
// and prints it for the citizen to check and sign.

// Field kinds: how a value is typed and checked.
const (
	KindText   = "text"   // free text
	KindName   = "name"   // a person's full name (capitalised like papers print it)
	KindDate   = "date"   // dd/mm/yyyy
	KindYear   = "year"   // yyyy
	KindTime   = "time"   // hh:mm, printed "14 giờ 30 phút"
	KindSelect = "select" // one of Options (or any text when Other)
	KindNumber = "number" // a count, 0–1000
)

// Field styles: how a value is printed when it is not a plain "Label: value".
const (
	StyleAddressee = "addressee" // "Kính gửi: …" centred under the title
	StyleCopies    = "copies"    // "Label: Có [X] Không [ ] – Số lượng: 02 bản"
)

// Fill sources: the intake data that prefill a field.
const (
	FillApplicantName      = "applicant.name"
	FillApplicantID        = "applicant.id_number"
	FillApplicantIDPaper   = "applicant.id_paper" // "Căn cước công dân số …, cấp ngày …"
	FillApplicantBirth     = "applicant.birth"    // dd/mm/yyyy
	FillApplicantBirthYear = "applicant.birth_year"
	FillApplicantSex       = "applicant.sex"
	FillApplicantAddress   = "applicant.address"
	FillApplicantPhone     = "applicant.phone"
	FillApplicantEmail     = "applicant.email"
	FillUnitAuthority      = "unit.authority" // "Ủy ban nhân dân xã …"
)

// FillSources lists every fill source a template may name.
func FillSources() []string {
	return []string{FillApplicantName, FillApplicantID, FillApplicantIDPaper, FillApplicantBirth, FillApplicantBirthYear,
		FillApplicantSex, FillApplicantAddress, FillApplicantPhone, FillApplicantEmail, FillUnitAuthority}
}

// Intake fields a declaration value may carry into (besides the applicant).
const (
	IntakeCopies = "copies"
	IntakePages  = "pages"
)

// maxDeclValue is the longest value a field takes, in characters.
const maxDeclValue = domain.MaxAddress

// DeclarationField is one question of a declaration.
type DeclarationField struct {
	Key      string   `json:"key"`                // value key (prefixed by the column in a two-column section)
	Label    string   `json:"label"`              // as printed on the paper
	Question string   `json:"question,omitempty"` // as asked on the screen; Label when empty
	Kind     string   `json:"kind"`
	Required bool     `json:"required,omitempty"`
	Options  []string `json:"options,omitempty"` // for select
	Other    bool     `json:"other,omitempty"`   // a select that also takes text not in Options
	Hint     string   `json:"hint,omitempty"`    // how to fill it in (the form's footnote)
	Fill     string   `json:"fill,omitempty"`    // fill source, see FillSources
	Default  string   `json:"default,omitempty"` // value a new declaration starts with
	Inline   bool     `json:"inline,omitempty"`  // printed on the same line as the field before
	Bare     bool     `json:"bare,omitempty"`    // label printed without a colon: a continuation ("do …", "cấp ngày …")
	Words    string   `json:"words,omitempty"`   // date: label of the date in words ("ghi bằng chữ")
	Past     bool     `json:"past,omitempty"`    // date/year: not after today
	Suffix   string   `json:"suffix,omitempty"`  // printed after the value ("bản")
	Style    string   `json:"style,omitempty"`   // see StyleAddressee, StyleCopies
	Intake   string   `json:"intake,omitempty"`  // intake field the value carries into (IntakeCopies, IntakePages)
}

// Ask is the field's question on the screen.
func (f DeclarationField) Ask() string {
	if f.Question != "" {
		return f.Question
	}
	return f.Label
}

// DeclarationColumn is one side of a two-column section (marriage: Bên nữ / Bên nam).
type DeclarationColumn struct {
	Label  string `json:"label"`
	Prefix string `json:"prefix"` // value keys of this column are Prefix + field key
}

// DeclarationSection is a group of questions: on paper an optional sentence and the fields,
// or a bordered table with one column per side when Columns is set.
type DeclarationSection struct {
	Title           string              `json:"title,omitempty"`  // heading on the screen (not printed)
	Intro           string              `json:"intro,omitempty"`  // printed before the fields
	Header          string              `json:"header,omitempty"` // first column heading of a table
	Columns         []DeclarationColumn `json:"columns,omitempty"`
	AfterCommitment bool                `json:"after_commitment,omitempty"` // printed after the commitment
	Fields          []DeclarationField  `json:"fields"`
}

// DeclarationSigner is a signature block.
type DeclarationSigner struct {
	Title   string `json:"title"`              // "Người yêu cầu"
	Note    string `json:"note"`               // "(Ký, ghi rõ họ, chữ đệm, tên)"
	NameKey string `json:"name_key,omitempty"` // value printed under the space, if filled
}

// DeclarationTemplate is one declaration form as data.
type DeclarationTemplate struct {
	ID          string               `json:"id"` // the id the catalogue's procedures name
	Version     string               `json:"version"`
	Number      string               `json:"number,omitempty"` // printed small at top right, if any
	Title       string               `json:"title"`
	Subtitle    string               `json:"subtitle,omitempty"`
	Basis       string               `json:"basis,omitempty"`   // legal basis, printed small in parentheses
	Summary     string               `json:"summary,omitempty"` // the intake's request content, with {key} placeholders
	Sections    []DeclarationSection `json:"sections"`
	Commitment  string               `json:"commitment"`  // the closing sentence(s), one paragraph per line
	PlaceLabel  string               `json:"place_label"` // "Làm tại"
	Signers     []DeclarationSigner  `json:"signers"`
	Source      string               `json:"source,omitempty"`
	Note        string               `json:"note,omitempty"`
	Unconfirmed []string             `json:"unconfirmed,omitempty"` // "basis", "title", "commitment", "signers", "field:<key>", "section:<index>"
}

// DeclarationInput is one value a declaration asks for: a field, once per column of a
// two-column section.
type DeclarationInput struct {
	Key     string // value key
	Label   string // printed label (with the column's label in a two-column section)
	Ask     string // the question on the screen
	Column  string // the column's label, or ""
	Section int    // index into Sections
	Field   DeclarationField
}

// Inputs lists every value the template asks for, in order.
func (t DeclarationTemplate) Inputs() []DeclarationInput {
	var out []DeclarationInput
	for si, s := range t.Sections {
		if len(s.Columns) == 0 {
			for _, f := range s.Fields {
				out = append(out, DeclarationInput{Key: f.Key, Label: f.Label, Ask: f.Ask(), Section: si, Field: f})
			}
			continue
		}
		for _, f := range s.Fields {
			for _, c := range s.Columns {
				out = append(out, DeclarationInput{Key: c.Prefix + f.Key, Label: f.Label + " (" + c.Label + ")",
					Ask: c.Label + " – " + f.Ask(), Column: c.Label, Section: si, Field: f})
			}
		}
	}
	return out
}

// Input returns the input with the given value key.
func (t DeclarationTemplate) Input(key string) (DeclarationInput, bool) {
	for _, in := range t.Inputs() {
		if in.Key == key {
			return in, true
		}
	}
	return DeclarationInput{}, false
}

var declKeyRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// ParseDeclaration decodes and checks one template. Unknown JSON fields are accepted, so a
// newer template distributed with the catalogue still loads in an older app.
func ParseDeclaration(data []byte) (DeclarationTemplate, error) {
	var t DeclarationTemplate
	if err := json.Unmarshal(data, &t); err != nil {
		return DeclarationTemplate{}, fmt.Errorf("mẫu tờ khai: tệp không đúng định dạng JSON: %w", err)
	}
	if err := t.validate(); err != nil {
		return DeclarationTemplate{}, fmt.Errorf("mẫu tờ khai «%s»: %w", t.ID, err)
	}
	return t, nil
}

func (t *DeclarationTemplate) validate() error {
	switch {
	case !declKeyRE.MatchString(strings.ReplaceAll(t.ID, "-", "_")):
		return fmt.Errorf("mã mẫu (id) không hợp lệ")
	case strings.TrimSpace(t.Version) == "":
		return fmt.Errorf("thiếu phiên bản (version)")
	case strings.TrimSpace(t.Title) == "":
		return fmt.Errorf("thiếu tên (title)")
	case strings.TrimSpace(t.Commitment) == "":
		return fmt.Errorf("thiếu lời cam đoan (commitment)")
	case len(t.Signers) == 0:
		return fmt.Errorf("thiếu người ký (signers)")
	case len(t.Sections) == 0:
		return fmt.Errorf("không có mục nào (sections)")
	}
	fills := map[string]bool{}
	for _, f := range FillSources() {
		fills[f] = true
	}
	keys := map[string]bool{}
	for si, s := range t.Sections {
		if len(s.Fields) == 0 {
			return fmt.Errorf("mục %d không có câu hỏi nào", si)
		}
		prefixes := map[string]bool{}
		for _, c := range s.Columns {
			if strings.TrimSpace(c.Label) == "" || !declKeyRE.MatchString(c.Prefix+"x") || prefixes[c.Prefix] {
				return fmt.Errorf("mục %d: cột «%s» thiếu tên hoặc tiền tố (prefix) không hợp lệ", si, c.Label)
			}
			prefixes[c.Prefix] = true
		}
		if len(s.Columns) == 1 {
			return fmt.Errorf("mục %d: bảng phải có ít nhất hai cột", si)
		}
		for _, f := range s.Fields {
			if !declKeyRE.MatchString(f.Key) {
				return fmt.Errorf("mục %d: khóa «%s» không hợp lệ (chữ thường không dấu, chữ số, gạch dưới)", si, f.Key)
			}
			if strings.TrimSpace(f.Label) == "" {
				return fmt.Errorf("câu hỏi «%s»: thiếu nhãn (label)", f.Key)
			}
			switch f.Kind {
			case KindText, KindName, KindDate, KindYear, KindTime, KindNumber:
			case KindSelect:
				if len(f.Options) == 0 {
					return fmt.Errorf("câu hỏi «%s»: danh sách chọn không có lựa chọn nào", f.Key)
				}
			default:
				return fmt.Errorf("câu hỏi «%s»: loại «%s» không được hỗ trợ", f.Key, f.Kind)
			}
			switch f.Style {
			case "", StyleAddressee:
			case StyleCopies:
				if f.Kind != KindNumber {
					return fmt.Errorf("câu hỏi «%s»: kiểu in «copies» chỉ dùng cho số", f.Key)
				}
			default:
				return fmt.Errorf("câu hỏi «%s»: kiểu in «%s» không được hỗ trợ", f.Key, f.Style)
			}
			if f.Style != "" && len(s.Columns) > 0 {
				return fmt.Errorf("câu hỏi «%s»: kiểu in riêng không dùng được trong bảng", f.Key)
			}
			if f.Fill != "" && !fills[f.Fill] {
				return fmt.Errorf("câu hỏi «%s»: nguồn điền sẵn «%s» không có", f.Key, f.Fill)
			}
			switch f.Intake {
			case "", IntakeCopies, IntakePages:
				if f.Intake != "" && f.Kind != KindNumber {
					return fmt.Errorf("câu hỏi «%s»: chỉ số mới chuyển được sang «%s» của tiếp nhận", f.Key, f.Intake)
				}
			default:
				return fmt.Errorf("câu hỏi «%s»: mục tiếp nhận «%s» không có", f.Key, f.Intake)
			}
			if f.Words != "" && f.Kind != KindDate {
				return fmt.Errorf("câu hỏi «%s»: chỉ ngày tháng mới ghi được bằng chữ", f.Key)
			}
			if f.Inline && (len(s.Columns) > 0 || f.Style != "") {
				return fmt.Errorf("câu hỏi «%s»: «inline» không dùng được ở đây", f.Key)
			}
			cols := s.Columns
			if len(cols) == 0 {
				cols = []DeclarationColumn{{}}
			}
			for _, c := range cols {
				k := c.Prefix + f.Key
				if keys[k] {
					return fmt.Errorf("khóa «%s» bị trùng", k)
				}
				keys[k] = true
			}
		}
		if s.Fields[0].Inline {
			return fmt.Errorf("mục %d: câu hỏi đầu tiên không thể «inline»", si)
		}
	}
	for _, sg := range t.Signers {
		if strings.TrimSpace(sg.Title) == "" {
			return fmt.Errorf("người ký thiếu tên gọi (title)")
		}
		if sg.NameKey != "" && !keys[sg.NameKey] {
			return fmt.Errorf("người ký «%s»: khóa «%s» không có", sg.Title, sg.NameKey)
		}
	}
	for _, m := range declPlaceholderRE.FindAllStringSubmatch(t.Summary, -1) {
		if !keys[m[1]] {
			return fmt.Errorf("tóm tắt (summary): khóa «%s» không có", m[1])
		}
	}
	for _, u := range t.Unconfirmed {
		ok := false
		switch {
		case u == "basis", u == "title", u == "commitment", u == "signers", u == "summary":
			ok = true
		case strings.HasPrefix(u, "field:"):
			k := strings.TrimPrefix(u, "field:")
			ok = keys[k]
			for _, s := range t.Sections {
				for _, f := range s.Fields {
					ok = ok || f.Key == k
				}
			}
		case strings.HasPrefix(u, "section:"):
			n, err := strconv.Atoi(strings.TrimPrefix(u, "section:"))
			ok = err == nil && n >= 0 && n < len(t.Sections)
		}
		if !ok {
			return fmt.Errorf("«unconfirmed» ghi «%s» không chỉ tới mục nào", u)
		}
	}
	return nil
}

// Declarations is a set of declaration templates by id.
type Declarations struct {
	byID map[string]DeclarationTemplate
}

// ParseDeclarations parses several templates; ids must be unique.
func ParseDeclarations(docs ...[]byte) (Declarations, error) {
	d := Declarations{byID: map[string]DeclarationTemplate{}}
	for _, doc := range docs {
		t, err := ParseDeclaration(doc)
		if err != nil {
			return Declarations{}, err
		}
		if _, dup := d.byID[t.ID]; dup {
			return Declarations{}, fmt.Errorf("mẫu tờ khai «%s» bị trùng", t.ID)
		}
		d.byID[t.ID] = t
	}
	return d, nil
}

//go:embed declarations/*.json
var declarationFS embed.FS

// DeclarationFiles returns the embedded seed templates by file name.
func DeclarationFiles() map[string][]byte {
	names, _ := fs.Glob(declarationFS, "declarations/*.json")
	out := make(map[string][]byte, len(names))
	for _, n := range names {
		b, err := declarationFS.ReadFile(n)
		if err != nil {
			panic(err) // embedded at build time
		}
		out[strings.TrimPrefix(n, "declarations/")] = b
	}
	return out
}

// DefaultDeclarations returns the embedded seed templates.
func DefaultDeclarations() Declarations {
	files := DeclarationFiles()
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	docs := make([][]byte, len(names))
	for i, n := range names {
		docs[i] = files[n]
	}
	d, err := ParseDeclarations(docs...)
	if err != nil {
		panic(err) // embedded at build time and checked by the tests
	}
	return d
}

// Get returns the template with the given id.
func (d Declarations) Get(id string) (DeclarationTemplate, bool) {
	t, ok := d.byID[strings.TrimSpace(id)]
	return t, ok
}

// IDs lists the template ids, sorted.
func (d Declarations) IDs() []string {
	out := make([]string, 0, len(d.byID))
	for id := range d.byID {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// --- prefilling ---

// IDPaper describes an identity paper the way the declarations ask for it ("Giấy tờ tùy
// thân"): "Căn cước công dân số 001099012345, cấp ngày 20/04/2021". Cards issued from
// 1 July 2024 are "Thẻ căn cước" (Law on Identification 2023); a 9-digit number is an old
// identity card (CMND). Without an issue date only the number can be given.
func IDPaper(number string, issued time.Time) string {
	kind, digits, err := citizen.ParseAnyID(number)
	if err != nil {
		return clean(number)
	}
	if kind == citizen.KindOldID {
		s := "Chứng minh nhân dân số " + digits
		if !issued.IsZero() {
			s += ", cấp ngày " + issued.Format("02/01/2006")
		}
		return s
	}
	if issued.IsZero() {
		return "Số định danh cá nhân " + digits
	}
	name := "Căn cước công dân"
	if !issued.Before(time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC)) {
		name = "Thẻ căn cước"
	}
	return name + " số " + digits + ", cấp ngày " + issued.Format("02/01/2006")
}

// DefaultAddressee is the authority a commune's declarations are addressed to: "Ủy ban
// nhân dân xã An Hưng" for the centre "Trung tâm Phục vụ hành chính công xã An Hưng".
// It falls back to the unit's name; the official can always edit it.
func DefaultAddressee(u Unit) string {
	name := clean(u.Name)
	lower := strings.ToLower(name)
	for _, kind := range []string{" xã ", " phường ", " đặc khu ", " thị trấn "} {
		if i := strings.LastIndex(lower, kind); i >= 0 {
			return "Ủy ban nhân dân " + name[i+1:]
		}
	}
	if name == "" && clean(u.Place) != "" {
		return "Ủy ban nhân dân " + clean(u.Place)
	}
	return name
}

// FillValues gives the value of each fill source for an applicant (issued: the ID card's
// issue date, when scanned) at a unit. Sources without a value are left out.
func FillValues(a domain.Person, issued time.Time, u Unit) map[string]string {
	out := map[string]string{}
	set := func(k, v string) {
		if v = clean(v); v != "" {
			out[k] = v
		}
	}
	set(FillApplicantName, citizen.NormaliseName(a.Name))
	set(FillApplicantID, a.IDNumber)
	if strings.TrimSpace(a.IDNumber) != "" {
		set(FillApplicantIDPaper, IDPaper(a.IDNumber, issued))
	}
	if b, err := declDate(a.Birth); err == nil {
		set(FillApplicantBirth, b.Format("02/01/2006"))
		set(FillApplicantBirthYear, strconv.Itoa(b.Year()))
	}
	set(FillApplicantSex, a.Sex)
	set(FillApplicantAddress, a.Address)
	set(FillApplicantPhone, a.Phone)
	set(FillApplicantEmail, a.Email)
	set(FillUnitAuthority, DefaultAddressee(u))
	return out
}

// Prefill returns the starting values of a new declaration: the defaults, overridden by
// what the fill sources give.
func (t DeclarationTemplate) Prefill(sources map[string]string) map[string]string {
	out := map[string]string{}
	for _, in := range t.Inputs() {
		if in.Field.Default != "" {
			out[in.Key] = in.Field.Default
		}
		if v := sources[in.Field.Fill]; in.Field.Fill != "" && v != "" {
			out[in.Key] = v
		}
	}
	return out
}

var declPlaceholderRE = regexp.MustCompile(`\{([a-z][a-z0-9_]*)\}`)

// SummaryText is the request content (nội dung yêu cầu) for the intake, from the
// template's summary with the values filled in; "" when a value it names is missing (the
// intake then uses the procedure's name).
func (t DeclarationTemplate) SummaryText(values map[string]string) string {
	missing := false
	s := declPlaceholderRE.ReplaceAllStringFunc(t.Summary, func(m string) string {
		v := clean(values[m[1:len(m)-1]])
		if v == "" {
			missing = true
		}
		return v
	})
	if missing {
		return ""
	}
	return clean(s)
}

// --- checking ---

// Check normalises the values of a declaration (NFC, names capitalised, dates as
// dd/mm/yyyy, options as listed) and reports every problem at once, each with the value
// key as its Field. With complete, a required value that is missing is a problem too;
// without, only what was typed is checked (a printed declaration may leave blanks for the
// citizen to write in). Unknown keys and empty values are dropped.
func (t DeclarationTemplate) Check(values map[string]string, now time.Time, complete bool) (map[string]string, error) {
	out := map[string]string{}
	var v domain.ValidationError
	today := civilDate(vn(now))
	for _, in := range t.Inputs() {
		f := in.Field
		raw := citizen.NormaliseText(values[in.Key])
		if raw == "" {
			if complete && f.Required {
				v = append(v, declProblem(in.Key, "declaration.required", fmt.Sprintf("Chưa điền «%s».", in.Ask), in.Ask))
			}
			continue
		}
		if utf8.RuneCountInString(raw) > maxDeclValue {
			v = append(v, declProblem(in.Key, "declaration.too_long", fmt.Sprintf("«%s» dài quá %d ký tự.", in.Ask, maxDeclValue), in.Ask))
			continue
		}
		val, fe := checkValue(in, raw, today)
		if fe != nil {
			v = append(v, *fe)
			continue
		}
		out[in.Key] = val
	}
	if len(v) > 0 {
		return out, v
	}
	return out, nil
}

// declProblem is a FieldError about one value; msg already names the question.
func declProblem(key, code, msg, ask string) domain.FieldError {
	return domain.FieldError{Field: key, Code: code, Msg: msg, Args: map[string]string{"Field": ask}}
}

var declTimeRE = regexp.MustCompile(`^(\d{1,2})\s*(?::|h|g|giờ)\s*(\d{1,2})?\s*(?:phút|p)?$`)

func checkValue(in DeclarationInput, raw string, today time.Time) (string, *domain.FieldError) {
	f := in.Field
	fail := func(code, format string) (string, *domain.FieldError) {
		fe := declProblem(in.Key, code, fmt.Sprintf(format, in.Ask), in.Ask)
		return "", &fe
	}
	switch f.Kind {
	case KindName:
		if err := citizen.ValidateName(raw); err != nil {
			fe := declProblem(in.Key, "declaration.name", fmt.Sprintf("«%s»: %s", in.Ask, err.Error()), in.Ask)
			return "", &fe
		}
		return citizen.NormaliseName(raw), nil
	case KindDate:
		d, err := declDate(raw)
		if err != nil || d.Year() < 1900 {
			return fail("declaration.date", "«%s» phải là ngày/tháng/năm, ví dụ 15/03/2026.")
		}
		if f.Past && civilDate(d).After(today) {
			return fail("declaration.date_future", "«%s» không thể là một ngày trong tương lai.")
		}
		return d.Format("02/01/2006"), nil
	case KindYear:
		y, err := strconv.Atoi(raw)
		if err != nil || len(raw) != 4 || y < 1900 {
			return fail("declaration.year", "«%s» phải là năm gồm 4 chữ số, ví dụ 1990.")
		}
		if f.Past && y > today.Year() {
			return fail("declaration.year_future", "«%s» không thể là một năm trong tương lai.")
		}
		return raw, nil
	case KindTime:
		m := declTimeRE.FindStringSubmatch(strings.ToLower(raw))
		if m == nil {
			return fail("declaration.time", "«%s» phải là giờ:phút, ví dụ 14:30.")
		}
		h, _ := strconv.Atoi(m[1])
		mi := 0
		if m[2] != "" {
			mi, _ = strconv.Atoi(m[2])
		}
		if h > 23 || mi > 59 {
			return fail("declaration.time", "«%s» phải là giờ:phút, ví dụ 14:30.")
		}
		return fmt.Sprintf("%02d:%02d", h, mi), nil
	case KindNumber:
		n, err := strconv.Atoi(raw)
		if err != nil || n < 0 || n > 1000 {
			return fail("declaration.number", "«%s» phải là một số từ 0 đến 1.000.")
		}
		return strconv.Itoa(n), nil
	case KindSelect:
		for _, o := range f.Options {
			if citizen.Fold(o) == citizen.Fold(raw) {
				return o, nil
			}
		}
		if !f.Other {
			return fail("declaration.option", "«%s»: hãy chọn một giá trị trong danh sách.")
		}
	}
	return raw, nil
}

var declISODateRE = regexp.MustCompile(`^\d{4}-\d{1,2}-\d{1,2}$`)

// declDate reads a date as the intake does, also with dashes or dots between day, month
// and year without leading zeros ("1-3-2026").
func declDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if !declISODateRE.MatchString(s) {
		s = strings.NewReplacer("-", "/", ".", "/", " ", "").Replace(s)
	}
	return domain.ParseDate(s)
}

// civilDate is the calendar date of t at 00:00 UTC, for comparing days.
func civilDate(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// --- numbers and dates in words ---

var digitWords = [...]string{"không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"}

// NumberWords writes n in Vietnamese words, the way documents spell amounts and dates:
// 15 "mười lăm", 21 "hai mươi mốt", 105 "một trăm linh năm", 2026 "hai nghìn không trăm
// hai mươi sáu", 1000000 "một triệu", 10^12 "một nghìn tỷ". Negative numbers get "âm".
func NumberWords(n int64) string {
	if n == 0 {
		return digitWords[0]
	}
	if n < 0 {
		return "âm " + strings.Join(numberWords(uint64(-(n+1))+1, false), " ")
	}
	return strings.Join(numberWords(uint64(n), false), " ")
}

// numberWords reads n > 0; full reads its first group in full ("không trăm linh năm"), as
// a part that follows a higher one.
func numberWords(n uint64, full bool) []string {
	if n >= 1_000_000_000 {
		w := append(numberWords(n/1_000_000_000, full), "tỷ")
		if lo := n % 1_000_000_000; lo > 0 {
			w = append(w, numberWords(lo, true)...)
		}
		return w
	}
	var w []string
	for i, scale := range []string{"triệu", "nghìn", ""} {
		div := uint64(1)
		for range 2 - i {
			div *= 1000
		}
		g := int(n / div % 1000)
		if g == 0 {
			continue
		}
		w = append(w, groupWords(g, full || len(w) > 0)...)
		if scale != "" {
			w = append(w, scale)
		}
	}
	return w
}

// groupWords reads 0 < g < 1000; full reads the hundreds even when zero.
func groupWords(g int, full bool) []string {
	h, t, u := g/100, g/10%10, g%10
	var w []string
	if h > 0 || full {
		w = append(w, digitWords[h], "trăm")
	}
	switch {
	case t == 0:
		if u > 0 {
			if len(w) > 0 {
				w = append(w, "linh")
			}
			w = append(w, digitWords[u])
		}
	case t == 1:
		w = append(w, "mười")
		switch u {
		case 0:
		case 5:
			w = append(w, "lăm")
		default:
			w = append(w, digitWords[u])
		}
	default:
		w = append(w, digitWords[t], "mươi")
		switch u {
		case 0:
		case 1:
			w = append(w, "mốt")
		case 5:
			w = append(w, "lăm")
		default:
			w = append(w, digitWords[u])
		}
	}
	return w
}

// monthWords names months as dates are written out: "tháng tư", not "tháng bốn".
var monthWords = [...]string{"", "một", "hai", "ba", "tư", "năm", "sáu", "bảy", "tám", "chín", "mười", "mười một", "mười hai"}

// DateWords writes a calendar date in words: "ngày mười lăm tháng ba năm hai nghìn không
// trăm hai mươi sáu". The date is taken as it is (no time zone conversion).
func DateWords(t time.Time) string {
	y, m, d := t.Date()
	return "ngày " + NumberWords(int64(d)) + " tháng " + monthWords[m] + " năm " + NumberWords(int64(y))
}

// capitalise upper-cases the first letter.
func capitalise(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// --- printing ---

// Declaration prints a declaration filled in with values (keys as Inputs gives them) as
// an A4 PDF laid out like the official form: the national motto, the title, "Kính gửi",
// the questions as "Label: value" lines (dotted leaders where a value is missing, so the
// citizen can still write by hand; a bordered table for two-column forms), the
// commitment, the place and date, and the signature blocks with room to sign. Values are
// printed as given after Check's normalisation; dates asked in words are also written
// out.
func (rd Renderer) Declaration(w io.Writer, tpl DeclarationTemplate, values map[string]string) (err error) {
	defer recoverPDF(&err)
	if strings.TrimSpace(tpl.Title) == "" {
		return incomplete("declaration.no_template", "Chưa chọn mẫu tờ khai nên chưa in được.")
	}
	vals := map[string]string{}
	for k, v := range values {
		vals[k] = clean(v)
	}
	subject := clean(rd.Unit.Name)
	if rd.Unit.Code != "" {
		subject += " (" + rd.Unit.Code + ")"
	}
	p := newPage(clean(tpl.Title), subject, rd.now())
	p.footer = clean(tpl.Title)
	p.declarationHeader(tpl)

	for si, s := range tpl.Sections {
		if !s.AfterCommitment {
			p.declarationSection(tpl, si, vals)
		}
	}
	p.gap(2)
	for _, sentence := range strings.Split(clean(tpl.Commitment), "\n") {
		p.write(declPara, r(sentence))
	}
	p.gap(1)
	for si, s := range tpl.Sections {
		if s.AfterCommitment {
			p.declarationSection(tpl, si, vals)
		}
	}

	var signers []signer
	for _, sg := range tpl.Signers {
		signers = append(signers, signer{title: clean(sg.Title), note: clean(sg.Note), name: vals[sg.NameKey]})
	}
	label := clean(tpl.PlaceLabel)
	line := placeDate(rd.Unit.Place, rd.now())
	if label != "" {
		line = label + ": " + line
	}
	colW := contentW / 2
	dateSt := para{size: 11, line: 5.6, align: 'C'}
	p.ensure(3 + p.textHeight([]run{it(line)}, colW, dateSt) + p.signatureHeight(signers...))
	p.gap(3)
	p.y += p.drawText([]run{it(line)}, marginL+colW, p.y, colW, dateSt)
	p.signatures(signers...)
	return p.finish(w)
}

// declPara is the body paragraph of a declaration: justified, first line indented.
var declPara = para{size: bodySize, line: bodyLine + 0.4, align: 'J', indent: 8}

// declarationHeader draws the basis, the national motto and the title.
func (p *page) declarationHeader(tpl DeclarationTemplate) {
	top := marginT
	if n := clean(tpl.Number); n != "" {
		p.drawText([]run{b(n)}, marginL, top, contentW, para{size: 9.5, line: 4.4, align: 'R'})
		top += 4.4
	}
	if basis := clean(tpl.Basis); basis != "" {
		top += p.drawText([]run{it("(" + basis + ")")}, marginL+70, top, contentW-70, para{size: 7.5, line: 3.4, align: 'R'})
	}
	top += 3
	top += p.drawText([]run{b("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")}, marginL, top, contentW, para{size: 12, line: 5.8, align: 'C'})
	motto := "Độc lập - Tự do - Hạnh phúc"
	top += p.drawText([]run{b(motto)}, marginL, top, contentW, para{size: 12.5, line: 6, align: 'C'})
	mw := p.measure(motto, bold, 12.5)
	top += 0.6
	p.rule(marginL+(contentW-mw)/2, marginL+(contentW+mw)/2, top, 0.3)
	p.y = top + 7
	p.y += p.drawText([]run{b(clean(tpl.Title))}, marginL, p.y, contentW, para{size: 14, line: 7, align: 'C'})
	if st := clean(tpl.Subtitle); st != "" {
		p.y += p.drawText([]run{it("(" + st + ")")}, marginL, p.y, contentW, para{size: 10.5, line: 5.2, align: 'C'})
	}
	p.gap(3)
}

// declItem is one "Label: value" on paper.
type declItem struct {
	label  string // with its colon, if any
	value  string // "" prints a dotted leader
	suffix string // after the value (or the leader)
}

// declLabel is a field's label as it leads its value.
func declLabel(f DeclarationField) string {
	if f.Bare {
		return clean(f.Label) + " "
	}
	return clean(f.Label) + ": "
}

const (
	declGap     = 4.0  // between items on one line, mm
	declMinDots = 22.0 // shortest leader, mm
	declLine    = 7.0  // line height of the questions: room to write by hand
)

// declItemPara is how a question that wraps is set.
var declItemPara = para{size: bodySize, line: declLine, align: 'L'}

// declarationSection prints one section.
func (p *page) declarationSection(tpl DeclarationTemplate, si int, vals map[string]string) {
	s := tpl.Sections[si]
	if intro := clean(s.Intro); intro != "" {
		p.gap(1)
		p.write(declItemPara, r(intro))
	}
	if len(s.Columns) > 0 {
		p.columnTable(s, vals)
		return
	}
	var row []declItem
	flush := func() {
		if len(row) > 0 {
			p.itemRow(row)
			row = nil
		}
	}
	for _, f := range s.Fields {
		v := vals[f.Key]
		switch f.Style {
		case StyleAddressee:
			flush()
			p.addressee(clean(f.Label), v)
			continue
		case StyleCopies:
			flush()
			p.copiesLine(clean(f.Label), v, clean(f.Suffix))
			continue
		}
		if !f.Inline {
			flush()
		}
		row = append(row, declItem{label: declLabel(f), value: declValue(f, v), suffix: clean(f.Suffix)})
		if f.Words != "" {
			words := ""
			if d, err := declDate(v); err == nil && v != "" {
				words = capitalise(DateWords(d))
			}
			row = append(row, declItem{label: clean(f.Words) + ": ", value: words})
		}
	}
	flush()
}

// declValue is a value as the paper shows it.
func declValue(f DeclarationField, v string) string {
	if v == "" {
		return ""
	}
	switch f.Kind {
	case KindTime:
		if hh, mm, ok := strings.Cut(v, ":"); ok {
			return hh + " giờ " + mm + " phút"
		}
	case KindNumber:
		if n, err := strconv.Atoi(v); err == nil && f.Suffix != "" && n < 10 {
			return fmt.Sprintf("%02d", n)
		}
	}
	return v
}

// addressee prints "Kính gửi: …" centred under the title.
func (p *page) addressee(label, value string) {
	runs := []run{r(label + ": ")}
	if value != "" {
		runs = append(runs, b(value))
	} else {
		runs = append(runs, r(p.dottedLeader(90, regular)))
	}
	p.writeAt(marginL+10, contentW-20, para{size: 12, line: 6.2, align: 'C'}, runs...)
	p.gap(3)
}

// dottedLeader is a dotted line about w mm long.
func (p *page) dottedLeader(w float64, style string) string {
	dw := p.measure(".", style, bodySize)
	n := int(w / dw)
	if n < 3 {
		n = 3
	}
	return strings.Repeat(".", n)
}

// itemWidth is the width an item needs: label, value (or the shortest leader), suffix.
func (p *page) itemWidth(itm declItem) float64 {
	w := p.measure(itm.label, regular, bodySize)
	if itm.value != "" {
		w += p.measure(itm.value, bold, bodySize)
	} else {
		w += declMinDots
	}
	if itm.suffix != "" {
		w += p.measure(" "+itm.suffix, regular, bodySize)
	}
	return w
}

// itemRow prints items that belong on one line, packing them greedily into lines; an item
// too wide for a line wraps on its own.
func (p *page) itemRow(items []declItem) {
	var line []declItem
	width := 0.0
	flush := func() {
		switch {
		case len(line) == 0:
		case len(line) == 1 && p.itemWidth(line[0]) > contentW:
			p.wrappedItem(line[0])
		default:
			p.lineItems(line)
		}
		line, width = nil, 0
	}
	for _, itm := range items {
		w := p.itemWidth(itm)
		if len(line) > 0 && width+declGap+w > contentW {
			flush()
		}
		if len(line) > 0 {
			width += declGap
		}
		line = append(line, itm)
		width += w
	}
	flush()
}

// lineItems draws items that fit on one line; empty values share the spare width as
// dotted leaders, so the line runs to the margin for writing by hand.
func (p *page) lineItems(items []declItem) {
	p.ensure(declLine)
	total, empties := 0.0, 0
	for i, itm := range items {
		total += p.itemWidth(itm)
		if i > 0 {
			total += declGap
		}
		if itm.value == "" {
			empties++
		}
	}
	spare := max(contentW-total, 0)
	x := marginL
	for i, itm := range items {
		if i > 0 {
			x += declGap
		}
		x = p.textOnLine(x, itm.label, regular)
		if itm.value != "" {
			x = p.textOnLine(x, itm.value, bold)
		} else {
			x = p.textOnLine(x, p.dottedLeader(declMinDots+spare/float64(empties), regular), regular)
		}
		if itm.suffix != "" {
			x = p.textOnLine(x, " "+itm.suffix, regular)
		}
	}
	p.y += declLine
}

// textOnLine draws s on the current line at x and returns where it ends.
func (p *page) textOnLine(x float64, s, style string) float64 {
	p.font(style, bodySize)
	s = printable(s)
	p.f.Text(x, p.y+declLine/2+0.3*bodySize*ptMM, s)
	return x + p.f.GetStringWidth(s)
}

// wrappedItem prints a long item as a paragraph; an empty one gets a dotted leader to the end
// of its last line (or a whole dotted line when little room is left).
func (p *page) wrappedItem(itm declItem) {
	if itm.value != "" {
		runs := []run{r(itm.label), b(itm.value)}
		if itm.suffix != "" {
			runs = append(runs, r(" "+itm.suffix))
		}
		p.write(declItemPara, runs...)
		return
	}
	lead := strings.TrimSpace(itm.label)
	ls := p.lines([]run{r(lead)}, contentW, declItemPara)
	last := 0.0
	for i, w := range ls[len(ls)-1].words {
		last += w.w
		if i > 0 {
			last += p.spaceW(ls[len(ls)-1].words[i-1], bodySize)
		}
	}
	p.write(declItemPara, r(lead))
	room := contentW - last - p.measure(" ", regular, bodySize)
	if room >= declMinDots {
		p.y -= declLine
		p.textOnLine(marginL+contentW-room, p.dottedLeader(room, regular), regular)
		p.y += declLine
	} else {
		p.ensure(declLine)
		p.textOnLine(marginL, p.dottedLeader(contentW, regular), regular)
		p.y += declLine
	}
}

// copiesLine prints "Label: Có [X]  Không [ ]   Số lượng: 02 bản" with drawn boxes; an
// empty value leaves both boxes empty and the count dotted.
func (p *page) copiesLine(label, value, suffix string) {
	p.ensure(declLine)
	n, err := strconv.Atoi(value)
	known := value != "" && err == nil
	box := func(x float64, mark bool) float64 {
		const sz = 3.6
		y := p.y + (declLine-sz)/2
		p.f.SetLineWidth(0.25)
		p.f.Rect(x, y, sz, sz, "D")
		p.f.SetLineWidth(0.2)
		if mark {
			p.font(bold, 9)
			w := p.f.GetStringWidth("X")
			p.f.Text(x+(sz-w)/2, y+sz-0.75, "X")
		}
		return x + sz
	}
	x := p.textOnLine(marginL, label+":", regular)
	x = p.textOnLine(x+3, "Có", regular)
	x = box(x+1.5, known && n > 0)
	x = p.textOnLine(x+5, "Không", regular)
	x = box(x+1.5, known && n == 0)
	x = p.textOnLine(x+8, "Số lượng: ", regular)
	switch {
	case known && n > 0:
		x = p.textOnLine(x, fmt.Sprintf("%02d", n), bold)
	case !known:
		x = p.textOnLine(x, p.dottedLeader(14, regular), regular)
	}
	if suffix != "" && (!known || n > 0) {
		p.textOnLine(x, " "+suffix, regular)
	}
	p.y += declLine
}

// minCell is a text cell with a minimum height: room to write by hand when it is empty.
type minCell struct {
	textCell
	min float64
}

func (c minCell) height(p *page, width float64) float64 {
	return max(c.textCell.height(p, width), c.min)
}

// columnTable prints a two-column section as a bordered table: the question, then one
// column per side.
func (p *page) columnTable(s DeclarationSection, vals map[string]string) {
	headW := 50.0
	colW := (contentW - headW) / float64(len(s.Columns))
	cols := []column{{head: clean(s.Header), width: headW}}
	for _, c := range s.Columns {
		cols = append(cols, column{head: clean(c.Label), width: colW})
	}
	var rows [][]cell
	for _, f := range s.Fields {
		row := []cell{minCell{tc('L', r(clean(f.Label))), 10}}
		for _, c := range s.Columns {
			v := declValue(f, vals[c.Prefix+f.Key])
			runs := []run{}
			if v != "" {
				runs = append(runs, b(v))
				if f.Suffix != "" {
					runs = append(runs, r(" "+clean(f.Suffix)))
				}
			}
			row = append(row, minCell{tc('L', runs...), 10})
		}
		rows = append(rows, row)
	}
	p.gap(1)
	p.table(cols, rows)
	p.gap(2)
}
