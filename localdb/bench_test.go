package localdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"motcua/domain"
	"motcua/domain/citizen"
)

// The benchmarks behind `motcua-bench` (docs/BENCHMARKS.md), for profiling one measure at a
// time (go test -bench Queue -cpuprofile …). They run on the store MOTCUA_BENCH_STORE names
// (a data folder `motcua-bench` made, e.g. ~/.cache/motcua-bench/1000000), or else on a
// store of 20,000 seeded dossiers made for the run. Intakes are dated on coming working
// days, as `motcua-bench` does, so a cached store can take them run after run.

var (
	benchOnce  sync.Once
	benchS     *Store
	benchErr   error
	benchShift atomic.Int64 // added to the benchmark store's clock
	benchRows  []QueueRow   // sample dossiers
)

// benchStore is the shared store of the read benchmarks.
func benchStore(b *testing.B) *Store {
	b.Helper()
	benchOnce.Do(func() {
		ctx := context.Background()
		dir := os.Getenv("MOTCUA_BENCH_STORE")
		if dir == "" {
			if dir, benchErr = os.MkdirTemp("", "motcua-bench-*"); benchErr != nil {
				return
			}
		}
		benchS, benchErr = Open(ctx, dir, Options{Now: func() time.Time { return time.Now().Add(time.Duration(benchShift.Load())) }})
		if benchErr != nil {
			return
		}
		if !benchS.Config().Configured() {
			cfg := testCfg
			cfg.Hours = DefaultConfig().Hours
			if benchErr = benchS.UpdateConfig(ctx, admin, cfg); benchErr != nil {
				return
			}
			_, benchErr = benchS.Seed(ctx, SeedOptions{Dossiers: 20000, Days: 20000/600*7/5 + 14, Actors: []domain.Staff{clerk, boss},
				SyncedBefore: time.Now().Add(-24 * time.Hour)})
			if benchErr != nil {
				return
			}
		}
		// Sample dossiers spread over the store.
		var n int
		if benchErr = benchS.r.QueryRow(`SELECT MAX(rid) FROM dossiers`).Scan(&n); benchErr != nil {
			return
		}
		rng := rand.New(rand.NewPCG(1, 2))
		for len(benchRows) < 200 {
			var code string
			if err := benchS.r.QueryRow(`SELECT code FROM dossiers WHERE rid >= ? ORDER BY rid LIMIT 1`, 1+rng.IntN(n)).Scan(&code); err != nil {
				benchErr = err
				return
			}
			found, err := benchS.Search(ctx, code, 1)
			if err != nil {
				benchErr = err
				return
			}
			if len(found) == 1 && found[0].IDNumber != "" {
				benchRows = append(benchRows, found[0])
			}
		}
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchS
}

// BenchmarkReceive is one intake (durable commit) on the benchmark store.
func BenchmarkReceive(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	day := time.Now().In(domain.VN())
	next := func() {
		for {
			day = day.AddDate(0, 0, 1)
			if s.Calendar().IsWorkingDay(time.Date(day.Year(), day.Month(), day.Day(), 12, 0, 0, 0, domain.VN())) {
				break
			}
		}
		at := time.Date(day.Year(), day.Month(), day.Day(), 8, 0, 0, 0, domain.VN())
		benchShift.Store(int64(time.Until(at)))
	}
	next()
	defer benchShift.Store(0)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		in := birthIntake()
		in.Applicant.IDNumber = fmt.Sprintf("0010990%05d", i%100000)
		_, err := s.Receive(ctx, clerk, in)
		var re *domain.RuleError
		if errors.As(err, &re) && re.Code == "code.exhausted" {
			b.StopTimer()
			next()
			b.StartTimer()
			i--
			continue
		}
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSearch is Search (20 results) by code, ID number and name without diacritics.
func BenchmarkSearch(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	for _, c := range []struct {
		name string
		text func(QueueRow) string
	}{
		{"code", func(r QueueRow) string { return r.Code }},
		{"id", func(r QueueRow) string { return r.IDNumber }},
		{"name", func(r QueueRow) string { return citizen.Fold(r.Applicant) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := s.Search(ctx, c.text(benchRows[i%len(benchRows)]), 20); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkQueuePage is one page (50 rows) of the queue, by due date, with the screen's filters.
func BenchmarkQueuePage(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	var open []domain.Status
	for _, st := range domain.AllStatuses() {
		if st.Open() {
			open = append(open, st)
		}
	}
	fields := s.Catalogue().Fields()
	statuses := domain.AllStatuses()
	for _, c := range []struct {
		name string
		f    func(i int) QueueFilter
	}{
		{"open", func(int) QueueFilter { return QueueFilter{Statuses: open} }},
		{"all", func(int) QueueFilter { return QueueFilter{} }},
		{"status_staff", func(i int) QueueFilter {
			return QueueFilter{Statuses: []domain.Status{statuses[1+i%(len(statuses)-1)]}, Staff: []string{"lan", "minh"}[i%2]}
		}},
		{"status_field", func(i int) QueueFilter {
			return QueueFilter{Statuses: []domain.Status{statuses[1+i%(len(statuses)-1)]}, FieldCode: fields[i%len(fields)].Code}
		}},
		{"overdue", func(int) QueueFilter { return QueueFilter{Overdue: true} }},
		{"text_open", func(i int) QueueFilter {
			return QueueFilter{Statuses: open, Text: citizen.Fold(benchRows[i%len(benchRows)].Applicant)}
		}},
	} {
		b.Run(c.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := s.Queue(ctx, c.f(i), 0, 50); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("scroll", func(b *testing.B) {
		var after *QueueKey
		for i := 0; i < b.N; i++ {
			if i%20 == 0 {
				after = nil
			}
			rows, err := s.Queue(ctx, QueueFilter{After: after}, 0, 50)
			if err != nil {
				b.Fatal(err)
			}
			if len(rows) == 0 {
				after = nil
				continue
			}
			k := rows[len(rows)-1].Key
			after = &k
		}
	})
}

// BenchmarkQueueCount is the count shown beside the list (run beside the first page).
func BenchmarkQueueCount(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	for _, c := range []struct {
		name string
		f    QueueFilter
	}{{"open", QueueFilter{Statuses: []domain.Status{2, 4, 5, 6}}}, {"all", QueueFilter{}}} {
		b.Run(c.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := s.QueueCount(ctx, c.f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSeed seeds a fresh store (one op = MOTCUA_BENCH_SEED dossiers, default 20,000):
// dossiers/s is what a million costs.
func BenchmarkSeed(b *testing.B) {
	n := envInt(b, "MOTCUA_BENCH_SEED", 20000)
	ctx := context.Background()
	var total time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		s := newSeedStore(b, b.TempDir())
		b.StartTimer()
		t0 := time.Now()
		if _, err := s.Seed(ctx, SeedOptions{Dossiers: n, Days: n/600*7/5 + 14, Actors: []domain.Staff{clerk, boss}}); err != nil {
			b.Fatal(err)
		}
		total += time.Since(t0)
		b.StopTimer()
		s.Close()
	}
	b.ReportMetric(float64(n*b.N)/total.Seconds(), "dossiers/s")
}

// newSeedStore opens a configured store in dir with the real clock.
func newSeedStore(tb testing.TB, dir string) *Store {
	tb.Helper()
	ctx := context.Background()
	s, err := Open(ctx, dir, Options{})
	if err != nil {
		tb.Fatal(err)
	}
	cfg := testCfg
	cfg.Hours = DefaultConfig().Hours
	if err := s.UpdateConfig(ctx, admin, cfg); err != nil {
		tb.Fatal(err)
	}
	return s
}

func envInt(tb testing.TB, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		tb.Fatalf("%s=%q", name, v)
	}
	return n
}

// TestSeedWritesWhatProjectWrites: the seed writes the projection with its own prepared
// statements (dossierRow); refolding every seeded dossier through project must change
// nothing.
func TestSeedWritesWhatProjectWrites(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t, vnTime(2026, 3, 20, 16, 0))
	if _, err := s.Seed(ctx, SeedOptions{Dossiers: 300, Days: 20, Actors: []domain.Staff{clerk, boss},
		SyncedBefore: vnTime(2026, 3, 10, 0, 0)}); err != nil {
		t.Fatal(err)
	}
	snapshot := func() map[string]string {
		rows, err := s.r.Query(`SELECT id, json_array(rid, id, code, procedure_code, procedure_name, field_code, applicant, id_number, phone, channel,
			status, received_at, due_at, result_at, returned_at, closed_at, received_by, assisted, digitized, e_result, conflicts, sync, last_hlc, doc)
			FROM dossiers`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		out := map[string]string{}
		for rows.Next() {
			var id, row string
			if err := rows.Scan(&id, &row); err != nil {
				t.Fatal(err)
			}
			out[id] = row
		}
		return out
	}
	before := snapshot()
	if len(before) != 300 {
		t.Fatalf("%d dossiers", len(before))
	}
	for id := range before {
		if err := s.tx(ctx, "refold", func(tx *sql.Tx) error { _, err := s.refold(ctx, tx, id); return err }); err != nil {
			t.Fatal(err)
		}
	}
	after := snapshot()
	for id, row := range before {
		if after[id] != row {
			t.Fatalf("dossier %s:\nseeded    %s\nprojected %s", id, row, after[id])
		}
	}
	// The old ones synced, the recent ones waiting, as the events say.
	var synced, waiting int
	if err := s.r.QueryRow(`SELECT COUNT(*) FILTER (WHERE sync = 0), COUNT(*) FILTER (WHERE sync = 1) FROM dossiers`).Scan(&synced, &waiting); err != nil {
		t.Fatal(err)
	}
	if synced == 0 || waiting == 0 {
		t.Errorf("synced %d, waiting %d", synced, waiting)
	}
	// And each is found by its applicant's name as the index holds it.
	var name, id string
	if err := s.r.QueryRow(`SELECT applicant, id FROM dossiers ORDER BY rid DESC LIMIT 1`).Scan(&name, &id); err != nil {
		t.Fatal(err)
	}
	rows, err := s.Search(ctx, citizen.Fold(name), 300)
	if err != nil || !slices.ContainsFunc(rows, func(r QueueRow) bool { return r.ID == id }) {
		t.Fatalf("search %q: %v", name, err)
	}
}

// TestIndexMergerMerges: with FTS5's own merging off, the merger does it once the store is
// quiet, and intakes stay searchable throughout.
func TestIndexMergerMerges(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t, vnTime(2026, 3, 2, 9, 0))
	var automerge string
	if err := s.r.QueryRow(`SELECT v FROM dossier_fts_config WHERE k = 'automerge'`).Scan(&automerge); err != nil || automerge != "0" {
		t.Fatalf("automerge %q %v", automerge, err)
	}
	for i := 0; i < 12; i++ {
		in := birthIntake()
		in.Applicant.IDNumber = fmt.Sprintf("0010990%05d", i)
		if _, err := s.Receive(ctx, clerk, in); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for s.merger.steps.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if s.merger.steps.Load() == 0 {
		t.Fatal("the merger did no work")
	}
	// Then it rests: nothing left to merge.
	var steps int64
	for i := 0; i < 20; i++ {
		steps = s.merger.steps.Load()
		time.Sleep(mergeQuiet)
		if s.merger.steps.Load() == steps {
			break
		}
	}
	time.Sleep(2 * mergeQuiet)
	if n := s.merger.steps.Load(); n != steps {
		t.Fatalf("the merger keeps working: %d steps, then %d", steps, n)
	}
	if rows, err := s.Search(ctx, "nguyen van an", 20); err != nil || len(rows) != 12 {
		t.Fatalf("search after merging: %d %v", len(rows), err)
	}
}
