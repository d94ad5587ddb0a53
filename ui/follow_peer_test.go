package ui

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"motcua/domain"
	"motcua/localdb"
	appsync "motcua/sync"
	"motcua/sync/central"
	"motcua/sync/peer"
)

// What a LAN peer brings refreshes an open dossier and the queue like a pull from the city:
// the peer node's OnApplied feeds the engine's OnPulled hook (Engine.TellApplied), as
// cmd/motcua wires it. Counter 2 forwards a dossier counter 1 received; counter 1's open
// detail shows it after one exchange, with the city unreachable.
func TestOpenScreensFollowALANPeer(t *testing.T) {
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := central.Open(ctx, central.Options{Dir: t.TempDir(), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() { ts.Close(); srv.Close() })
	enroll := func(s *localdb.Store, slot int, name string) {
		t.Helper()
		code, _, err := srv.Central().IssueEnrollCode(ctx, testUnit.UnitCode, testUnit.UnitName, slot)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := appsync.Enroll(ctx, s, ts.URL, code, name); err != nil {
			t.Fatal(err)
		}
	}
	h := newHarness(t, vnTime(2026, 3, 16, 9, 0))
	h.setUp()
	enroll(h.store, testUnit.Slot, "Quầy 1")
	other, err := localdb.Open(ctx, t.TempDir(), localdb.Options{LightPasswordHashing: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	enroll(other, 2, "Quầy 2")
	d := receiveFor(t, h, testClerk, "Nguyễn Thị Mai", "031190012345")
	eng := appsync.New(h.store, appsync.Options{Logger: quiet})
	if _, err := eng.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	eng2 := appsync.New(other, appsync.Options{Logger: quiet})
	if _, err := eng2.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	for _, s := range []*localdb.Store{h.store, other} {
		if err := appsync.RefreshKeys(ctx, s, nil); err != nil {
			t.Fatal(err)
		}
	}
	ts.Close() // the city is gone: only the LAN is left

	// Counter 2 serves its events on the LAN.
	off := false
	opt := peer.Options{Listen: "127.0.0.1:0", MDNS: &off, RequestTimeout: 10 * time.Second, Logger: quiet}
	n2 := peer.New(other, opt)
	ln, hs, err := n2.Listen(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { n2.Serve(sctx, ln, hs); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	if _, err := h.store.AddPeer(ctx, ln.Addr().String(), localdb.PeerManual); err != nil {
		t.Fatal(err)
	}

	h.ui.opt.Sync = pullingSyncer{&engineSyncer{e: eng, store: h.store}}
	h.ui.followSync()
	h.ui.win.Resize(fyne.NewSize(1280, 720))
	h.signIn(testClerk)
	q := queueOf(t, h)
	h.ui.openDossier(d.ID)
	h.settle()
	v := q.detail
	if v.d.Status != domain.StatusAccepted {
		t.Fatalf("before the exchange: %v", v.d.Status)
	}
	gen := q.gen

	if _, err := other.Forward(ctx, domain.Staff{Username: "binh", FullName: "Trần Văn Bình", Role: domain.RoleCounter},
		d.ID, "Công chức Tư pháp - Hộ tịch", ""); err != nil {
		t.Fatal(err)
	}
	mine := opt
	mine.OnApplied = eng.TellApplied // as internal/desktop wires the node
	if rs := peer.New(h.store, mine).Round(ctx); len(rs) == 0 {
		t.Fatal("no exchange with counter 2")
	}
	h.settle()
	if v.d.Status != domain.StatusProcessing || !strings.Contains(v.banner.label.Text, "vừa được cập nhật") {
		t.Fatalf("the open dossier did not follow the peer: %v, banner %q", v.d.Status, v.banner.label.Text)
	}
	if q.gen == gen {
		t.Fatal("the queue did not reload after the exchange")
	}
}
