package forms

import (
	"fmt"
	"io"
	"strings"
	"time"

	"motcua/domain"
)

// handoff is one "Giao … / Nhận …" row of the control slip.
type handoff struct {
	from, to        string
	at              time.Time // zero: to be written by hand
	giver, receiver string    // names printed under the signature space, when known
	result          string    // Trước hạn / Đúng hạn / Quá hạn
	notes           []string
}

// handoffs turns the processing trail into the pairs of the control slip: the counter
// hands the dossier to the first agency, each agency to the next, and the last one hands
// the result back to the counter. A step at the agency already holding the dossier, or a
// payment, becomes a note of the current row. While the dossier is still out, a blank
// last row is left for the hand-back to be written in.
func (rd Renderer) handoffs(d domain.Dossier) []handoff {
	var rows []handoff
	holder := counterDesk
	note := func(s string) {
		if s = clean(s); s != "" && len(rows) > 0 {
			rows[len(rows)-1].notes = append(rows[len(rows)-1].notes, s)
		}
	}
	for _, s := range d.Steps {
		agency := clean(s.Agency)
		switch s.Kind {
		case domain.EvForwarded, domain.EvProgress:
			if agency == "" || agency == holder {
				note(firstNonBlank(s.Content, s.Title))
				continue
			}
			h := handoff{from: holder, to: agency, at: s.At, receiver: clean(s.Handler)}
			if holder == counterDesk {
				h.giver = rd.staffName(s.By)
			}
			if c := clean(firstNonBlank(s.Content, s.Title)); c != "" {
				h.notes = append(h.notes, c)
			}
			rows = append(rows, h)
			holder = agency
		case domain.EvResultReady:
			from := holder
			if agency != "" {
				from = agency
			}
			if from == counterDesk && len(rows) == 0 {
				from = firstNonBlank(agency, "Cơ quan giải quyết")
			}
			h := handoff{from: from, to: counterDesk, at: s.At, receiver: rd.staffName(s.By),
				result: timeliness(s.At, d.DueAt)}
			if c := clean(s.Content); c != "" {
				h.notes = append(h.notes, "Kết quả: "+c)
			}
			rows = append(rows, h)
			holder = counterDesk
		case domain.EvPaymentRequested:
			note(domain.ActionName(s.Kind) + ifNotBlank(": ", s.Content))
		case domain.EvPaymentRecorded:
			note("Đã nộp phí, lệ phí" + ifNotBlank(": ", s.Content))
		}
	}
	switch {
	case len(rows) == 0:
		rows = []handoff{{from: counterDesk, to: dots}, {from: dots, to: dots}, {from: dots, to: counterDesk}}
	case holder != counterDesk:
		rows = append(rows, handoff{from: holder, to: counterDesk})
	}
	return rows
}

func ifNotBlank(prefix, s string) string {
	if s = clean(s); s != "" {
		return prefix + s
	}
	return ""
}

// signCell is the time column of the control slip: when, then room for the giver's and
// the receiver's signatures side by side.
type signCell struct {
	when            string
	giver, receiver string
}

var (
	signWhen  = para{size: 9.5, line: 4.6, align: 'C'}
	signLabel = para{size: 8.5, line: 4.2, align: 'C'}
	signName  = para{size: 8.5, line: 4.2, align: 'C'}
)

const signRoom = 13.0

func (c signCell) height(p *page, width float64) float64 {
	half := (width-2*padX)/2 - 1
	names := max(p.textHeight([]run{b(c.giver)}, half, signName), p.textHeight([]run{b(c.receiver)}, half, signName))
	return 2*padY + p.textHeight([]run{r(c.when)}, width-2*padX, signWhen) + signLabel.line + signRoom + names
}

func (c signCell) draw(p *page, x, y, width, height float64) {
	inner := width - 2*padX
	half := inner/2 - 1
	y += padY
	y += p.drawText([]run{r(c.when)}, x+padX, y, inner, signWhen)
	left, right := x+padX, x+padX+inner/2+1
	p.drawText([]run{it("Người giao")}, left, y, half, signLabel)
	p.drawText([]run{it("Người nhận")}, right, y, half, signLabel)
	y += signLabel.line + signRoom
	if c.giver != "" {
		p.drawText([]run{b(c.giver)}, left, y, half, signName)
	}
	if c.receiver != "" {
		p.drawText([]run{b(c.receiver)}, right, y, half, signName)
	}
}

// ControlSlip prints Mẫu 05, the slip that travels with the dossier and records each
// hand-over between the counter and the agencies (phiếu kiểm soát quá trình giải quyết hồ sơ).
func (rd Renderer) ControlSlip(w io.Writer, d domain.Dossier) (err error) {
	defer recoverPDF(&err)
	if blank(d.Code) || d.ReceivedAt.IsZero() {
		return incomplete("control.not_received", "Hồ sơ chưa được tiếp nhận nên chưa in được Phiếu kiểm soát quá trình giải quyết hồ sơ.")
	}
	p, tpl := rd.start(FormControl, d, d.ReceivedAt, "")
	p.title(tpl, marginL, contentW)
	p.codeLine(d.Code, marginL, contentW)
	p.write(para{size: 10, line: 5, align: 'C'}, it("(Kèm theo Giấy tiếp nhận hồ sơ và hẹn trả kết quả có cùng mã hồ sơ)"))
	p.gap(3)

	owner := d.OwnerOrApplicant()
	p.write(body, r("Chủ hồ sơ: "), b(person(owner)))
	p.field("Số điện thoại", clean(firstNonBlank(owner.Phone, d.Applicant.Phone)))
	p.field("Thủ tục hành chính", clean(d.Procedure.Name))
	agency := ""
	for _, s := range d.Steps {
		if s.Kind == domain.EvForwarded && !blank(s.Agency) {
			agency = clean(s.Agency)
			break
		}
	}
	if agency == "" {
		agency = clean(d.ResultFrom)
	}
	p.field("Cơ quan (bộ phận) giải quyết hồ sơ", agency)
	p.field("Thời gian nhận hồ sơ", clockDate(d.ReceivedAt))
	p.field("Thời gian hẹn trả kết quả", clockDate(d.DueAt))
	p.gap(2)

	cols := []column{{head: "TÊN CƠ QUAN", width: 65}, {head: "THỜI GIAN GIAO,\nNHẬN HỒ SƠ", width: 53},
		{head: "KẾT QUẢ GIẢI QUYẾT HỒ SƠ", width: 32, sub: "(Trước hạn/\nĐúng hạn/\nQuá hạn)"}, {head: "GHI CHÚ", width: 25}}
	var rows [][]cell
	for i, h := range rd.handoffs(d) {
		name := tc('L', r(fmt.Sprintf("%d. Giao: ", i+1)), b(h.from), r("\nNhận: "), b(h.to))
		name.st.align = 'L'
		rows = append(rows, []cell{
			name,
			signCell{when: strings.Replace(clockDate(h.at), ", ", "\n", 1), giver: h.giver, receiver: h.receiver},
			tc('C', b(h.result)),
			textCell{runs: []run{r(strings.Join(h.notes, "\n"))}, st: para{size: 9, line: 4.4, align: 'L'}},
		})
	}
	p.table(cols, rows)
	return p.finish(w)
}
