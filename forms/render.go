package forms

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"motcua/domain"
)

// Unit is the centre printing the forms, as its header and sentences name it.
type Unit struct {
	Parent      string // the commune People's Committee that set the centre up, e.g. "UBND xã An Hưng" (printed in capitals)
	Name        string // e.g. "Trung tâm Phục vụ hành chính công xã An Hưng": capitalised in the header, as written in sentences
	Code        string // mã định danh đơn vị, e.g. 000.00.06.H56 (PDF metadata)
	Place       string // place name of the date line, e.g. "An Hưng"
	Address     string // where the centre is: the default place to collect results
	Phone       string // the centre's telephone, for citizens' questions
	ReturnPlace string // where results are collected, when a dossier does not say
	Book        string // "Quyển số" of the tracking book; the year of receipt when empty
	// LookupURL is where a citizen follows a dossier: the receipt's QR code encodes it
	// with the dossier code, put in place of "{code}" or appended. Empty: the QR code
	// holds the bare code (for the counter's scanner).
	LookupURL string
	// ReceiptCopies is how many copies (liên) of the receipt one print makes: 2 where the
	// province asks for one to hand out and one to keep; 0 or 1 prints one.
	ReceiptCopies int
}

// LookupAddress is the address that shows a dossier's progress: Unit.LookupURL with the
// code, or "" when no lookup address is set.
func (u Unit) LookupAddress(code string) string {
	base := strings.TrimSpace(u.LookupURL)
	if base == "" || strings.TrimSpace(code) == "" {
		return ""
	}
	code = url.QueryEscape(strings.TrimSpace(code))
	if strings.Contains(base, "{code}") {
		return strings.ReplaceAll(base, "{code}", code)
	}
	return base + code
}

// Renderer prints the forms of one unit. The zero value of T prints the seed templates;
// Now defaults to time.Now and StaffName to the username itself.
type Renderer struct {
	T    Templates
	Unit Unit
	Now  func() time.Time
	// StaffName gives a staff member's full name from a username (for hand-overs and
	// processing steps, which record only the username).
	StaffName func(username string) string
}

func (rd Renderer) now() time.Time {
	if rd.Now != nil {
		return rd.Now()
	}
	return time.Now()
}

func (rd Renderer) staffName(username string) string {
	if rd.StaffName != nil {
		if n := strings.TrimSpace(rd.StaffName(username)); n != "" {
			return n
		}
	}
	return username
}

// start opens a PDF for a form of dossier d issued on date and draws its header, with the
// template of the circular in force on that date.
func (rd Renderer) start(id string, d domain.Dossier, date time.Time, number string) (*page, Template) {
	return rd.startAs(id, d, date, number, clean(rd.Unit.Name))
}

// startAs is start with another issuing body than the centre under the commune line (the
// 2025 apology letter is issued by the agency that caused the delay).
func (rd Renderer) startAs(id string, d domain.Dossier, date time.Time, number, issuer string) (*page, Template) {
	tpl, _ := rd.T.For(id, date)
	subject := clean(rd.Unit.Name)
	if rd.Unit.Code != "" {
		subject += " (" + rd.Unit.Code + ")"
	}
	p := newPage(strings.TrimSpace(tpl.Title+" "+d.Code), subject, rd.now())
	if d.Code != "" {
		p.footer = "Mã hồ sơ: " + d.Code
	}
	p.header(tpl, rd.headerBlock(issuer, number, date))
	return p, tpl
}

func (rd Renderer) headerBlock(issuer, number string, date time.Time) headerBlock {
	return headerBlock{parent: clean(rd.Unit.Parent), unit: issuer, number: number, place: rd.Unit.Place, date: date}
}

// unitName is the centre's name inside a sentence.
func (rd Renderer) unitName() string {
	if n := clean(rd.Unit.Name); n != "" {
		return n
	}
	return "Bộ phận tiếp nhận và trả kết quả"
}

// returnPlace is where the citizen collects the result.
func (rd Renderer) returnPlace(d domain.Dossier) string {
	for _, s := range []string{d.ReturnPlace, rd.Unit.ReturnPlace, rd.Unit.Address} {
		if s = clean(s); s != "" {
			return s
		}
	}
	return rd.unitName()
}

// book is "Quyển số" and "Số thứ tự" of the tracking book.
func (rd Renderer) book(d domain.Dossier) (string, string) {
	book := clean(rd.Unit.Book)
	if book == "" && !d.ReceivedAt.IsZero() {
		book = strconv.Itoa(vn(d.ReceivedAt).Year())
	}
	seq := ""
	if c, err := domain.ParseDossierCode(d.Code); err == nil {
		seq = strconv.Itoa(c.Sequence())
	}
	return orDots(book), orDots(seq)
}

// person is how a form names someone: "Ông Nguyễn Văn An".
func person(p domain.Person) string {
	name := clean(p.Name)
	if name == "" {
		return "Ông/Bà " + dots
	}
	return honorific(p.Sex) + " " + name
}

// applicantLines writes the applicant's contact details.
func (p *page) applicantLines(a domain.Person) {
	if clean(a.IDNumber) != "" {
		p.field("Số định danh cá nhân", clean(a.IDNumber))
	}
	p.field("Địa chỉ", clean(a.Address))
	p.field("Số điện thoại", nobreak(clean(a.Phone)))
	if e := clean(a.Email); e != "" {
		p.field("Email", e)
	}
}

// requestLines writes the procedure and the request.
func (p *page) requestLines(d domain.Dossier) {
	if n := clean(d.Procedure.Name); n != "" {
		p.field("Thủ tục hành chính", n)
	}
	summary := clean(d.Summary)
	if summary == "" {
		summary = clean(d.Procedure.Name)
	}
	p.field("Nội dung yêu cầu giải quyết", summary)
}

// ownerLine writes the dossier's owner when it is not the applicant.
func (p *page) ownerLine(d domain.Dossier) {
	if d.Owner == nil || clean(d.Owner.Name) == "" || clean(d.Owner.Name) == clean(d.Applicant.Name) {
		return
	}
	runs := []run{r("Chủ hồ sơ: "), b(clean(d.Owner.Name))}
	if id := clean(d.Owner.IDNumber); id != "" {
		runs = append(runs, r("; số định danh: "), b(id))
	}
	if a := clean(d.Owner.Address); a != "" {
		runs = append(runs, r("; địa chỉ: "), b(a))
	}
	p.write(body, runs...)
}

// codeLine centres "Mã hồ sơ: …" under a title.
func (p *page) codeLine(code string, x, width float64) {
	p.y += p.drawText([]run{r("Mã hồ sơ: "), b(orDots(code))}, x, p.y, width, para{size: bodySize, line: 6, align: 'C'})
}

// recoverPDF turns a panic inside the PDF library into an error: an unusual value must
// not take the counter's app down while it prints.
func recoverPDF(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("không tạo được tệp PDF: %v", r)
	}
}

// incomplete is the error for a dossier that lacks what a form needs.
func incomplete(code, msg string) error {
	return &domain.RuleError{Code: "forms." + code, Msg: msg, Kind: domain.ErrInvalid}
}

func blank(s string) bool { return strings.TrimSpace(s) == "" }
