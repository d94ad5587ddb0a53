package localdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"
	"time"

	"motcua/domain"
)

// dropReportIndexes removes the indexes of migration 0003, to test the plan without them.
func dropReportIndexes(tb testing.TB, s *Store) {
	tb.Helper()
	for _, name := range reportIndexNames {
		if _, err := s.w.Exec(`DROP INDEX IF EXISTS ` + name); err != nil {
			tb.Fatal(err)
		}
	}
}

// addReportIndexes applies migration 0003 again after dropReportIndexes.
func addReportIndexes(tb testing.TB, s *Store) {
	tb.Helper()
	if ok, err := s.hasReportIndexes(context.Background()); err != nil || ok {
		return
	}
	body, err := migrationFS.ReadFile("migrations/0003_report_indexes.sql")
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := s.w.Exec(string(body)); err != nil {
		tb.Fatal(err)
	}
}

// storeEvents writes one dossier's events as if they had been pulled from elsewhere.
func storeEvents(t *testing.T, s *Store, evs []domain.Event) {
	t.Helper()
	ctx := context.Background()
	err := s.tx(ctx, "test", func(tx *sql.Tx) error {
		for _, e := range evs {
			if _, err := insertEvent(ctx, tx, e, false); err != nil {
				return err
			}
		}
		return s.project(ctx, tx, domain.Fold(evs), false)
	})
	if err != nil {
		t.Fatal(err)
	}
}

var oddCount int

// oddDossier makes events the seed never makes: online registrations, with the given
// later events (each a type and payload, one hour apart).
func oddDossier(t *testing.T, at time.Time, steps ...any) []domain.Event {
	t.Helper()
	oddCount++
	stream := fmt.Sprintf("0190a1b2-c3d4-7e5f-8a9b-%012d", oddCount)
	proc := domain.ProcedureRef{Code: "X.1", Name: "Thủ tục ngoài danh mục", FieldCode: "ZZ", Field: "Lĩnh vực cũ",
		Time: domain.ProcessingTime{Unit: domain.TimeWorkingDays, Value: 2}}
	payload := domain.ReceivedPayload{Procedure: proc, Applicant: domain.Person{Name: "Phạm Văn Bình"}, Channel: domain.ChannelOnline,
		Subject: domain.SubjectCitizen, Sets: 1}
	var evs []domain.Event
	add := func(typ domain.EventType, p any) {
		e, err := domain.NewEvent(fmt.Sprintf("0190a1b2-0000-7000-8000-%06d%06d", oddCount, len(evs)), domain.StreamDossier, stream,
			typ, p, "lan", "B", testCfg.UnitCode, at, domain.MakeHLC(at.UnixMilli(), uint16(len(evs))))
		if err != nil {
			t.Fatal(err)
		}
		evs = append(evs, e)
		at = at.Add(time.Hour)
	}
	add(domain.EvRegisteredOnline, payload)
	for i := 0; i+1 < len(steps); i += 2 {
		add(steps[i].(domain.EventType), steps[i+1])
	}
	return evs
}

func allDossiers(t *testing.T, s *Store) []domain.Dossier {
	t.Helper()
	rows, err := s.r.Query(`SELECT doc FROM dossiers`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []domain.Dossier
	for rows.Next() {
		var doc []byte
		var d domain.Dossier
		if err := rows.Scan(&doc); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(doc, &d); err != nil {
			t.Fatal(err)
		}
		out = append(out, d)
	}
	return out
}

func TestReportMatchesPureComputation(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t, vnTime(2026, 3, 20, 16, 0))
	if _, err := s.Seed(ctx, SeedOptions{Dossiers: 300, Days: 75, Actors: []domain.Staff{clerk, boss}}); err != nil {
		t.Fatal(err)
	}
	reason := domain.ReasonPayload{Reason: "Không đủ điều kiện"}
	supp := domain.SupplementRequestedPayload{Items: []domain.SupplementItem{{Name: "Bản sao", Form: domain.FormPhoto, Count: 1}}, Reason: "Thiếu"}
	accepted := domain.AcceptedPayload{DueAt: vnTime(2026, 2, 12, 17, 0)}
	odd := [][]domain.Event{
		oddDossier(t, vnTime(2026, 2, 10, 20, 0)),                                                                            // never accepted
		oddDossier(t, vnTime(2026, 2, 10, 20, 0), domain.EvRefused, reason),                                                  // refused before acceptance
		oddDossier(t, vnTime(2026, 2, 10, 20, 0), domain.EvSupplementRequested, supp),                                        // paused before acceptance
		oddDossier(t, vnTime(2026, 2, 10, 20, 0), domain.EvSupplementRequested, supp, domain.EvWithdrawn, reason),            // withdrawn before acceptance
		oddDossier(t, vnTime(2026, 2, 10, 8, 0), domain.EvAccepted, accepted, domain.EvSupplementRequested, supp),            // accepted, then paused
		oddDossier(t, vnTime(2026, 2, 10, 8, 0), domain.EvAccepted, accepted, domain.EvStopped, reason),                      // accepted, then stopped
		oddDossier(t, vnTime(2026, 1, 5, 8, 0), domain.EvAccepted, domain.AcceptedPayload{DueAt: vnTime(2026, 1, 7, 17, 0)}), // open since January
	}
	for _, evs := range odd {
		storeEvents(t, s, evs)
	}
	ds := allDossiers(t, s)
	if len(ds) != 307 {
		t.Fatalf("%d dossiers", len(ds))
	}
	periods := [][2]string{{"2026-02-01", "2026-02-28"}, {"2026-02-09", "2026-02-15"}, {"2026-02-10", "2026-02-10"},
		{"2025-12-01", "2026-12-31"}, {"2026-04-01", "2026-04-30"}}
	check := func(label string) {
		for _, pp := range periods {
			p, err := domain.ParsePeriod(pp[0], pp[1])
			if err != nil {
				t.Fatal(err)
			}
			// Both finish rules, and the treatments of closed dossiers (the store selects
			// the same rows whatever the treatment; the domain counts them).
			for i, opt := range []domain.ReportOptions{{Finish: domain.FinishAtResult}, {Finish: domain.FinishAtReturn},
				{Closed: domain.ClosedTreatments{Withdrawn: domain.ClosedResolvedOnTime, Stopped: domain.ClosedResolvedByDue, Refused: domain.ClosedExcluded}},
				{Finish: domain.FinishAtReturn, Closed: domain.ClosedTreatments{Withdrawn: domain.ClosedExcluded, Stopped: domain.ClosedExcluded, Refused: domain.ClosedResolvedByDue}},
			} {
				finish := i
				var progressed int
				got, gotInd, err := s.Report(ctx, p, opt, func(n int) { progressed = n })
				if err != nil {
					t.Fatal(err)
				}
				want, wantInd := domain.BuildReport(p, ds, s.reportOptions(opt))
				if !reflect.DeepEqual(got, want) || gotInd != wantInd {
					t.Errorf("%s %v options %d:\n store %+v\n  pure %+v\n store %+v\n  pure %+v", label, p, finish, got, want, gotInd, wantInd)
				}
				if pp[0] == "2026-02-01" && (got.Total.Received < 50 || progressed < got.Total.Received) {
					t.Errorf("%s February: %+v, progress %d", label, got.Total, progressed)
				}
			}
			book, err := s.TrackingBook(ctx, p, nil)
			if err != nil {
				t.Fatal(err)
			}
			if want := domain.TrackingBook(p, ds); !reflect.DeepEqual(book, want) && (len(book) > 0 || len(want) > 0) {
				t.Errorf("%s %v tracking book: store %d lines, pure %d", label, p, len(book), len(want))
			}
			var last [2]int
			rb, err := s.ReturnBook(ctx, p, func(done, total int) { last = [2]int{done, total} })
			if err != nil {
				t.Fatal(err)
			}
			if want := domain.ReturnBook(p, ds); !reflect.DeepEqual(rb, want) && (len(rb) > 0 || len(want) > 0) {
				t.Errorf("%s %v return book: store %d lines, pure %d", label, p, len(rb), len(want))
			}
			if last[0] != last[1] || last[0] < len(rb) {
				t.Errorf("return book progress %v for %d lines", last, len(rb))
			}
		}
	}
	if ok, err := s.hasReportIndexes(ctx); err != nil || !ok {
		t.Fatalf("migration 0003 did not make the report's indexes: %v", err)
	}
	check("indexed")
	dropReportIndexes(t, s)
	check("table scan")
	addReportIndexes(t, s)

	// The odd dossiers in February: only the two accepted ones and the one open since
	// January count, all in the field the catalogue no longer has.
	p, _ := domain.ParsePeriod("2026-02-01", "2026-02-28")
	rep, _, err := s.Report(ctx, p, domain.ReportOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	last := rep.Rows[len(rep.Rows)-1]
	if last.FieldCode != "ZZ" || last.Field != "Lĩnh vực cũ" || last.Received != 3 || last.ReceivedOnline != 2 ||
		last.CarriedOver != 1 || last.Stopped != 1 || last.InProgress != 2 || last.InTime != 1 || last.Overdue != 1 {
		t.Errorf("odd field row %+v", last)
	}
}

func TestReportQueryPlans(t *testing.T) {
	s, _ := newTestStore(t, vnTime(2026, 3, 20, 16, 0))
	addReportIndexes(t, s)
	rows, err := s.r.Query(`EXPLAIN QUERY PLAN `+reportIndexedQuery, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
		if len(detail) >= 10 && detail[:10] == "SCAN dossi" {
			t.Errorf("full scan in the indexed plan: %s", detail)
		}
	}
	t.Logf("plan:\n%v", plan)
}

// BenchmarkMonthlyReport computes Biểu II.06a for the last full month over a seeded store
// of MOTCUA_BENCH_DOSSIERS dossiers (default 20,000). MOTCUA_BENCH_DIR keeps the seeded
// store between runs (seeding a million dossiers takes a while).
func BenchmarkMonthlyReport(b *testing.B) {
	ctx := context.Background()
	n := 20000
	if v := os.Getenv("MOTCUA_BENCH_DOSSIERS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n <= 0 {
			b.Fatalf("MOTCUA_BENCH_DOSSIERS=%q", v)
		}
	}
	now := vnTime(2026, 3, 20, 16, 0)
	dir := b.TempDir()
	if base := os.Getenv("MOTCUA_BENCH_DIR"); base != "" {
		dir = filepath.Join(base, fmt.Sprintf("report-%d", n))
	}
	clk := &testClock{t: now}
	s, err := Open(ctx, dir, Options{Now: clk.Now})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if st, err := s.Stats(ctx); err != nil {
		b.Fatal(err)
	} else if st.Dossiers < n {
		cfg := testCfg
		cfg.Hours = DefaultConfig().Hours
		if err := s.UpdateConfig(ctx, admin, cfg); err != nil {
			b.Fatal(err)
		}
		// At most ~600 a working day, as a busy commune's one workstation.
		days := max(60, (n-st.Dossiers)/600*7/5+14)
		start := time.Now()
		if _, err := s.Seed(ctx, SeedOptions{Dossiers: n - st.Dossiers, Days: days, Actors: []domain.Staff{clerk, boss}}); err != nil {
			b.Fatal(err)
		}
		b.Logf("seeded %d dossiers over %d days in %s", n, days, time.Since(start).Round(time.Second))
	}
	addReportIndexes(b, s)
	p, _ := domain.ParsePeriod("2026-02-01", "2026-02-28")
	b.ResetTimer()
	var rep domain.II06a
	for i := 0; i < b.N; i++ {
		if rep, _, err = s.Report(ctx, p, domain.ReportOptions{}, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(rep.Total.Received), "dossiers/report")
}

// The province's report choices are settings: kept across a restart, checked on saving,
// and given to the report as options.
func TestReportSettings(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, dir, Options{LightPasswordHashing: true})
	if err != nil {
		t.Fatal(err)
	}
	cfg := testCfg
	cfg.Hours = DefaultConfig().Hours
	if got := cfg.Report.Options(); got.Finish != domain.FinishAtResult || got.Closed != (domain.ClosedTreatments{}).Normalized() {
		t.Errorf("default options %+v", got)
	}
	cfg.Report = ReportSettings{ResolvedAt: "return", Closed: domain.ClosedTreatments{Withdrawn: domain.ClosedResolvedOnTime, Stopped: domain.ClosedExcluded}}
	if err := s.UpdateConfig(ctx, admin, cfg); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []ReportSettings{{ResolvedAt: "handed"}, {Closed: domain.ClosedTreatments{Refused: "resolved"}}} {
		c := cfg
		c.Report = bad
		var v domain.ValidationError
		if err := s.UpdateConfig(ctx, admin, c); !errors.As(err, &v) || v[0].Field != "report" {
			t.Errorf("%+v accepted: %v", bad, err)
		}
	}
	s.Close()
	s, err = Open(ctx, dir, Options{LightPasswordHashing: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	opt := s.Config().Report.Options()
	want := domain.ClosedTreatments{Withdrawn: domain.ClosedResolvedOnTime, Stopped: domain.ClosedExcluded, Refused: domain.ClosedApart}
	if opt.Finish != domain.FinishAtReturn || opt.Closed != want {
		t.Errorf("after a restart: %+v", opt)
	}
}
