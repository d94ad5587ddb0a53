// Package fanout keeps the callbacks that want to hear of a change — the sync engine's and
// the LAN peer node's status subscribers, the screens' listeners — in one place, so each
// component does not write its own map, lock and copy-then-call loop.
package fanout

import "sync"

// Subscribers is a set of callbacks taking a T. The zero value is ready to use; it is safe
// for concurrent use.
type Subscribers[T any] struct {
	mu   sync.Mutex
	next int
	fs   map[int]func(T)
}

// Add registers f until cancel is called (calling cancel twice is harmless).
func (s *Subscribers[T]) Add(f func(T)) (cancel func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fs == nil {
		s.fs = map[int]func(T){}
	}
	id := s.next
	s.next++
	s.fs[id] = f
	return func() {
		s.mu.Lock()
		delete(s.fs, id)
		s.mu.Unlock()
	}
}

// Notify calls every registered callback with v, outside the lock: a callback may cancel
// itself or add another.
func (s *Subscribers[T]) Notify(v T) {
	s.mu.Lock()
	fs := make([]func(T), 0, len(s.fs))
	for _, f := range s.fs {
		fs = append(fs, f)
	}
	s.mu.Unlock()
	for _, f := range fs {
		f(v)
	}
}

// Len is how many callbacks are registered.
func (s *Subscribers[T]) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.fs)
}
