package ui

import "sync"

// Listeners keeps the callbacks of Syncer.OnChange for an implementation: Add returns
// the cancel function the UI calls when the window that subscribed goes away.
type Listeners struct {
	mu   sync.Mutex
	next int
	fs   map[int]func()
}

// Add registers f until cancel is called.
func (l *Listeners) Add(f func()) (cancel func()) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.fs == nil {
		l.fs = map[int]func(){}
	}
	id := l.next
	l.next++
	l.fs[id] = f
	return func() {
		l.mu.Lock()
		delete(l.fs, id)
		l.mu.Unlock()
	}
}

// Notify calls every registered callback (outside the lock: a callback may cancel).
func (l *Listeners) Notify() {
	l.mu.Lock()
	fs := make([]func(), 0, len(l.fs))
	for _, f := range l.fs {
		fs = append(fs, f)
	}
	l.mu.Unlock()
	for _, f := range fs {
		f()
	}
}

// Len is how many callbacks are registered.
func (l *Listeners) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.fs)
}
