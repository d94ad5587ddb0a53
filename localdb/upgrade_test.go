package localdb

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"motcua/domain"
)

// TestUpgradeFromSchema1 opens a database written by the first release (testdata/schema1.db:
// three birth registrations, one marked result-ready, three events still waiting to sync),
// migrates it, and checks nothing was lost and the counter can go on working.
func TestUpgradeFromSchema1(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	in, err := os.Open(filepath.Join("testdata", "schema1.db"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := os.Create(filepath.Join(dir, DBFile))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	in.Close()
	out.Close()

	clk := &testClock{t: vnTime(2026, 3, 3, 9, 0)}
	s, err := Open(ctx, dir, Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var version int
	if err := s.r.QueryRow(`SELECT MAX(version) FROM schema_migrations`).Scan(&version); err != nil || version != SchemaVersion {
		t.Fatalf("schema %d after opening, want %d (%v)", version, SchemaVersion, err)
	}
	st, err := s.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Dossiers != 3 || st.Events != 4 || st.Outbox != 3 || st.ByStatus["2"] != 2 || st.ByStatus["9"] != 1 {
		t.Fatalf("after upgrade: %+v", st)
	}
	waiting, err := s.Outbox(ctx, 10)
	if err != nil || len(waiting) != 3 {
		t.Fatalf("outbox %d %v", len(waiting), err)
	}
	res, err := s.Verify(ctx)
	if err != nil || !res.OK() {
		t.Fatalf("verify after upgrade: %+v %v", res, err)
	}
	if cfg := s.Config(); cfg.UnitCode != "000.00.06.H56" || cfg.Slot != 1 {
		t.Fatalf("config lost: %+v", cfg)
	}
	staff, err := s.Authenticate(ctx, "lan", "matkhau123")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := s.Search(ctx, "tran thi binh", 5)
	if err != nil || len(rows) != 1 {
		t.Fatalf("search after upgrade: %v %v", rows, err)
	}
	// The counter goes on: numbering continues, new tables work.
	d, err := s.Receive(ctx, staff, birthIntake())
	if err != nil {
		t.Fatal(err)
	}
	if d.Code != "000.00.06.H56-260303-1001" {
		t.Errorf("code after upgrade %s", d.Code)
	}
	ready, _ := s.ByCode(ctx, "000.00.06.H56-260302-1001")
	if _, err := s.HandOver(ctx, staff, ready.ID, domain.HandedOverPayload{Recipient: domain.Person{Name: "Nguyễn Văn An", IDNumber: "001099012300"}}); err != nil {
		t.Fatal(err)
	}
	if v, err := s.Visits(ctx, vnTime(2026, 3, 3, 0, 0), vnTime(2026, 3, 4, 0, 0)); err != nil || len(v) != 2 {
		t.Fatalf("visits after upgrade: %v %v", v, err)
	}
}
