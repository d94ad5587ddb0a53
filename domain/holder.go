package domain

import (
	"strings"
	"time"

	"motcua/domain/citizen"
)

// OtherHolder is someone on file under an ID number with another name or birth date than
// the person being entered: a typing error (in one of the two records) or two people
// claiming one number. The intake shows them; the clerk decides.
type OtherHolder struct {
	Person     Person // as on file, in the latest dossier naming them so
	DossierID  string
	Code       string
	ReceivedAt time.Time
	Dossiers   int // dossiers on file naming this person so under the number
}

// SameHolder reports whether two records of one ID number name the same person: the same
// name as written, ignoring case, spacing and Unicode form ("nguyễn  văn AN" is "Nguyễn Văn
// An", "Nguyễn Văn Ân" is another name), and the same birth date when both give one,
// however it was typed.
func SameHolder(a, b Person) bool {
	if holderName(a.Name) != holderName(b.Name) {
		return false
	}
	ba, bb := HolderBirth(a.Birth), HolderBirth(b.Birth)
	return ba == "" || bb == "" || ba == bb
}

func holderName(s string) string { return strings.ToLower(citizen.NormaliseName(s)) }

// HolderBirth is a birth date as YYYY-MM-DD, however it was typed ("" when unknown or
// unreadable).
func HolderBirth(s string) string {
	t, err := ParseDate(s)
	if strings.TrimSpace(s) == "" || err != nil {
		return ""
	}
	return t.Format("2006-01-02")
}

// HolderKey groups the records of one ID number that name the same person the same way.
func HolderKey(p Person) string { return holderName(p.Name) + "|" + HolderBirth(p.Birth) }
