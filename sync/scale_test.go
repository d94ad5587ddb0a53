package sync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"motcua/domain"
	"motcua/localdb"
	"motcua/sync/api"
	"motcua/sync/central"
)

func seed(t *testing.T, s *localdb.Store, n int, seed uint64) {
	t.Helper()
	made, err := s.Seed(context.Background(), localdb.SeedOptions{Dossiers: n, Days: 30, Seed: seed})
	if err != nil || made != n {
		t.Fatalf("seed %d: %d %v", n, made, err)
	}
}

// checkConverged asserts a workstation holds exactly what the city holds for its unit, all
// its own events acknowledged, and the same fold for every dossier.
func checkConverged(t *testing.T, h *harness, stores ...*localdb.Store) {
	t.Helper()
	ctx := context.Background()
	server := h.serverEvents()
	for i, s := range stores {
		local := localEvents(t, s)
		if len(local) != len(server) {
			q, _ := s.Quarantined(ctx)
			r, _ := s.RefusedEvents(ctx)
			for _, x := range q {
				t.Logf("quarantined %s %s: %s", x.Event.ID, x.Event.Type, x.Reason)
			}
			for _, x := range r {
				t.Logf("refused %s %s: %s", x.Event.ID, x.Event.Type, x.Reason)
			}
			t.Fatalf("workstation %d holds %d events, the city %d", i+1, len(local), len(server))
		}
		for id, e := range local {
			if _, ok := server[id]; !ok {
				t.Fatalf("workstation %d: event %s never reached the city", i+1, id)
			}
			if e.Local && e.State != localdb.SyncAcked {
				t.Fatalf("workstation %d: event %s in state %d", i+1, id, e.State)
			}
		}
		st, err := s.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		cs, _ := h.c.Stats(ctx)
		if st.Dossiers != cs.Dossiers {
			t.Fatalf("workstation %d has %d dossiers, the city %d", i+1, st.Dossiers, cs.Dossiers)
		}
		for k, v := range cs.ByStatus {
			if st.ByStatus[k] != v {
				t.Fatalf("workstation %d status %s: %d, city %d", i+1, k, st.ByStatus[k], v)
			}
		}
	}
}

// Two counters of one unit work offline with 5,000 dossiers each (spread over working days:
// a workstation numbers at most 999 dossiers a day), then reconnect.
func TestTwoWorkstationsOfflineThenReconnect(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, central.FaultConfig{})
	a, b := h.workstation(1), h.workstation(2)
	n := 5000
	if raceEnabled {
		n = 300
		t.Logf("race detector on: %d dossiers per workstation (the full 5,000 run without -race)", n)
	}
	seed(t, a, n, 1)
	seed(t, b, n, 2)
	ea, eb := h.engine(a), h.engine(b)
	done := make(chan error, 2)
	go func() { _, err := syncAll(ea, 5); done <- err }()
	go func() { _, err := syncAll(eb, 5); done <- err }()
	for range 2 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	// Whichever finished first pulled before the other had pushed everything: once more.
	for _, e := range []*Engine{ea, eb} {
		syncUntilDone(t, e, 5)
	}
	st, _ := h.c.Stats(ctx)
	if st.Dossiers != 2*n {
		t.Fatalf("city holds %d dossiers, want %d", st.Dossiers, 2*n)
	}
	checkConverged(t, h, a, b)
	all, err := h.c.Dossiers(ctx, central.DossierFilter{Unit: testUnit, Limit: 2 * n})
	if err != nil || len(all) != 2*n {
		t.Fatalf("dossiers %d %v", len(all), err)
	}
	codes := map[string]string{}
	for _, d := range all {
		if other, dup := codes[d.Code]; dup {
			t.Fatalf("code %s used by %s and %s", d.Code, other, d.ID)
		}
		codes[d.Code] = d.ID
	}
	for _, s := range []*localdb.Store{a, b} {
		for _, d := range all[:50] {
			got, err := s.ByCode(ctx, d.Code)
			if err != nil || got.ID != d.ID || got.Status != d.Status {
				t.Fatalf("%s: %+v %v", d.Code, got.ID, err)
			}
		}
	}
}

// With the server misbehaving on 30 % of the calls (every kind of fault), two running
// engines still bring everything to the city and each other: dossiers, files and the city's
// own processing events.
func TestEverythingConvergesWithFaultRate30(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	h := newHarness(t, central.FaultConfig{})
	a, b := h.workstation(1), h.workstation(2)
	seed(t, a, 80, 3)
	seed(t, b, 80, 4)
	for i, s := range []*localdb.Store{a, b} {
		storeScan(t, s, scan(150_000, uint64(10+i)), fmt.Sprintf("scan-%d.jpg", i))
		storeScan(t, s, scan(40_000, 99), "shared.jpg")
	}
	h.srv.SetFaults(central.FaultConfig{Rate: 0.3, Slow: 30 * time.Millisecond, RetryAfter: -1, Seed: 7})
	fast := func(o *Options) {
		o.BatchSize, o.InFlight, o.PullLimit, o.ChunkSize = 50, 3, 40, 32<<10
		o.RequestTimeout = 5 * time.Second
		o.Interval = 20 * time.Millisecond // keep pulling while the city records events
	}
	ea, eb := h.engine(a, fast), h.engine(b, fast)
	done := make(chan error, 2)
	go func() { done <- ea.Run(ctx) }()
	go func() { done <- eb.Run(ctx) }()
	// The city processes some of a's dossiers while the counters sync.
	waitFor(t, "a's first dossiers at the city", func() bool { st, _ := h.c.Stats(ctx); return st.Dossiers >= 20 })
	// A dossier listed as received may have moved on (a hand-over pushed meanwhile): the
	// city is then told no, as it should be, and forwards another, up to five.
	forwarded := 0
	waitFor(t, "the city forwarding dossiers", func() bool {
		ds, err := h.c.Dossiers(ctx, central.DossierFilter{Status: 2, Limit: 5})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range ds {
			_, _, err := h.c.Record(ctx, api.AdminEventRequest{DossierID: d.ID, Type: "dossier.forwarded",
				Payload: json.RawMessage(`{"agency":"Phòng Văn hóa - Xã hội"}`), Actor: "tp.vhxh"})
			var re *domain.RuleError
			switch {
			case err == nil:
				forwarded++
			case !errors.As(err, &re):
				t.Fatal(err)
			}
		}
		return forwarded >= 5 || (forwarded > 0 && len(ds) == 0)
	})
	converged := func() bool {
		for _, s := range []*localdb.Store{a, b} {
			c, _ := s.SyncCounts(ctx)
			if c.Waiting != 0 || c.FilesWaiting != 0 {
				return false
			}
		}
		n := len(h.serverEvents())
		sa, _ := a.Stats(ctx)
		sb, _ := b.Stats(ctx)
		return sa.Events == n && sb.Events == n
	}
	waitFor(t, "convergence under faults", converged)
	cancel()
	for range 2 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	ctx = context.Background()
	checkConverged(t, h, a, b)
	// Each counter's seeded scans, its own scan and the one both stored (held once).
	sa, _ := a.Stats(ctx)
	sb, _ := b.Stats(ctx)
	if st, _ := h.c.Stats(ctx); st.Files != sa.Files+sb.Files-1 || st.Files < 3 || st.Dossiers != 160 {
		t.Fatalf("city stats %+v; the counters hold %d and %d files", st, sa.Files, sb.Files)
	}
	if n := len(h.requests("", "")); n < 30 {
		t.Fatalf("only %d calls: faults were hardly exercised", n)
	}
	for _, s := range []*localdb.Store{a, b} {
		if q, _ := s.Quarantined(ctx); len(q) != 0 {
			t.Fatalf("faults quarantined events: %+v", q[0].Reason)
		}
	}
}
