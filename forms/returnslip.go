package forms

import (
	"io"
	"strings"

	"motcua/domain"
	"motcua/domain/citizen"
)

// ReturnSlip prints the proof that the result was handed over (phiếu trả kết quả): the
// entry of the return book, signed by whoever took the result and whoever gave it.
func (rd Renderer) ReturnSlip(w io.Writer, d domain.Dossier) (err error) {
	defer recoverPDF(&err)
	if d.HandOver == nil {
		return incomplete("return_slip.none", "Hồ sơ chưa được trả kết quả nên chưa in được Phiếu trả kết quả.")
	}
	h := *d.HandOver
	if blank(h.Recipient.Name) {
		return incomplete("return_slip.no_recipient", "Lần trả kết quả chưa ghi người nhận kết quả.")
	}
	p, tpl := rd.start(FormReturnSlip, d, h.At, "")
	p.title(tpl, marginL, contentW)
	p.codeLine(d.Code, marginL, contentW)
	p.gap(3)

	a := d.Applicant
	p.field("Thủ tục hành chính", clean(d.Procedure.Name))
	p.write(body, r("Người nộp hồ sơ: "), b(person(a)))
	p.ownerLine(d)
	p.field("Thời gian nhận hồ sơ", clockDate(d.ReceivedAt))
	p.field("Thời gian hẹn trả kết quả", clockDate(d.DueAt))
	p.gap(1)
	p.write(body, r(rd.unitName()+" đã trả kết quả giải quyết hồ sơ như sau:"))
	p.gap(1)
	ind := func(label string, runs ...run) {
		p.writeAt(marginL+6, contentW-6, body, append([]run{r(label + ": ")}, runs...)...)
	}
	ind("Kết quả trả", b(orDots(clean(firstNonBlank(h.Documents, d.Procedure.ResultType)))))
	rec := recipientWithSex(d)
	ind("Người nhận kết quả", b(person(rec)))
	if id := clean(rec.IDNumber); id != "" {
		ind("Số định danh cá nhân", b(id))
	} else {
		ind("Số định danh cá nhân", b(dots))
	}
	if h.Authorized {
		ind("Tư cách nhận", b("Người được ủy quyền"))
		ind("Giấy tờ ủy quyền", b(orDots(clean(h.Authority))))
	} else {
		ind("Tư cách nhận", b("Người nộp hồ sơ (chủ hồ sơ)"))
	}
	ind("Hình thức trả kết quả", b(handOverMethod(h.Method)))
	ind("Thời gian trả kết quả", b(clockDate(h.At)))
	giver := ""
	if h.By != "" {
		giver = rd.staffName(h.By)
	}
	p.gap(1)
	p.closing(bodyJust, []run{it("Người nhận đã kiểm tra đầy đủ kết quả, thông tin trên kết quả và ký nhận dưới đây.")},
		signer{"NGƯỜI NHẬN KẾT QUẢ", "(Ký và ghi rõ họ tên)", clean(rec.Name)},
		signer{"NGƯỜI TRẢ KẾT QUẢ", "(Ký và ghi rõ họ tên)", giver},
	)
	return p.finish(w)
}

// recipientWithSex is the hand-over's recipient with the sex the receipt knew, so the slip
// says "Ông" where the receipt said "Ông" (the hand-over form does not ask it): from the
// 12-digit ID number, which encodes it, or else from the applicant or owner of that name.
func recipientWithSex(d domain.Dossier) domain.Person {
	rec := d.HandOver.Recipient
	if rec.Sex != "" {
		return rec
	}
	if id, err := citizen.ParseID(rec.IDNumber); err == nil && id.Sex != citizen.SexUnknown {
		rec.Sex = id.Sex.String()
		return rec
	}
	for _, p := range []*domain.Person{&d.Applicant, d.Owner} {
		if p != nil && p.Sex != "" && strings.EqualFold(citizen.NormaliseName(p.Name), citizen.NormaliseName(rec.Name)) {
			rec.Sex = p.Sex
			return rec
		}
	}
	return rec
}
