package citizen

import (
	"strconv"
	"strings"
	"time"
	"unicode"
)

// vietnam is UTC+7, without daylight saving since 1975. A fixed zone keeps
// "today" right on PCs without a time zone database.
var vietnam = time.FixedZone("ICT", 7*60*60)

// CardQR is the content of the QR code printed on a chip ID card (CCCD with
// chip). The payload is text with fields separated by '|':
//
//	ID|old CMND (may be empty)|full name|ddMMyyyy birth|Nam/Nữ|permanent address|ddMMyyyy issue date
//
// for example
//
//	001099012345||Nguyễn Văn An|15031999|Nam|Số 12 ngõ 34 phố Huế, Phường Phố Huế, Quận Hai Bà Trưng, Hà Nội|20042021
//
// Addresses on older cards use the district and commune names from before the
// 2025 reorganisation; they are kept as printed.
type CardQR struct {
	ID      string    // 12-digit personal ID number
	OldID   string    // previous ID number, digits only (9, or 12 for an earlier CCCD), or ""
	Name    string    // full name, NormaliseName
	Birth   time.Time // date of birth at 00:00 UTC
	Sex     Sex       // Male or Female
	Address string    // permanent address (nơi thường trú), NormaliseAddress
	Issued  time.Time // issue date at 00:00 UTC; zero when the payload has none
	Extra   []string  // fields after the seventh, NormaliseText; nil when none
}

// PersonalID returns the decoded ID number. ParseCardQR has already
// validated it; on a CardQR built by hand the error is ParseID's.
func (q CardQR) PersonalID() (ID, error) { return ParseID(q.ID) }

// Format returns the payload as the card encodes it; ParseCardQR(q.Format())
// gives q back for any q that ParseCardQR returned.
func (q CardQR) Format() string {
	f := []string{q.ID, q.OldID, q.Name, formatDate(q.Birth), q.Sex.String(), q.Address}
	if !q.Issued.IsZero() || len(q.Extra) > 0 {
		f = append(f, formatDate(q.Issued))
	}
	f = append(f, q.Extra...)
	return strings.Join(f, "|")
}

// isQRSpace reports what a USB scanner or a copy and paste may add around the
// payload: white space (CR, LF, Tab) and a byte order mark.
func isQRSpace(r rune) bool { return unicode.IsSpace(r) || r == '\uFEFF' }

// LooksLikeCardQR is a cheap test for an input field that receives keystrokes
// from a USB scanner: it reports whether s looks like an ID-card QR payload
// (12 digits, then a '|', and at least five '|' in all) rather than something
// a clerk typed. Use ParseCardQR to actually read it.
func LooksLikeCardQR(s string) bool {
	s = strings.TrimLeftFunc(s, isQRSpace)
	first, rest, ok := strings.Cut(s, "|")
	if !ok {
		return false
	}
	first = strings.TrimRightFunc(first, unicode.IsSpace)
	return len(first) == 12 && allDigits(first) && strings.Count(rest, "|") >= 4
}

// LooksLikeCardScan tells what a USB scanner typed into a field from what a
// clerk typed: at least two '|' (a card payload has five). It is looser than
// LooksLikeCardQR on purpose, so that a malformed payload is read, and its
// fault reported, rather than typed into the field.
func LooksLikeCardScan(s string) bool {
	return strings.Count(s, "|") >= 2
}

// ParseCardQR reads an ID-card QR payload. It tolerates what scanners and
// copy and paste add (surrounding white space, CR/LF/Tab, a BOM), NFD text,
// any case for the sex, a missing issue date and extra trailing fields (kept
// in Extra). Names and addresses come back normalised (NormaliseName,
// NormaliseAddress).
//
// It rejects, with an *Error: fewer than 6 fields; an invalid ID number (the
// ParseID error); an invalid old ID number; an empty name; a birth or issue
// date that is not a valid ddMMyyyy date; a birth date after today in Vietnam
// as of now (a zero now skips this check); a birth year or sex that disagrees
// with the ID number (CheckBirth, CheckSex); an issue date before the birth.
func ParseCardQR(s string, now time.Time) (CardQR, error) {
	var fields []string
	if s = strings.TrimFunc(strings.ToValidUTF8(s, ""), isQRSpace); s != "" {
		fields = strings.Split(s, "|")
	}
	if len(fields) < 6 {
		return CardQR{}, newError(CodeQRFields, "Count", strconv.Itoa(len(fields)))
	}

	id, err := ParseID(fields[0])
	if err != nil {
		return CardQR{}, err
	}
	q := CardQR{ID: id.Number}

	if old := NormaliseText(fields[1]); old != "" {
		_, digits, err := ParseAnyID(old)
		if err != nil {
			return CardQR{}, newError(CodeQROldID)
		}
		q.OldID = digits
	}

	if q.Name = NormaliseName(fields[2]); q.Name == "" {
		return CardQR{}, newError(CodeQRName)
	}

	var ok bool
	if q.Birth, ok = parseDate(fields[3]); !ok {
		return CardQR{}, newError(CodeQRBirth)
	}
	if !now.IsZero() && q.Birth.After(civilDay(now)) {
		return CardQR{}, newError(CodeQRBirthFuture, "Date", q.Birth.Format("02/01/2006"))
	}
	if err := id.CheckBirth(q.Birth); err != nil {
		return CardQR{}, err
	}

	if q.Sex, err = ParseSex(fields[4]); err != nil {
		return CardQR{}, newError(CodeQRSex)
	}
	if err := id.CheckSex(q.Sex); err != nil {
		return CardQR{}, err
	}

	q.Address = NormaliseAddress(fields[5])

	if len(fields) > 6 && NormaliseText(fields[6]) != "" {
		if q.Issued, ok = parseDate(fields[6]); !ok {
			return CardQR{}, newError(CodeQRIssued)
		}
		if q.Issued.Before(q.Birth) {
			return CardQR{}, newError(CodeQRIssuedOrder,
				"Issued", q.Issued.Format("02/01/2006"), "Birth", q.Birth.Format("02/01/2006"))
		}
	}
	if len(fields) > 7 {
		q.Extra = make([]string, len(fields)-7)
		for i, f := range fields[7:] {
			q.Extra[i] = NormaliseText(f)
		}
	}
	return q, nil
}

// civilDay is the calendar date of t in Vietnam, at 00:00 UTC like the dates
// ParseCardQR returns.
func civilDay(t time.Time) time.Time {
	y, m, d := t.In(vietnam).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func formatDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("02012006")
}

// parseDate reads a day-month-year date: "ddMMyyyy" as on the card, or with
// separators ("15/03/1999", "15-3-1999", "15.03.1999").
func parseDate(s string) (time.Time, bool) {
	s = NormaliseText(s)
	var parts []string
	if len(s) == 8 && allDigits(s) {
		parts = []string{s[:2], s[2:4], s[4:]}
	} else {
		parts = strings.FieldsFunc(s, func(r rune) bool {
			return r == '/' || r == '-' || r == '.' || r == ' '
		})
		if len(parts) != 3 || len(parts[0]) > 2 || len(parts[1]) > 2 || len(parts[2]) != 4 {
			return time.Time{}, false
		}
	}
	var n [3]int
	for i, p := range parts {
		if p == "" || !allDigits(p) {
			return time.Time{}, false
		}
		n[i], _ = strconv.Atoi(p)
	}
	d, m, y := n[0], n[1], n[2]
	if y < 1800 || m < 1 || m > 12 || d < 1 || d > 31 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d { // 31/04, 29/02 in a common year
		return time.Time{}, false
	}
	return t, true
}
