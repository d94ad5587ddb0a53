package citizen

import (
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

var allCodes = []string{
	CodeIDEmpty, CodeIDDigits, CodeIDLength, CodeIDProvince, CodeIDBirthMismatch,
	CodeIDSexMismatch, CodeIDAnyLength,
	CodeOldIDEmpty, CodeOldIDDigits, CodeOldIDLength,
	CodeSexInvalid,
	CodeQRFields, CodeQROldID, CodeQRName, CodeQRBirth, CodeQRBirthFuture, CodeQRSex,
	CodeQRIssued, CodeQRIssuedOrder,
	CodePhoneEmpty, CodePhoneInvalid,
	CodeNameEmpty, CodeNameTooLong, CodeNameDigits, CodeNameChars,
	CodeTextTooLong,
}

var placeholder = regexp.MustCompile(`\{\{\.[A-Za-z]+\}\}`)

func TestMessagesCoverEveryCode(t *testing.T) {
	vi, en := Messages(), MessagesEN()
	if len(vi) != len(allCodes) || len(en) != len(allCodes) {
		t.Fatalf("got %d Vietnamese and %d English messages for %d codes", len(vi), len(en), len(allCodes))
	}
	seen := map[string]bool{}
	for _, c := range allCodes {
		if seen[c] {
			t.Errorf("duplicate code %q", c)
		}
		seen[c] = true
		if !regexp.MustCompile(`^[a-z_]+\.[a-z_]+$`).MatchString(c) {
			t.Errorf("code %q is not of the form area.key", c)
		}
		v, e := vi[c], en[c]
		if v == "" || e == "" {
			t.Errorf("code %q: missing message (vi %q, en %q)", c, v, e)
			continue
		}
		if !norm.NFC.IsNormalString(v) || !utf8.ValidString(v) {
			t.Errorf("code %q: Vietnamese message is not NFC", c)
		}
		if !strings.HasSuffix(v, ".") || !strings.HasSuffix(e, ".") {
			t.Errorf("code %q: messages should be full sentences", c)
		}
		// The English template may use only the details the Vietnamese one has.
		viArgs := placeholder.FindAllString(v, -1)
		for _, a := range placeholder.FindAllString(e, -1) {
			if !slices.Contains(viArgs, a) {
				t.Errorf("code %q: English placeholder %s not in the Vietnamese message", c, a)
			}
		}
	}
}

func TestMessagesReturnsCopy(t *testing.T) {
	m := Messages()
	m[CodeIDLength] = "changed"
	if Messages()[CodeIDLength] == "changed" {
		t.Fatal("Messages exposes the package table")
	}
}

func TestErrorRenderingAndIs(t *testing.T) {
	_, err := ParseID("003099012345")
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("want *Error, got %T", err)
	}
	if e.Code != CodeIDProvince || e.Args["Code"] != "003" {
		t.Fatalf("got %+v", e)
	}
	want := "Ba chữ số đầu của số định danh cá nhân (003) không phải là mã tỉnh, thành phố nơi đăng ký khai sinh."
	if err.Error() != want {
		t.Errorf("Msg = %q, want %q", err.Error(), want)
	}
	if got := e.Localize(MessagesEN()); !strings.Contains(got, "(003)") || strings.Contains(got, "{{") {
		t.Errorf("English = %q", got)
	}
	if got := e.Localize(map[string]string{}); got != want {
		t.Errorf("fallback = %q", got)
	}
	if !errors.Is(err, &Error{Code: CodeIDProvince}) || errors.Is(err, &Error{Code: CodeIDLength}) {
		t.Error("errors.Is should match on Code only")
	}
	for _, c := range allCodes {
		if strings.Contains(newError(c).Msg, "{{") && !placeholder.MatchString(messagesVI[c]) {
			t.Errorf("code %q: stray braces", c)
		}
	}
}

// errCode returns the Code of err, "" for nil, and fails for foreign errors.
func errCode(t *testing.T, err error) string {
	t.Helper()
	if err == nil {
		return ""
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is %T, not *Error", err, err)
	}
	if _, ok := messagesVI[e.Code]; !ok {
		t.Fatalf("unknown code %q", e.Code)
	}
	if e.Msg == "" || strings.Contains(e.Msg, "{{") {
		t.Fatalf("code %q: bad message %q", e.Code, e.Msg)
	}
	return e.Code
}
