package forms

import (
	"bytes"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"io"
	"strconv"

	qrcode "github.com/skip2/go-qrcode"

	"motcua/domain"
)

// QR code on the receipt: size on paper and pixels per module of the embedded image.
const (
	qrSize   = 24.0
	qrModule = 8
)

// QRPNG is the tracking QR code printed on the receipt: it encodes exactly the text given
// (the lookup address of the dossier, or its bare code), with medium error recovery and the standard quiet zone, as a grey-scale PNG of
// qrModule pixels per module.
func QRPNG(code string) ([]byte, error) {
	q, err := qrcode.New(code, qrcode.Medium)
	if err != nil {
		return nil, fmt.Errorf("tạo mã QR: %w", err)
	}
	src := q.Image(-qrModule)
	gray := image.NewGray(src.Bounds())
	draw.Draw(gray, gray.Bounds(), src, image.Point{}, draw.Src)
	var buf bytes.Buffer
	if err := png.Encode(&buf, gray); err != nil {
		return nil, fmt.Errorf("tạo mã QR: %w", err)
	}
	return buf.Bytes(), nil
}

// Receipt prints Mẫu 01, the receipt and appointment slip (giấy tiếp nhận hồ sơ và hẹn
// trả kết quả), for a dossier received at the counter by clerk.
func (rd Renderer) Receipt(w io.Writer, d domain.Dossier, clerk domain.Staff) (err error) {
	defer recoverPDF(&err)
	switch {
	case blank(d.Code):
		return incomplete("receipt.no_code", "Hồ sơ chưa có mã hồ sơ nên chưa in được Giấy tiếp nhận hồ sơ và hẹn trả kết quả.")
	case d.ReceivedAt.IsZero():
		return incomplete("receipt.not_received", "Hồ sơ chưa được tiếp nhận nên chưa in được Giấy tiếp nhận hồ sơ và hẹn trả kết quả.")
	case d.DueAt.IsZero():
		return incomplete("receipt.no_due", "Hồ sơ chưa có ngày hẹn trả kết quả nên chưa in được Giấy tiếp nhận hồ sơ.")
	}
	lookup := rd.Unit.LookupAddress(d.Code)
	qr, err := QRPNG(firstNonBlank(lookup, d.Code))
	if err != nil {
		return err
	}
	p, tpl := rd.start(FormReceipt, d, d.ReceivedAt, "")
	copies := max(rd.Unit.ReceiptCopies, 1)
	for n := 1; n <= copies; n++ {
		if n > 1 {
			p.newSection()
			p.header(tpl, rd.headerBlock(clean(rd.Unit.Name), "", d.ReceivedAt))
		}
		rd.receiptCopy(p, tpl, d, clerk, qr, lookup, n, copies)
	}
	return p.finish(w)
}

// copyNames say who keeps each copy (liên) of a receipt printed twice.
var copyNames = [...]string{"Liên 1: Giao người nộp hồ sơ", "Liên 2: Lưu tại Bộ phận tiếp nhận và trả kết quả"}

// receiptCopy draws one copy of the receipt under its header.
func (rd Renderer) receiptCopy(p *page, tpl Template, d domain.Dossier, clerk domain.Staff, qr []byte, lookup string, n, copies int) {
	// Title and code centred, the QR code beside them at the right margin, the code under it.
	top := p.y
	band := contentW - 2*(qrSize+4)
	p.title(tpl, marginL+qrSize+4, band)
	p.codeLine(d.Code, marginL+qrSize+4, band)
	qx := pageW - marginR - qrSize
	p.image("qr", qr, qx, top-2, qrSize)
	p.drawText([]run{r(d.Code)}, qx-10, top-2+qrSize-0.5, qrSize+20, para{size: 6.5, line: 3, align: 'C'})
	if copies > 1 {
		label := fmt.Sprintf("Liên %d", n)
		if n <= len(copyNames) {
			label = copyNames[n-1]
		}
		p.drawText([]run{it("(" + label + ")")}, marginL+qrSize+4, p.y, band, para{size: 9.5, line: 4.6, align: 'C'})
		p.y += 4.6
	}
	p.y = max(p.y, top-2+qrSize+3) + 2

	a := d.Applicant
	p.write(body, r(rd.unitName()+" tiếp nhận hồ sơ của: "), b(person(a)))
	p.applicantLines(a)
	p.requestLines(d)
	p.ownerLine(d)
	p.field("Hình thức nộp hồ sơ", channelName(d.Channel))

	p.gap(1)
	p.write(body, r("1. Thành phần hồ sơ nộp gồm:"))
	p.gap(1)
	cols := []column{{head: "TT", width: 10}, {head: "Tên giấy tờ", width: 99}, {head: "Bản chính", width: 22},
		{head: "Bản chứng thực", width: 22}, {head: "Bản photo", width: 22}}
	var rows [][]cell
	for i, doc := range d.Documents {
		counts := [3]string{}
		n := strconv.Itoa(max(doc.Count, 1))
		switch doc.Form {
		case domain.FormOriginal:
			counts[0] = n
		case domain.FormCertified:
			counts[1] = n
		case domain.FormPhoto:
			counts[2] = n
		}
		rows = append(rows, []cell{tc('C', r(strconv.Itoa(i+1))), tc('L', r(clean(doc.Name))),
			tc('C', r(counts[0])), tc('C', r(counts[1])), tc('C', r(counts[2]))})
	}
	if len(rows) == 0 {
		rows = append(rows, []cell{tc('C'), tc('L', it("(Không có giấy tờ kèm theo)")), tc('C'), tc('C'), tc('C')})
	}
	p.table(cols, rows)
	p.gap(2)

	p.write(body, r("2. Số lượng hồ sơ: "), b(fmt.Sprintf("%02d", max(d.Sets, 1))), r(" bộ."))
	p.write(body, r("3. Thời gian giải quyết hồ sơ theo quy định: "), b(processingTime(d.Procedure.Time)), r("."))
	p.write(body, r("4. Thời gian nhận hồ sơ: "), b(clockDate(d.ReceivedAt)), r("."))
	p.write(body, r("5. Thời gian trả kết quả giải quyết hồ sơ: "), b(clockDate(d.DueAt)), r("."))
	p.write(body, r("6. Đăng ký nhận kết quả tại: "), b(punctuate(rd.returnPlace(d))))
	p.write(body, feeRuns(d.Fee)...)
	p.write(body, rd.lookupRuns(d.Code, lookup)...)
	if d.Assisted {
		p.write(body, it("Hồ sơ được cán bộ hỗ trợ điền thông tin (Ngày không viết)."))
	}
	clerkName := clean(clerk.FullName)
	if clerkName == "" && d.ReceivedBy != "" {
		clerkName = rd.staffName(d.ReceivedBy)
	}
	book, seq := rd.book(d)
	p.closing(body, []run{r("Vào Sổ theo dõi hồ sơ, Quyển số: "), b(book), r(", Số thứ tự: "), b(seq), r(".")},
		signer{"NGƯỜI NỘP HỒ SƠ", "(Ký và ghi rõ họ tên)", clean(a.Name)},
		signer{"NGƯỜI TIẾP NHẬN", "(Ký và ghi rõ họ tên)", clerkName},
	)
}

// lookupRuns is the receipt's line telling the citizen where and how to follow the
// dossier: the lookup address (also in the QR code) or, without one, the centre's phone.
func (rd Renderer) lookupRuns(code, lookup string) []run {
	runs := []run{r("Tra cứu tình trạng hồ sơ: ")}
	phone := clean(rd.Unit.Phone)
	switch {
	case lookup != "":
		runs = append(runs, r("quét mã QR trên giấy này hoặc truy cập "), b(lookup))
		if phone != "" {
			runs = append(runs, r("; điện thoại "), b(nobreak(phone)))
		}
	case phone != "":
		runs = append(runs, r("gọi số "), b(nobreak(phone)), r(" hoặc đến "+rd.unitName()+", đọc mã hồ sơ "), b(orDots(code)))
	default:
		runs = append(runs, r("đến "+rd.unitName()+", đọc mã hồ sơ "), b(orDots(code)))
	}
	return append(runs, r("."))
}
