package domain

import (
	"errors"
	"testing"
	"time"
)

func TestDossierCodeUsesVietnamDate(t *testing.T) {
	// 2023-10-26 18:30 UTC is already 27 October in Vietnam.
	at := time.Date(2023, 10, 26, 18, 30, 0, 0, time.UTC)
	c, err := NewDossierCode("000.00.06.H56", at, 1, 361)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.String(); got != "000.00.06.H56-231027-1361" {
		t.Fatalf("code %s", got)
	}
	back, err := ParseDossierCode(" 000.00.06.h56-231027-1361 ")
	if err != nil {
		t.Fatal(err)
	}
	if back.String() != c.String() || back.Slot != 1 || back.N != 361 || back.Sequence() != 1361 {
		t.Fatalf("round trip %+v", back)
	}
	if !back.IssuedBy("000.00.06.H56", 1) || back.IssuedBy("000.00.06.H56", 2) || back.IssuedBy("000.00.07.H56", 1) {
		t.Error("IssuedBy: a code belongs to its unit and slot only")
	}
	if DayPrefix("000.00.06.H56", at, 1) != "000.00.06.H56-231027-1" {
		t.Fatal(DayPrefix("000.00.06.H56", at, 1))
	}
}

func TestDossierCodeRejects(t *testing.T) {
	for _, s := range []string{"", "abc", "000.00.06.H56-231027", "000.00.06.H56-231327-1001", "000.00.06.H56-231027-0361",
		"000.00.06.H56-231027-1000", "000.00.06.H56-231027-10011", "000 00-231027-1001", "000.00.06.H56-2310x7-1001"} {
		if _, err := ParseDossierCode(s); err == nil || !errors.Is(err, ErrInvalid) {
			t.Errorf("%q: err %v", s, err)
		}
	}
	if _, err := NewDossierCode("000.00.06.H56", time.Now(), 10, 1); err == nil {
		t.Error("slot 10 accepted")
	}
	if _, err := NewDossierCode("000.00.06.H56", time.Now(), 1, 1000); !errors.Is(err, ErrConflict) {
		t.Errorf("sequence 1000: %v", err)
	}
	if _, err := NewDossierCode("bad code", time.Now(), 1, 1); err == nil {
		t.Error("bad unit code accepted")
	}
}
