package domain

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Signed events. Every workstation holds an Ed25519 key made in its data folder; every event
// it authors carries its signature over Canonical(), and the city signs the events it records
// with its own key. A receiver checks the signature against the author's public key, so an
// event can travel through any carrier (the city, a counter on the LAN, a USB stick) without
// the carrier being trusted: changing one byte of the envelope or the payload breaks it.
//
// Events written before signing existed (the cut-over) carry no author signature. The city
// attests each of those it already held with its own key (SigBy = SignerCentral): the city
// received them over an authenticated channel from their authors, and only the city can make
// such a signature.

// SignerCentral names the city as signer: in Event.Device for the events it records, in
// Event.SigBy for the pre-signing events it attests.
const SignerCentral = "central"

// canonicalTag versions the signed encoding: a change to it is a new tag, never a silent edit.
const canonicalTag = "motcua.event.v1"

// Canonical is the byte string an event's signature covers: every field of the envelope
// (time in milliseconds, as stored) and the payload, as one JSON array. The payload is
// written in one canonical form — keys sorted, strings escaped one way, no spaces, numbers
// as written — so a carrier that re-encodes the JSON (another language's library, a relay,
// a bundle) without changing what it says does not break the signature. The signature
// fields themselves are not covered.
func (e Event) Canonical() []byte {
	head, _ := json.Marshal([]any{canonicalTag, e.ID, e.Stream, e.StreamID, string(e.Type), e.Version,
		e.Actor, e.Device, e.Unit, e.At.UnixMilli(), int64(e.HLC)})
	var b bytes.Buffer
	b.Grow(len(head) + len(e.Payload) + 2)
	b.Write(head[:len(head)-1])
	b.WriteByte(',')
	if p, err := canonicalJSON(e.Payload); err == nil {
		b.Write(p)
	} else {
		// Not JSON: sign the bytes as a string, so the signature still covers them.
		q, _ := json.Marshal(string(e.Payload))
		b.Write(q)
	}
	b.WriteByte(']')
	return b.Bytes()
}

// canonicalJSON re-encodes one JSON value: objects with sorted keys, Go's string escaping,
// numbers kept as their literal text.
func canonicalJSON(raw []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("trailing data")
	}
	return json.Marshal(v)
}

// Sign signs the event as its author (or, with by = SignerCentral on another device's event,
// as the city attesting a pre-signing event).
func (e *Event) Sign(key ed25519.PrivateKey, by string) {
	e.Sig = base64.RawStdEncoding.EncodeToString(ed25519.Sign(key, e.Canonical()))
	e.SigBy = by
}

// Signature problems, for the messages a supervisor reads.
var (
	ErrUnsigned     = errors.New("sự kiện không có chữ ký số")
	ErrBadSignature = errors.New("chữ ký số của sự kiện không khớp với nội dung hoặc với khóa của máy tạo ra nó")
	ErrUnknownKey   = errors.New("chưa có khóa công khai của máy tạo ra sự kiện")
)

// Verify checks the event's signature with any of keys (a device may have held more than one
// key over its life). It returns ErrUnsigned, ErrUnknownKey or ErrBadSignature.
func (e Event) Verify(keys ...ed25519.PublicKey) error {
	return e.VerifyCanonical(nil, keys...)
}

// VerifyCanonical is Verify with the event's canonical encoding already made (nil: make it).
func (e Event) VerifyCanonical(canonical []byte, keys ...ed25519.PublicKey) error {
	if e.Sig == "" {
		return ErrUnsigned
	}
	if len(keys) == 0 {
		return ErrUnknownKey
	}
	sig, err := base64.RawStdEncoding.DecodeString(e.Sig)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return ErrBadSignature
	}
	msg := canonical
	if msg == nil {
		msg = e.Canonical()
	}
	for _, k := range keys {
		if len(k) == ed25519.PublicKeySize && ed25519.Verify(k, msg, sig) {
			return nil
		}
	}
	return ErrBadSignature
}

// Signer is whose key must verify the event: the city for the events it records or attests,
// the author device otherwise.
func (e Event) Signer() string {
	if e.SigBy == SignerCentral || e.Device == SignerCentral {
		return SignerCentral
	}
	return e.Device
}

// EncodeKey writes a public key for the wire and the databases.
func EncodeKey(k ed25519.PublicKey) string { return base64.RawStdEncoding.EncodeToString(k) }

// ParseKey reads a public key written by EncodeKey.
func ParseKey(s string) (ed25519.PublicKey, error) {
	b, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("khóa công khai không hợp lệ")
	}
	return ed25519.PublicKey(b), nil
}

// KeyRecord is a device's public key as the city vouches for it: which device, of which unit,
// signed by the city's key, so a carrier cannot slip in a key of its own.
type KeyRecord struct {
	Device    string `json:"device"`
	Unit      string `json:"unit"`
	PublicKey string `json:"public_key"`
	Sig       string `json:"sig"`
}

func (r KeyRecord) canonical() []byte {
	b, _ := json.Marshal([]string{"motcua.key.v1", r.Device, r.Unit, r.PublicKey})
	return b
}

// Sign signs the record with the city's key.
func (r *KeyRecord) Sign(city ed25519.PrivateKey) {
	r.Sig = base64.RawStdEncoding.EncodeToString(ed25519.Sign(city, r.canonical()))
}

// Verify checks the city's signature on the record and returns the key it vouches for.
func (r KeyRecord) Verify(city ed25519.PublicKey) (ed25519.PublicKey, error) {
	sig, err := base64.RawStdEncoding.DecodeString(r.Sig)
	if err != nil || len(city) != ed25519.PublicKeySize || !ed25519.Verify(city, r.canonical(), sig) {
		return nil, ErrBadSignature
	}
	return ParseKey(r.PublicKey)
}

// ChainLink is the next link of a store's hash chain of events: SHA-256 over the previous
// link and the event's canonical encoding (hex). Each store links every event it holds —
// authored, seeded or received — in the order it stored them, so an event changed, removed
// or inserted afterwards breaks every link from there on.
func ChainLink(prev string, e Event) string { return ChainLinkOf(prev, e.Canonical()) }

// ChainLinkOf is ChainLink with the event's canonical encoding already made.
func ChainLinkOf(prev string, canonical []byte) string {
	h := sha256.New()
	h.Write([]byte(prev))
	h.Write([]byte{'\n'})
	h.Write(canonical)
	return hex.EncodeToString(h.Sum(nil))
}

// HeadMessage is what a device signs when it shows the city the head of its event chain:
// a head only its key can vouch for, so a stolen token cannot plant a false one.
// The time it was shown (milliseconds) is signed too, so an older head cannot be replayed
// over a newer one.
func HeadMessage(device string, seq int64, link string, atMillis int64) []byte {
	return fmt.Appendf(nil, "motcua.head.v2\n%s\n%d\n%s\n%d", device, seq, link, atMillis)
}

// VerifyHead checks a head's signature with any of the device's keys.
func VerifyHead(device string, seq int64, link string, atMillis int64, sig string, keys ...ed25519.PublicKey) bool {
	b, err := base64.RawStdEncoding.DecodeString(sig)
	if err != nil || len(b) != ed25519.SignatureSize {
		return false
	}
	msg := HeadMessage(device, seq, link, atMillis)
	for _, k := range keys {
		if len(k) == ed25519.PublicKeySize && ed25519.Verify(k, msg, b) {
			return true
		}
	}
	return false
}
