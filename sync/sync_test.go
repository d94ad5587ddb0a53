package sync

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"motcua/domain"
	"motcua/localdb"
	"motcua/sync/central"
)

func TestPushPullBetweenTwoWorkstations(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, central.FaultConfig{})
	a, b := h.workstation(1), h.workstation(2)
	ds := receive(t, a, 3)
	w := waiting(t, a) // each intake also counts a visit: 6 events
	ea, eb := h.engine(a), h.engine(b)

	rep, err := ea.SyncOnce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Pushed != w || rep.Pulled != 0 || w != 6 {
		t.Fatalf("first pass %+v", rep)
	}
	st, _ := h.c.Stats(ctx)
	if st.Dossiers != 3 || st.Events != w || st.ByStatus["2"] != 3 {
		t.Fatalf("server stats %+v", st)
	}
	if c, _ := a.SyncCounts(ctx); c.Waiting != 0 {
		t.Fatalf("outbox after push: %+v", c)
	}
	rep, err = eb.SyncOnce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Pulled != w {
		t.Fatalf("b pulled %+v", rep)
	}
	for _, d := range ds {
		got, err := b.Get(ctx, d.ID)
		if err != nil || got.Code != d.Code || got.Status != domain.StatusAccepted {
			t.Fatalf("b has %+v %v", got, err)
		}
	}
	// Nothing new: the catalogue answers 304 and nothing moves.
	rep, err = eb.SyncOnce(ctx)
	if err != nil || rep.Progress() {
		t.Fatalf("idle pass %+v %v", rep, err)
	}
	if s := eb.Status(); !s.Online || s.LastSuccess.IsZero() || s.LastError != "" || !s.Enrolled {
		t.Fatalf("status %+v", s)
	}
	if cur, _ := b.SyncValue(ctx, localdb.SyncKeyCursor); cur == "" {
		t.Fatal("no cursor stored")
	}
}

func TestEnrollRefusedForAnotherSlotChangesNothing(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, central.FaultConfig{})
	a := h.workstation(1)
	receive(t, a, 1)
	tok := tokenOf(t, a)
	code, _, err := h.c.IssueEnrollCode(ctx, testUnit, testUnitName, 2)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Enroll(ctx, a, h.ts.URL, code, "Quầy 1")
	if err == nil || !strings.Contains(err.Error(), "số máy 1") {
		t.Fatalf("enrollment at another slot: %v", err)
	}
	if cfg := a.Config(); cfg.Slot != 1 || cfg.UnitCode != testUnit || tokenOf(t, a) != tok {
		t.Fatalf("config changed: %+v", cfg)
	}
	// The refusal came before the server touched anything: the old enrollment still works
	// and the code is still good for the workstation it was meant for.
	if _, err := h.engine(a).SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	b, err := localdb.Open(ctx, t.TempDir(), localdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if _, err := Enroll(ctx, b, h.ts.URL, code, "Quầy 2"); err != nil {
		t.Fatal(err)
	}
	if b.Config().Slot != 2 {
		t.Fatalf("b slot %d", b.Config().Slot)
	}
	// A bad code is refused with the server's words.
	if _, err := Enroll(ctx, b, h.ts.URL, "AAAA-BBBB-CCCC", ""); err == nil || !strings.Contains(err.Error(), "Mã đăng ký không đúng") {
		t.Fatalf("bad code: %v", err)
	}
	// So is a server that is not there.
	if _, err := Enroll(ctx, b, "http://127.0.0.1:1", code, ""); !isClass(err, ClassNetwork) {
		t.Fatalf("no server: %v", err)
	}
}

func TestCommands(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, central.FaultConfig{})
	s, err := localdb.Open(ctx, t.TempDir(), localdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var out bytes.Buffer
	if err := SyncOnceCommand(ctx, s, &out); !errors.Is(err, ErrNotEnrolled) {
		t.Fatalf("sync before enrollment: %v", err)
	}
	code, _, _ := h.c.IssueEnrollCode(ctx, testUnit, testUnitName, 3)
	out.Reset()
	if err := EnrollCommand(ctx, s, strings.TrimPrefix(h.ts.URL, "http://"), code, "Quầy 3", &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "máy số 3") || !strings.Contains(out.String(), testUnit) {
		t.Fatalf("enroll output %q", out.String())
	}
	receive(t, s, 2)
	out.Reset()
	if err := syncOnceCommand(ctx, s, &out, Options{HTTPClient: h.ts.Client(), MinBackoff: time.Millisecond, Logger: quiet}); err != nil {
		t.Fatalf("sync --once: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "Đã gửi 4 sự kiện") {
		t.Fatalf("sync output %q", out.String())
	}
	// A server that keeps failing: a non-zero exit with a reason, after a few tries.
	receive(t, s, 1)
	h.srv.SetFaults(central.FaultConfig{Hook: func(*http.Request) central.Fault { return central.FaultServerError }})
	out.Reset()
	err = syncOnceCommand(ctx, s, &out, Options{HTTPClient: h.ts.Client(), MinBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond, Logger: quiet})
	if err == nil || !strings.Contains(err.Error(), "còn 2 sự kiện") || !strings.Contains(err.Error(), "mã 503") {
		t.Fatalf("failing server: %v", err)
	}
	if n := len(h.requests(http.MethodPost, "/events")); n < OnceAttempts {
		t.Fatalf("%d attempts", n)
	}
}

// Offline, the loop probes the server cheaply; when a probe succeeds it syncs at once.
func TestProbeTriggersSyncWhenTheServerReturns(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	h := newHarness(t, central.FaultConfig{})
	a := h.workstation(1)
	receive(t, a, 1)
	var down atomic.Bool
	down.Store(true)
	h.srv.SetFaults(central.FaultConfig{Hook: func(*http.Request) central.Fault {
		if down.Load() {
			return central.FaultCaptivePortal
		}
		return central.FaultNone
	}})
	h.resetRequests()
	e := h.engine(a)
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx) }()
	waitFor(t, "a few probes while offline", func() bool { return len(h.requests(http.MethodGet, "/ping")) >= 3 })
	if st := e.Status(); st.Online || st.LastError != MsgCaptive {
		t.Fatalf("status while offline %+v", st)
	}
	pushesWhileDown := len(h.requests(http.MethodPost, "/events"))
	if pushesWhileDown != 1 {
		t.Fatalf("%d full attempts while offline, want 1 then probes only", pushesWhileDown)
	}
	down.Store(false)
	waitFor(t, "a successful sync", func() bool { st := e.Status(); return st.Online && st.LastError == "" && !st.LastSuccess.IsZero() })
	if n := waiting(t, a); n != 0 {
		t.Fatalf("%d events still waiting", n)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// The engine runs from start-up, before the workstation is enrolled; enrolling wakes it.
func TestRunBeforeEnrollmentStartsOnEnrollment(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	h := newHarness(t, central.FaultConfig{})
	s, err := localdb.Open(ctx, t.TempDir(), localdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	e := h.engine(s)
	var mu gosync.Mutex
	var seen []Status
	unsub := e.Subscribe(func(st Status) {
		mu.Lock()
		seen = append(seen, st)
		mu.Unlock()
	})
	defer unsub()
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx) }()
	waitFor(t, "the first wake-up", func() bool { return e.wakes.Load() >= 1 })
	if st := e.Status(); st.Enrolled || !st.NextAttempt.IsZero() {
		t.Fatalf("status before enrollment %+v", st)
	}
	if n := len(h.requests("", "")); n != 0 {
		t.Fatalf("%d calls before enrollment", n)
	}
	h.enroll(s, 4)
	receive(t, s, 1)
	waitFor(t, "the first sync", func() bool { st := e.Status(); return st.Enrolled && !st.LastSuccess.IsZero() && st.EventsWaiting == 0 })
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) < 3 || seen[len(seen)-1].UnitCode != testUnit || seen[len(seen)-1].Slot != 4 {
		t.Fatalf("subscriber saw %d statuses, last %+v", len(seen), seen[len(seen)-1])
	}
}

// A central server that stops while the workstation is idle and online shows as offline
// within a probe interval, not at the next full pass (issue 15: "Trực tuyến" for over a
// minute after the server stopped).
func TestLostServerShowsOfflineAtTheNextProbe(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	h := newHarness(t, central.FaultConfig{})
	a := h.workstation(1)
	receive(t, a, 1)
	e := h.engine(a, func(o *Options) { o.Interval, o.ProbeInterval = time.Hour, 100*time.Millisecond })
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx) }()
	waitFor(t, "the first sync", func() bool { st := e.Status(); return st.Online && !st.LastSuccess.IsZero() })
	waitFor(t, "an idle probe", func() bool { return len(h.requests(http.MethodGet, "/ping")) >= 1 })
	if st := e.Status(); !st.Online {
		t.Fatalf("offline while the server answers: %+v", st)
	}
	h.ts.Close() // the city's server stops
	stopped := time.Now()
	waitFor(t, "offline", func() bool { return !e.Status().Online })
	if took := time.Since(stopped); took > 5*time.Second {
		t.Fatalf("still online %v after the server stopped", took)
	}
	if st := e.Status(); st.LastError == "" || st.NextAttempt.IsZero() {
		t.Fatalf("status after the server stopped %+v", st)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// A pull tells which dossiers it touched, so open screens can refresh (issue 15, item 11).
func TestPulledTellsWhichDossiers(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, central.FaultConfig{})
	a, b := h.workstation(1), h.workstation(2)
	ds := receive(t, a, 3)
	syncUntilDone(t, h.engine(a), 3)
	eb := h.engine(b)
	var got []Pulled
	eb.OnPulled(func(p Pulled) { got = append(got, p) })
	syncUntilDone(t, eb, 3)
	if len(got) != 1 || len(got[0].Dossiers) != 3 || !got[0].Others {
		t.Fatalf("told %+v", got)
	}
	for i, d := range ds {
		if got[0].Dossiers[i] != d.ID {
			t.Fatalf("told %v, want the ids of %v", got[0].Dossiers, ds)
		}
	}
	if _, err := eb.SyncOnce(ctx); err != nil || len(got) != 1 {
		t.Fatalf("an idle pass told %+v (%v)", got, err)
	}
}
