package forms

import (
	"io"
	"strings"

	"motcua/domain"
)

// Hand-off slip (phiếu chuyển quầy): a small slip the helper at the entrance gives the
// citizen whose declaration went to the hand-off queue. The counter reads its number or
// scans its QR code (the entry's id) and lands in intake with everything filled.
const (
	slipW      = 80.0 // a receipt printer's roll, or a quarter of an A4 sheet
	slipH      = 130.0
	slipMargin = 5.0
	slipQR     = 38.0
)

// HandoffSlip prints the slip of a hand-off queue entry.
func (rd Renderer) HandoffSlip(w io.Writer, h domain.Handoff) (err error) {
	defer recoverPDF(&err)
	if blank(h.ID) || blank(h.Number) {
		return incomplete("handoff_slip.none", "Tờ khai chưa được chuyển sang quầy nên chưa có phiếu để in.")
	}
	qr, err := QRPNG(h.ID)
	if err != nil {
		return err
	}
	p := &page{f: newPDF("P", slipW, slipH, slipMargin, slipMargin, slipMargin, slipMargin, "Phiếu chuyển quầy "+h.Number,
		clean(rd.Unit.Name), rd.now()), y: slipMargin + 1}
	x, width := slipMargin, slipW-2*slipMargin
	line := func(runs []run, st para) { p.y += p.drawText(runs, x, p.y, width, st) }
	small := para{size: 8.5, line: 4, align: 'C'}
	if n := clean(rd.Unit.Name); n != "" {
		line([]run{b(strings.ToUpper(n))}, small)
	}
	p.y += 2
	line([]run{b("PHIẾU CHUYỂN QUẦY")}, para{size: 12, line: 6, align: 'C'})
	line([]run{it("Tờ khai đã được cán bộ điền sẵn")}, small)
	p.y += 2
	line([]run{r("Số phiếu")}, para{size: 9, line: 4.5, align: 'C'})
	line([]run{b(h.Number)}, para{size: 30, line: 13, align: 'C'})
	p.y += 1
	p.image("qr", qr, (slipW-slipQR)/2, p.y, slipQR)
	p.y += slipQR + 2
	left := para{size: 9, line: 4.4, align: 'L'}
	line([]run{r("Người yêu cầu: "), b(clean(h.Applicant.Name))}, left)
	line([]run{r("Thủ tục: "), b(clean(h.Procedure.Name))}, left)
	made := h.PreparedAt.In(domain.VN())
	line([]run{r("Lập lúc " + made.Format("15:04") + " ngày " + made.Format("02/01/2006") + ", cán bộ hỗ trợ: " + rd.staffName(h.PreparedBy))}, left)
	p.y += 1.5
	last := h.LastDay().Format("02/01/2006")
	line([]run{it("Mời ông/bà đến quầy tiếp nhận, đọc số phiếu hoặc đưa phiếu này cho cán bộ. Phiếu có giá trị đến hết ngày " + last + ".")},
		para{size: 8.5, line: 4, align: 'J'})
	return p.finish(w)
}
