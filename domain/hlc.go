package domain

import (
	"fmt"
	"sync"
	"time"
)

// HLC is a hybrid logical clock timestamp: milliseconds since the Unix epoch in the high
// 48 bits and a logical counter in the low 16. It orders events across workstations whose
// wall clocks disagree, while staying close to real time.
type HLC int64

const hlcLogicalBits = 16

// MakeHLC builds a timestamp from wall milliseconds and a logical counter.
func MakeHLC(wallMillis int64, logical uint16) HLC {
	return HLC(wallMillis<<hlcLogicalBits | int64(logical))
}

// WallMillis is the physical part.
func (h HLC) WallMillis() int64 { return int64(h) >> hlcLogicalBits }

// Logical is the counter part.
func (h HLC) Logical() uint16 { return uint16(int64(h) & (1<<hlcLogicalBits - 1)) }

// Time is the physical part as a time.
func (h HLC) Time() time.Time { return time.UnixMilli(h.WallMillis()).UTC() }

func (h HLC) String() string { return fmt.Sprintf("%d.%d", h.WallMillis(), h.Logical()) }

// Clock issues HLC timestamps. It is safe for concurrent use.
type Clock struct {
	mu   sync.Mutex
	last HLC
	now  func() time.Time
}

// NewClock returns a clock reading wall time from now (time.Now when nil).
func NewClock(now func() time.Time) *Clock {
	if now == nil {
		now = time.Now
	}
	return &Clock{now: now}
}

// Now returns a timestamp greater than every timestamp issued or observed before.
func (c *Clock) Now() HLC {
	c.mu.Lock()
	defer c.mu.Unlock()
	wall := c.now().UnixMilli()
	if wall > c.last.WallMillis() {
		c.last = MakeHLC(wall, 0)
	} else {
		c.last = c.bump(c.last)
	}
	return c.last
}

// Observe merges a timestamp seen on a remote event, so later local events order after it.
func (c *Clock) Observe(remote HLC) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if remote > c.last {
		c.last = remote
	}
}

// Last returns the latest timestamp issued or observed.
func (c *Clock) Last() HLC {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.last
}

func (c *Clock) bump(h HLC) HLC {
	if h.Logical() == 1<<hlcLogicalBits-1 {
		return MakeHLC(h.WallMillis()+1, 0)
	}
	return h + 1
}
