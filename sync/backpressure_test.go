package sync

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	gosync "sync"
	"testing"
	"time"

	"motcua/localdb"
	"motcua/sync/api"
	"motcua/sync/central"
)

// statusRecorder keeps the status a handler answered with.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// pushCall is one POST /events as the server answered it.
type pushCall struct {
	device     string // the token's last characters
	start, end time.Time
	status     int
	retryAfter int // seconds, for a 429
}

// A reconnect storm against a server that takes one push at a time: four running engines,
// each with a backlog and three batches in flight, are turned away with 429 + Retry-After
// again and again. Every event still reaches the city exactly once, every 429 carries a
// Retry-After, and no engine pushes again before the time it was told.
func TestStormTurnedAwayEveryEventOnce(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv, err := central.Open(ctx, central.Options{Dir: t.TempDir(), AdminToken: adminToken, Logger: quiet,
		Limits: central.Limits{InFlight: 6, PushInFlight: 1, SmallPush: -1, RetryAfter: time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	var mu gosync.Mutex
	var calls []pushCall
	handler := srv.Handler()
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != api.Prefix+"/events" {
			handler.ServeHTTP(w, r)
			return
		}
		rec := &statusRecorder{ResponseWriter: w}
		c := pushCall{device: r.Header.Get("Authorization"), start: time.Now()}
		handler.ServeHTTP(rec, r)
		c.end, c.status = time.Now(), rec.status
		if c.status == 0 {
			c.status = http.StatusOK
		}
		c.retryAfter, _ = strconv.Atoi(w.Header().Get("Retry-After"))
		mu.Lock()
		calls = append(calls, c)
		mu.Unlock()
	}))
	ts.Config = central.NewHTTPServer("", ts.Config.Handler, srv.Limits())
	ts.Start()
	t.Cleanup(func() {
		ts.Close()
		srv.Close()
	})
	h := &harness{t: t, srv: srv, ts: ts, c: srv.Central()}

	stores := make([]*localdb.Store, 4)
	engines := make([]*Engine, len(stores))
	total := 0
	for i := range stores {
		stores[i] = h.workstation(i + 1)
		seed(t, stores[i], 15, uint64(20+i))
		total += waiting(t, stores[i])
		engines[i] = h.engine(stores[i], func(o *Options) { o.BatchSize, o.InFlight = 25, 3 })
	}
	var wg gosync.WaitGroup
	for _, e := range engines {
		wg.Add(1)
		go func() { defer wg.Done(); e.Run(ctx) }()
	}
	waitFor(t, "every outbox drained", func() bool {
		for _, s := range stores {
			if waiting(t, s) > 0 {
				return false
			}
		}
		return true
	})
	cancel()
	wg.Wait()

	// Exactly once: the city holds each workstation event, and nothing else.
	server := h.serverEvents()
	if len(server) != total {
		t.Fatalf("the city holds %d events, the workstations made %d", len(server), total)
	}
	st, _ := h.c.Stats(context.Background())
	if st.Events != total {
		t.Fatalf("the city counts %d events, want %d", st.Events, total)
	}
	for i, s := range stores {
		for id, e := range localEvents(t, s) {
			if _, ok := server[id]; !ok {
				t.Fatalf("workstation %d: event %s never reached the city", i+1, id)
			}
			if e.Local && e.State != localdb.SyncAcked {
				t.Fatalf("workstation %d: event %s in state %d", i+1, id, e.State)
			}
		}
	}

	// Backpressure was used, said when to come back, and was honoured.
	mu.Lock()
	seen := slices.Clone(calls)
	mu.Unlock()
	byDevice := map[string][]pushCall{}
	turnedAway := 0
	for _, c := range seen {
		switch c.status {
		case http.StatusOK:
		case http.StatusTooManyRequests:
			turnedAway++
			if c.retryAfter < 1 || c.retryAfter > 2 {
				t.Fatalf("429 with Retry-After %d, want 1–2 s", c.retryAfter)
			}
		default:
			t.Fatalf("push answered HTTP %d", c.status)
		}
		byDevice[c.device] = append(byDevice[c.device], c)
	}
	if turnedAway == 0 {
		t.Fatalf("no push turned away: %d pushes, one slot, four engines with three batches in flight each", len(seen))
	}
	for _, cs := range byDevice {
		slices.SortFunc(cs, func(a, b pushCall) int { return a.start.Compare(b.start) })
		for _, c := range cs {
			if c.status != http.StatusTooManyRequests {
				continue
			}
			// Batches already on their way when the 429 came may still arrive just after it;
			// past that, nothing comes from this workstation before Retry-After has passed.
			from, until := c.end.Add(500*time.Millisecond), c.end.Add(time.Duration(c.retryAfter)*time.Second-50*time.Millisecond)
			for _, o := range cs {
				if o.start.After(from) && o.start.Before(until) {
					t.Fatalf("a push %v after a 429 that said Retry-After %d s", o.start.Sub(c.end), c.retryAfter)
				}
			}
		}
	}
	t.Logf("%d events, %d pushes, %d turned away with 429", total, len(seen), turnedAway)
	// The workstations converge once the storm is over.
	for _, e := range engines {
		syncUntilDone(t, e, 10)
	}
	checkConverged(t, h, stores...)

}

// Batches in flight turned away together may be told different waits: the pass ends with
// the longest, and an authorisation failure still comes first.
func TestWorstErrorTakesTheLongestRetryAfter(t *testing.T) {
	short := &Error{Class: ClassServer, Status: http.StatusTooManyRequests, RetryAfter: 2 * time.Second}
	long := &Error{Class: ClassServer, Status: http.StatusTooManyRequests, RetryAfter: 5 * time.Second}
	plain := &Error{Class: ClassServer, Status: http.StatusServiceUnavailable}
	if got := worstError([]error{plain, short, long, short}); got != long {
		t.Fatalf("picked %v", got)
	}
	auth := &Error{Class: ClassAuth, Status: http.StatusUnauthorized}
	if got := worstError([]error{long, auth}); got != auth {
		t.Fatalf("picked %v", got)
	}
	if got := worstError([]error{context.Canceled, plain}); got != plain {
		t.Fatalf("picked %v", got)
	}
}
