package forms

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
)

// Form ids: the keys of forms.json.
const (
	FormReceipt    = "receipt"     // Mẫu 01: giấy tiếp nhận hồ sơ và hẹn trả kết quả
	FormSupplement = "supplement"  // Mẫu 02: phiếu yêu cầu bổ sung, hoàn thiện hồ sơ
	FormRefusal    = "refusal"     // Mẫu 03: phiếu từ chối tiếp nhận giải quyết hồ sơ
	FormApology    = "apology"     // Mẫu 04: phiếu xin lỗi và hẹn lại ngày trả kết quả
	FormControl    = "control"     // Mẫu 05: phiếu kiểm soát quá trình giải quyết hồ sơ
	FormReturnSlip = "return_slip" // phiếu trả kết quả (entry of the return book)
)

// FormIDs lists every form this package prints, in the order of the circular.
func FormIDs() []string {
	return []string{FormReceipt, FormSupplement, FormRefusal, FormApology, FormControl, FormReturnSlip}
}

// Template is what of a form is data rather than layout: its number, title and legal
// basis. The law changed on 1 July 2025 and the numbering may have changed with it
// (unconfirmed), so these are edited in forms.json, never in code.
type Template struct {
	Number   string `json:"number"`             // e.g. "Mẫu số 01", printed small at top right; may be empty
	Title    string `json:"title"`              // printed bold and centred
	Subtitle string `json:"subtitle,omitempty"` // optional line under the title, printed in italics
	Basis    string `json:"basis,omitempty"`    // e.g. "Ban hành kèm theo Thông tư số 01/2018/TT-VPCP …", printed in parentheses
}

// Templates is a versioned set of form templates (forms.json).
type Templates struct {
	Version string              `json:"version"`
	Note    string              `json:"note,omitempty"`
	Forms   map[string]Template `json:"forms"`
}

// defaultJSON is the seed set. assets/forms/forms.json holds the same bytes for people
// looking for the data; a test keeps the two identical.
//
//go:embed forms.json
var defaultJSON []byte

// ParseTemplates decodes and checks a template set: every form this package prints must
// be present with a title. Unknown fields and extra forms are accepted, so a newer set
// distributed with the catalogue still loads in an older app.
func ParseTemplates(data []byte) (Templates, error) {
	var t Templates
	if err := json.Unmarshal(data, &t); err != nil {
		return Templates{}, fmt.Errorf("mẫu biểu: tệp không đúng định dạng JSON: %w", err)
	}
	if strings.TrimSpace(t.Version) == "" {
		return Templates{}, fmt.Errorf("mẫu biểu: thiếu phiên bản (version)")
	}
	for _, id := range FormIDs() {
		tpl, ok := t.Forms[id]
		if !ok {
			return Templates{}, fmt.Errorf("mẫu biểu phiên bản %s: thiếu mẫu «%s»", t.Version, id)
		}
		if strings.TrimSpace(tpl.Title) == "" {
			return Templates{}, fmt.Errorf("mẫu biểu phiên bản %s: mẫu «%s» thiếu tên (title)", t.Version, id)
		}
	}
	for id, tpl := range t.Forms {
		t.Forms[id] = Template{Number: clean(tpl.Number), Title: clean(tpl.Title),
			Subtitle: clean(tpl.Subtitle), Basis: clean(tpl.Basis)}
	}
	return t, nil
}

// DefaultTemplates returns the embedded seed set (a fresh copy each call).
func DefaultTemplates() Templates {
	t, err := ParseTemplates(defaultJSON)
	if err != nil {
		panic(err) // embedded at build time and checked by the tests
	}
	return t
}

// Get returns the template of a form, falling back to the seed set when t does not have
// it (a zero Templates prints the seed forms).
func (t Templates) Get(id string) Template {
	if tpl, ok := t.Forms[id]; ok {
		return tpl
	}
	return DefaultTemplates().Forms[id]
}
