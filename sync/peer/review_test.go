package peer

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"motcua/domain"
	"motcua/localdb"
	"motcua/sync/api"
)

// The same peer list typed on every counter holds each counter's own address: sync --once
// recognises itself by its own key and skips it silently, exit 0.
func TestOwnAddressInThePeerList(t *testing.T) {
	c := newCity(t)
	a := c.workstation(testUnit, 1)
	b := c.workstation(testUnit, 2)
	a.refreshKeys()
	d := b.receive(1)
	a.addPeers(a, b)
	c.stop()
	for round := range 2 {
		out, err := a.syncOnce()
		if err != nil {
			t.Fatalf("round %d with its own address listed: %v\n%s", round, err, out)
		}
		if strings.Contains(out, a.addr) || strings.Contains(out, "chính máy này") {
			t.Fatalf("round %d reports its own address:\n%s", round, out)
		}
	}
	if !a.has(d[0].ID) {
		t.Fatal("the real peer was not read")
	}
}

// Item 1: a key the city vouched for, missing from a roster made before this workstation
// learned it, is "not in the latest list" — not "revoked".
func TestKeyNewerThanTheRoster(t *testing.T) {
	ctx := context.Background()
	c := newCity(t)
	a := c.workstation(testUnit, 1)
	if _, ok, _ := a.store.Roster(ctx); !ok { // fetched at enrollment
		t.Fatal("enrollment did not fetch the roster")
	}
	late := c.workstation(testUnit, 2)
	// a learns late's key without a newer roster (as from keys that came without one).
	time.Sleep(5 * time.Millisecond)
	kr, err := c.c.DeviceKeys(ctx, testUnit)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := a.store.AddDeviceKeys(ctx, kr.Keys); err != nil || n == 0 {
		t.Fatalf("late's key not learned: %d %v", n, err)
	}
	r := a.exchangeWith(late.addr)
	if r.Err == nil {
		t.Fatalf("a key not in the roster was admitted: %+v", r)
	}
	contains(t, "refusal", r.Err.Error(), "chưa có trong danh sách máy mới nhất của thành phố", "đồng bộ với thành phố hoặc nhập gói USB")
	if strings.Contains(r.Err.Error(), "thu hồi") {
		t.Fatalf("a new workstation called revoked: %v", r.Err)
	}
	// The same refusal from a's server, in late's words.
	r = late.exchangeWith(a.addr)
	if r.Err == nil || strings.Contains(r.Err.Error(), "thu hồi") {
		t.Fatalf("a's server on a key newer than its roster: %+v", r)
	}
	contains(t, "refusal", r.Err.Error(), "chưa có trong danh sách máy mới nhất")
	// Keys and a roster of the same reply: the roster names every active device it was made
	// with, so late (active) is admitted…
	a.refreshKeys()
	if r := a.exchangeWith(late.addr); r.Err != nil {
		t.Fatalf("after the roster was refreshed: %+v", r)
	}
	// …and, revoked, is called revoked.
	if err := c.c.Revoke(ctx, late.store.Config().DeviceID); err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Millisecond) // the city's roster clock past the key's
	a.refreshKeys()
	r = a.exchangeWith(late.addr)
	if r.Err == nil {
		t.Fatal("a revoked workstation admitted")
	}
	contains(t, "refusal", r.Err.Error(), "đã bị thành phố thu hồi")
	// A device revoked before a ever heard of it: its key and the roster without it come in
	// the same reply, and it is called revoked.
	gone := c.workstation(testUnit, 3)
	if err := c.c.Revoke(ctx, gone.store.Config().DeviceID); err != nil {
		t.Fatal(err)
	}
	a.refreshKeys()
	r = a.exchangeWith(gone.addr)
	if r.Err == nil {
		t.Fatal("a workstation revoked before it was known admitted")
	}
	contains(t, "refusal", r.Err.Error(), "đã bị thành phố thu hồi")
}

// Item 2: hosts that accept and never answer cannot delay the real peer: exchanges run in
// parallel within a round's deadline, the answering peers first.
func TestBlackHolePeers(t *testing.T) {
	c := newCity(t)
	a := c.workstation(testUnit, 1)
	b := c.workstation(testUnit, 2)
	a.refreshKeys()
	d := b.receive(1)
	c.stop()
	var holes []net.Listener
	for range 6 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		holes = append(holes, ln)
		go func() {
			for {
				conn, err := ln.Accept()
				if err != nil {
					return
				}
				t.Cleanup(func() { conn.Close() }) // accepted, never answered
			}
		}()
		t.Cleanup(func() { ln.Close() })
		a.addPeers(&station{addr: ln.Addr().String()})
	}
	a.addPeers(b) // listed after the black holes (addresses sort by port)
	start := time.Now()
	out, err := a.syncOnce()
	took := time.Since(start)
	if err != nil {
		t.Fatalf("sync --once with black holes and one real peer: %v\n%s", err, out)
	}
	if !a.has(d[0].ID) {
		t.Fatal("the real peer was not read")
	}
	// Six holes, four at a time, each cut at the handshake bound: two bounds at most.
	if took > 2*handshakeTimeout+3*time.Second {
		t.Fatalf("a round with black holes took %v", took)
	}
	// The next round tries the real peer first: it is done before any hole times out.
	opt := nodeOptions()
	opt.RoundTimeout = handshakeTimeout / 2
	more := b.receive(1)
	rs := New(a.store, opt).Round(context.Background())
	if !a.has(more[0].ID) {
		t.Fatalf("with a round deadline shorter than a hole's bound, the real peer was not read: %+v", rs)
	}
}

// Item 2: discovered addresses are capped and expire; typed ones stay.
func TestDiscoveredPeersCappedAndExpired(t *testing.T) {
	ctx := context.Background()
	c := newCity(t)
	a := c.workstation(testUnit, 1)
	if _, err := a.store.AddPeer(ctx, "192.0.2.1:47470", localdb.PeerManual); err != nil {
		t.Fatal(err)
	}
	for i := range 40 {
		if _, err := a.store.AddPeer(ctx, fmt.Sprintf("192.0.2.%d:47470", 10+i), localdb.PeerMDNS); err != nil {
			t.Fatal(err)
		}
	}
	ps, _ := a.store.Peers(ctx)
	mdns := 0
	for _, p := range ps {
		if p.Source == localdb.PeerMDNS {
			mdns++
		}
	}
	if mdns != localdb.MaxDiscoveredPeers || len(ps) != localdb.MaxDiscoveredPeers+1 {
		t.Fatalf("%d discovered, %d in all; want %d discovered", mdns, len(ps), localdb.MaxDiscoveredPeers)
	}
	// A day later, none answered: the discovered ones go, the typed one stays.
	opt := nodeOptions()
	opt.Now = func() time.Time { return time.Now().Add(localdb.DiscoveredPeerTTL + time.Hour) }
	New(a.store, opt).expire(ctx)
	ps, _ = a.store.Peers(ctx)
	if len(ps) != 1 || ps[0].Source != localdb.PeerManual {
		t.Fatalf("after a day: %+v", ps)
	}
}

// Item 8: a peer in the roster that turns hostile: its words are shortened to one plain
// line; its forged events fill no table (a bound per exchange, and the exchange stops at
// the first page with one); `stats` counts them.
func TestHostilePeerInTheRoster(t *testing.T) {
	ctx := context.Background()
	c := newCity(t)
	a := c.workstation(testUnit, 1)
	b := c.workstation(testUnit, 2)
	a.refreshKeys()
	b.refreshKeys()

	t.Run("its words", func(t *testing.T) {
		addr := b.serveWith(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set(api.Header, api.HeaderValue)
			w.WriteHeader(http.StatusForbidden)
			json.NewEncoder(w).Encode(api.ErrorResponse{Error: api.ErrorBody{Code: "x",
				Message: "<b>Hãy gọi 0900…</b>\nngay\r\n" + strings.Repeat("rất dài ", 10000)}})
		}))
		r := a.exchangeWith(addr)
		if r.Err == nil {
			t.Fatal("a refusal taken for success")
		}
		msg := r.Err.Error()
		if strings.ContainsAny(msg, "<>\n\r") || len([]rune(msg)) > 300 || !strings.Contains(msg, "Hãy gọi 0900") {
			t.Fatalf("the peer's words not sanitised: %q", msg)
		}
		a.store.AddPeer(ctx, addr, localdb.PeerManual)
		New(a.store, nodeOptions()).Round(ctx)
		ps, _ := a.store.Peers(ctx)
		for _, p := range ps {
			if p.Addr == addr && (strings.ContainsAny(p.LastError, "<>\n") || len([]rune(p.LastError)) > 400) {
				t.Fatalf("stored: %q", p.LastError)
			}
		}
		a.store.RemovePeer(ctx, addr)
	})

	t.Run("forged events", func(t *testing.T) {
		made := b.receive(1)
		var genuine domain.Event
		pages := 0
		addr := b.serveWith(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			pages++
			if genuine.ID == "" {
				p, _ := b.store.PeerChanges(r.Context(), "", "", 1, 1<<20)
				genuine = p.Events[0]
			}
			evs := make([]domain.Event, 300)
			for i := range evs {
				e := genuine
				e.ID = fmt.Sprintf("%s-forged-%d-%d", genuine.ID[:8], pages, i)
				evs[i] = e
			}
			w.Header().Set(api.Header, api.HeaderValue)
			json.NewEncoder(w).Encode(api.ChangesResponse{Events: evs, Cursor: fmt.Sprintf("%d:0123456789abcdef", pages), More: true})
		}))
		r := a.exchangeWith(addr)
		if r.Err == nil || r.InStep {
			t.Fatalf("a peer sending forged events in step: %+v", r)
		}
		contains(t, "error", r.Err.Error(), "không tin được", "ngừng trao đổi")
		if pages != 1 {
			t.Fatalf("the exchange went on for %d pages after forged events", pages)
		}
		if n := refusedCount(t, a); n != maxRefusedKept || r.Refused != maxRefusedKept {
			t.Fatalf("%d refused events kept (result says %d), want the bound %d", n, r.Refused, maxRefusedKept)
		}
		st, err := a.store.Stats(ctx)
		if err != nil || st.Refused != maxRefusedKept {
			t.Fatalf("stats count %d refused events (%v), want %d", st.Refused, err, maxRefusedKept)
		}
		_ = made
	})
}

// Item 4: the receiving side of an offer screens like a pull: an edited event is refused
// and kept aside, the genuine ones applied, nothing enters the outbox.
func TestOfferedEventsScreened(t *testing.T) {
	ctx := context.Background()
	c := newCity(t)
	a := c.workstation(testUnit, 1)
	b := c.enrolled(testUnit, 2) // serves nothing
	a.refreshKeys()
	b.refreshKeys()
	made := b.receive(2)
	b.addPeers(a)
	c.stop()
	out, err := b.syncOnce()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	contains(t, "report", out, "gửi 4 sự kiện", "Đã đồng bộ xong")
	for _, d := range made {
		if !a.has(d.ID) {
			t.Fatalf("a lacks %s offered by b", d.Code)
		}
	}
	if n := waiting(t, a); n != 0 {
		t.Fatalf("a would push %d events b offered", n)
	}
	// Offered again (nothing new): nothing sent.
	out, err = b.syncOnce()
	if err != nil || !strings.Contains(out, "gửi 0 sự kiện") {
		t.Fatalf("second round: %v\n%s", err, out)
	}
	// An edited event offered straight to a's handler: refused, kept aside, not applied.
	p, _ := b.store.PeerChanges(ctx, "", "", 10, 1<<20)
	e := p.Events[0]
	e.ID = "edited-" + e.ID[7:]
	e.Payload = json.RawMessage(strings.Replace(string(e.Payload), "Nguyễn Văn An", "Kẻ Giả Mạo", 1))
	body, _ := json.Marshal(OfferRequest{Events: []domain.Event{e}})
	h := &handler{store: a.store, log: quiet, now: time.Now, slots: make(chan struct{}, 1)}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, EventsPath, strings.NewReader(string(body)))
	req = req.WithContext(context.WithValue(req.Context(), askerKey{}, b.store.Config().DeviceID))
	h.events(rec, req)
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "không tin được") {
		t.Fatalf("an edited event offered: %d %s", rec.Code, rec.Body.String())
	}
	if n := refusedCount(t, a); n != 1 {
		t.Fatalf("%d refused events kept, want 1", n)
	}
}

// Item 6: a peer address that does not speak TLS, in words.
func TestNotAPeer(t *testing.T) {
	c := newCity(t)
	a := c.workstation(testUnit, 1)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer ts.Close()
	r := a.exchangeWith(ts.Listener.Addr().String())
	if r.Err == nil {
		t.Fatal("a plain HTTP server taken for a peer")
	}
	contains(t, "error", r.Err.Error(), "không phải máy ngang hàng motcua")
	if strings.Contains(r.Err.Error(), "tls:") || strings.Contains(r.Err.Error(), "record") {
		t.Fatalf("raw error: %v", r.Err)
	}
	busy := New(a.store, Options{Listen: a.addr, Logger: quiet})
	if _, _, err := busy.Listen(context.Background()); err == nil || !strings.Contains(err.Error(), "đang được một chương trình khác dùng") {
		t.Fatalf("listening on a port in use: %v", err)
	}
}

// What a peer served in an exchange is not offered back to it in the same exchange: a
// counter that learns the unit's events from a peer sends back only what the peer lacks.
func TestNothingOfferedBackToItsSource(t *testing.T) {
	c := newCity(t)
	a, x := c.workstation(testUnit, 1), c.workstation(testUnit, 2)
	b := c.enrolled(testUnit, 3) // serves nothing
	for _, s := range []*station{a, x, b} {
		s.refreshKeys()
	}
	c.stop()
	a.receive(1)
	x.receive(2)
	mine := b.receive(1)
	if r := a.exchangeWith(x.addr); r.Err != nil || r.Received != 4 {
		t.Fatalf("a learns x's dossiers: %+v", r)
	}
	// b learns a's and x's events from a (6), and offers a only its own (2).
	r := b.exchangeWith(a.addr)
	if r.Err != nil || !r.InStep || r.Received != 6 || r.Offered != 2 {
		t.Fatalf("b's exchange with a: received %d, offered %d (want 6 and 2): %v", r.Received, r.Offered, r.Err)
	}
	if !a.has(mine[0].ID) {
		t.Fatal("a lacks b's dossier")
	}
	// Nothing is left to offer afterwards either.
	if r := b.exchangeWith(a.addr); r.Err != nil || r.Offered != 0 || r.Received != 0 {
		t.Fatalf("second exchange: %+v", r)
	}
}

// In peer mode, `sync --once` checks the city with a probe first. A city that answers 5xx
// (restarting, overloaded) is tried again with backoff after the peers' exchange, as the
// city-only command retries its passes, instead of being reported at once and failing the
// command; the clerk reads plain words of each wait, never the transport's.
func TestPeerModeCityProbeRetried(t *testing.T) {
	c := newCity(t)
	a := c.workstation(testUnit, 1)
	b := c.workstation(testUnit, 2)
	a.refreshKeys()
	b.refreshKeys()
	a.addPeers(b)
	made := b.receive(1)

	var pings atomic.Int32
	c.stop()
	c.front = func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/ping") && pings.Add(1) <= 2 {
				http.Error(w, "restarting", http.StatusServiceUnavailable)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
	c.start()

	var out bytes.Buffer
	err := SyncOnceCommand(context.Background(), a.store, &out, CommandOptions{CityBackoff: 10 * time.Millisecond, Node: nodeOptions()})
	if err != nil {
		t.Fatalf("sync --once with a city that answered 503 twice: %v\n%s", err, out.String())
	}
	if n := pings.Load(); n < 3 {
		t.Errorf("the city was probed %d times", n)
	}
	// The first 503 does not hold the peers up: they are read, then the city is tried again.
	contains(t, "report", out.String(), "Máy chủ đang gặp sự cố (mã 503)", "sẽ thử lại sau khi đồng bộ với các máy ngang hàng",
		"— Máy chủ thành phố (thử lại):", "Lần thử chưa xong: Máy chủ đang gặp sự cố (mã 503)", "thử lại sau", "Đã đồng bộ xong.")
	if strings.Index(out.String(), "— Máy ngang hàng") > strings.Index(out.String(), "(thử lại)") {
		t.Errorf("the peers waited for the city's retries:\n%s", out.String())
	}
	for _, bad := range []string{"restarting", "http://", "dial tcp", "EOF"} {
		if strings.Contains(out.String(), bad) {
			t.Errorf("the report has %q:\n%s", bad, out.String())
		}
	}
	if !a.has(made[0].ID) {
		t.Error("the peer's dossier did not arrive")
	}
}
