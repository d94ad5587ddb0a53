package peer

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"motcua/domain"
	appsync "motcua/sync"
	"motcua/sync/central"
)

// An island centre learns its unit's new counters and revocations by USB bundle: the return
// bundle carries the city's signed roster and the workstation keeps it as a city sync would.
// Island workstation a knows the roster of the day it last reached the city (a, r); later the
// city enrolls a new counter b and revokes r. With the city unreachable for a, one round trip
// by bundle makes a admit b as a peer (both ways) and refuse r.
func TestBundleBringsTheRosterToAnIsland(t *testing.T) {
	ctx := context.Background()
	c := newCity(t)
	a := c.workstation(testUnit, 1)
	r := c.workstation(testUnit, 2)
	a.refreshKeys() // a's last city sync: the roster holds a and r
	r.refreshKeys()
	// A return bundle of that day that will reach a late, after a newer one.
	dir := t.TempDir()
	stale := filepath.Join(dir, "cu.motcua")
	if _, err := c.c.ExportBundle(ctx, testUnit, a.store.Config().DeviceID, stale, nil); err != nil {
		t.Fatal(err)
	}
	b := c.workstation(testUnit, 3) // enrolled later: a has never heard of it
	b.refreshKeys()
	if err := c.c.Revoke(ctx, r.store.Config().DeviceID); err != nil {
		t.Fatal(err)
	}
	c.stop() // the city is unreachable from here on; only bundles travel
	fromB, fromR := b.receive(1), r.receive(1)
	a.receive(1)

	before, ok, err := a.store.Roster(ctx)
	if err != nil || !ok || !inRoster(before, r) || inRoster(before, b) {
		t.Fatalf("a's roster before the bundle: %+v %v %v", before, ok, err)
	}
	if res := a.exchangeWith(b.addr); res.Err == nil {
		t.Fatalf("a admitted b before it knew of it: %+v", res)
	}
	nothingFrom(t, a, fromB)

	// The round trip: a's bundle to the city, the city's return bundle back to a.
	up, back := filepath.Join(dir, "len.motcua"), filepath.Join(dir, "ve.motcua")
	if _, err := appsync.ExportBundle(ctx, a.store, up, nil, quiet); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(up)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.c.ImportBundle(ctx, f, central.BundleOptions{Unit: testUnit})
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	ret, err := c.c.ExportBundle(ctx, testUnit, a.store.Config().DeviceID, back, nil)
	if err != nil || ret.Roster != 2 {
		t.Fatalf("return bundle %+v %v, want a roster of 2 active devices", ret, err)
	}
	in, err := appsync.ImportBundle(ctx, a.store, back, nil, quiet)
	if err != nil || in.Roster != 2 {
		t.Fatalf("return import %+v %v, want the roster of 2 kept", in, err)
	}

	after, ok, err := a.store.Roster(ctx)
	if err != nil || !ok {
		t.Fatalf("a's roster after the bundle: %v %v", ok, err)
	}
	if after.At <= before.At || !inRoster(after, a) || !inRoster(after, b) || inRoster(after, r) {
		t.Fatalf("a's roster after the bundle: %+v (before: %+v)", after, before)
	}

	// b is a peer now, both ways; r is refused both ways and nothing of it is applied.
	if res := a.exchangeWith(b.addr); res.Err != nil || !a.has(fromB[0].ID) {
		t.Fatalf("a → b after the bundle: %+v", res)
	}
	if res := b.exchangeWith(a.addr); res.Err != nil {
		t.Fatalf("b → a after the bundle (a's server must admit b): %+v", res)
	}
	if res := a.exchangeWith(r.addr); res.Err == nil {
		t.Fatalf("a admitted r, revoked at the city: %+v", res)
	}
	if res := r.exchangeWith(a.addr); res.Err == nil {
		t.Fatalf("a's server served r, revoked at the city: %+v", res)
	}
	nothingFrom(t, a, fromR)

	// The older return bundle, still listing r, arrives late: imported, it does not bring r
	// back — the roster held is newer.
	if late, err := appsync.ImportBundle(ctx, a.store, stale, nil, quiet); err != nil || late.Roster != 0 {
		t.Fatalf("late return bundle %+v %v", late, err)
	}
	if now, _, _ := a.store.Roster(ctx); now.At != after.At || inRoster(now, r) || !inRoster(now, b) {
		t.Fatalf("roster after an older bundle: %+v", now)
	}
	if res := a.exchangeWith(r.addr); res.Err == nil {
		t.Fatalf("a admitted r after an older bundle: %+v", res)
	}
}

func inRoster(r domain.Roster, s *station) bool {
	for _, d := range r.Devices {
		if d.Device == s.store.Config().DeviceID {
			return true
		}
	}
	return false
}
