package domain

import (
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"
)

// declarationFile reads one of the templates the app ships (assets/declarations, the same
// files forms embeds).
func declarationFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "assets", "declarations", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// shippedDeclarations parses every template the app ships.
func shippedDeclarations(t testing.TB) Declarations {
	t.Helper()
	names, err := filepath.Glob(filepath.Join("..", "assets", "declarations", "*.json"))
	if err != nil || len(names) == 0 {
		t.Fatalf("templates: %v %v", names, err)
	}
	sort.Strings(names)
	var docs [][]byte
	for _, n := range names {
		docs = append(docs, declarationFile(t, filepath.Base(n)))
	}
	d, err := ParseDeclarations(docs...)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func declaration(t *testing.T, id string) DeclarationTemplate {
	t.Helper()
	tpl, ok := shippedDeclarations(t).Get(id)
	if !ok {
		t.Fatalf("no template %s", id)
	}
	return tpl
}

func TestParseDeclarationErrors(t *testing.T) {
	base := string(declarationFile(t, "to-khai-khai-tu.json"))
	for name, c := range map[string]struct{ old, new string }{
		"not json":         {`{`, `{{`},
		"no version":       {`"version": "2026.1"`, `"version": ""`},
		"no title":         {`"title": "TỜ KHAI ĐĂNG KÝ KHAI TỬ"`, `"title": " "`},
		"unknown kind":     {`"kind": "time"`, `"kind": "clock"`},
		"duplicate key":    {`"key": "death_place"`, `"key": "death_cause"`},
		"bad key":          {`"key": "death_place"`, `"key": "Nơi chết"`},
		"unknown fill":     {`"fill": "applicant.address"`, `"fill": "applicant.hometown"`},
		"select no option": {`"options": ["Nam", "Nữ"]`, `"options": []`},
		"unknown signer":   {`"name_key": "requester_name"`, `"name_key": "nobody"`},
		"bad summary":      {`{deceased_name}`, `{nobody}`},
		"bad unconfirmed":  {`"field:deceased_birth"`, `"field:nobody"`},
		"words not date":   {`"label": "Nơi chết", "kind": "text"`, `"label": "Nơi chết", "kind": "text", "words": "bằng chữ"`},
		"inline first":     {`{"key": "deceased_name"`, `{"inline": true, "key": "deceased_name"`},
		"copies on text":   {`"kind": "number", "style": "copies"`, `"kind": "text", "style": "copies"`},
		"no commitment":    {`"commitment": "Tôi cam đoan`, `"commitment": "", "x": "`},
	} {
		doc := strings.Replace(base, c.old, c.new, 1)
		if doc == base {
			t.Fatalf("%s: the replacement did not apply", name)
		}
		_, err := ParseDeclaration([]byte(doc))
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		if !strings.Contains(err.Error(), "mẫu tờ khai") {
			t.Errorf("%s: error %q is not the Vietnamese message", name, err)
		}
	}
	if _, err := ParseDeclarations([]byte(base), []byte(base)); err == nil || !strings.Contains(err.Error(), "trùng") {
		t.Errorf("duplicate ids: %v", err)
	}
}

func TestDeclarationCheck(t *testing.T) {
	tpl := declaration(t, "to-khai-khai-sinh")
	now := time.Date(2026, 3, 16, 2, 0, 0, 0, time.UTC)
	vals, err := tpl.Check(map[string]string{
		"requester_name":    norm.NFD.String("  trần   thị hoa "),
		"child_birth":       "1-3-2026",
		"child_sex":         "nu",
		"relationship":      "Bác ruột", // not listed, but the select takes other text
		"copies":            " 2 ",
		"mother_birth_year": "1990",
		"unknown":           "dropped",
		"father_name":       "   ",
	}, now, false)
	if err != nil {
		t.Fatalf("valid values rejected: %v", err)
	}
	want := map[string]string{"requester_name": "Trần Thị Hoa", "child_birth": "01/03/2026", "child_sex": "Nữ",
		"relationship": "Bác ruột", "copies": "2", "mother_birth_year": "1990"}
	for k, v := range want {
		if vals[k] != v {
			t.Errorf("%s = %q, want %q", k, vals[k], v)
		}
	}
	if _, ok := vals["unknown"]; ok {
		t.Error("unknown key kept")
	}
	if _, ok := vals["father_name"]; ok {
		t.Error("blank value kept")
	}

	_, err = tpl.Check(map[string]string{
		"child_birth":       "31/02/2026",
		"mother_birth_year": "90",
		"father_birth_year": "2090",
		"child_sex":         "Không rõ",
		"child_name":        "Bé 2",
		"copies":            "hai",
	}, now, true)
	var v ValidationError
	if !errors.As(err, &v) {
		t.Fatalf("no validation error: %v", err)
	}
	got := map[string]string{}
	for _, fe := range v {
		got[fe.Field] = fe.Code
	}
	for k, code := range map[string]string{"child_birth": "declaration.date", "mother_birth_year": "declaration.year",
		"father_birth_year": "declaration.year_future", "child_sex": "declaration.option", "child_name": "declaration.name",
		"copies": "declaration.number", "requester_name": "declaration.required", "child_birthplace": "declaration.required"} {
		if got[k] != code {
			t.Errorf("%s: code %q, want %q (all: %v)", k, got[k], code, got)
		}
	}
	if _, ok := got["father_name"]; ok {
		t.Error("an optional field is reported missing")
	}
	for _, fe := range v {
		if !strings.Contains(fe.Msg, "«") {
			t.Errorf("%s: message %q does not name the question", fe.Field, fe.Msg)
		}
	}
	_, err = tpl.Check(map[string]string{"child_birth": "17/03/2026"}, now, false)
	if !errors.As(err, &v) || v[0].Code != "declaration.date_future" {
		t.Errorf("future birth: %v", err)
	}

	death := declaration(t, "to-khai-khai-tu")
	vals, err = death.Check(map[string]string{"death_time": "14h5", "death_date": "02/03/2026"}, now, false)
	if err != nil || vals["death_time"] != "14:05" {
		t.Errorf("time: %v %q", err, vals["death_time"])
	}
	if _, err := death.Check(map[string]string{"death_time": "25:00"}, now, false); err == nil {
		t.Error("25:00 accepted")
	}
	long := strings.Repeat("a", 400)
	if _, err := death.Check(map[string]string{"death_place": long}, now, false); err == nil {
		t.Error("a 400-character value accepted")
	}
}

// validValues fills every value a template asks for with a valid answer of its kind.
func validValues(tpl DeclarationTemplate) map[string]string {
	out := map[string]string{}
	for _, in := range tpl.Inputs() {
		switch in.Field.Kind {
		case KindName:
			out[in.Key] = "nguyễn văn an"
		case KindDate:
			out[in.Key] = "1-3-2026"
		case KindYear:
			out[in.Key] = "1990"
		case KindTime:
			out[in.Key] = "8h"
		case KindSelect:
			out[in.Key] = in.Field.Options[0]
		case KindNumber:
			out[in.Key] = "2"
		default:
			out[in.Key] = "  Thôn   Đông "
		}
	}
	return out
}

// What the store keeps with a dossier passes Validate: every shipped template accepts a
// complete set of answers (normalised); a missing required answer, a bad one, a key the
// template does not ask for or an unknown template is refused with its code.
func TestDeclarationValidate(t *testing.T) {
	decls := shippedDeclarations(t)
	now := time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)
	for _, id := range decls.IDs() {
		tpl, _ := decls.Get(id)
		vals := validValues(tpl)
		got, err := decls.Validate(id, vals, now)
		if err != nil {
			t.Errorf("%s: complete answers refused: %v", id, err)
			continue
		}
		for _, in := range tpl.Inputs() {
			switch in.Field.Kind {
			case KindName:
				if got[in.Key] != "Nguyễn Văn An" {
					t.Errorf("%s: %s = %q", id, in.Key, got[in.Key])
				}
			case KindDate:
				if got[in.Key] != "01/03/2026" {
					t.Errorf("%s: %s = %q", id, in.Key, got[in.Key])
				}
			case KindText:
				if got[in.Key] != "Thôn Đông" {
					t.Errorf("%s: %s = %q", id, in.Key, got[in.Key])
				}
			}
		}
		// Validating what Validate returned changes nothing: the store may check twice.
		again, err := tpl.Validate(got, now)
		if err != nil || len(again) != len(got) {
			t.Errorf("%s: not idempotent: %v", id, err)
		}
	}

	tpl := declaration(t, "to-khai-khai-sinh")
	codes := func(err error) map[string]string {
		var v ValidationError
		if !errors.As(err, &v) || !errors.Is(err, ErrInvalid) {
			t.Fatalf("no validation error: %v", err)
		}
		out := map[string]string{}
		for _, fe := range v {
			out[fe.Field] = fe.Code
			if fe.Msg == "" {
				t.Errorf("%s: no message", fe.Field)
			}
		}
		return out
	}
	vals := validValues(tpl)
	delete(vals, "requester_name")
	vals["child_birth"] = "31/02/2026"
	vals["smuggled"] = "x"
	got := codes(func() error { _, err := tpl.Validate(vals, now); return err }())
	for k, code := range map[string]string{"requester_name": "declaration.required", "child_birth": "declaration.date", "smuggled": "declaration.unknown"} {
		if got[k] != code {
			t.Errorf("%s: code %q, want %q (all %v)", k, got[k], code, got)
		}
	}
	_, err := decls.Validate("to-khai-khong-co", validValues(tpl), now)
	var re *RuleError
	if !errors.As(err, &re) || re.Code != "declaration.template" || !errors.Is(err, ErrInvalid) || !strings.Contains(re.Msg, "Không có mẫu tờ khai") {
		t.Errorf("unknown template: %v", err)
	}
}
