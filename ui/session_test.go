package ui

import (
	"context"
	"testing"
)

// fakeSyncer is a sync engine that never syncs: it counts who listens.
type fakeSyncer struct{ subs Listeners }

func (f *fakeSyncer) Info() SyncInfo                     { return SyncInfo{} }
func (f *fakeSyncer) OnChange(fn func()) (cancel func()) { return f.subs.Add(fn) }
func (f *fakeSyncer) SyncNow()                           { f.subs.Notify() }
func (f *fakeSyncer) Enroll(context.Context, string, string, string, bool) error {
	return nil
}

// Signing in and out, locking and changing the language rebuild the window: the old
// window's status bar and sync panel stop listening, so listeners do not pile up.
func TestSyncListenersDoNotPileUp(t *testing.T) {
	h := newHarness(t, vnTime(2026, 3, 2, 8, 0))
	h.setUp()
	sy := &fakeSyncer{}
	h.ui.opt.Sync = sy
	h.signIn(testAdmin)
	h.ui.showScreen(settingsOf(t, h))
	h.settle()
	first := sy.subs.Len()
	if first == 0 {
		t.Fatal("the signed-in window does not listen to sync changes")
	}
	for i := 0; i < 3; i++ {
		h.ui.signOut()
		h.settle()
		if n := sy.subs.Len(); n != 0 {
			t.Fatalf("signed out: %d listeners left", n)
		}
		h.signIn(testAdmin)
		h.ui.buildMain() // as a change of language does
		h.settle()
		sy.SyncNow()
		h.settle()
	}
	if n := sy.subs.Len(); n != first {
		t.Fatalf("after four sign-ins %d listeners, %d after the first", n, first)
	}
}
