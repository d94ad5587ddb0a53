package domain

import (
	"strings"
	"testing"
	"time"
)

// A file's hash names its path on a workstation's disk: an event that calls anything else a
// SHA-256 (a path that climbs out of the files folder, upper case, too short) is refused.
func TestFileHashesMustBeHex(t *testing.T) {
	good := strings.Repeat("0123456789abcdef", 4)
	for s, want := range map[string]bool{
		good: true, strings.ToUpper(good): false, good[:63]: false, good + "0": false,
		"/../../../../../../../../../../../home/clerk/.config/autostart/x": false,
	} {
		if ValidSHA256(s) != want {
			t.Errorf("ValidSHA256(%q) = %v", s, !want)
		}
	}
	at := time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)
	received := func(sha string) Event {
		p := ReceivedPayload{Code: "X-1", Procedure: ProcedureRef{Code: "1.001193", Name: "Khai sinh"}, Applicant: Person{Name: "Lê Văn A"},
			DueAt: at.Add(24 * time.Hour), Documents: []DocumentItem{{Code: "TK", Name: "Tờ khai", Count: 1,
				Files: []FileRef{{SHA256: sha, Name: "to-khai.jpg", Mime: "image/jpeg", Size: 10}}}}}
		e, err := NewEvent("0190a1b2-0000-7000-8000-000000000001", StreamDossier, testStream, EvReceived, p, "lan", "A", "U", at, MakeHLC(at.UnixMilli(), 0))
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	if _, err := DecodePayload(received(good)); err != nil {
		t.Fatalf("a real hash: %v", err)
	}
	bad := "/../../../../../../../../../../../home/clerk/.config/autostart/x"
	if _, err := DecodePayload(received(bad)); err == nil || !strings.Contains(err.Error(), "mã băm") {
		t.Fatalf("a path for a hash: %v", err)
	}
	attached, err := NewEvent("0190a1b2-0000-7000-8000-000000000002", StreamDossier, testStream, EvFileAttached,
		FileAttachedPayload{File: FileRef{SHA256: bad, Name: "x"}}, "lan", "A", "U", at, MakeHLC(at.UnixMilli(), 1))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := DecodePayload(attached); err == nil {
		t.Fatal("file attached with a path for a hash")
	}
}
