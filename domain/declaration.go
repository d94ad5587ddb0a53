package domain

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"motcua/domain/calendar"
	"motcua/domain/citizen"
)

// Declarations (tờ khai) are the forms a citizen fills in and signs: birth, death and
// marriage registration, marital status, civil-status extracts, certified copies. Their
// questions are data: each template lists its fields (what is asked, how it is checked,
// which intake field fills it) and how the official paper lays them out. This file holds
// the model and its rules — parsing a template, the values it asks for and checking them
// (Check, Validate); package forms prefills values from an intake, writes dates in words
// and prints the paper, and the store refuses values that do not pass Validate.

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

// MaxDeclarationValue is the longest value a field takes, in characters.
const MaxDeclarationValue = MaxAddress

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
		v := citizen.NormaliseText(values[m[1:len(m)-1]])
		if v == "" {
			missing = true
		}
		return v
	})
	if missing {
		return ""
	}
	return citizen.NormaliseText(s)
}

// --- checking ---

// Check normalises the values of a declaration (NFC, names capitalised, dates as
// dd/mm/yyyy, options as listed) and reports every problem at once, each with the value
// key as its Field. With complete, a required value that is missing is a problem too;
// without, only what was typed is checked (a printed declaration may leave blanks for the
// citizen to write in). Unknown keys and empty values are dropped.
func (t DeclarationTemplate) Check(values map[string]string, now time.Time, complete bool) (map[string]string, error) {
	out := map[string]string{}
	var v ValidationError
	today := civilDate(now.In(calendar.VN))
	for _, in := range t.Inputs() {
		f := in.Field
		raw := citizen.NormaliseText(values[in.Key])
		if raw == "" {
			if complete && f.Required {
				v = append(v, declProblem(in.Key, "declaration.required", fmt.Sprintf("Chưa điền «%s».", in.Ask), in.Ask))
			}
			continue
		}
		if utf8.RuneCountInString(raw) > MaxDeclarationValue {
			v = append(v, declProblem(in.Key, "declaration.too_long", fmt.Sprintf("«%s» dài quá %d ký tự.", in.Ask, MaxDeclarationValue), in.Ask))
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

// Validate checks the values of a declaration filled in for a citizen before they are
// kept with the dossier: every required value present, every value as its field asks
// (Check with complete), and no value the template does not ask for. It returns the
// values normalised, or a ValidationError with every problem (codes "declaration.…").
func (t DeclarationTemplate) Validate(values map[string]string, now time.Time) (map[string]string, error) {
	out, err := t.Check(values, now, true)
	var v ValidationError
	if err != nil && !errors.As(err, &v) {
		return nil, err
	}
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if _, ok := t.Input(k); !ok {
			v = append(v, FieldError{Field: k, Code: "declaration.unknown",
				Msg: fmt.Sprintf("Tờ khai «%s» không có mục «%s».", t.Title, k), Args: map[string]string{"Field": k}})
		}
	}
	if len(v) > 0 {
		return nil, v
	}
	return out, nil
}

// Validate checks the values of the declaration with the given template id (see
// DeclarationTemplate.Validate); an unknown template is refused with the code
// "declaration.template".
func (d Declarations) Validate(id string, values map[string]string, now time.Time) (map[string]string, error) {
	t, ok := d.Get(id)
	if !ok {
		return nil, &RuleError{Code: "declaration.template", Kind: ErrInvalid,
			Msg: fmt.Sprintf("Không có mẫu tờ khai «%s»; hãy cập nhật phần mềm hoặc chọn lại tờ khai.", id)}
	}
	return t.Validate(values, now)
}

// declProblem is a FieldError about one value; msg already names the question.
func declProblem(key, code, msg, ask string) FieldError {
	return FieldError{Field: key, Code: code, Msg: msg, Args: map[string]string{"Field": ask}}
}

var declTimeRE = regexp.MustCompile(`^(\d{1,2})\s*(?::|h|g|giờ)\s*(\d{1,2})?\s*(?:phút|p)?$`)

func checkValue(in DeclarationInput, raw string, today time.Time) (string, *FieldError) {
	f := in.Field
	fail := func(code, format string) (string, *FieldError) {
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
		d, err := ParseDeclarationDate(raw)
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

// ParseDeclarationDate reads a date as the intake does, also with dashes or dots between day, month
// and year without leading zeros ("1-3-2026").
func ParseDeclarationDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if !declISODateRE.MatchString(s) {
		s = strings.NewReplacer("-", "/", ".", "/", " ", "").Replace(s)
	}
	return ParseDate(s)
}

// civilDate is the calendar date of t at 00:00 UTC, for comparing days.
func civilDate(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
