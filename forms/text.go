package forms

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"motcua/domain"
	"motcua/domain/calendar"
)

// dots stands for a value the clerk or the citizen writes in by hand.
const dots = "………………"

// counterDesk is how the forms name the counter in the control slip (Mẫu 05).
const counterDesk = "Bộ phận TN&TKQ"

// printable makes text safe to draw: valid UTF-8 in NFC (the font has no mark
// positioning, so a decomposed "ệ" would print its accents beside the letter), without
// control or invisible characters except newlines.
func printable(s string) string {
	s = norm.NFC.String(strings.ToValidUTF8(s, ""))
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\u00a0' {
			return r
		}
		if unicode.IsSpace(r) {
			return ' '
		}
		if unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Cf, r) {
			return -1
		}
		if r > 0xFFFF { // fpdf's font subsetting handles the Basic Multilingual Plane only (and Noto Sans has no emoji)
			return '\uFFFD'
		}
		return r
	}, s)
}

// clean tidies a value taken from data: printable, each line trimmed with runs of spaces
// collapsed, blank lines dropped.
func clean(s string) string {
	if s == "" {
		return ""
	}
	lines := strings.Split(printable(s), "\n")
	out := lines[:0]
	for _, l := range lines {
		if l = strings.Join(strings.FieldsFunc(l, breakable), " "); l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// breakable says where a line may break: white space other than the no-break space.
func breakable(r rune) bool { return unicode.IsSpace(r) && r != '\u00a0' }

// orDots returns s, or the placeholder to write in by hand when s is blank.
func orDots(s string) string {
	if strings.TrimSpace(s) == "" {
		return dots
	}
	return s
}

func vn(t time.Time) time.Time { return t.In(domain.VN()) }

// dateVN is dd/mm/yyyy in Vietnam time.
func dateVN(t time.Time) string {
	if t.IsZero() {
		return "……/……/………"
	}
	return vn(t).Format("02/01/2006")
}

// clockDate is "16 giờ 00 phút, ngày 13/02/2026", the way the forms give a time.
func clockDate(t time.Time) string {
	if t.IsZero() {
		return "…… giờ …… phút, ngày ……/……/………"
	}
	l := vn(t)
	return fmt.Sprintf("%02d giờ %02d phút, ngày %s", l.Hour(), l.Minute(), l.Format("02/01/2006"))
}

// placeDate is the place-and-date line of an administrative document. Decree 30/2020 on
// document formatting pads days below 10 and the months 1 and 2 with a zero ("ngày 05
// tháng 02", "tháng 3"), so a typed month cannot be altered by hand.
func placeDate(place string, t time.Time) string {
	place = orDots(clean(place))
	if t.IsZero() {
		return place + ", ngày …… tháng …… năm ………"
	}
	l := vn(t)
	month := strconv.Itoa(int(l.Month()))
	if l.Month() <= 2 {
		month = "0" + month
	}
	return fmt.Sprintf("%s, ngày %02d tháng %s năm %d", place, l.Day(), month, l.Year())
}

// honorific is "Ông" for a man, "Bà" for a woman, "Ông/Bà" when the sex is unknown.
func honorific(sex string) string {
	switch strings.ToLower(clean(sex)) {
	case "nam":
		return "Ông"
	case "nữ":
		return "Bà"
	}
	return "Ông/Bà"
}

// processingTime is the statutory processing time as item 3 of Mẫu 01 states it.
func processingTime(pt domain.ProcessingTime) string {
	switch pt.Unit {
	case domain.TimeSameDay:
		return "Trong ngày (tiếp nhận sau 15 giờ trả ngày làm việc tiếp theo)"
	case domain.TimeWorkingDays:
		return number(pt.Value, true) + " ngày làm việc"
	case domain.TimeWorkingHours:
		return number(pt.Value, false) + " giờ làm việc"
	case domain.TimeCalendarDays:
		return number(pt.Value, true) + " ngày (tính cả ngày nghỉ; ngày cuối là ngày nghỉ thì trả vào ngày làm việc tiếp theo)"
	}
	return dots
}

// number prints 3 as "03" (when pad) and 1.5 as "1,5".
func number(v float64, pad bool) string {
	if v == math.Trunc(v) {
		if pad && v >= 0 && v < 10 {
			return fmt.Sprintf("%02d", int(v))
		}
		return strconv.Itoa(int(v))
	}
	return strings.Replace(strconv.FormatFloat(v, 'f', -1, 64), ".", ",", 1)
}

// nbsp joins words that must stay on one line (a phone number, an amount and its unit).
const nbsp = "\u00a0"

func nobreak(s string) string { return strings.ReplaceAll(s, " ", nbsp) }

// money is an amount in words of the forms: "21.000 đồng", never split across lines.
func money(amount int64) string {
	return domain.FormatNumber(amount) + nbsp + "đồng"
}

// feeLine is the fee sentence of the receipt.
func feeLine(fee int64) string {
	if fee <= 0 {
		return "Không thu phí, lệ phí."
	}
	return "Phí, lệ phí: " + money(fee) + "."
}

// feeRuns is feeLine with the amount in bold.
func feeRuns(fee int64) []run {
	if fee <= 0 {
		return []run{r(feeLine(fee))}
	}
	return []run{r("Phí, lệ phí: "), b(money(fee)), r(".")}
}

// formName names the form a paper is handed in.
func formName(f domain.DocumentForm) string {
	switch f {
	case domain.FormOriginal:
		return "Bản chính"
	case domain.FormCertified:
		return "Bản sao chứng thực"
	case domain.FormPhoto:
		return "Bản photo"
	}
	return dots
}

// channelName is how the dossier was filed.
func channelName(c domain.Channel) string {
	switch c {
	case domain.ChannelDirect:
		return "Trực tiếp tại Bộ phận tiếp nhận và trả kết quả"
	case domain.ChannelOnline:
		return "Trực tuyến"
	case domain.ChannelPost:
		return "Qua dịch vụ bưu chính công ích"
	}
	return dots
}

// handOverMethod names how a result was returned.
func handOverMethod(m string) string {
	switch m {
	case domain.HandOverCounter:
		return "Trực tiếp tại Bộ phận tiếp nhận và trả kết quả"
	case domain.HandOverPost:
		return "Qua dịch vụ bưu chính công ích"
	case domain.HandOverElectronic:
		return "Trả kết quả điện tử"
	}
	return orDots(clean(m))
}

// punctuate ends a sentence taken from data with a full stop unless it already ends
// with punctuation.
func punctuate(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	switch r := []rune(s)[len([]rune(s))-1]; r {
	case '.', '!', '?', ':', ';', '…':
		return s
	}
	return s + "."
}

// timeliness words calendar.TimelinessOf for the control sheet.
func timeliness(done, due time.Time) string {
	if done.IsZero() || due.IsZero() {
		return ""
	}
	switch calendar.TimelinessOf(done, due) {
	case calendar.Early:
		return "Trước hạn"
	case calendar.OnTime:
		return "Đúng hạn"
	}
	return "Quá hạn"
}
