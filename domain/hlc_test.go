package domain

import (
	"sync"
	"testing"
	"time"
)

func TestClockMonotoneDespiteWallClockGoingBack(t *testing.T) {
	wall := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	c := NewClock(func() time.Time { mu.Lock(); defer mu.Unlock(); return wall })
	a := c.Now()
	mu.Lock()
	wall = wall.Add(-time.Hour) // the PC's clock was corrected backwards
	mu.Unlock()
	b := c.Now()
	if b <= a {
		t.Fatalf("clock went backwards: %v then %v", a, b)
	}
	c.Observe(MakeHLC(wall.Add(10*time.Hour).UnixMilli(), 5))
	d := c.Now()
	if d.WallMillis() != wall.Add(10*time.Hour).UnixMilli() || d.Logical() != 6 {
		t.Fatalf("after observing a remote clock: %v", d)
	}
}

func TestClockConcurrentUnique(t *testing.T) {
	c := NewClock(func() time.Time { return time.Unix(1700000000, 0) })
	var mu sync.Mutex
	seen := map[HLC]bool{}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 1000; i++ {
				h := c.Now()
				mu.Lock()
				if seen[h] {
					t.Errorf("duplicate %v", h)
				}
				seen[h] = true
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(seen) != 8000 {
		t.Fatalf("%d timestamps", len(seen))
	}
}

func TestHLCParts(t *testing.T) {
	h := MakeHLC(1_700_000_000_123, 42)
	if h.WallMillis() != 1_700_000_000_123 || h.Logical() != 42 {
		t.Fatalf("%v", h)
	}
	if !h.Time().Equal(time.UnixMilli(1_700_000_000_123)) {
		t.Fatal(h.Time())
	}
}
