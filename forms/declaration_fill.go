package forms

import (
	"strconv"
	"strings"
	"time"

	"motcua/domain"
	"motcua/domain/citizen"
)

// IDPaper describes an identity paper the way the declarations ask for it ("Giấy tờ tùy
// thân"): "Căn cước công dân số 001099012345, cấp ngày 20/04/2021". Cards issued from
// 1 July 2024 are "Thẻ căn cước" (Law on Identification 2023); a 9-digit number is an old
// identity card (CMND). Without an issue date only the number can be given.
func IDPaper(number string, issued time.Time) string {
	kind, digits, err := citizen.ParseAnyID(number)
	if err != nil {
		return clean(number)
	}
	if kind == citizen.KindOldID {
		s := "Chứng minh nhân dân số " + digits
		if !issued.IsZero() {
			s += ", cấp ngày " + issued.Format("02/01/2006")
		}
		return s
	}
	if issued.IsZero() {
		return "Số định danh cá nhân " + digits
	}
	name := "Căn cước công dân"
	if !issued.Before(time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC)) {
		name = "Thẻ căn cước"
	}
	return name + " số " + digits + ", cấp ngày " + issued.Format("02/01/2006")
}

// DefaultAddressee is the authority a commune's declarations are addressed to: "Ủy ban
// nhân dân xã An Hưng" for the centre "Trung tâm Phục vụ hành chính công xã An Hưng".
// It falls back to the unit's name; the official can always edit it.
func DefaultAddressee(u Unit) string {
	name := clean(u.Name)
	lower := strings.ToLower(name)
	for _, kind := range []string{" xã ", " phường ", " đặc khu ", " thị trấn "} {
		if i := strings.LastIndex(lower, kind); i >= 0 {
			return "Ủy ban nhân dân " + name[i+1:]
		}
	}
	if name == "" && clean(u.Place) != "" {
		return "Ủy ban nhân dân " + clean(u.Place)
	}
	return name
}

// FillValues gives the value of each fill source for an applicant (issued: the ID card's
// issue date, when scanned) at a unit. Sources without a value are left out.
func FillValues(a domain.Person, issued time.Time, u Unit) map[string]string {
	out := map[string]string{}
	set := func(k, v string) {
		if v = clean(v); v != "" {
			out[k] = v
		}
	}
	set(domain.FillApplicantName, citizen.NormaliseName(a.Name))
	set(domain.FillApplicantID, a.IDNumber)
	if strings.TrimSpace(a.IDNumber) != "" {
		set(domain.FillApplicantIDPaper, IDPaper(a.IDNumber, issued))
	}
	if b, err := domain.ParseDeclarationDate(a.Birth); err == nil {
		set(domain.FillApplicantBirth, b.Format("02/01/2006"))
		set(domain.FillApplicantBirthYear, strconv.Itoa(b.Year()))
	}
	set(domain.FillApplicantSex, a.Sex)
	set(domain.FillApplicantAddress, a.Address)
	set(domain.FillApplicantPhone, a.Phone)
	set(domain.FillApplicantEmail, a.Email)
	set(domain.FillUnitAuthority, DefaultAddressee(u))
	return out
}
