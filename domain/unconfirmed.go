package domain

import (
	"fmt"
	"strconv"
	"strings"
)

// Facts the app's data has not yet checked against a published source are flagged in
// the data itself ("unconfirmed": ["time.note", "fee"] in the catalogue, in the form
// templates and in the declarations), never decided in code. UnconfirmedFact is one of
// them as an admin sees it, so that it can be checked with the province and the data
// corrected.

// UnconfirmedFact is one flagged fact.
type UnconfirmedFact struct {
	Source  string `json:"source"`          // which data: "Danh mục thủ tục", "Mẫu biểu", "Tờ khai"
	Subject string `json:"subject"`         // what it belongs to: "1.000656 Thủ tục đăng ký khai tử"
	Key     string `json:"key"`             // the flag as the data writes it: "time.note"
	Fact    string `json:"fact"`            // the fact in words: "Ghi chú về thời hạn giải quyết"
	Value   string `json:"value,omitempty"` // what the data says now
	Note    string `json:"note,omitempty"`  // the data's note on it
	Ref     string `json:"ref,omitempty"`   // where the data says it comes from
}

// Sources of unconfirmed facts, in the order they are listed.
const (
	UnconfirmedCatalogue    = "Danh mục thủ tục"
	UnconfirmedForms        = "Mẫu biểu"
	UnconfirmedDeclarations = "Tờ khai"
)

// procedureFacts names the catalogue's flags. A flag not listed here is still shown,
// under its own name: the data may flag what this build does not know yet.
var procedureFacts = map[string]string{
	"code":              "Mã thủ tục",
	"name":              "Tên thủ tục",
	"field":             "Lĩnh vực",
	"declaration":       "Mẫu tờ khai",
	"time":              "Thời hạn giải quyết",
	"time.note":         "Ghi chú về thời hạn giải quyết",
	"fee":               "Phí, lệ phí",
	"fee.note":          "Ghi chú về phí, lệ phí",
	"documents":         "Thành phần hồ sơ",
	"presence_required": "Người yêu cầu phải có mặt",
	"assist_allowed":    "Cán bộ được điền giúp tờ khai",
	"result_type":       "Kết quả giải quyết",
}

// templateFacts names the flags of a form template set (forms.json) and of one form.
var templateFacts = map[string]string{
	"applies_from": "Ngày áp dụng bộ mẫu",
	"circular":     "Số hiệu thông tư",
	"number":       "Số hiệu mẫu",
	"title":        "Tên mẫu",
	"subtitle":     "Dòng dưới tên mẫu",
	"basis":        "Dòng căn cứ ban hành",
}

// declarationFacts names the flags of a declaration other than its fields and sections.
var declarationFacts = map[string]string{
	"basis":      "Dòng căn cứ ban hành",
	"title":      "Tên tờ khai",
	"commitment": "Lời cam đoan",
	"signers":    "Người ký",
	"summary":    "Nội dung yêu cầu tóm tắt",
}

// factNames are the flag names of each source.
var factNames = map[string]map[string]string{
	UnconfirmedCatalogue:    procedureFacts,
	UnconfirmedForms:        templateFacts,
	UnconfirmedDeclarations: declarationFacts,
}

// UnconfirmedFactName is the name a source's flag is shown under: the flag itself when
// this build does not know it.
func UnconfirmedFactName(source, key string) string {
	if n, ok := factNames[source][key]; ok {
		return n
	}
	return key
}

// UnconfirmedFactNames are the names the flags of the catalogue, the forms and the
// declarations are shown under (besides "Mục «…»" and "Phần «…»", which name a
// declaration's own fields and sections).
func UnconfirmedFactNames() []string {
	var out []string
	for _, m := range []map[string]string{procedureFacts, templateFacts, declarationFacts} {
		for _, v := range m {
			out = append(out, v)
		}
	}
	return out
}

// Unconfirmed lists the facts the catalogue flags, procedure by procedure in catalogue
// order, each with what the catalogue says now.
func (c *Catalogue) Unconfirmed() []UnconfirmedFact {
	var out []UnconfirmedFact
	for _, p := range c.Procedures {
		for _, key := range p.Unconfirmed {
			key = strings.TrimSpace(key)
			f := UnconfirmedFact{Source: UnconfirmedCatalogue, Subject: p.Code + " " + p.Name, Key: key, Fact: key, Ref: p.Source}
			if name, ok := procedureFacts[key]; ok {
				f.Fact = name
			}
			switch key {
			case "code":
				f.Value = p.Code
			case "name":
				f.Value = p.Name
			case "field":
				f.Value = p.Field
			case "declaration":
				f.Value = p.Declaration
			case "time":
				f.Value, f.Note = p.Time.String(), p.Time.Note
			case "time.note":
				f.Value = p.Time.Note
			case "fee":
				f.Value, f.Note = p.Fee.String(), p.Fee.Note
			case "fee.note":
				f.Value = p.Fee.Note
			case "documents":
				var docs []string
				for _, d := range p.Documents {
					docs = append(docs, d.Name)
				}
				f.Value = strings.Join(docs, "; ")
			case "presence_required":
				f.Value, f.Note = yesNo(p.PresenceRequired), p.AssistNote
			case "assist_allowed":
				f.Value, f.Note = yesNo(p.AssistAllowed), p.AssistNote
			case "result_type":
				f.Value = p.ResultType
			}
			out = append(out, f)
		}
	}
	return out
}

func yesNo(b bool) string {
	if b {
		return "Có"
	}
	return "Không"
}

// String is the processing time in words: "3 ngày làm việc", "trong ngày".
func (t ProcessingTime) String() string {
	v := strings.Replace(strconv.FormatFloat(t.Value, 'f', -1, 64), ".", ",", 1)
	switch t.Unit {
	case TimeSameDay:
		return "Trong ngày"
	case TimeWorkingHours:
		return v + " giờ làm việc"
	case TimeCalendarDays:
		return v + " ngày (tính cả ngày nghỉ)"
	case TimeWorkingDays:
		return v + " ngày làm việc"
	}
	return string(t.Unit)
}

// String is the fee rule in words: "8.000 đ mỗi bản".
func (r FeeRule) String() string {
	var s string
	switch r.Kind {
	case FeeNone:
		s = "Không thu"
	case FeeFixed:
		s = FormatVND(r.Amount) + " mỗi hồ sơ"
	case FeePerCopy:
		s = FormatVND(r.Amount) + " mỗi bản"
	case FeeProvince:
		s = "Theo mức của HĐND tỉnh, " + FormatVND(r.Amount)
	case FeePerPage:
		var tiers []string
		for _, t := range r.Tiers {
			pages := fmt.Sprintf("từ trang %d", t.FromPage)
			if t.ToPage != 0 {
				pages = fmt.Sprintf("trang %d–%d", t.FromPage, t.ToPage)
			}
			tiers = append(tiers, FormatVND(t.PerPage)+"/trang "+pages)
		}
		s = strings.Join(tiers, ", ")
		if r.CapPerCopy > 0 {
			s += ", tối đa " + FormatVND(r.CapPerCopy) + " mỗi bản"
		}
	default:
		s = string(r.Kind)
	}
	if n := strings.TrimSpace(r.Name); n != "" {
		s = n + ": " + lowerFirstRune(s)
	}
	return s
}

// UnconfirmedSubject is the flagged facts of one procedure, form or declaration. Note and
// Ref are those every fact shares, said once; a fact keeps its own only when they differ.
type UnconfirmedSubject struct {
	Source, Subject string
	Note, Ref       string
	Facts           []UnconfirmedFact
}

// GroupUnconfirmed gathers consecutive facts of the same subject, in order.
func GroupUnconfirmed(facts []UnconfirmedFact) []UnconfirmedSubject {
	var out []UnconfirmedSubject
	for _, f := range facts {
		if n := len(out); n == 0 || out[n-1].Source != f.Source || out[n-1].Subject != f.Subject {
			out = append(out, UnconfirmedSubject{Source: f.Source, Subject: f.Subject})
		}
		g := &out[len(out)-1]
		g.Facts = append(g.Facts, f)
	}
	for i := range out {
		g := &out[i]
		// A note that only repeats the fact's value says nothing more.
		for j := range g.Facts {
			if g.Facts[j].Note == g.Facts[j].Value {
				g.Facts[j].Note = ""
			}
		}
		same := func(get func(UnconfirmedFact) string) bool {
			for _, f := range g.Facts[1:] {
				if get(f) != get(g.Facts[0]) {
					return false
				}
			}
			return true
		}
		if same(func(f UnconfirmedFact) string { return f.Note }) {
			g.Note = g.Facts[0].Note
			for j := range g.Facts {
				g.Facts[j].Note = ""
			}
		}
		if same(func(f UnconfirmedFact) string { return f.Ref }) {
			g.Ref = g.Facts[0].Ref
			for j := range g.Facts {
				g.Facts[j].Ref = ""
			}
		}
	}
	return out
}
