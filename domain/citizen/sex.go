package citizen

// Sex as recorded on identity papers.
type Sex int

const (
	SexUnknown Sex = iota
	Male
	Female
)

// String returns "Nam" or "Nữ" as printed on Vietnamese papers, and "" for
// SexUnknown.
func (s Sex) String() string {
	switch s {
	case Male:
		return "Nam"
	case Female:
		return "Nữ"
	}
	return ""
}

// ParseSex accepts "Nam" / "Nữ" (any case, NFC or NFD, with or without
// diacritics: "nu") and the English "M", "F", "Male", "Female".
func ParseSex(s string) (Sex, error) {
	switch Fold(s) {
	case "nam", "m", "male":
		return Male, nil
	case "nu", "f", "female":
		return Female, nil
	}
	return SexUnknown, newError(CodeSexInvalid)
}
