package peer

import (
	"context"
	gosync "sync"
	"testing"
	"time"

	"motcua/domain"
)

// appliedLog records what Options.OnApplied is told, from any goroutine.
type appliedLog struct {
	mu  gosync.Mutex
	ids map[string]bool
}

func (l *appliedLog) add(evs []domain.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, e := range evs {
		l.ids[e.StreamID] = true
	}
}

func (l *appliedLog) has(id string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.ids[id]
}

// Events a peer brings — pulled from its server or offered to this one's — are told to
// OnApplied once stored, so the desktop's open screens follow them like a pull from the city.
func TestOnAppliedToldOfPeerEvents(t *testing.T) {
	c := newCity(t)
	a, b := c.enrolled(testUnit, 1), c.enrolled(testUnit, 2)
	a.refreshKeys()
	b.refreshKeys()

	// b serves with OnApplied set: what a offers reaches it.
	offered := &appliedLog{ids: map[string]bool{}}
	opt := nodeOptions()
	opt.OnApplied = offered.add
	b.node = New(b.store, opt)
	ln, srv, err := b.node.Listen(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { b.node.Serve(ctx, ln, srv); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	b.addr = ln.Addr().String()
	a.addPeers(b)

	fromA, fromB := a.receive(1)[0], b.receive(1)[0]
	pulled := &appliedLog{ids: map[string]bool{}}
	opt = nodeOptions()
	opt.OnApplied = pulled.add
	rs := New(a.store, opt).Round(context.Background())
	if !a.has(fromB.ID) || !pulled.has(fromB.ID) {
		t.Fatalf("pulled from the peer: stored %v, told %v (%+v)", a.has(fromB.ID), pulled.has(fromB.ID), rs)
	}
	deadline := time.Now().Add(5 * time.Second)
	for !offered.has(fromA.ID) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if !b.has(fromA.ID) || !offered.has(fromA.ID) {
		t.Fatalf("offered to the peer: stored %v, told %v (%+v)", b.has(fromA.ID), offered.has(fromA.ID), rs)
	}

	// A round that brings nothing new tells nothing.
	again := &appliedLog{ids: map[string]bool{}}
	opt.OnApplied = again.add
	New(a.store, opt).Round(context.Background())
	if len(again.ids) != 0 {
		t.Fatalf("a round with nothing new told %v", again.ids)
	}
}
