package localdb

import (
	"context"
	"strings"
	"testing"

	"motcua/domain"
)

func TestSeedMakesOrdinaryDossiers(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t, vnTime(2026, 3, 20, 16, 0))
	var progress []int
	n, err := s.Seed(ctx, SeedOptions{Dossiers: 800, Days: 60, Actors: []domain.Staff{clerk, boss},
		Progress: func(done, total int) { progress = append(progress, done) }})
	if err != nil || n != 800 {
		t.Fatalf("seed: %d %v", n, err)
	}
	if len(progress) < 2 || progress[len(progress)-1] != 800 {
		t.Errorf("progress %v", progress)
	}
	st, err := s.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Dossiers != 800 || st.Outbox != st.Events || st.Events < 1600 {
		t.Fatalf("stats %+v", st)
	}
	for _, status := range []string{"2", "3", "4", "5", "7", "9", "10"} {
		if st.ByStatus[status] == 0 {
			t.Errorf("no dossier in status %s: %v", status, st.ByStatus)
		}
	}
	// Codes are unique and the next intake continues the day's numbering.
	var dup int
	if err := s.r.QueryRow(`SELECT COUNT(*) - COUNT(DISTINCT code) FROM dossiers`).Scan(&dup); err != nil || dup != 0 {
		t.Fatalf("duplicate codes: %d %v", dup, err)
	}
	var todays int
	if err := s.r.QueryRow(`SELECT COUNT(*) FROM dossiers WHERE code LIKE '%-260320-%'`).Scan(&todays); err != nil {
		t.Fatal(err)
	}
	d, err := s.Receive(ctx, clerk, birthIntake())
	if err != nil {
		t.Fatal(err)
	}
	c, _ := domain.ParseDossierCode(d.Code)
	if c.N != todays+1 {
		t.Errorf("next code %s after %d seeded today", d.Code, todays)
	}
	// Every seeded dossier folds cleanly and can be found by name.
	if st.Conflicts != 0 {
		t.Errorf("seed made %d conflicting dossiers", st.Conflicts)
	}
	rows, err := s.Search(ctx, "nguyen", 5)
	if err != nil || len(rows) != 5 || !strings.HasPrefix(rows[0].Applicant, "Nguyễn") {
		t.Errorf("search seeded: %v %v", rows, err)
	}
	res, err := s.Verify(ctx)
	if err != nil || !res.OK() {
		t.Fatalf("verify %+v %v", res, err)
	}
	if _, err := s.Seed(ctx, SeedOptions{Dossiers: 50000, Days: 2}); err == nil || !strings.Contains(err.Error(), "--days") {
		t.Errorf("impossible seed: %v", err)
	}
}
