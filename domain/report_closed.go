package domain

import (
	"fmt"
	"strings"
)

// How Biểu 06/VPCP/KSTT (known at the counters as II.06a) counts the dossiers that end
// without a result. The form has columns for what was received, resolved and still in
// progress, none for a dossier the citizen withdrew (status 7), whose processing was
// stopped (8) or that was refused after it had been accepted (3); provincial systems count
// them differently (some as resolved on time, some not at all), so the treatment of each
// is a setting of the province, and the printed report says beside its columns which one
// was used.

// ClosedTreatment is how the report counts one kind of dossier closed without a result.
type ClosedTreatment string

const (
	// ClosedApart (the default): received, in (3) and (4)–(6), but neither resolved (7)
	// nor in progress (11); the number is given under the table, so that
	// (3) = (7) + (11) + the dossiers counted apart.
	ClosedApart ClosedTreatment = "apart"
	// ClosedResolvedOnTime: received, and resolved on time (7), (9) on the day it was
	// closed, whatever its due date.
	ClosedResolvedOnTime ClosedTreatment = "resolved_on_time"
	// ClosedResolvedByDue: received, and resolved (7) on the day it was closed: early (8),
	// on time (9) or late (10) by comparing that day with the due date, as a result.
	ClosedResolvedByDue ClosedTreatment = "resolved_by_due"
	// ClosedExcluded: left out of the report of the period it was closed in — not in (3)
	// (nor in (6) when received in an earlier period), (7) or (11); the number is given
	// under the table. Until the period it is closed in, it counts as in progress like
	// any other dossier.
	ClosedExcluded ClosedTreatment = "excluded"
)

// ClosedTreatmentChoices lists the treatments in the order a setting offers them.
func ClosedTreatmentChoices() []ClosedTreatment {
	return []ClosedTreatment{ClosedApart, ClosedResolvedOnTime, ClosedResolvedByDue, ClosedExcluded}
}

// Valid reports whether t is one of the treatments ("" is not: see ClosedTreatments.For).
func (t ClosedTreatment) Valid() bool {
	switch t {
	case ClosedApart, ClosedResolvedOnTime, ClosedResolvedByDue, ClosedExcluded:
		return true
	}
	return false
}

// Label is the choice as a setting offers it.
func (t ClosedTreatment) Label() string {
	switch t {
	case ClosedResolvedOnTime:
		return "Tính là đã nhận và đã giải quyết đúng hạn"
	case ClosedResolvedByDue:
		return "Tính là đã nhận và đã giải quyết; trước, đúng hay quá hạn theo ngày kết thúc"
	case ClosedExcluded:
		return "Không tính vào biểu (chỉ ghi số lượng ở ghi chú)"
	}
	return "Tính là đã nhận; không tính là đã giải quyết hay đang giải quyết (ghi riêng ở ghi chú)"
}

// Rule is the treatment written out with the form's column numbers, as the report prints it.
func (t ClosedTreatment) Rule() string {
	switch t {
	case ClosedResolvedOnTime:
		return "tính vào số nhận giải quyết (3) và số đã giải quyết đúng hạn (7), (9) vào ngày kết thúc, không xét ngày hẹn trả"
	case ClosedResolvedByDue:
		return "tính vào số nhận giải quyết (3) và số đã giải quyết (7) vào ngày kết thúc; trước hạn (8), đúng hạn (9) hay quá hạn (10) " +
			"so ngày kết thúc với ngày hẹn trả"
	case ClosedExcluded:
		return "không tính vào biểu của kỳ kết thúc: không có ở số nhận giải quyết (3), kể cả số từ kỳ trước chuyển qua (6), " +
			"số đã giải quyết (7) và số đang giải quyết (11)"
	}
	return "tính vào số nhận giải quyết (3), không tính vào số đã giải quyết (7) và số đang giải quyết (11)"
}

// ClosedStatuses are the statuses a dossier ends in without a result, in the order the
// report names them.
func ClosedStatuses() []Status { return []Status{StatusWithdrawn, StatusStopped, StatusRefused} }

// ClosedName names the dossiers closed in status s as the report does: "hồ sơ công dân
// rút (trạng thái 7)"; short is the word the column headings use after "HS" (hồ sơ): "rút".
func ClosedName(s Status) (long, short string) {
	switch s {
	case StatusWithdrawn:
		return "Hồ sơ công dân rút (trạng thái 7)", "rút"
	case StatusStopped:
		return "Hồ sơ dừng xử lý (trạng thái 8)", "dừng"
	case StatusRefused:
		return "Hồ sơ từ chối giải quyết sau khi đã tiếp nhận (trạng thái 3)", "từ chối"
	}
	return s.String(), s.String()
}

// ClosedTreatments is the province's choice for each kind of closed dossier. The zero
// value counts every kind apart (ClosedApart).
type ClosedTreatments struct {
	Withdrawn ClosedTreatment `json:"withdrawn,omitempty"` // status 7
	Stopped   ClosedTreatment `json:"stopped,omitempty"`   // status 8
	Refused   ClosedTreatment `json:"refused,omitempty"`   // status 3
}

// For is the treatment of a dossier closed in status s (ClosedApart when not set).
func (c ClosedTreatments) For(s Status) ClosedTreatment {
	var t ClosedTreatment
	switch s {
	case StatusWithdrawn:
		t = c.Withdrawn
	case StatusStopped:
		t = c.Stopped
	case StatusRefused:
		t = c.Refused
	}
	if t == "" {
		return ClosedApart
	}
	return t
}

// Set chooses the treatment of the dossiers closed in status s.
func (c *ClosedTreatments) Set(s Status, t ClosedTreatment) {
	switch s {
	case StatusWithdrawn:
		c.Withdrawn = t
	case StatusStopped:
		c.Stopped = t
	case StatusRefused:
		c.Refused = t
	}
}

// Normalized spells out every treatment (ClosedApart for those not set).
func (c ClosedTreatments) Normalized() ClosedTreatments {
	var out ClosedTreatments
	for _, s := range ClosedStatuses() {
		out.Set(s, c.For(s))
	}
	return out
}

// Validate checks that every treatment set is one of ClosedTreatmentChoices.
func (c ClosedTreatments) Validate() error {
	for _, s := range ClosedStatuses() {
		var t ClosedTreatment
		switch s {
		case StatusWithdrawn:
			t = c.Withdrawn
		case StatusStopped:
			t = c.Stopped
		case StatusRefused:
			t = c.Refused
		}
		if t != "" && !t.Valid() {
			long, _ := ClosedName(s)
			return &RuleError{Code: "report.closed_treatment", Kind: ErrInvalid,
				Msg: fmt.Sprintf("Cách tính «%s» cho %s không có: chọn apart, resolved_on_time, resolved_by_due hoặc excluded.", t, lowerFirstRune(long))}
		}
	}
	return nil
}

// Describe is the treatment of the dossiers closed in status s as one sentence.
func (c ClosedTreatments) Describe(s Status) string {
	long, _ := ClosedName(s)
	return long + ": " + c.For(s).Rule() + "."
}

// with names the kinds whose treatment satisfies ok, "HS rút, dừng", or "" for none.
func (c ClosedTreatments) with(ok func(ClosedTreatment) bool) string {
	var out []string
	for _, s := range ClosedStatuses() {
		if ok(c.For(s)) {
			_, short := ClosedName(s)
			out = append(out, short)
		}
	}
	if len(out) == 0 {
		return ""
	}
	return "HS " + strings.Join(out, ", ")
}

// II06aColumn is one column of the form: its number, the heading of its group (empty
// for TT and the field, whose headings span both heading rows) and its own heading.
type II06aColumn struct {
	No    int
	Group string
	Head  string
}

// II06aColumns are the form's 13 columns.
func II06aColumns() []II06aColumn {
	const recv, done, open = "Số hồ sơ nhận giải quyết", "Số hồ sơ đã giải quyết", "Số hồ sơ đang giải quyết"
	return []II06aColumn{
		{1, "", "TT"}, {2, "", "Lĩnh vực giải quyết"},
		{3, recv, "Tổng số"}, {4, recv, "Trực tuyến"}, {5, recv, "Trực tiếp, qua bưu chính"}, {6, recv, "Kỳ trước chuyển qua"},
		{7, done, "Tổng số"}, {8, done, "Trước hạn"}, {9, done, "Đúng hạn"}, {10, done, "Quá hạn"},
		{11, open, "Tổng số"}, {12, open, "Trong hạn"}, {13, open, "Quá hạn"},
	}
}

// ColumnNotes are what the report writes under the headings of the columns the
// treatments touch, by column number: which closed dossiers a column includes, and
// which it leaves out although the reader might look for them there.
func (c ClosedTreatments) ColumnNotes() map[int]string {
	resolved := func(t ClosedTreatment) bool { return t == ClosedResolvedOnTime || t == ClosedResolvedByDue }
	apart := c.with(func(t ClosedTreatment) bool { return t == ClosedApart })
	notes := map[int]string{}
	// join writes "Gồm …; không gồm …" for the parts that name something.
	join := func(col int, parts ...string) {
		var out []string
		for _, p := range parts {
			if !strings.HasSuffix(p, " ") {
				out = append(out, p)
			}
		}
		if len(out) > 0 {
			notes[col] = capFirst(strings.Join(out, "; "))
		}
	}
	join(3, "gồm "+c.with(func(t ClosedTreatment) bool { return t != ClosedExcluded }),
		"không gồm "+c.with(func(t ClosedTreatment) bool { return t == ClosedExcluded }))
	join(7, "gồm "+c.with(resolved), "không gồm "+apart)
	byDue := "có thể gồm " + c.with(func(t ClosedTreatment) bool { return t == ClosedResolvedByDue })
	join(8, byDue)
	join(9, "gồm "+c.with(func(t ClosedTreatment) bool { return t == ClosedResolvedOnTime }), byDue)
	join(10, byDue)
	join(11, "không gồm "+apart)
	return notes
}

func lowerFirstRune(s string) string {
	for i, r := range s {
		return strings.ToLower(string(r)) + s[i+len(string(r)):]
	}
	return s
}

func capFirst(s string) string {
	for i, r := range s {
		return strings.ToUpper(string(r)) + s[i+len(string(r)):]
	}
	return s
}
