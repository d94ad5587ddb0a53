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

// MaxHLC is the largest timestamp: the counter saturates there instead of wrapping negative.
const MaxHLC = HLC(1<<63 - 1)

// Clock bounds. An event whose physical time is more than ClockAhead past the receiver's
// clock (allowing the skew it measured) or before ClockFloor is quarantined, never applied,
// and a clock never moves past its own wall time plus ClockAhead because of what it observed:
// one workstation with a wrong date (or a hostile one) cannot drag every other clock into
// the future.
const ClockAhead = 5 * time.Minute

// SkewLimit is the difference between a workstation's clock and the city server's above
// which staff are warned to set the clock right: less is network jitter and the drift of a
// PC's clock between syncs; more moves due dates and the order of events.
const SkewLimit = 2 * time.Minute

// ClockOff reports whether a measured skew (server minus workstation) is past SkewLimit,
// either way.
func ClockOff(skew time.Duration) bool { return skew > SkewLimit || skew < -SkewLimit }

// ClockFloor is the earliest time an event can carry (no motcua event predates it).
var ClockFloor = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)

// ClockError says why an event's time is out of bounds (Vietnamese, for the supervisor).
type ClockError struct{ Msg string }

func (e *ClockError) Error() string { return e.Msg }

// CheckClock checks an event's wall time and HLC against the receiver's clock now. skew is
// how far the sender's side is known to run ahead of ours (the measured server skew; 0 when
// unknown or behind): it widens the bound, never narrows it, and by MaxSkewAllowance at most.
func CheckClock(e Event, now time.Time, skew time.Duration) error {
	limit := now.Add(ClockAhead + min(max(skew, 0), MaxSkewAllowance)).UnixMilli()
	floor := ClockFloor.UnixMilli()
	switch {
	case e.HLC.WallMillis() > limit || e.At.UnixMilli() > limit:
		t := e.HLC.Time()
		if e.At.After(t) {
			t = e.At
		}
		return &ClockError{Msg: fmt.Sprintf("Thời điểm của sự kiện (%s) vượt quá giờ hiện tại hơn %d phút; có thể đồng hồ máy tạo ra sự kiện bị sai.",
			formatClockTime(t), int(ClockAhead/time.Minute))}
	case e.HLC.WallMillis() < floor || e.At.UnixMilli() < floor:
		return &ClockError{Msg: "Thời điểm của sự kiện trước năm 2020; có thể đồng hồ máy tạo ra sự kiện bị sai."}
	}
	return nil
}

// OutOfBounds gives the SQL bounds of stored events whose clock is out of bounds at now:
// an event is out when hlc >= HLCAbove or hlc < HLCBelow or at (ms) > AtAbove or at < AtBelow.
// (The physical part of an hlc is its value shifted right by 16 bits: comparing the hlc
// itself with shifted bounds needs no arithmetic on the column.)
type OutOfBounds struct{ HLCAbove, HLCBelow, AtAbove, AtBelow int64 }

// ClockBounds is OutOfBounds at now (the same rule as CheckClock, with no skew).
func ClockBounds(now time.Time) OutOfBounds {
	limit := now.Add(ClockAhead).UnixMilli()
	floor := ClockFloor.UnixMilli()
	return OutOfBounds{HLCAbove: (limit + 1) << hlcLogicalBits, HLCBelow: floor << hlcLogicalBits, AtAbove: limit, AtBelow: floor}
}

// MaxSkewAllowance bounds the measured skew CheckClock allows for: a server (or someone
// between) that claims to run a day ahead must not widen the bound by a day.
const MaxSkewAllowance = time.Hour

func formatClockTime(t time.Time) string {
	if t.Year() > 9999 {
		return "sau năm 9999"
	}
	return t.In(VN()).Format("15:04 02/01/2006")
}

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
// A timestamp more than ClockAhead past this clock's wall time is not followed (it reports
// false): such an event is quarantined by its receiver, and the clock must not carry its
// error into every event made here afterwards.
func (c *Clock) Observe(remote HLC) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if remote.WallMillis() > c.now().Add(ClockAhead).UnixMilli() {
		return false
	}
	if remote > c.last {
		c.last = remote
	}
	return true
}

// Reset sets the clock back to h (repair after out-of-range events were quarantined).
func (c *Clock) Reset(h HLC) {
	c.mu.Lock()
	c.last = h
	c.mu.Unlock()
}

// Last returns the latest timestamp issued or observed.
func (c *Clock) Last() HLC {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.last
}

// bump is the next timestamp after h; at MaxHLC it saturates rather than wrap negative.
func (c *Clock) bump(h HLC) HLC {
	if h >= MaxHLC {
		return MaxHLC
	}
	if h.Logical() == 1<<hlcLogicalBits-1 {
		return MakeHLC(h.WallMillis()+1, 0)
	}
	return h + 1
}
