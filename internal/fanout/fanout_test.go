package fanout

import (
	"sync"
	"testing"
)

func TestAddNotifyCancel(t *testing.T) {
	var s Subscribers[int]
	var got []int
	var mu sync.Mutex
	cancelA := s.Add(func(v int) { mu.Lock(); got = append(got, v); mu.Unlock() })
	s.Add(func(v int) { mu.Lock(); got = append(got, 10*v); mu.Unlock() })
	s.Notify(1)
	if len(got) != 2 || got[0]+got[1] != 11 {
		t.Fatalf("got %v", got)
	}
	cancelA()
	cancelA()
	if s.Len() != 1 {
		t.Fatalf("len %d after cancel", s.Len())
	}
	got = nil
	s.Notify(2)
	if len(got) != 1 || got[0] != 20 {
		t.Fatalf("after cancel: %v", got)
	}
}

// A callback may cancel itself while being called, and notifications may come from many
// goroutines (run under -race).
func TestCancelInsideAndConcurrent(t *testing.T) {
	var s Subscribers[string]
	var cancel func()
	calls := 0
	cancel = s.Add(func(string) { calls++; cancel() })
	s.Notify("a")
	s.Notify("b")
	if calls != 1 || s.Len() != 0 {
		t.Fatalf("calls %d, len %d", calls, s.Len())
	}
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := s.Add(func(string) {})
			s.Notify("x")
			c()
		}()
	}
	wg.Wait()
	if s.Len() != 0 {
		t.Fatalf("len %d", s.Len())
	}
}
