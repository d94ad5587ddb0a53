package central

import (
	"context"
	"crypto/ed25519"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"motcua/domain"
	"motcua/sync/bundle"
)

// The return bundle carries the unit's roster as DeviceKeys builds it (signed by the city,
// without a revoked device); refusals to write one say so with the export's own verb.
func TestBundleReturnCarriesRosterAndRefusesInItsOwnWords(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	a, _ := f.device(1)
	b, _ := f.device(2)
	if err := f.c.Revoke(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(time.Minute)
	dir := t.TempDir()
	path := filepath.Join(dir, "ve.motcua")
	rep, err := f.c.ExportBundle(ctx, unit, a.ID, path, nil)
	if err != nil || rep.Roster != 1 {
		t.Fatalf("return bundle %+v %v", rep, err)
	}
	k, _ := testKeys.Load(a.ID)
	id, _ := bundle.IdentityFor(k.(ed25519.PrivateKey))
	file, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	o, err := bundle.Open(file, id, bundle.DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	city, _ := domain.ParseKey(f.c.PublicKey())
	if err := o.Verify(city); err != nil {
		t.Fatal(err)
	}
	c, err := o.ReadAll(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	r := c.Roster
	if r == nil || r.Verify(city) != nil || r.Unit != unit || len(r.Devices) != 1 || r.Devices[0].Device != a.ID || r.At != f.now.UnixMilli() {
		t.Fatalf("roster in the return bundle: %+v", r)
	}

	for what, dev := range map[string]string{"revoked": b.ID, "unknown": "khong-co"} {
		_, err := f.c.ExportBundle(ctx, unit, dev, filepath.Join(dir, "x.motcua"), nil)
		if err == nil || !strings.HasPrefix(err.Error(), "Không lập gói trả về: máy trạm "+dev) {
			t.Fatalf("%s device: %v", what, err)
		}
	}
}
