package domain

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
)

// Roster is the city's signed list of a unit's active devices with the key each holds now.
// Workstations of the unit admit each other as LAN peers only by it: a key record
// (KeyRecord) stays valid forever so that old events remain verifiable, but a revoked device
// (a stolen workstation) drops out of the next roster, and peers stop talking to it on their
// next city sync. At (milliseconds, the city's clock) orders rosters, so an older one cannot
// be replayed over a newer one to bring a revoked device back.
type Roster struct {
	Unit    string         `json:"unit"`
	At      int64          `json:"at"`
	Devices []RosterDevice `json:"devices"`
	Sig     string         `json:"sig"`
}

// RosterDevice is one active device of the unit.
type RosterDevice struct {
	Device    string `json:"device"`
	PublicKey string `json:"public_key"`
	Slot      int    `json:"slot"`
	Name      string `json:"name"`
}

// ErrRosterUnit is a roster for another unit than the receiver's.
var ErrRosterUnit = errors.New("danh sách máy trạm không phải của đơn vị này")

func (r Roster) canonical() []byte {
	devs := make([][]any, len(r.Devices))
	for i, d := range r.Devices {
		devs[i] = []any{d.Device, d.PublicKey, d.Slot, d.Name}
	}
	b, _ := json.Marshal([]any{"motcua.roster.v1", r.Unit, r.At, devs})
	return b
}

// Sign signs the roster with the city's key.
func (r *Roster) Sign(city ed25519.PrivateKey) {
	r.Sig = base64.RawStdEncoding.EncodeToString(ed25519.Sign(city, r.canonical()))
}

// Verify checks the city's signature on the roster.
func (r Roster) Verify(city ed25519.PublicKey) error {
	sig, err := base64.RawStdEncoding.DecodeString(r.Sig)
	if err != nil || len(city) != ed25519.PublicKeySize || !ed25519.Verify(city, r.canonical(), sig) {
		return ErrBadSignature
	}
	return nil
}

// Lookup finds the active device holding key.
func (r Roster) Lookup(key ed25519.PublicKey) (RosterDevice, bool) {
	enc := EncodeKey(key)
	for _, d := range r.Devices {
		if d.PublicKey == enc {
			return d, true
		}
	}
	return RosterDevice{}, false
}
