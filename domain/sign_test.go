package domain

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"testing"
	"time"
)

func TestEventSignature(t *testing.T) {
	pub, key, _ := ed25519.GenerateKey(nil)
	other, _, _ := ed25519.GenerateKey(nil)
	at := time.Date(2026, 12, 6, 9, 0, 0, 123456789, time.UTC)
	e, err := NewEvent("0193a0b0-0000-7000-8000-000000000001", StreamDossier, "0193a0b0-0000-7000-8000-000000000002", EvReceived,
		map[string]any{"code": "X", "applicant": map[string]string{"name": "Nguyễn Văn An"}}, "lan", "dev-1", "000.00.06.H56", at, MakeHLC(at.UnixMilli(), 3))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Verify(pub); !errors.Is(err, ErrUnsigned) {
		t.Fatalf("unsigned: %v", err)
	}
	e.Sign(key, "")
	if err := e.Verify(pub); err != nil {
		t.Fatal(err)
	}
	if err := e.Verify(other, pub); err != nil {
		t.Fatal("any of the device's keys verifies")
	}
	if err := e.Verify(); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("no key: %v", err)
	}
	// What storage and the wire do to an event does not break it: time kept in
	// milliseconds, payload re-indented, a JSON round trip.
	stored := e
	stored.At = time.UnixMilli(e.At.UnixMilli()).UTC()
	var indented json.RawMessage
	indented, _ = json.MarshalIndent(json.RawMessage(e.Payload), "", "  ")
	stored.Payload = indented
	raw, _ := json.Marshal(stored)
	var back Event
	json.Unmarshal(raw, &back)
	if err := back.Verify(pub); err != nil {
		t.Fatalf("after storage and the wire: %v", err)
	}
	// Another library's encoding of the same payload: keys in another order, non-ASCII as
	// \u escapes (what Python's json.dumps writes).
	relayed := e
	relayed.Payload = json.RawMessage(`{"applicant": {"name": "Nguy\u1ec5n V\u0103n An"}, "code": "X"}`)
	if err := relayed.Verify(pub); err != nil {
		t.Fatalf("re-encoded by a relay: %v", err)
	}
	// Any change to what the event says breaks it.
	for name, edit := range map[string]func(*Event){
		"payload": func(x *Event) { x.Payload = json.RawMessage(`{"code":"Y","applicant":{"name":"Nguyễn Văn An"}}`) },
		"actor":   func(x *Event) { x.Actor = "mallory" },
		"device":  func(x *Event) { x.Device = "dev-2" },
		"unit":    func(x *Event) { x.Unit = "000.00.07.H56" },
		"type":    func(x *Event) { x.Type = EvRefused },
		"stream":  func(x *Event) { x.StreamID = "0193a0b0-0000-7000-8000-000000000003" },
		"time":    func(x *Event) { x.At = x.At.Add(time.Millisecond) },
		"clock":   func(x *Event) { x.HLC++ },
		"version": func(x *Event) { x.Version = 2 },
		"signature": func(x *Event) {
			x.Sig = x.Sig[:10] + map[bool]string{true: "B", false: "A"}[x.Sig[10] == 'A'] + x.Sig[11:]
		},
		"not json": func(x *Event) { x.Payload = json.RawMessage(`{not json`) },
	} {
		x := e
		edit(&x)
		if err := x.Verify(pub); !errors.Is(err, ErrBadSignature) {
			t.Errorf("%s edited: %v", name, err)
		}
	}
	// The city's attestation names the city as signer.
	a := e
	a.Sign(other2(t), SignerCentral)
	if a.Signer() != SignerCentral || e.Signer() != "dev-1" {
		t.Fatal("signer")
	}
}

func other2(t *testing.T) ed25519.PrivateKey {
	_, k, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestKeyRecord(t *testing.T) {
	cityPub, city, _ := ed25519.GenerateKey(nil)
	devPub, _, _ := ed25519.GenerateKey(nil)
	r := KeyRecord{Device: "dev-1", Unit: "000.00.06.H56", PublicKey: EncodeKey(devPub)}
	r.Sign(city)
	k, err := r.Verify(cityPub)
	if err != nil || !k.Equal(devPub) {
		t.Fatalf("record: %v", err)
	}
	forged := r
	evilPub, _, _ := ed25519.GenerateKey(nil)
	forged.PublicKey = EncodeKey(evilPub)
	if _, err := forged.Verify(cityPub); err == nil {
		t.Fatal("a key slipped in by a carrier was accepted")
	}
}
