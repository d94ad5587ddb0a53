package domain

import (
	"crypto/ed25519"
	"crypto/rand"
	"testing"
)

// A roster holds only as the city signed it: any change to the unit, the time or a device
// breaks it, and a device is found by its key.
func TestRosterSignature(t *testing.T) {
	cityPub, city, _ := ed25519.GenerateKey(rand.Reader)
	devPub, _, _ := ed25519.GenerateKey(rand.Reader)
	other, _, _ := ed25519.GenerateKey(rand.Reader)
	r := Roster{Unit: "000.00.06.H56", At: 1767225600000, Devices: []RosterDevice{{Device: "d1", PublicKey: EncodeKey(devPub), Slot: 1, Name: "Quầy 1"}}}
	r.Sign(city)
	if err := r.Verify(cityPub); err != nil {
		t.Fatal(err)
	}
	if d, ok := r.Lookup(devPub); !ok || d.Device != "d1" {
		t.Fatalf("lookup: %+v %v", d, ok)
	}
	if _, ok := r.Lookup(other); ok {
		t.Fatal("an unknown key was found")
	}
	for name, edit := range map[string]func(*Roster){
		"unit":   func(r *Roster) { r.Unit = "000.00.07.H56" },
		"time":   func(r *Roster) { r.At++ },
		"key":    func(r *Roster) { r.Devices[0].PublicKey = EncodeKey(other) },
		"device": func(r *Roster) { r.Devices[0].Device = "d9" },
		"added": func(r *Roster) {
			r.Devices = append(r.Devices, RosterDevice{Device: "d2", PublicKey: EncodeKey(other)})
		},
		"removed": func(r *Roster) { r.Devices = nil },
		"no sig":  func(r *Roster) { r.Sig = "" },
		"bad sig": func(r *Roster) { r.Sig = "!!" },
	} {
		c := r
		c.Devices = append([]RosterDevice(nil), r.Devices...)
		edit(&c)
		if err := c.Verify(cityPub); err == nil {
			t.Errorf("%s changed and the signature still holds", name)
		}
	}
	if err := r.Verify(other); err == nil {
		t.Error("another key verifies the city's roster")
	}
}
