package forms

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"motcua/domain"
)

// Form ids: the keys of a template set in forms.json.
const (
	FormReceipt    = "receipt"     // Mẫu 01: giấy tiếp nhận hồ sơ và hẹn trả kết quả
	FormSupplement = "supplement"  // Mẫu 02: phiếu yêu cầu bổ sung, hoàn thiện hồ sơ
	FormRefusal    = "refusal"     // Mẫu 03: phiếu từ chối tiếp nhận giải quyết hồ sơ
	FormApology    = "apology"     // Mẫu 04: xin lỗi (2018: và hẹn lại ngày trả; 2025: và đề nghị gia hạn)
	FormStop       = "stop"        // Mẫu 05 (2025): thông báo dừng giải quyết hồ sơ
	FormControl    = "control"     // Mẫu 06 (2018: 05): phiếu kiểm soát quá trình giải quyết hồ sơ
	FormReturnSlip = "return_slip" // phiếu trả kết quả (entry of the return book)
)

// Editions of the one-stop forms: which drawing of a form the code makes. A template set
// names its edition; the apology letter, for one, is laid out differently in each.
const (
	Edition2018 = "2018" // Circular 01/2018/TT-VPCP
	Edition2025 = "2025" // Circular 03/2025/TT-VPCP
)

// FormIDs lists every form this package prints from a dossier, in the order of the
// circular in force.
func FormIDs() []string {
	return []string{FormReceipt, FormSupplement, FormRefusal, FormApology, FormStop, FormControl, FormReturnSlip}
}

// Template is what of a form is data rather than layout: its number, title and legal
// basis. They change with the circular in force, so they are edited in forms.json, never
// in code.
type Template struct {
	Number   string `json:"number"`             // e.g. "Mẫu số 01", printed small at top right; may be empty
	Title    string `json:"title"`              // printed bold and centred
	Subtitle string `json:"subtitle,omitempty"` // optional line under the title, printed in italics
	Basis    string `json:"basis,omitempty"`    // e.g. "Ban hành kèm theo Thông tư số 03/2025/TT-VPCP …", printed in parentheses
	// Note says where the facts come from and what to check; not printed.
	Note string `json:"note,omitempty"`
	// Unconfirmed names the facts of this form ("number", "title", "subtitle", "basis")
	// not checked against the published text: an admin sees them (UnconfirmedFacts).
	Unconfirmed []string `json:"unconfirmed,omitempty"`

	// Filled from the set the template belongs to.
	Edition  string `json:"-"`
	Circular string `json:"-"`
}

// TemplateSet is the forms of one circular, used for every form issued on or after
// AppliesFrom (until a later set applies).
type TemplateSet struct {
	Edition     string              `json:"edition"`               // Edition2018, Edition2025: the layout drawn
	Circular    string              `json:"circular"`              // e.g. "Thông tư số 03/2025/TT-VPCP"
	AppliesFrom string              `json:"applies_from"`          // YYYY-MM-DD, Vietnam time
	Unconfirmed []string            `json:"unconfirmed,omitempty"` // JSON names of facts not checked against the published text
	Forms       map[string]Template `json:"forms"`

	from time.Time
}

// From is the first day (Vietnam time) the set applies.
func (s TemplateSet) From() time.Time { return s.from }

// Templates is the versioned form data (forms.json): the template sets, oldest first.
type Templates struct {
	Version string        `json:"version"`
	Note    string        `json:"note,omitempty"`
	Sets    []TemplateSet `json:"sets"`
	// Forms is the unversioned layout of forms.json before 2025.1 (one set of the 2018
	// forms): still read, as one set that applies from the start.
	Forms map[string]Template `json:"forms,omitempty"`
}

// defaultJSON is the seed data. assets/forms/forms.json holds the same bytes for people
// looking for the data; a test keeps the two identical.
//
//go:embed forms.json
var defaultJSON []byte

// ParseTemplates decodes and checks the form data: every set has an edition this
// package draws and a valid date, every form it lists has a title, and the newest set
// has every form this package prints. Unknown fields and extra forms are accepted, so a
// newer file distributed with the catalogue still loads in an older app.
func ParseTemplates(data []byte) (Templates, error) {
	var t Templates
	if err := json.Unmarshal(data, &t); err != nil {
		return Templates{}, fmt.Errorf("mẫu biểu: tệp không đúng định dạng JSON: %w", err)
	}
	if strings.TrimSpace(t.Version) == "" {
		return Templates{}, fmt.Errorf("mẫu biểu: thiếu phiên bản (version)")
	}
	if len(t.Sets) == 0 && len(t.Forms) > 0 {
		t.Sets = []TemplateSet{{Edition: Edition2018, Circular: "Thông tư số 01/2018/TT-VPCP", Forms: t.Forms}}
	}
	t.Forms = nil
	if len(t.Sets) == 0 {
		return Templates{}, fmt.Errorf("mẫu biểu phiên bản %s: không có bộ mẫu nào (sets)", t.Version)
	}
	for i := range t.Sets {
		s := &t.Sets[i]
		if s.Edition != Edition2018 && s.Edition != Edition2025 {
			return Templates{}, fmt.Errorf("mẫu biểu phiên bản %s: bộ mẫu %q có kiểu trình bày «%s» chưa được hỗ trợ", t.Version, s.Circular, s.Edition)
		}
		if s.AppliesFrom != "" {
			from, err := time.ParseInLocation(time.DateOnly, s.AppliesFrom, domain.VN())
			if err != nil {
				return Templates{}, fmt.Errorf("mẫu biểu phiên bản %s: bộ mẫu %q có ngày áp dụng «%s» không hợp lệ (YYYY-MM-DD)", t.Version, s.Circular, s.AppliesFrom)
			}
			s.from = from
		}
		forms := make(map[string]Template, len(s.Forms))
		for id, tpl := range s.Forms {
			if strings.TrimSpace(tpl.Title) == "" {
				return Templates{}, fmt.Errorf("mẫu biểu phiên bản %s: mẫu «%s» của %s thiếu tên (title)", t.Version, id, s.Circular)
			}
			forms[id] = Template{Number: clean(tpl.Number), Title: clean(tpl.Title), Subtitle: clean(tpl.Subtitle),
				Basis: clean(tpl.Basis), Note: clean(tpl.Note), Unconfirmed: tpl.Unconfirmed, Edition: s.Edition, Circular: clean(s.Circular)}
		}
		s.Forms = forms
	}
	slices.SortStableFunc(t.Sets, func(a, b TemplateSet) int { return a.from.Compare(b.from) })
	newest := t.Sets[len(t.Sets)-1]
	for _, id := range append(FormIDs(), FormTrackingBook) {
		if _, ok := newest.Forms[id]; !ok {
			return Templates{}, fmt.Errorf("mẫu biểu phiên bản %s: bộ mẫu mới nhất (%s) thiếu mẫu «%s»", t.Version, newest.Circular, id)
		}
	}
	return t, nil
}

// DefaultTemplates returns the embedded seed data (a fresh copy each call).
func DefaultTemplates() Templates {
	t, err := ParseTemplates(defaultJSON)
	if err != nil {
		panic(err) // embedded at build time and checked by the tests
	}
	return t
}

// SetAt is the template set in force on the day issued (Vietnam time): the newest set
// that applies from that day or earlier, or the oldest set for a day before any; the
// newest set when the day is not known.
func (t Templates) SetAt(issued time.Time) TemplateSet {
	if len(t.Sets) == 0 {
		return DefaultTemplates().SetAt(issued)
	}
	if issued.IsZero() {
		return t.Sets[len(t.Sets)-1]
	}
	in := t.Sets[0]
	for _, s := range t.Sets[1:] {
		if !issued.Before(s.from) {
			in = s
		}
	}
	return in
}

// For returns the template of form id as issued on the given day: from the set in force
// then, so a reprint of an old receipt shows what was handed out. A form the set in
// force did not have (the stop notice is new in 2025) comes from the first later set
// that has it; ok is false when no set has it.
func (t Templates) For(id string, issued time.Time) (tpl Template, ok bool) {
	if len(t.Sets) == 0 {
		return DefaultTemplates().For(id, issued)
	}
	in := t.SetAt(issued)
	if tpl, ok := in.Forms[id]; ok {
		return tpl, true
	}
	for _, s := range t.Sets {
		if s.from.After(in.from) {
			if tpl, ok := s.Forms[id]; ok {
				return tpl, true
			}
		}
	}
	return Template{}, false
}

// Get returns the template of a form in the newest set (the forms printed today).
func (t Templates) Get(id string) Template {
	if len(t.Sets) == 0 {
		return DefaultTemplates().Get(id)
	}
	return t.Sets[len(t.Sets)-1].Forms[id]
}

// ShortNumber is a form's number as a button names it: "Mẫu 06" for "Mẫu số 06".
func (tpl Template) ShortNumber() string {
	return strings.Replace(tpl.Number, "Mẫu số ", "Mẫu ", 1)
}
