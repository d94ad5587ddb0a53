package localdb

import (
	"context"
	"image/png"
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

// TestSeedMakesFeedbackAndScans: a share of seeded dossiers come with a citizen's feedback
// (in every stage) and a scanned page that is a real PNG in the file store, attached to the
// dossier's first component.
func TestSeedMakesFeedbackAndScans(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t, vnTime(2026, 3, 20, 16, 0))
	if _, err := s.Seed(ctx, SeedOptions{Dossiers: 600, Days: 40, Actors: []domain.Staff{clerk, boss}}); err != nil {
		t.Fatal(err)
	}
	counts, err := s.CountFeedback(ctx, vnTime(2026, 1, 1, 0, 0), vnTime(2026, 4, 1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	if counts.Received < 15 || counts.Published == 0 || counts.InProgress == 0 || counts.ResolvedOrPublished <= counts.Published {
		t.Fatalf("feedback %+v", counts)
	}
	list, err := s.ListFeedback(ctx, vnTime(2026, 1, 1, 0, 0), vnTime(2026, 4, 1, 0, 0), 0, 1000)
	if err != nil || len(list) != counts.Received {
		t.Fatalf("list %d %v", len(list), err)
	}
	for _, f := range list {
		if f.DossierCode == "" || f.Content == "" || len(f.Conflicts) > 0 {
			t.Fatalf("feedback %+v", f)
		}
		if _, err := s.ByCode(ctx, f.DossierCode); err != nil {
			t.Fatalf("feedback about %s: %v", f.DossierCode, err)
		}
	}
	rows, err := s.r.QueryContext(ctx, `SELECT sha256, size FROM files`)
	if err != nil {
		t.Fatal(err)
	}
	var shas []string
	for rows.Next() {
		var sha string
		var size int64
		if err := rows.Scan(&sha, &size); err != nil {
			t.Fatal(err)
		}
		if size < 500 || size > 20000 {
			t.Errorf("scan %s: %d bytes", sha, size)
		}
		shas = append(shas, sha)
	}
	rows.Close()
	if len(shas) < 10 {
		t.Fatalf("%d scans", len(shas))
	}
	f, err := s.OpenFile(shas[0])
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(f)
	f.Close()
	if err != nil || img.Bounds().Dx() < 100 {
		t.Fatalf("scan is not a page: %v", err)
	}
	var attached int
	if err := s.r.QueryRow(`SELECT COUNT(*) FROM events WHERE type = ?`, string(domain.EvFileAttached)).Scan(&attached); err != nil || attached != len(shas) {
		t.Fatalf("%d attachments for %d scans: %v", attached, len(shas), err)
	}
	pending, err := s.PendingFiles(ctx, 1000)
	if err != nil || len(pending) != len(shas) {
		t.Fatalf("pending uploads %d of %d: %v", len(pending), len(shas), err)
	}
	res, err := s.Verify(ctx)
	if err != nil || !res.OK() {
		t.Fatalf("verify %+v %v", res, err)
	}
}
