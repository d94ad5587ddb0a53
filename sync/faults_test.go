package sync

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"motcua/localdb"
	"motcua/sync/api"
	"motcua/sync/central"
)

// onPush returns a fault hook that applies fault to the n-th push (1-based) and to nothing else.
func onPush(want func(n int64) central.Fault) func(*http.Request) central.Fault {
	var c counter
	return func(r *http.Request) central.Fault {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/events") {
			return want(c.next())
		}
		return central.FaultNone
	}
}

func TestReplyLostAfterCommitGivesNoDuplicate(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, central.FaultConfig{})
	a := h.workstation(1)
	receive(t, a, 5)
	w := waiting(t, a)
	h.srv.SetFaults(central.FaultConfig{Hook: onPush(func(n int64) central.Fault {
		if n == 1 {
			return central.FaultLostReply
		}
		return central.FaultNone
	})})
	e := h.engine(a)
	_, err := e.SyncOnce(ctx)
	if !isClass(err, ClassNetwork) {
		t.Fatalf("lost reply: %v", err)
	}
	if n := len(h.serverEvents()); n != w {
		t.Fatalf("the server committed %d events before dropping the reply, want %d", n, w)
	}
	if c, _ := a.SyncCounts(ctx); c.Waiting != w {
		t.Fatalf("without a reply nothing may be acknowledged: %+v", c)
	}
	rep, err := e.SyncOnce(ctx)
	if err != nil || rep.Pushed != w {
		t.Fatalf("second pass %+v %v", rep, err)
	}
	if n := len(h.serverEvents()); n != w {
		t.Fatalf("server holds %d events, want %d", n, w)
	}
	st, _ := h.c.Stats(ctx)
	if st.Dossiers != 5 || st.Events != w {
		t.Fatalf("stats %+v", st)
	}
}

func TestTruncatedReplyIsNotASuccess(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, central.FaultConfig{})
	a := h.workstation(1)
	receive(t, a, 2)
	w := waiting(t, a)
	h.srv.SetFaults(central.FaultConfig{Hook: onPush(func(n int64) central.Fault {
		if n == 1 {
			return central.FaultTruncated
		}
		return central.FaultNone
	})})
	e := h.engine(a)
	if _, err := e.SyncOnce(ctx); !isClass(err, ClassNetwork) {
		t.Fatalf("truncated reply: %v", err)
	}
	if c, _ := a.SyncCounts(ctx); c.Waiting != w {
		t.Fatalf("acknowledged from half a reply: %+v", c)
	}
	syncUntilDone(t, e, 2)
	if n := len(h.serverEvents()); n != w {
		t.Fatalf("server holds %d", n)
	}
}

func TestTwoPushesAtOnce(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, central.FaultConfig{})
	a := h.workstation(1)
	receive(t, a, 40)
	w := waiting(t, a)
	small := func(o *Options) { o.BatchSize, o.InFlight = 7, 2 }
	e1, e2 := h.engine(a, small), h.engine(a, small)
	var wg gosync.WaitGroup
	errs := make([]error, 2)
	for i, e := range []*Engine{e1, e2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = e.SyncOnce(ctx)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	if n := len(h.serverEvents()); n != w {
		t.Fatalf("server holds %d events, want %d", n, w)
	}
	for id, ev := range localEvents(t, a) {
		if ev.State != localdb.SyncAcked {
			t.Fatalf("event %s state %d", id, ev.State)
		}
	}
}

func TestCaptivePortalIsNotASuccess(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, central.FaultConfig{})
	a := h.workstation(1)
	receive(t, a, 3)
	w := waiting(t, a)
	h.srv.SetFaults(central.FaultConfig{Hook: func(*http.Request) central.Fault { return central.FaultCaptivePortal }})
	e := h.engine(a)
	_, err := e.SyncOnce(ctx)
	if !isClass(err, ClassNetwork) || err.Error() != MsgCaptive {
		t.Fatalf("captive portal: %v", err)
	}
	if c, _ := a.SyncCounts(ctx); c.Waiting != w {
		t.Fatalf("events acknowledged by a login page: %+v", c)
	}
	st := e.Status()
	if st.Online || !st.LastSuccess.IsZero() || st.LastError != MsgCaptive {
		t.Fatalf("status %+v", st)
	}
	if err := e.Probe(ctx); !isClass(err, ClassNetwork) {
		t.Fatalf("probe through a captive portal: %v", err)
	}
	if len(h.serverEvents()) != 0 {
		t.Fatal("events reached the server through the portal")
	}
}

func TestUnauthorizedPausesSyncWithoutLooping(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	h := newHarness(t, central.FaultConfig{})
	a := h.workstation(1)
	if err := h.c.Revoke(ctx, a.Config().DeviceID); err != nil {
		t.Fatal(err)
	}
	receive(t, a, 2)
	h.resetRequests()
	e := h.engine(a)
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx) }()
	waitFor(t, "sync paused for authorisation", func() bool { return e.Status().PausedForAuth })
	if st := e.Status(); st.LastError != MsgAuth || !st.NextAttempt.IsZero() {
		t.Fatalf("status %+v", st)
	}
	calls := len(h.requests("", ""))
	if calls != 1 {
		t.Fatalf("%d calls before pausing, want exactly 1 (%+v)", calls, h.requests("", ""))
	}
	// Neither local writes nor "sync now" send anything until the workstation re-enrolls.
	w := e.wakes.Load()
	receive(t, a, 1)
	e.SyncNow()
	waitFor(t, "the loop to handle both wake-ups", func() bool { return e.wakes.Load() >= w+2 })
	e.SyncNow()
	receive(t, a, 1)
	waitFor(t, "the loop to handle more wake-ups", func() bool { return e.wakes.Load() >= w+4 })
	if n := len(h.requests("", "")); n != calls {
		t.Fatalf("paused engine made %d more calls", n-calls)
	}
	// The pause survives a restart: a new engine on the same store does not call either.
	e2 := h.engine(a)
	if _, err := e2.SyncOnce(ctx); !errors.Is(err, ErrPaused) {
		t.Fatalf("restarted engine: %v", err)
	}
	if n := len(h.requests("", "")); n != calls {
		t.Fatal("restarted engine called the server while paused")
	}
	h.resetRequests()
	// Re-enrollment lifts the pause and the running loop picks it up by itself.
	h.enroll(a, 1)
	waitFor(t, "the outbox to drain after re-enrollment", func() bool {
		c, _ := a.SyncCounts(ctx)
		return c.Waiting == 0
	})
	waitFor(t, "the status to clear", func() bool { st := e.Status(); return !st.PausedForAuth && st.LastError == "" })
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run after cancellation: %v", err)
	}
	if n := len(h.serverEvents()); n != 8 {
		t.Fatalf("server holds %d events, want 4 intakes and their visits", n)
	}
}

func TestServerErrorsAndTooManyRequestsAreRetried(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	h := newHarness(t, central.FaultConfig{})
	a := h.workstation(1)
	receive(t, a, 4)
	h.srv.SetFaults(central.FaultConfig{RetryAfter: time.Second, Hook: onPush(func(n int64) central.Fault {
		switch n {
		case 1, 2:
			return central.FaultServerError
		case 3:
			return central.FaultTooMany
		}
		return central.FaultNone
	})})
	e := h.engine(a)
	var mu gosync.Mutex
	var afterTooMany []Status
	unsub := e.Subscribe(func(s Status) {
		if strings.Contains(s.LastError, "quá tải") && s.NextAttempt.After(s.LastAttempt) {
			mu.Lock()
			afterTooMany = append(afterTooMany, s)
			mu.Unlock()
		}
	})
	defer unsub()
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx) }()
	waitFor(t, "the outbox to drain", func() bool {
		c, _ := a.SyncCounts(ctx)
		return c.Waiting == 0
	})
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n := len(h.requests(http.MethodPost, "/events")); n != 4 {
		t.Fatalf("%d pushes, want 2 × 503, 1 × 429, 1 success", n)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(afterTooMany) == 0 {
		t.Fatal("no status after the 429")
	}
	// The backoff after a 429 honours Retry-After (1 s) although the test backoff is 40 ms at most.
	s := afterTooMany[0]
	if s.NextAttempt.Sub(s.LastAttempt) < time.Second {
		t.Fatalf("retry scheduled %v after the 429, want ≥ Retry-After", s.NextAttempt.Sub(s.LastAttempt))
	}
	if len(h.serverEvents()) != 8 {
		t.Fatal("events missing")
	}
}

func TestBadEventAtHeadIsQuarantinedAndTheRestArrive(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, central.FaultConfig{})
	a := h.workstation(1)
	receive(t, a, 6)
	out, _ := a.Outbox(ctx, 10)
	db := rawDB(t, a)
	// The head: a payload the server rejects (no procedure, no applicant).
	if _, err := db.Exec(`UPDATE events SET payload = '{"code":"X"}' WHERE id = ?`, out[0].ID); err != nil {
		t.Fatal(err)
	}
	// The second: not even JSON (a damaged row) — it cannot be sent at all.
	if _, err := db.Exec(`UPDATE events SET payload = '{not json' WHERE id = ?`, out[1].ID); err != nil {
		t.Fatal(err)
	}
	e := h.engine(a)
	rep, err := e.SyncOnce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Pushed != 10 || rep.Quarantined != 2 {
		t.Fatalf("report %+v", rep)
	}
	q, err := a.Quarantined(ctx)
	if err != nil || len(q) != 2 {
		t.Fatalf("quarantined %+v %v", q, err)
	}
	for _, x := range q {
		if x.Reason == "" {
			t.Fatalf("no reason for %s", x.Event.ID)
		}
	}
	if !strings.Contains(q[0].Reason, "không hợp lệ") {
		t.Fatalf("reason %q", q[0].Reason)
	}
	if len(h.serverEvents()) != 10 {
		t.Fatal("the rest did not arrive")
	}
	if st := e.Status(); st.Quarantined != 2 || st.EventsWaiting != 0 {
		t.Fatalf("status %+v", st)
	}
	// Repaired (the row is given back the payload its author signed) and re-queued by a
	// supervisor, it goes through. (A payload edited to anything else would not: its
	// signature no longer holds, and re-queueing does not sign it anew.)
	if _, err := db.Exec(`UPDATE events SET payload = ? WHERE id = ?`, string(out[0].Payload), out[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := a.Requeue(ctx, boss, out[0].ID); err != nil {
		t.Fatal(err)
	}
	rep, err = e.SyncOnce(ctx)
	if err != nil || rep.Pushed != 1 {
		t.Fatalf("requeued %+v %v", rep, err)
	}
	// Exported unsent items show the one still quarantined.
	var buf bytes.Buffer
	n, err := a.ExportUnsent(ctx, &buf)
	if err != nil || n != 1 || !strings.Contains(buf.String(), `"quarantined"`) {
		t.Fatalf("export %d %v %s", n, err, buf.String())
	}
}

// A 4xx for a whole batch is narrowed down by halving until the culprit is alone.
func TestWholeBatchValidationErrorIsBisected(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, central.FaultConfig{})
	a := h.workstation(1)
	receive(t, a, 9)
	out, _ := a.Outbox(ctx, 20)
	culprit := out[4].ID // the third intake
	var batches counter
	inner := h.ts.Config.Handler
	h.ts.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/events") {
			batches.next()
			if slices.Contains(eventIDs(t, r), culprit) {
				w.Header().Set(api.Header, api.HeaderValue)
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusUnprocessableEntity)
				io.WriteString(w, `{"error":{"code":"invalid","message":"Thủ tục không có trong danh mục của thành phố."}}`)
				return
			}
		}
		inner.ServeHTTP(w, r)
	})
	e := h.engine(a)
	rep, err := e.SyncOnce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Pushed != 17 || rep.Quarantined != 1 {
		t.Fatalf("report %+v", rep)
	}
	q, _ := a.Quarantined(ctx)
	if len(q) != 1 || q[0].Event.ID != culprit || !strings.Contains(q[0].Reason, "danh mục") {
		t.Fatalf("quarantined %+v", q)
	}
	if n := batches.n.Load(); n > 11 {
		t.Fatalf("%d calls to isolate one event among 18", n)
	}
}

func TestClockSkewIsMeasuredAndReported(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, central.FaultConfig{})
	a := h.workstation(1)
	e := h.engine(a, func(o *Options) { o.Now = func() time.Time { return time.Now().Add(5 * time.Minute) } })
	if _, err := e.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	st := e.Status()
	if st.ClockSkew > -4*time.Minute || st.ClockSkew < -6*time.Minute || !strings.Contains(st.SkewWarning, "nhanh") {
		t.Fatalf("skew %v %q", st.ClockSkew, st.SkewWarning)
	}
	e2 := h.engine(a)
	if _, err := e2.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if st := e2.Status(); st.SkewWarning != "" {
		t.Fatalf("warning with a right clock: %q", st.SkewWarning)
	}
}

func TestCancellationIsNotAnError(t *testing.T) {
	h := newHarness(t, central.FaultConfig{})
	a := h.workstation(1)
	receive(t, a, 1)
	h.srv.SetFaults(central.FaultConfig{Hook: onPush(func(int64) central.Fault { return central.FaultSlow }), Slow: time.Minute})
	e := h.engine(a)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx) }()
	waitFor(t, "a call in flight", func() bool { return len(h.requests(http.MethodPost, "/events")) > 0 })
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	if st := e.Status(); st.LastError != "" {
		t.Fatalf("cancellation reported as %q", st.LastError)
	}
}
