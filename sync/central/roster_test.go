package central

import (
	"context"
	"testing"
	"time"

	"motcua/domain"
)

// The keys reply carries the unit's roster: its active devices with their keys, signed by
// the city, newer after a revoke and without the revoked device — while the revoked
// device's key record stays, so its old events remain verifiable.
func TestKeysCarryTheRoster(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	a, _ := f.device(1)
	b, _ := f.device(2)
	kr, err := f.c.DeviceKeys(ctx, unit)
	if err != nil {
		t.Fatal(err)
	}
	city, _ := domain.ParseKey(kr.CentralKey)
	r := kr.Roster
	if r == nil || r.Verify(city) != nil || r.Unit != unit || len(r.Devices) != 2 {
		t.Fatalf("roster: %+v", r)
	}
	for _, d := range r.Devices {
		if d.Device != a.ID && d.Device != b.ID || d.PublicKey == "" {
			t.Fatalf("roster device %+v", d)
		}
	}
	if err := f.c.Revoke(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(time.Minute)
	kr2, err := f.c.DeviceKeys(ctx, unit)
	if err != nil {
		t.Fatal(err)
	}
	r2 := kr2.Roster
	if r2 == nil || r2.Verify(city) != nil || len(r2.Devices) != 1 || r2.Devices[0].Device != a.ID || r2.At <= r.At {
		t.Fatalf("roster after the revoke: %+v", r2)
	}
	if len(kr2.Keys) != len(kr.Keys) {
		t.Fatalf("the revoked device's key record went: %d → %d", len(kr.Keys), len(kr2.Keys))
	}
}
