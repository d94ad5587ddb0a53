package sync

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"motcua/internal/delayproxy"
	"motcua/localdb"
	"motcua/sync/api"
	"motcua/sync/central"
)

// oldServer makes the harness's server behave as one from before compression and the
// compact encoding: it announces neither, serves plain JSON, and fails the test if a client
// sends it a body it could not read.
func oldServer(t *testing.T, h *harness) {
	inner := h.ts.Config.Handler
	h.ts.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Content-Encoding") != "" || strings.Contains(r.Header.Get("Content-Type"), "motcua") {
			t.Errorf("%s %s sent to an old server with Content-Encoding %q, Content-Type %q", r.Method, r.URL.Path,
				r.Header.Get("Content-Encoding"), r.Header.Get("Content-Type"))
		}
		r.Header.Del("Accept-Encoding")
		r.Header.Set("Accept", "application/json")
		inner.ServeHTTP(stripAccept{w}, r)
	})
}

// stripAccept drops api.HeaderAccept from a reply, as an old server never sets it.
type stripAccept struct{ http.ResponseWriter }

func (s stripAccept) WriteHeader(code int) {
	s.Header().Del(api.HeaderAccept)
	s.ResponseWriter.WriteHeader(code)
}

func (s stripAccept) Write(p []byte) (int, error) {
	s.Header().Del(api.HeaderAccept)
	return s.ResponseWriter.Write(p)
}

// pushAndPull: a pushes a backlog (larger than the first batch), b pulls it; both end with
// the same events, every one verified on the way in (its signature over the event as
// received: Refused counts those that fail).
func pushAndPull(t *testing.T, h *harness, via string) {
	t.Helper()
	a, b := h.workstation(1), h.workstation(2)
	if via != "" {
		for _, s := range []*localdb.Store{a, b} {
			cfg := s.Config()
			cfg.ServerURL = via
			if err := s.UpdateConfig(context.Background(), admin, cfg); err != nil {
				t.Fatal(err)
			}
		}
	}
	receive(t, a, 70)
	n := waiting(t, a)
	if n <= firstBatch {
		t.Fatalf("only %d events waiting", n)
	}
	plain := func(o *Options) { o.HTTPClient = &http.Client{Transport: &http.Transport{}} }
	rep := syncUntilDone(t, h.engine(a, plain), 3)
	if rep.Pushed != n || waiting(t, a) != 0 {
		t.Fatalf("pushed %d of %d: %+v", rep.Pushed, n, rep)
	}
	rep = syncUntilDone(t, h.engine(b, plain, func(o *Options) { o.PullLimit = 60 }), 3)
	if rep.Pulled != n || rep.Refused != 0 {
		t.Fatalf("pulled %d of %d: %+v", rep.Pulled, n, rep)
	}
	la, lb := localEvents(t, a), localEvents(t, b)
	for id, e := range la {
		if got, ok := lb[id]; !ok || got.Device != e.Device || got.Local {
			t.Fatalf("event %s: %+v on b, %+v on a", id, got, e)
		}
	}
}

// A new workstation with a server from before compression: it finds no api.HeaderAccept,
// sends plain JSON, reads plain JSON pages, and everything arrives.
func TestNewClientWithOldServer(t *testing.T) {
	h := newHarness(t, central.FaultConfig{})
	oldServer(t, h)
	pushAndPull(t, h, "")
}

// With a new server every push body goes in the compact encoding, gzipped on a wide-area
// path, and pages come compact (and gzipped: Go's client asks and inflates).
func TestNewClientWithNewServerCompresses(t *testing.T) {
	h := newHarness(t, central.FaultConfig{})
	var pushes, compact, gzipped, pages, compactPages atomic.Int64
	h.onRequest(func(r *http.Request) {
		switch {
		case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/events"):
			pushes.Add(1)
			if r.Header.Get("Content-Type") == api.ContentTypeCompact {
				compact.Add(1)
			}
			if r.Header.Get("Content-Encoding") == "gzip" {
				gzipped.Add(1)
			}
		case strings.HasSuffix(r.URL.Path, "/changes"):
			pages.Add(1)
			if strings.Contains(r.Header.Get("Accept"), api.ContentTypeCompact) && strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
				compactPages.Add(1)
			}
		}
	})
	// Through a line with 20 ms of round trip: a wide-area path, where gzip pays.
	proxy, err := delayproxy.Start(h.ts.Listener.Addr().String(), 10*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	pushAndPull(t, h, "http://"+proxy.Addr().String())
	if pushes.Load() == 0 || compact.Load() != pushes.Load() || gzipped.Load() != pushes.Load() {
		t.Fatalf("%d of %d pushes compact, %d gzipped", compact.Load(), pushes.Load(), gzipped.Load())
	}
	if pages.Load() < 2 || compactPages.Load() != pages.Load() {
		t.Fatalf("%d of %d pages asked compact and gzipped", compactPages.Load(), pages.Load())
	}
}

// The adaptive sizes: full batches when the link is fast, a few hundred events on a thin
// link, smaller after a failure, never below the floor nor above the maximum.
func TestLinkSizesBatchesFromMeasures(t *testing.T) {
	var l link
	l.learn("x", api.AcceptValue)
	l.observeRTT(300e3) // loopback
	if n := l.batchSize(1000, 60e9, 4); n != firstBatch {
		t.Fatalf("first batch %d", n)
	}
	// Loopback: 100 events of 60 bytes in 5 ms, four in flight.
	l.pushed(6000, 50000, 100, 5e6, 4)
	if n := l.batchSize(1000, 60e9, 4); n != 4*firstBatch {
		t.Fatalf("second batch %d, want fourfold growth", n)
	}
	if n := l.batchSize(1000, 60e9, 4); n != 1000 {
		t.Fatalf("third batch %d, want the maximum", n)
	}
	if l.worthCompressing() {
		t.Fatal("compressing on a 40 MB/s path")
	}
	// 256 kbit/s: 32 kB/s shared by four requests, 600 ms round trip, 60 bytes an event.
	var thin link
	thin.learn("x", api.AcceptValue)
	thin.observeRTT(600e6)
	for range 10 {
		thin.pushed(6000, 50000, 100, 750e6, 4) // 6 kB per request while four share 32 kB/s
	}
	if !thin.worthCompressing() {
		t.Fatal("not compressing on a thin link")
	}
	n := thin.batchSize(1000, 20e9, 4) // 20 s timeout: 5 s a request at most
	if n < 200 || n > 700 {
		t.Fatalf("batch on a thin link %d", n)
	}
	thin.failed()
	if m := thin.batchSize(1000, 20e9, 4); m > n/2+1 {
		t.Fatalf("after a failure %d, before %d", m, n)
	}
	for range 20 {
		thin.failed()
	}
	if m := thin.batchSize(1000, 20e9, 4); m != minBatch {
		t.Fatalf("floor %d", m)
	}
}

// eventIDs decodes the ids of the events a push body carries (gzip, compact or plain).
func eventIDs(t *testing.T, r *http.Request) []string {
	t.Helper()
	if r.Body == nil {
		return nil
	}
	raw, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(raw))
	body := raw
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			t.Errorf("gzip: %v", err)
			return nil
		}
		body, _ = io.ReadAll(zr)
	}
	var ids []string
	if r.Header.Get("Content-Type") == api.ContentTypeCompact {
		var c api.PushRequestC
		if err := json.Unmarshal(body, &c); err != nil {
			t.Errorf("compact body: %v", err)
		}
		evs, err := c.Events.Unpack()
		if err != nil {
			t.Errorf("compact body: %v", err)
		}
		for _, e := range evs {
			ids = append(ids, e.ID)
		}
	} else {
		var p api.PushRequest
		if err := json.Unmarshal(body, &p); err != nil {
			t.Errorf("body: %v", err)
		}
		for _, e := range p.Events {
			ids = append(ids, e.ID)
		}
	}
	return ids
}

// checkNothingAckedResent is an http.RoundTripper that fails the test when a push carries
// an event its store already holds as acknowledged by the city.
type checkNothingAckedResent struct {
	t     *testing.T
	s     *localdb.Store
	next  http.RoundTripper
	sent  atomic.Int64
	found atomic.Int64
}

func (c *checkNothingAckedResent) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/events") {
		ids := eventIDs(c.t, r)
		held := localEvents(c.t, c.s)
		for _, id := range ids {
			if held[id].State != 0 {
				c.found.Add(1)
				c.t.Errorf("event %s sent again after the city acknowledged it (state %d)", id, held[id].State)
			}
		}
		c.sent.Add(int64(len(ids)))
	}
	return c.next.RoundTrip(r)
}

// Over a link that cuts every connection after a few kilobytes, the engine shrinks its
// batches and pages until they pass, and gets everything across: no event the city
// acknowledged is ever sent again, and no pull starts before the last page it committed.
func TestCutLinkResendsNothingAcknowledged(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, central.FaultConfig{})
	a, b := h.workstation(1), h.workstation(2)
	// Both fetch the catalogue on a good link first: it is not what this test is about.
	syncUntilDone(t, h.engine(a), 3)
	syncUntilDone(t, h.engine(b), 3)
	receive(t, a, 70)
	n := waiting(t, a)
	proxy, err := delayproxy.StartLink(h.ts.Listener.Addr().String(), delayproxy.Link{Latency: 10 * time.Millisecond, CutAfter: 5000})
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	via := func(s *localdb.Store) {
		cfg := s.Config()
		cfg.ServerURL = "http://" + proxy.Addr().String()
		if err := s.UpdateConfig(ctx, admin, cfg); err != nil {
			t.Fatal(err)
		}
	}
	via(a)
	via(b)
	check := &checkNothingAckedResent{t: t, s: a, next: &http.Transport{}}
	ea := h.engine(a, func(o *Options) { o.HTTPClient = &http.Client{Transport: check} })
	if _, err := syncAll(ea, 100); err != nil {
		t.Fatal(err)
	}
	if w := waiting(t, a); w != 0 || proxy.Cuts() == 0 {
		t.Fatalf("%d events still waiting, %d connections cut", w, proxy.Cuts())
	}
	t.Logf("push: %d events sent for %d, %d connections cut", check.sent.Load(), n, proxy.Cuts())
	if check.sent.Load() < int64(n) {
		t.Fatalf("the check saw %d events sent for %d", check.sent.Load(), n)
	}
	if got := len(h.serverEvents()); got != n {
		t.Fatalf("the city holds %d events of %d", got, n)
	}

	cutsBefore := proxy.Cuts()
	proxy.SetCutAfter(12000)
	h.resetRequests()
	eb := h.engine(b)
	eb.opt.HTTPClient = &http.Client{Transport: &http.Transport{}}
	rep, err := syncAll(eb, 100)
	if err != nil {
		t.Fatal(err)
	}
	if proxy.Cuts() == cutsBefore {
		t.Fatal("no page was cut")
	}
	if n := len(localEvents(t, b)); n < len(h.serverEvents()) || rep.Refused != 0 {
		t.Fatalf("b holds %d events of %d (%+v)", n, len(h.serverEvents()), rep)
	}
	// Every page asked after the one before it: a cut page is asked again from where the
	// last committed page ended, never from an earlier point.
	var last int64
	for _, r := range h.requests(http.MethodGet, "/changes") {
		q, _ := url.ParseQuery(r.Query)
		seq := central.CursorSeq(q.Get("after"))
		if seq < last {
			t.Fatalf("a pull went back from %d to %d", last, seq)
		}
		last = seq
	}
}

// While a pass sends, the status says how many events are left, their bytes on the line
// and (once measured) how long they take; it goes down as batches are acknowledged and is
// cleared at the end.
func TestStatusShowsWhatIsLeftToSend(t *testing.T) {
	h := newHarness(t, central.FaultConfig{})
	a := h.workstation(1)
	receive(t, a, 70)
	n := waiting(t, a)
	e := h.engine(a)
	var mu gosync.Mutex
	var seen []Status
	cancel := e.Subscribe(func(s Status) {
		mu.Lock()
		seen = append(seen, s)
		mu.Unlock()
	})
	defer cancel()
	syncUntilDone(t, e, 3)
	mu.Lock()
	defer mu.Unlock()
	first, timed, prev := -1, false, n
	for _, s := range seen {
		if s.LeftEvents == 0 {
			continue
		}
		if first < 0 {
			first = s.LeftEvents
		}
		if s.LeftEvents > prev || s.LeftBytes <= 0 {
			t.Fatalf("left %d events (%d bytes) after %d", s.LeftEvents, s.LeftBytes, prev)
		}
		prev = s.LeftEvents
		timed = timed || s.LeftTime > 0
	}
	if first != n || !timed {
		t.Fatalf("first showed %d of %d events left; a time estimate shown: %v", first, n, timed)
	}
	if last := seen[len(seen)-1]; last.LeftEvents != 0 || last.LeftBytes != 0 || last.Syncing {
		t.Fatalf("after the pass: %+v", last)
	}
}
