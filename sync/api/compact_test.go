package api

import (
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"motcua/domain"
)

// testEvents: two devices' events (one signed by the city), several streams and types, a
// sub-millisecond time, clocks out of order, an event without a payload.
func testEvents(t *testing.T) ([]domain.Event, ed25519.PublicKey, ed25519.PublicKey) {
	t.Helper()
	pubA, keyA, _ := ed25519.GenerateKey(nil)
	pubC, keyC, _ := ed25519.GenerateKey(nil)
	at := time.Date(2026, 10, 9, 0, 56, 16, 183_000_000, time.UTC)
	var evs []domain.Event
	for i := range 12 {
		sid := fmt.Sprintf("01a24dc2-ad6b-7899-83f3-%012d", i/3)
		typ := domain.EvReceived
		var payload any = map[string]any{"code": fmt.Sprintf("000.00.06.H56-261009-10%02d", i), "applicant": map[string]string{"name": "Hồ Thị Vân", "note": "<&>"}}
		if i%3 != 0 {
			typ, payload = domain.EventType("dossier.forwarded"), map[string]string{"agency": "Phòng Kinh tế"}
		}
		dev, unit := "dev-a", "000.00.06.H56"
		hlc := domain.MakeHLC(at.Add(time.Duration(i)*time.Minute).UnixMilli(), uint16(i))
		if i == 7 {
			hlc = domain.MakeHLC(at.Add(-time.Hour).UnixMilli(), 3) // older than the one before
		}
		e, err := domain.NewEvent(fmt.Sprintf("01a24dc2-ad6b-7aae-9d7d-%012d", i), "dossier", sid, typ, payload, "clerk", dev, unit,
			at.Add(time.Duration(i)*time.Minute+time.Second), hlc)
		if err != nil {
			t.Fatal(err)
		}
		if i == 5 {
			e.Device, e.Actor, e.Stream = "dev-b", "admin", "visit" // another device's, another stream
			e.At = e.At.Add(123 * time.Microsecond)
		}
		if i == 9 {
			e.Payload = nil
		}
		if i == 11 {
			// A key that looks like a shared field's, and a payload that is not compact.
			e.Payload = json.RawMessage(`{"\u0001procedure":"not a reference to anything at all", "x" : [1, 2.50, 3]}`)
		}
		if i == 10 {
			e.Sign(keyC, domain.SignerCentral)
		} else {
			e.Sign(keyA, "")
		}
		evs = append(evs, e)
	}
	return evs, pubA, pubC
}

// The compact encoding gives back exactly the events it was given: every field Canonical
// covers, so every signature still verifies after the trip through JSON.
func TestCompactRoundTripKeepsSignatures(t *testing.T) {
	evs, pubA, pubC := testEvents(t)
	packed := Pack(evs)
	if len(packed.Shared) == 0 || len(packed.SharedIn) == 0 {
		t.Fatal("no payload field shared")
	}
	body, err := json.Marshal(PushRequestC{Events: packed})
	if err != nil {
		t.Fatal(err)
	}
	var back PushRequestC
	if err := json.Unmarshal(body, &back); err != nil {
		t.Fatal(err)
	}
	got, err := back.Events.Unpack()
	if err != nil {
		t.Fatal(err)
	}
	// The plain encoding, for comparison: what the old protocol delivers.
	plain, _ := json.Marshal(PushRequest{Events: evs})
	var viaPlain PushRequest
	if err := json.Unmarshal(plain, &viaPlain); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(evs) {
		t.Fatalf("%d events back, want %d", len(got), len(evs))
	}
	for i, e := range got {
		want := viaPlain.Events[i]
		if i == 9 {
			want.Payload = nil // the plain encoding writes a missing payload as null; the compact one keeps it missing
		}
		if string(e.Canonical()) != string(evs[i].Canonical()) {
			t.Errorf("event %d: canonical form changed:\n got %s\nwant %s", i, e.Canonical(), evs[i].Canonical())
		}
		if !reflect.DeepEqual(e, want) {
			t.Errorf("event %d differs from the plain encoding's:\n got %+v\nwant %+v", i, e, want)
		}
		if !e.SameContent(evs[i]) || e.Sig != evs[i].Sig || e.SigBy != evs[i].SigBy {
			t.Errorf("event %d: content or signature changed", i)
		}
		if err := e.Verify(pubA, pubC); err != nil {
			t.Errorf("event %d: signature does not verify after the round trip: %v", i, err)
		}
	}
}

func TestCompactUnpackRefusesMalformed(t *testing.T) {
	evs, _, _ := testEvents(t)
	for name, spoil := range map[string]func(*Columns){
		"short column":     func(c *Columns) { c.Sig = c.Sig[:3] },
		"type out of dict": func(c *Columns) { c.Type[2] = 99 },
		"negative stream":  func(c *Columns) { c.Stream[0] = -1 },
		"device column":    func(c *Columns) { c.Device = []int{0} },
		"stream table":     func(c *Columns) { c.StreamKinds = c.StreamKinds[:1] },
		"uuid bytes":       func(c *Columns) { c.IDs.Low = c.IDs.Low[:10] },
		"two id columns":   func(c *Columns) { c.ID = []string{"x"} },
		"shared index":     func(c *Columns) { c.Shared = c.Shared[:0] },
		"shared event":     func(c *Columns) { c.SharedIn = append(c.SharedIn, 99) },
		"logical clock":    func(c *Columns) { c.Logical[1] = 1 << 20 },
	} {
		c := Pack(evs)
		spoil(&c)
		if _, err := c.Unpack(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if evs, err := (Columns{}).Unpack(); err != nil || len(evs) != 0 {
		t.Errorf("empty columns: %v, %d events", err, len(evs))
	}
}

// Ids that are not UUIDs in their usual form travel as they are.
func TestCompactKeepsOtherIDs(t *testing.T) {
	evs, _, _ := testEvents(t)
	evs[2].ID = strings.ToUpper(evs[2].ID)
	evs[4].StreamID = "visit-1"
	c := Pack(evs)
	if c.IDs != nil || c.Streams128 != nil || len(c.ID) != len(evs) {
		t.Fatal("non-UUID ids packed as UUIDs")
	}
	back, err := c.Unpack()
	if err != nil || back[2].ID != evs[2].ID || back[4].StreamID != "visit-1" || back[5].StreamID != evs[5].StreamID {
		t.Fatalf("%v", err)
	}
}

func TestCompactResults(t *testing.T) {
	st, rej := CompactResults([]PushResult{{ID: "a", Status: Accepted}, {ID: "b", Status: Duplicate}, {ID: "c", Status: Rejected, Reason: "x"}})
	if st != "adr" || len(rej) != 1 || rej[0].ID != "c" || rej[0].Reason != "x" {
		t.Fatalf("got %q %+v", st, rej)
	}
	if !Accepts("gzip, c1", "c1") || !Accepts("GZIP", "gzip") || Accepts("", "gzip") || Accepts("c10", "c1") {
		t.Fatal("Accepts")
	}
}

// Malformed shared payloads are refused, never a panic.
func TestUnshareRefusesMalformed(t *testing.T) {
	vals := []json.RawMessage{json.RawMessage(`{"a":1}`)}
	for _, p := range []string{``, `{`, `}`, `{"\u0001x":7}`, `{"\u0001x":0`, `{"a":"unterminated}`, `{"a":[1,2}`, `{"a":1,}`,
		`{"\u0001x":-1}`, `{"a"1}`, `[1]`, `{"a":{"b":]}}`} {
		if out, err := unshareFields(json.RawMessage(p), vals); err == nil && json.Valid(out) && p != `{"\u0001x":0` {
			t.Errorf("%q gave %s", p, out)
		}
	}
	if out, err := unshareFields(json.RawMessage(`{"\u0001x":0,"y":"z"}`), vals); err != nil || string(out) != `{"x":{"a":1},"y":"z"}` {
		t.Fatalf("%s %v", out, err)
	}
}
