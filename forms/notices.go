package forms

import (
	"io"
	"strconv"
	"strings"

	"motcua/domain"
)

// Supplement prints Mẫu 02, the request to complete a dossier (phiếu yêu cầu bổ sung,
// hoàn thiện hồ sơ), for its last supplement round. guide is the official who explains
// what is missing; the round's own guide name and phone win when it recorded them.
func (rd Renderer) Supplement(w io.Writer, d domain.Dossier, guide domain.Staff) (err error) {
	defer recoverPDF(&err)
	if len(d.Supplements) == 0 {
		return incomplete("supplement.none", "Hồ sơ chưa có yêu cầu bổ sung, hoàn thiện nên chưa in được Phiếu yêu cầu bổ sung.")
	}
	round := d.Supplements[len(d.Supplements)-1]
	if len(round.Items) == 0 {
		return incomplete("supplement.empty", "Yêu cầu bổ sung của hồ sơ chưa nêu giấy tờ cần bổ sung.")
	}
	guideName := clean(round.GuideName)
	if guideName == "" {
		guideName = clean(guide.FullName)
	}
	guidePhone := clean(round.GuidePhone)
	if guidePhone == "" {
		guidePhone = clean(guide.Phone)
	}
	if guidePhone == "" {
		guidePhone = clean(rd.Unit.Phone)
	}

	p, tpl := rd.start(FormSupplement, d, round.RequestedAt, "")
	p.title(tpl, marginL, contentW)
	if d.Code != "" {
		p.codeLine(d.Code, marginL, contentW)
	}
	p.gap(3)

	a := d.Applicant
	p.write(body, r("Hồ sơ của: "), b(person(a)))
	p.applicantLines(a)
	p.requestLines(d)
	if !d.ReceivedAt.IsZero() {
		p.field("Thời gian nhận hồ sơ", clockDate(d.ReceivedAt))
	}
	p.gap(1)
	p.write(body, r("Hồ sơ của "+honorific(a.Sex)+" cần được bổ sung, hoàn thiện các nội dung sau:"))
	p.gap(1)
	cols := []column{{head: "TT", width: 10}, {head: "Tên giấy tờ", width: 107}, {head: "Số lượng", width: 20},
		{head: "Hình thức", width: 38, sub: "(bản chính/bản sao chứng thực/bản photo)"}}
	var rows [][]cell
	for i, item := range round.Items {
		rows = append(rows, []cell{tc('C', r(strconv.Itoa(i+1))), tc('L', r(clean(item.Name))),
			tc('C', r(strconv.Itoa(max(item.Count, 1)))), tc('C', r(formName(item.Form)))})
	}
	p.table(cols, rows)
	p.gap(2)
	p.write(bodyJust, r("Lý do: "), b(punctuate(orDots(clean(round.Reason)))))
	p.closing(bodyJust, []run{r("Trong quá trình hoàn thiện hồ sơ, nếu có vướng mắc, " + honorific(a.Sex) + " liên hệ với "),
		b(orDots(guideName)), r(", số điện thoại "), b(orDots(nobreak(guidePhone))), r(" để được hướng dẫn.")},
		signer{"NGƯỜI HƯỚNG DẪN", "(Ký và ghi rõ họ tên)", guideName})
	return p.finish(w)
}

// Refusal prints Mẫu 03, the refusal to accept a dossier (phiếu từ chối tiếp nhận giải
// quyết hồ sơ), with the reason recorded when it was refused.
func (rd Renderer) Refusal(w io.Writer, d domain.Dossier, clerk domain.Staff) (err error) {
	defer recoverPDF(&err)
	if d.Status != domain.StatusRefused {
		return incomplete("refusal.not_refused", "Hồ sơ không ở trạng thái «Không được tiếp nhận» nên không in Phiếu từ chối tiếp nhận.")
	}
	if blank(d.CloseReason) {
		return incomplete("refusal.no_reason", "Hồ sơ chưa ghi lý do từ chối tiếp nhận.")
	}
	p, tpl := rd.start(FormRefusal, d, d.ClosedAt, "")
	p.title(tpl, marginL, contentW)
	if d.Code != "" {
		p.codeLine(d.Code, marginL, contentW)
	}
	p.gap(3)

	a := d.Applicant
	p.write(body, r(rd.unitName()+" tiếp nhận hồ sơ của: "), b(person(a)))
	p.applicantLines(a)
	p.requestLines(d)
	p.ownerLine(d)
	p.gap(1)
	p.write(bodyJust, r("Sau khi xem xét, đối chiếu với quy định của pháp luật, "+rd.unitName()+
		" không tiếp nhận, giải quyết hồ sơ này với lý do cụ thể như sau:"))
	p.writeAt(marginL+6, contentW-6, bodyJust, b(punctuate(clean(d.CloseReason))))
	clerkName := clean(clerk.FullName)
	p.closing(body, []run{r("Xin thông báo để " + honorific(a.Sex) + " được biết và thực hiện./.")},
		signer{"NGƯỜI NỘP HỒ SƠ", "(Ký và ghi rõ họ tên)", clean(a.Name)},
		signer{"NGƯỜI TIẾP NHẬN HỒ SƠ", "(Ký và ghi rõ họ tên)", clerkName},
	)
	return p.finish(w)
}

// Apology prints Mẫu 04 for the last reschedule, as the circular in force on its day
// drew it: since Circular 03/2025/TT-VPCP the letter of apology and request for
// extension (văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết), issued in the name
// of the agency that caused the delay with the proposed new date; before, the apology
// with a new due date (phiếu xin lỗi và hẹn lại ngày trả kết quả). head is the name of
// the head of the unit who signs.
func (rd Renderer) Apology(w io.Writer, d domain.Dossier, head string) (err error) {
	defer recoverPDF(&err)
	if len(d.Reschedules) == 0 {
		return incomplete("apology.none", "Hồ sơ chưa được hẹn lại ngày trả kết quả nên chưa in được văn bản xin lỗi.")
	}
	rs := d.Reschedules[len(d.Reschedules)-1]
	if tpl, _ := rd.T.For(FormApology, rs.At); tpl.Edition != Edition2018 {
		return rd.apology2025(w, d, rs, head)
	}
	number := clean(rs.Number)
	switch {
	case number == "":
		number = "……/PXL"
	case !strings.Contains(number, "/"):
		number += "/PXL"
	}
	p, tpl := rd.start(FormApology, d, rs.At, "Số: "+number)
	p.title(tpl, marginL, contentW)
	p.gap(4)

	a := d.Applicant
	hon := honorific(a.Sex)
	unit := rd.unitName()
	p.write(para{size: bodySize, line: bodyLine, align: 'C'}, r("Kính gửi: "), b(person(a)+"."))
	p.gap(2)
	ind := para{size: bodySize, line: bodyLine, align: 'J', indent: 8}
	p.write(ind, r("Ngày "+dateVN(d.ReceivedAt)+", "+unit+" tiếp nhận giải quyết hồ sơ của "+hon+", mã hồ sơ: "),
		b(orDots(d.Code)), r("."))
	p.write(ind, r("Nội dung yêu cầu giải quyết: "), b(punctuate(orDots(clean(firstNonBlank(d.Summary, d.Procedure.Name))))))
	p.write(ind, r("Thời gian hẹn trả kết quả giải quyết hồ sơ: "), b(clockDate(rs.OldDueAt)), r("."))
	p.write(ind, r("Tuy nhiên đến nay, "+unit+" chưa trả kết quả giải quyết hồ sơ của "+hon+
		" đúng hạn ghi trên Giấy tiếp nhận hồ sơ và hẹn trả kết quả."))
	p.write(ind, r("Lý do: "), b(punctuate(orDots(clean(rs.Reason)))))
	p.write(ind, r("Sự chậm trễ này đã gây phiền hà cho "+hon+". "+unit+" xin lỗi "+hon+
		" và sẽ trả kết quả giải quyết hồ sơ cho "+hon+" vào "), b(clockDate(rs.NewDueAt)), r("."))
	p.closing(ind, []run{r("Xin trân trọng cảm ơn sự hợp tác của " + hon + "./.")},
		signer{"THỦ TRƯỞNG ĐƠN VỊ", "(Ký, ghi rõ họ tên và đóng dấu)", clean(head)})
	return p.finish(w)
}

// apology2025 is Mẫu 04 of Circular 03/2025/TT-VPCP: the agency that caused the delay
// apologises and asks for the time to be extended to the proposed new date.
func (rd Renderer) apology2025(w io.Writer, d domain.Dossier, rs domain.Reschedule, head string) error {
	agency := clean(rs.Agency)
	if agency == "" {
		agency = rd.unitName()
	}
	number := clean(rs.Number)
	if number == "" {
		number = "……"
	}
	p, tpl := rd.startAs(FormApology, d, rs.At, "Số: "+number, agency)
	p.write(para{size: 10, line: 5, align: 'L'}, it("V/v xin lỗi và đề nghị gia hạn thời gian giải quyết hồ sơ"))
	p.gap(2)
	p.title(tpl, marginL, contentW)
	p.gap(4)

	a := d.Applicant
	hon := honorific(a.Sex)
	ind := para{size: bodySize, line: bodyLine, align: 'J', indent: 8}
	p.write(para{size: bodySize, line: bodyLine, align: 'C'}, r("Kính gửi: "), b(person(a)+"."))
	p.gap(2)
	p.write(ind, r("Ngày "+dateVN(d.ReceivedAt)+", "+rd.unitName()+" tiếp nhận hồ sơ của "+hon+", mã hồ sơ: "),
		b(orDots(d.Code)), r("."))
	p.write(ind, r("Thủ tục hành chính: "), b(punctuate(orDots(clean(d.Procedure.Name)))))
	p.write(ind, r("Nội dung yêu cầu giải quyết: "), b(punctuate(orDots(clean(firstNonBlank(d.Summary, d.Procedure.Name))))))
	p.write(ind, r("Thời gian hẹn trả kết quả giải quyết hồ sơ: "), b(clockDate(rs.OldDueAt)), r("."))
	p.write(ind, r("Tuy nhiên đến nay, "+agency+" chưa giải quyết xong hồ sơ của "+hon+" đúng thời hạn ghi trên Giấy tiếp nhận hồ sơ và hẹn trả kết quả."))
	p.write(ind, r("Lý do chậm trễ: "), b(punctuate(orDots(clean(rs.Reason)))))
	p.write(ind, r(agency+" xin lỗi "+hon+" vì sự chậm trễ này và đề nghị gia hạn thời gian giải quyết hồ sơ đến "),
		b(clockDate(rs.NewDueAt)), r(". Kết quả được trả tại: "), b(punctuate(rd.returnPlace(d))))
	p.closing(ind, []run{r("Xin trân trọng cảm ơn sự hợp tác của " + hon + "./.")},
		signer{"THỦ TRƯỞNG CƠ QUAN", "(Ký, ghi rõ họ tên và đóng dấu)", clean(head)})
	return p.finish(w)
}

// StopNotice prints Mẫu 05 of Circular 03/2025/TT-VPCP, the notice that processing of a
// dossier has stopped (thông báo dừng giải quyết hồ sơ), with the reason recorded when it
// stopped: status 8, or 7 when the citizen withdrew it. head is the name of the head of
// the unit who signs.
func (rd Renderer) StopNotice(w io.Writer, d domain.Dossier, head string) (err error) {
	defer recoverPDF(&err)
	if d.Status != domain.StatusStopped && d.Status != domain.StatusWithdrawn {
		return incomplete("stop.not_stopped", "Hồ sơ không ở trạng thái «Dừng xử lý» nên không in Thông báo dừng giải quyết hồ sơ.")
	}
	if blank(d.CloseReason) {
		return incomplete("stop.no_reason", "Hồ sơ chưa ghi lý do dừng giải quyết.")
	}
	p, tpl := rd.start(FormStop, d, d.ClosedAt, "Số: ……")
	p.title(tpl, marginL, contentW)
	if d.Code != "" {
		p.codeLine(d.Code, marginL, contentW)
	}
	p.gap(3)

	a := d.Applicant
	hon := honorific(a.Sex)
	unit := rd.unitName()
	p.write(para{size: bodySize, line: bodyLine, align: 'C'}, r("Kính gửi: "), b(person(a)+"."))
	p.gap(2)
	p.applicantLines(a)
	p.requestLines(d)
	p.ownerLine(d)
	if !d.ReceivedAt.IsZero() {
		p.field("Thời gian nhận hồ sơ", clockDate(d.ReceivedAt))
	}
	p.gap(1)
	p.write(bodyJust, r(unit+" thông báo dừng giải quyết hồ sơ của "+hon+" kể từ "), b(clockDate(d.ClosedAt)),
		r(" với lý do như sau:"))
	p.writeAt(marginL+6, contentW-6, bodyJust, b(punctuate(clean(d.CloseReason))))
	p.write(bodyJust, r("Giấy tờ đã nộp (nếu có) được trả lại tại: "), b(punctuate(rd.returnPlace(d))))
	p.closing(bodyJust, []run{r("Xin thông báo để " + hon + " được biết./.")},
		signer{"THỦ TRƯỞNG ĐƠN VỊ", "(Ký, ghi rõ họ tên và đóng dấu)", clean(head)})
	return p.finish(w)
}

func firstNonBlank(ss ...string) string {
	for _, s := range ss {
		if !blank(s) {
			return s
		}
	}
	return ""
}
