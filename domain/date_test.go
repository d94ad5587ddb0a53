package domain

import (
	"errors"
	"testing"
)

// A date in the right form that is not in the calendar is told so, not sent back to the
// form (issue 15, item 9).
func TestParseDateTellsImpossibleDates(t *testing.T) {
	for _, s := range []string{"31/02/2030", "29/02/2027", "15/13/1990", "32/01/1990", "31022030", "2030-02-31"} {
		if _, err := ParseDate(s); !errors.Is(err, ErrNoSuchDate) {
			t.Errorf("%s: %v, want ErrNoSuchDate", s, err)
		}
	}
	for _, s := range []string{"abc", "15/03", "1990", "15-3-90x"} {
		if _, err := ParseDate(s); err == nil || errors.Is(err, ErrNoSuchDate) {
			t.Errorf("%s: %v, want a form error", s, err)
		}
	}
	for _, s := range []string{"29/02/2028", "15/03/1990", "1990-03-15", "15031990"} {
		if _, err := ParseDate(s); err != nil {
			t.Errorf("%s: %v", s, err)
		}
	}
}

func TestEmptyUnitCodeAsksForOne(t *testing.T) {
	var re *RuleError
	if err := ValidateUnitCode("  "); !errors.As(err, &re) || re.Code != "unit.code_empty" {
		t.Fatalf("empty: %v", err)
	}
	if err := ValidateUnitCode("abc"); !errors.As(err, &re) || re.Code != "unit.code" {
		t.Fatalf("malformed: %v", err)
	}
}
