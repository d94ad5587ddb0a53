package ui

import "motcua/internal/fanout"

// Listeners keeps the callbacks of Syncer.OnChange for an implementation: Add returns
// the cancel function the UI calls when the window that subscribed goes away.
type Listeners struct{ s fanout.Subscribers[struct{}] }

// Add registers f until cancel is called.
func (l *Listeners) Add(f func()) (cancel func()) { return l.s.Add(func(struct{}) { f() }) }

// Notify calls every registered callback (outside the lock: a callback may cancel).
func (l *Listeners) Notify() { l.s.Notify(struct{}{}) }

// Len is how many callbacks are registered.
func (l *Listeners) Len() int { return l.s.Len() }
