package localdb

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// The events served to a peer: the unit's signed events in stored order, never the asker's
// own, in pages bounded by count and bytes, with a cursor that a restored or foreign store
// does not take for its own.
func TestPeerChangesPagesAndCursor(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t, vnTime(2026, 3, 2, 9, 0))
	for range 3 {
		if _, err := s.Receive(ctx, clerk, birthIntake()); err != nil {
			t.Fatal(err)
		}
	}
	all, err := s.PeerChanges(ctx, "", "another-device", 1000, 1<<20)
	if err != nil || all.More || len(all.Events) < 3 {
		t.Fatalf("all at once: %d events, more %v, %v", len(all.Events), all.More, err)
	}
	// The asker's own events are not served (here: this store's, as if it asked itself).
	own, err := s.PeerChanges(ctx, "", s.Config().DeviceID, 1000, 1<<20)
	if err != nil || len(own.Events) != 0 {
		t.Fatalf("the asker's own events were served: %d (%v)", len(own.Events), err)
	}
	// Page by page, by count and by bytes, the same events in the same order.
	for _, bound := range []struct{ limit, bytes int }{{1, 1 << 20}, {1000, 1}} {
		var got []string
		cursor := ""
		for i := 0; ; i++ {
			p, err := s.PeerChanges(ctx, cursor, "another-device", bound.limit, bound.bytes)
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Events) != 1 {
				t.Fatalf("bound %+v: page of %d events", bound, len(p.Events))
			}
			got = append(got, p.Events[0].ID)
			cursor = p.Cursor
			if !p.More {
				break
			}
		}
		if len(got) != len(all.Events) {
			t.Fatalf("bound %+v: %d events paged, %d at once", bound, len(got), len(all.Events))
		}
		for i := range got {
			if got[i] != all.Events[i].ID {
				t.Fatalf("bound %+v: order differs at %d", bound, i)
			}
		}
	}
	// The end: an empty page keeps the cursor.
	end, err := s.PeerChanges(ctx, all.Cursor, "another-device", 1000, 1<<20)
	if err != nil || len(end.Events) != 0 || end.More || end.Cursor != all.Cursor {
		t.Fatalf("after the end: %+v %v", end, err)
	}
	// A cursor this store did not give (another store's, or this one before a restore).
	seq, _, _ := strings.Cut(all.Cursor, ":")
	for _, bad := range []string{seq + ":0000000000000000", "99999:" + strings.Repeat("a", 16), "x", "1:short", "-1:" + strings.Repeat("a", 16)} {
		if _, err := s.PeerChanges(ctx, bad, "another-device", 10, 1<<20); !errors.Is(err, ErrPeerCursor) {
			t.Errorf("cursor %q: %v, want ErrPeerCursor", bad, err)
		}
	}
}

// Peer addresses: typed ones are checked and normalised, found ones never overwrite typed
// ones, and outcomes are recorded.
func TestPeerAddresses(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t, vnTime(2026, 3, 2, 9, 0))
	for _, bad := range []string{"", "a b:1", "host:0", "host:99999", "host:port"} {
		if _, err := s.AddPeer(ctx, bad, PeerManual); err == nil {
			t.Errorf("address %q accepted", bad)
		}
	}
	a, err := s.AddPeer(ctx, " https://192.168.1.12/ ", PeerManual)
	if err != nil || a != "192.168.1.12:47470" {
		t.Fatalf("default port: %q %v", a, err)
	}
	if _, err := s.AddPeer(ctx, "192.168.1.12:47470", PeerMDNS); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddPeer(ctx, "[fe80::1]:5000", PeerMDNS); err != nil {
		t.Fatal(err)
	}
	ps, err := s.Peers(ctx)
	if err != nil || len(ps) != 2 || ps[0].Source != PeerManual || ps[1].Source != PeerMDNS || ps[1].Addr != "[fe80::1]:5000" {
		t.Fatalf("peers: %+v %v", ps, err)
	}
	if err := s.NotePeer(ctx, a, PeerOutcome{Device: "d2", Name: "Quầy 2", Received: 5, Complete: true}); err != nil {
		t.Fatal(err)
	}
	if err := s.NotePeer(ctx, a, PeerOutcome{Error: "không kết nối được"}); err != nil {
		t.Fatal(err)
	}
	ps, _ = s.Peers(ctx)
	p := ps[0]
	if p.Device != "d2" || p.Name != "Quầy 2" || p.Received != 5 || p.LastExchange.IsZero() || p.LastError != "không kết nối được" || p.AddedAt.IsZero() {
		t.Fatalf("outcome: %+v", p)
	}
	if found, err := s.RemovePeer(ctx, "192.168.1.12"); err != nil || !found {
		t.Fatalf("remove: %v %v", found, err)
	}
	if found, _ := s.RemovePeer(ctx, "192.168.1.12"); found {
		t.Fatal("removed twice")
	}
}
