package domain

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// longText is n characters of Vietnamese with the widest letters UTF-8 has for it (3 bytes).
func longText(n int) string { return strings.Repeat("ễ", n) }

func limitEvent(t *testing.T, typ EventType, payload any) Event {
	t.Helper()
	at := time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)
	e, err := NewEvent("0190a1b2-0000-7000-8000-000000000001", StreamDossier, testStream, typ, payload, "canbo1",
		"0190a1b2-0000-7000-8000-00000000dev1", "000.00.06.H56", at, MakeHLC(at.UnixMilli(), 0))
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// The longest payloads the app can make fit: every free text at its maximum, a long
// checklist with scanned files, a declaration with many long values.
func TestLimitsFitEveryLegitimatePayload(t *testing.T) {
	person := func() Person {
		return Person{Name: longText(100), IDNumber: "001099012345", Birth: "1999-03-15", Sex: "Nữ", Phone: "0912345678",
			Email: strings.Repeat("a", 90) + "@x.vn", Address: longText(MaxAddress)}
	}
	owner := person()
	var docs []DocumentItem
	for range 20 {
		var files []FileRef
		for range 3 {
			files = append(files, FileRef{SHA256: strings.Repeat("a", 64), Name: longText(60) + ".pdf", Mime: "application/pdf", Size: 20 << 20, Pages: 40})
		}
		docs = append(docs, DocumentItem{Code: "GTTT", Name: longText(200), Form: FormOriginal, Count: 2, Digitized: true, Files: files})
	}
	values := map[string]string{}
	for i := range 25 { // the largest declaration asks for 23 values
		values[strings.Repeat("k", 20)+string(rune('a'+i%26))+string(rune('a'+i/26))] = longText(300)
	}
	for _, c := range []struct {
		typ EventType
		p   any
	}{
		{EvReceived, ReceivedPayload{Code: "000.00.06.H56-260302-1001", Procedure: ProcedureRef{Code: "1.001193", Name: longText(300), FieldCode: "HT", Field: longText(100)},
			Applicant: person(), Owner: &owner, Summary: longText(MaxSummary), Documents: docs[:12], Sets: 50, Fee: 1_000_000,
			DueAt: time.Now(), ReturnPlace: longText(MaxAddress)}},
		{EvRefused, ReasonPayload{Reason: longText(MaxNote)}},
		{EvSupplementRequested, SupplementRequestedPayload{Items: []SupplementItem{{Name: longText(300), Form: FormOriginal, Count: 1}}, Reason: longText(MaxNote)}},
		{EvCorrected, CorrectedPayload{Applicant: &owner, Reason: longText(MaxNote)}},
		{EvFormPrepared, FormPreparedPayload{Template: "to-khai-khai-sinh", Values: values}},
		{EvFeedbackReceived, FeedbackReceivedPayload{Citizen: person(), Channel: "counter", Content: longText(MaxNote)}},
		{EvProgress, StepPayload{Agency: longText(200), Handler: longText(100), Title: longText(300), Content: longText(MaxNote)}},
	} {
		e := limitEvent(t, c.typ, c.p)
		if err := e.CheckLimits(); err != nil {
			t.Errorf("%s (%d bytes): %v", c.typ, len(e.Payload), err)
		}
		if len(e.Payload) > MaxEventPayload/2 {
			t.Errorf("%s: %d bytes leaves less than half the payload limit spare", c.typ, len(e.Payload))
		}
	}
	// A checklist of 20 documents (the catalogue's longest has 7) with 3 scans each still fits.
	if err := limitEvent(t, EvReceived, ReceivedPayload{Procedure: ProcedureRef{Code: "x"}, Applicant: person(), Documents: docs[:20]}).CheckLimits(); err != nil {
		t.Error(err)
	}
}

func TestLimitsRefuseOversizedFields(t *testing.T) {
	ok := limitEvent(t, EvRefused, ReasonPayload{Reason: "Thiếu giấy tờ"})
	deep := strings.Repeat(`{"a":`, MaxPayloadDepth+1) + "1" + strings.Repeat("}", MaxPayloadDepth+1)
	edge := strings.Repeat("[", MaxPayloadDepth) + strings.Repeat("]", MaxPayloadDepth)
	for _, c := range []struct {
		name   string
		edit   func(*Event)
		want   string // "" = accepted
		noEcho string // must not appear in the message
	}{
		{"ordinary", func(*Event) {}, "", ""},
		{"actor", func(e *Event) { e.Actor = strings.Repeat("x", 5<<20) }, "actor", "xxxx"},
		{"actor at the limit", func(e *Event) { e.Actor = strings.Repeat("x", MaxEventActor) }, "", ""},
		{"device", func(e *Event) { e.Device = strings.Repeat("d", MaxEventDevice+1) }, "device", "dddd"},
		{"unit", func(e *Event) { e.Unit = strings.Repeat("U", MaxEventUnit+1) }, "unit", "UUUU"},
		{"type", func(e *Event) { e.Type = EventType(strings.Repeat("t", 1000)) }, "type", "tttt"},
		{"id", func(e *Event) { e.ID = strings.Repeat("9", 100) }, "id", "9999"},
		{"stream id", func(e *Event) { e.StreamID = strings.Repeat("9", 100) }, "stream_id", "9999"},
		{"payload", func(e *Event) {
			e.Payload = json.RawMessage(`{"reason":"` + strings.Repeat("a", 100) + `","x":[` + strings.Repeat(`"aaaaaaaa",`, 8000) + `"a"]}`)
		}, "payload", "aaaa"},
		{"one long string", func(e *Event) {
			e.Payload = json.RawMessage(`{"reason":"` + strings.Repeat("z", MaxPayloadText+1) + `"}`)
		}, "văn bản", "zzzz"},
		{"a string at the limit", func(e *Event) {
			e.Payload = json.RawMessage(`{"reason":"` + strings.Repeat("z", MaxPayloadText) + `"}`)
		}, "", ""},
		{"a long key", func(e *Event) { e.Payload = json.RawMessage(`{"` + strings.Repeat("k", MaxPayloadText+1) + `":1}`) }, "văn bản", "kkkk"},
		{"escapes count as what they stand for", func(e *Event) {
			e.Payload = json.RawMessage(`{"reason":"` + strings.Repeat(`\u1ec5`, MaxPayloadText/3) + `"}`) // 6 bytes written, 3 meant
		}, "", ""},
		{"escaped text over the limit", func(e *Event) {
			e.Payload = json.RawMessage(`{"reason":"` + strings.Repeat(`\u1ec5`, MaxPayloadText/3+1) + `"}`)
		}, "văn bản", ""},
		{"deep nesting", func(e *Event) { e.Payload = json.RawMessage(deep) }, "lồng nhau", ""},
		{"nesting at the limit", func(e *Event) { e.Payload = json.RawMessage(edge) }, "", ""},
		{"brackets inside strings do not nest", func(e *Event) { e.Payload = json.RawMessage(`{"reason":"` + strings.Repeat("[{", 200) + `"}`) }, "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := ok
			c.edit(&e)
			err := e.CheckLimits()
			if c.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var re *RuleError
			if !errors.As(err, &re) || !errors.Is(err, ErrInvalid) || !strings.Contains(re.Msg, c.want) || !strings.Contains(re.Msg, "tối đa") {
				t.Fatalf("want a refusal naming %q, got %v", c.want, err)
			}
			if c.noEcho != "" && strings.Contains(re.Msg, c.noEcho) {
				t.Fatalf("the message echoes the content: %.200s", re.Msg)
			}
			if len(re.Msg) > 300 {
				t.Fatalf("message of %d bytes", len(re.Msg))
			}
		})
	}
}

// shapeOf is payloadShape the slow way: decode and walk.
func shapeOf(v any, depth int) (longest, maxDepth int) {
	switch x := v.(type) {
	case string:
		return len(x), depth
	case map[string]any:
		longest, maxDepth = 0, depth+1
		for k, e := range x {
			l, d := shapeOf(e, depth+1)
			longest, maxDepth = max(longest, l, len(k)), max(maxDepth, d)
		}
	case []any:
		longest, maxDepth = 0, depth+1
		for _, e := range x {
			l, d := shapeOf(e, depth+1)
			longest, maxDepth = max(longest, l), max(maxDepth, d)
		}
	default:
		return 0, depth
	}
	return longest, maxDepth
}

// FuzzPayloadShape: the one-pass scanner never panics, never undercounts a string of valid
// UTF-8 JSON, and measures nesting exactly.
func FuzzPayloadShape(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":"b"}`, `[[[]]]`, `{"a":"\"}{["}`, `"\ud83d\ude00"`, `{"x":"\u1ec5\n\t"}`, `[1,{"k":[true,null]}]`,
		`"\u12`, `{"a":"unterminated`, `]]]]`, `"\\"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		longest, depth := payloadShape(raw)
		if !json.Valid(raw) || !utf8.Valid(raw) {
			return
		}
		var v any
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
		wantLongest, wantDepth := shapeOf(v, 0)
		if longest < wantLongest || depth != wantDepth {
			t.Fatalf("%q: scanner (%d, %d), decoded (%d, %d)", raw, longest, depth, wantLongest, wantDepth)
		}
	})
}
