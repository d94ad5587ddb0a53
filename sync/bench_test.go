package sync

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	gosync "sync"
	"testing"
	"time"

	"motcua/domain"
	"motcua/internal/fileutil"
	"motcua/localdb"
	"motcua/sync/api"
	"motcua/sync/central"
)

// Push throughput of a 100,000-event backlog (DESIGN.md: ≥ 20,000 events/s on loopback,
// ≥ 5,000 events/s with 100 ms more round trip). One op pushes the whole backlog to a fresh
// server with the engine's production settings (1,000 events per batch, 4 in flight); run
// with -benchtime 1x (or 3x). The backlog is made once by localdb's Seed — realistic dossiers
// with their projections, visits and histories — and trimmed to exactly 100,000 waiting
// events; each op works on a copy.

const benchEvents = 100_000

var (
	benchOnce     gosync.Once
	benchTemplate string // a workstation's data folder with the backlog
	benchErr      error
)

func benchBacklog(b *testing.B) string {
	benchOnce.Do(func() {
		dir, err := os.MkdirTemp("", "motcua-bench-*")
		if err != nil {
			benchErr = err
			return
		}
		benchTemplate = dir
		benchErr = buildBacklog(dir, benchEvents)
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchTemplate
}

func buildBacklog(dir string, n int) error {
	ctx := context.Background()
	s, err := localdb.Open(ctx, dir, localdb.Options{})
	if err != nil {
		return err
	}
	defer s.Close()
	// Configured as enrolled at slot 1 of the test unit (the real enrollment comes per op).
	if err := s.SaveEnrollment(ctx, localdb.Enrollment{ServerURL: "http://127.0.0.1:1", Token: "-", UnitCode: testUnit, UnitName: testUnitName, Slot: 1}); err != nil {
		return err
	}
	// About 5.2 events per seeded dossier.
	if _, err := s.Seed(ctx, localdb.SeedOptions{Dossiers: n/5 + 1, Days: 60, Seed: 42}); err != nil {
		return err
	}
	db := rawDBPath(s.Path())
	defer db.Close()
	var waiting int
	if err := db.QueryRow(`SELECT COUNT(*) FROM events WHERE sync_state = 0`).Scan(&waiting); err != nil {
		return err
	}
	if waiting < n {
		return fmt.Errorf("seeded %d events, want %d", waiting, n)
	}
	_, err = db.Exec(`UPDATE events SET sync_state = 1 WHERE seq IN (SELECT seq FROM events WHERE sync_state = 0 ORDER BY seq DESC LIMIT ?)`, waiting-n)
	return err
}

// copyDir copies a workstation's data folder (closed) file by file.
func copyDir(from, to string) error {
	return filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		dst := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o700)
		}
		return fileutil.CopyFile(p, dst)
	})
}

func benchmarkPush(b *testing.B, latency time.Duration) {
	tmpl := benchBacklog(b)
	ctx := context.Background()
	var total time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		h := newHarness(b, central.FaultConfig{})
		dir := b.TempDir()
		if err := copyDir(tmpl, dir); err != nil {
			b.Fatal(err)
		}
		s, err := localdb.Open(ctx, dir, localdb.Options{})
		if err != nil {
			b.Fatal(err)
		}
		code, _, _ := h.c.IssueEnrollCode(ctx, testUnit, testUnitName, 1)
		if _, err := Enroll(ctx, s, h.ts.URL, code, "Quầy 1"); err != nil {
			b.Fatal(err)
		}
		h.srv.SetLatency(latency)
		e := New(s, Options{HTTPClient: h.ts.Client(), Logger: quiet}) // production defaults: 1,000 per batch, 4 in flight
		c, err := newClient(h.ts.Client(), h.ts.URL, tokenOf2(s), time.Minute)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		t0 := time.Now()
		var rep Report
		if err := e.push(ctx, c, &rep); err != nil {
			b.Fatal(err)
		}
		total += time.Since(t0)
		b.StopTimer()
		if rep.Pushed != benchEvents {
			b.Fatalf("pushed %d", rep.Pushed)
		}
		s.Close()
	}
	b.ReportMetric(float64(benchEvents*b.N)/total.Seconds(), "events/s")
}

func tokenOf2(s *localdb.Store) string {
	tok, _ := s.SyncValue(context.Background(), localdb.SyncKeyToken)
	return tok
}

func BenchmarkPush100k(b *testing.B) { benchmarkPush(b, 0) }

func BenchmarkPush100kLatency100ms(b *testing.B) { benchmarkPush(b, 100*time.Millisecond) }

// Wire bytes per event of a push body for a realistic mix (localdb's Seed: intakes with
// their applicants and checklists, forwards, results, hand-overs, the visits they count):
// plain JSON as protocol v1 sent it, gzipped JSON, and the compact encoding gzipped, in
// batches of 1,000 as the engine sends them on a good link and 250 as on a thin one.
// `go test -run '^$' -bench WireBytes ./sync/` reports them as B/event metrics.
func BenchmarkWireBytesPerEvent(b *testing.B) {
	dir := b.TempDir()
	if err := buildBacklog(dir, 10_000); err != nil {
		b.Fatal(err)
	}
	s, err := localdb.Open(context.Background(), dir, localdb.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	var evs []domain.Event
	var after int64
	for len(evs) < 10_000 {
		page, last, err := s.OutboxAfter(context.Background(), after, 1000)
		if err != nil || len(page) == 0 {
			b.Fatal(err)
		}
		evs, after = append(evs, page...), last
	}
	b.ResetTimer()
	for range b.N {
		for _, size := range []int{1000, 250} {
			var plain, gzPlain, gzCompact int
			for i := 0; i < len(evs); i += size {
				batch := evs[i:min(i+size, len(evs))]
				p, _ := json.Marshal(api.PushRequest{Events: batch})
				c, _ := json.Marshal(api.PushRequestC{Events: api.Pack(batch)})
				plain += len(p)
				gzPlain += len(gzipBytes(p))
				gzCompact += len(gzipBytes(c))
			}
			n := float64(len(evs))
			b.ReportMetric(float64(plain)/n, fmt.Sprintf("plainB/event@%d", size))
			b.ReportMetric(float64(gzPlain)/n, fmt.Sprintf("gzipB/event@%d", size))
			b.ReportMetric(float64(gzCompact)/n, fmt.Sprintf("compactB/event@%d", size))
		}
	}
}
