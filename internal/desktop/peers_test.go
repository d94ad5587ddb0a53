package desktop

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"motcua/domain"
	"motcua/localdb"
	appsync "motcua/sync"
	"motcua/sync/central"
	"motcua/sync/peer"
)

// The status bar and the sync panel read the real peer node through the adapter: after an
// exchange with a counter of the unit, with the city stopped, the peer is counted as seen,
// listed with its name and what came from it, the last exchange is set, and what waits for
// the city is counted.
func TestPeersReachTheStatusBar(t *testing.T) {
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := central.Open(ctx, central.Options{Dir: t.TempDir(), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	ts := httptest.NewServer(srv.Handler())
	enrolled := func(slot int, name string) *localdb.Store {
		s, err := localdb.Open(ctx, t.TempDir(), localdb.Options{LightPasswordHashing: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		code, _, err := srv.Central().IssueEnrollCode(ctx, "000.00.06.H56", "Trung tâm Phục vụ hành chính công xã An Hưng", slot)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := appsync.Enroll(ctx, s, ts.URL, code, name); err != nil {
			t.Fatal(err)
		}
		return s
	}
	a, b := enrolled(1, "Quầy 1"), enrolled(2, "Quầy 2")
	if err := appsync.RefreshKeys(ctx, a, nil); err != nil { // the roster with both
		t.Fatal(err)
	}
	ts.Close() // the city's link is down from here

	off := false
	opts := peer.Options{Listen: "127.0.0.1:0", MDNS: &off, RequestTimeout: 10 * time.Second, Logger: quiet}
	nb := peer.New(b, opts)
	ln, hs, err := nb.Listen(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { nb.Serve(sctx, ln, hs); close(done) }()
	t.Cleanup(func() { cancel(); <-done })

	clerk := domain.Staff{Username: "lan", FullName: "Nguyễn Thị Lan", Role: domain.RoleCounter, Active: true}
	for _, s := range []*localdb.Store{a, b} {
		if _, err := s.Receive(ctx, clerk, domain.Intake{ProcedureCode: "1.001193",
			Applicant: domain.Person{Name: "Nguyễn Văn An", IDNumber: "001099012345", Birth: "15/03/1999", Sex: "Nam",
				Phone: "0912345678", Address: "Thôn Đông, xã An Hưng, TP Hải Phòng"},
			Documents: []domain.DocumentItem{{Code: "TK"}, {Code: "GCS"}, {Code: "GTTT"}},
			Summary:   "Đăng ký khai sinh cho con"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := a.AddPeer(ctx, ln.Addr().String(), localdb.PeerManual); err != nil {
		t.Fatal(err)
	}
	engine := appsync.New(a, appsync.Options{Logger: quiet})
	na := peer.New(a, opts)
	ad := newSyncAdapter(engine, a, na)
	changed := make(chan struct{}, 100)
	ad.OnChange(func() { changed <- struct{}{} })
	for _, r := range na.Round(ctx) {
		if r.Err != nil || !r.InStep {
			t.Fatalf("exchange: %+v", r)
		}
	}
	engine.SyncOnce(ctx) // the city unreachable: counts what waits

	info := ad.Info()
	p := info.Peers
	if !p.Enabled || p.Seen != 1 || p.LastExchange.IsZero() || len(p.List) != 1 {
		t.Fatalf("peers as the status bar gets them: %+v", p)
	}
	if l := p.List[0]; l.Addr != ln.Addr().String() || l.Name != "Quầy 2" || l.Discovered || l.Received == 0 || l.Error != "" || l.LastExchange.IsZero() {
		t.Fatalf("the peer's line: %+v", l)
	}
	if n, _ := a.OutboxCount(ctx); info.Waiting != n || n == 0 {
		t.Fatalf("waiting %d, outbox %d", info.Waiting, n)
	}
	select {
	case <-changed:
	default:
		t.Fatal("the screens were not told the peers changed")
	}
}
