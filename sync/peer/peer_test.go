package peer

import (
	"context"
	"strings"
	"testing"

	"motcua/domain"
)

// Three counters of one unit, the city's link down: each receives dossiers, and within one
// `sync --once` round each holds all three's; one hands over a dossier another received;
// the city comes back, each pushes, and the city holds every event exactly once with the
// right final status; every store verifies clean.
//
// The third counter serves nothing: it only runs `sync --once`, which offers its events to
// the two that serve, so they too end with all the dossiers.
func TestThreeCountersWithoutTheCity(t *testing.T) {
	ctx := context.Background()
	c := newCity(t)
	w := []*station{c.workstation(testUnit, 1), c.workstation(testUnit, 2), c.enrolled(testUnit, 3)}
	for i, s := range w {
		s.refreshKeys() // the roster, with all three enrolled
		for j, o := range w {
			if i != j {
				s.addPeers(o)
			}
		}
	}

	c.stop()
	var all []domain.Dossier
	mine := make([][]domain.Dossier, 3)
	for i, s := range w {
		mine[i] = s.receive(2)
		all = append(all, mine[i]...)
	}

	// One round: each runs sync --once once.
	for _, s := range w {
		out, err := s.syncOnce()
		if err != nil {
			t.Fatalf("%s: sync --once with the city down and the peers up: %v\n%s", s.name, err, out)
		}
		contains(t, s.name+" report", out, "Máy chủ thành phố", "Không kết nối được", "Máy ngang hàng", "Đã đồng bộ xong")
		// The clerk reads words, not the transport's ("Get \"http://…\": dial tcp …").
		if strings.Contains(out, "dial tcp") || strings.Contains(out, "http://") {
			t.Fatalf("%s report shows the transport's error:\n%s", s.name, out)
		}
	}
	for _, s := range w {
		for _, d := range all {
			if !s.has(d.ID) {
				t.Fatalf("%s lacks dossier %s after one round", s.name, d.Code)
			}
		}
	}

	// Counter 2 records the result of a dossier counter 1 received and hands it over.
	d := mine[0][0]
	if _, err := w[1].store.ResultReady(ctx, clerk, d.ID, domain.ResultReadyPayload{Agency: "UBND xã"}); err != nil {
		t.Fatal(err)
	}
	if _, err := w[1].store.HandOver(ctx, clerk, d.ID, domain.HandedOverPayload{Recipient: domain.Person{Name: "Nguyễn Văn An", IDNumber: "001099012345"}, Method: domain.HandOverCounter}); err != nil {
		t.Fatal(err)
	}
	for _, s := range w {
		if out, err := s.syncOnce(); err != nil {
			t.Fatalf("%s: second round: %v\n%s", s.name, err, out)
		}
	}
	for _, s := range w {
		got, err := s.store.Get(ctx, d.ID)
		if err != nil || got.Status != domain.StatusReturned {
			t.Fatalf("%s sees %s in status %v (%v), want handed over", s.name, d.Code, got.Status, err)
		}
	}

	// Learned events are not in anyone's outbox: each waits to push only its own.
	for i, s := range w {
		evs, err := s.store.Outbox(ctx, 10000)
		if err != nil {
			t.Fatal(err)
		}
		own := s.store.Config().DeviceID
		for _, e := range evs {
			if e.Device != own {
				t.Fatalf("%s would push %s's event %s", s.name, e.Device, e.ID)
			}
		}
		if want := 2 + 2*boolInt(i == 1); len(evs) < want {
			t.Fatalf("%s waits to push %d events, want at least %d", s.name, len(evs), want)
		}
	}

	// The city comes back: each pushes its own, and pulls what it lacks (nothing).
	c.start()
	for _, s := range w {
		out, err := s.syncOnce()
		if err != nil {
			t.Fatalf("%s: sync --once with the city back: %v\n%s", s.name, err, out)
		}
		if n := waiting(t, s); n != 0 {
			t.Fatalf("%s still waits to push %d events", s.name, n)
		}
	}
	// Once more, so every counter has pulled after every push: still nothing new.
	for _, s := range w {
		if out, err := s.syncOnce(); err != nil {
			t.Fatalf("%s: %v\n%s", s.name, err, out)
		}
	}

	evs, err := c.c.Events(ctx)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, e := range evs {
		if seen[e.ID] {
			t.Fatalf("the city holds event %s twice", e.ID)
		}
		seen[e.ID] = true
	}
	for _, s := range w {
		if n := s.eventCount(); n != len(evs) {
			t.Errorf("%s holds %d events, the city %d", s.name, n, len(evs))
		}
	}
	for _, dd := range all {
		got, err := c.c.Dossier(ctx, dd.ID)
		if err != nil {
			t.Fatalf("the city lacks %s: %v", dd.Code, err)
		}
		want := domain.StatusAccepted
		if dd.ID == d.ID {
			want = domain.StatusReturned
		}
		if got.Status != want {
			t.Errorf("the city has %s in status %v, want %v", dd.Code, got.Status, want)
		}
	}
	st, err := c.c.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Dossiers != len(all) {
		t.Errorf("the city holds %d dossiers, want %d", st.Dossiers, len(all))
	}
	for _, s := range w {
		s.verifyClean()
	}
	// A dossier received now takes the next number of the counter's own slot: no counter
	// drift from the events learned from the others.
	for i, s := range w {
		n := s.receive(1)[0]
		for _, dd := range all {
			if dd.Code == n.Code {
				t.Fatalf("%s issued code %s a second time", s.name, n.Code)
			}
		}
		if dc, err := domain.ParseDossierCode(n.Code); err != nil || dc.Slot != i+1 {
			t.Fatalf("%s issued %s (%v)", s.name, n.Code, err)
		}
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
