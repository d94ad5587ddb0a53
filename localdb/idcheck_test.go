package localdb

import (
	"context"
	"errors"
	"testing"

	"motcua/domain"
)

// The same ID number under another name or birth date is found, with the record on file;
// the same person written differently (case, spacing, date format) is not (issue 15, item 8).
func TestOthersWithID(t *testing.T) {
	s, clk := newTestStore(t, vnTime(2026, 3, 16, 9, 0))
	ctx := context.Background()
	receive := func(name, birth string) domain.Dossier {
		in := birthIntake()
		in.Applicant.Name, in.Applicant.Birth = name, birth
		d, err := s.Receive(ctx, clerk, in)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	an := receive("Nguyễn Văn An", "15/03/1999")
	receive("nguyễn văn  AN", "1999-03-15") // the same person, typed differently
	clk.Set(vnTime(2026, 3, 17, 9, 0))
	binh := receive("Trần Văn Bình", "15/03/1999")
	receive("Trần Văn Bình", "15/03/1999")

	person := func(name, birth string) domain.Person {
		return domain.Person{Name: name, IDNumber: "001099012345", Birth: birth}
	}
	for _, c := range []struct {
		who   domain.Person
		codes []string
		count []int
	}{
		{person("NGUYỄN VĂN AN", "15031999"), []string{binh.Code}, []int{2}},
		{person("Trần Văn Bình", ""), []string{an.Code}, []int{2}},                         // no birth typed yet: names decide
		{person("Nguyễn Văn Ân", "15/03/1999"), []string{binh.Code, an.Code}, []int{2, 2}}, // another name: both
		{person("Nguyễn Văn An", "16/03/1999"), []string{binh.Code, an.Code}, []int{2, 2}}, // another birth date
		{domain.Person{Name: "Lê Thị C", IDNumber: "001099099999"}, nil, nil},              // a number not on file
		{domain.Person{Name: "Lê Thị C", IDNumber: "0010990"}, nil, nil},                   // not a whole number yet
	} {
		got, err := s.OthersWithID(ctx, c.who)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(c.codes) {
			t.Fatalf("%+v: %+v", c.who, got)
		}
		for i, o := range got {
			if o.Dossiers != c.count[i] || o.Person.IDNumber != "001099012345" || o.ReceivedAt.IsZero() {
				t.Errorf("%+v: #%d %+v", c.who, i, o)
			}
			// The latest dossier naming that person: codes of the first of each pair are
			// older, so compare by the person's name instead.
			want, _ := s.ByCode(ctx, c.codes[i])
			if o.Person.Name != want.Applicant.Name {
				t.Errorf("%+v: #%d is %s, want %s", c.who, i, o.Person.Name, want.Applicant.Name)
			}
		}
	}
}

// The wizard and Cài đặt ask for an empty unit code instead of describing its format.
func TestEmptyUnitCodeIsAskedFor(t *testing.T) {
	cfg := testCfg
	cfg.UnitCode = ""
	var v domain.ValidationError
	if err := cfg.Validate(); !errors.As(err, &v) || len(v) == 0 || v[0].Field != "unit_code" || v[0].Code != "unit.code_empty" {
		t.Fatalf("%v", err)
	}
}

// 31/02/2030 at intake is an impossible date, not a badly written one.
func TestImpossibleBirthDateAtIntake(t *testing.T) {
	s, _ := newTestStore(t, vnTime(2026, 3, 16, 9, 0))
	in := birthIntake()
	in.Applicant.Birth = "31/02/1999"
	_, err := s.Receive(context.Background(), clerk, in)
	var v domain.ValidationError
	if !errors.As(err, &v) {
		t.Fatalf("%v", err)
	}
	found := false
	for _, fe := range v {
		found = found || fe.Code == "intake.birth_impossible"
	}
	if !found {
		t.Fatalf("%+v", v)
	}
}
