package domain

import (
	"strings"
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
	mu.Lock()
	wall = wall.Add(2 * time.Hour) // and forwards again
	mu.Unlock()
	c.Observe(MakeHLC(wall.Add(3*time.Minute).UnixMilli(), 5))
	d := c.Now()
	if d.WallMillis() != wall.Add(3*time.Minute).UnixMilli() || d.Logical() != 6 {
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

// A remote clock far ahead is not followed (the event carrying it is quarantined), and the
// counter saturates at the largest timestamp instead of wrapping to a negative one.
func TestClockBounded(t *testing.T) {
	now := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	c := NewClock(func() time.Time { return now })
	before := c.Now()
	for _, far := range []HLC{MaxHLC, MakeHLC(now.AddDate(10, 0, 0).UnixMilli(), 0), MakeHLC(now.Add(ClockAhead+time.Second).UnixMilli(), 0)} {
		if c.Observe(far) {
			t.Fatalf("observed %v", far)
		}
	}
	if got := c.Now(); got <= before || got.WallMillis() != now.UnixMilli() {
		t.Fatalf("clock moved to %v", got)
	}
	if !c.Observe(MakeHLC(now.Add(ClockAhead).UnixMilli(), 7)) {
		t.Fatal("a clock within the bound was not followed")
	}
	c.Reset(MaxHLC - 1)
	if a, b := c.Now(), c.Now(); a != MaxHLC || b != MaxHLC {
		t.Fatalf("saturation: %v %v", a, b)
	}
	e := Event{ID: "x", HLC: MakeHLC(now.UnixMilli(), 0), At: now}
	if err := CheckClock(e, now, 0); err != nil {
		t.Fatal(err)
	}
	for name, bad := range map[string]Event{
		"max hlc":     {HLC: MaxHLC, At: now},
		"ten years":   {HLC: MakeHLC(now.AddDate(10, 0, 0).UnixMilli(), 0), At: now},
		"at ahead":    {HLC: e.HLC, At: now.Add(ClockAhead + time.Minute)},
		"before 2020": {HLC: MakeHLC(time.Date(2019, 12, 31, 0, 0, 0, 0, time.UTC).UnixMilli(), 0), At: now},
		"negative":    {HLC: -5, At: now},
	} {
		if err := CheckClock(bad, now, 0); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	// A measured skew widens the bound (the sender's side runs ahead of this clock).
	ahead := Event{HLC: MakeHLC(now.Add(8*time.Minute).UnixMilli(), 0), At: now.Add(8 * time.Minute)}
	if CheckClock(ahead, now, 0) == nil || CheckClock(ahead, now, 4*time.Minute) != nil {
		t.Fatal("skew not allowed for")
	}
}

// A server that claims to run far ahead widens the bound by an hour at most.
func TestClockSkewAllowanceBounded(t *testing.T) {
	now := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	day := Event{HLC: MakeHLC(now.Add(24*time.Hour).UnixMilli(), 0), At: now.Add(24 * time.Hour)}
	if CheckClock(day, now, 48*time.Hour) == nil {
		t.Fatal("a day ahead accepted because the server claimed a two-day skew")
	}
	hour := Event{HLC: MakeHLC(now.Add(50*time.Minute).UnixMilli(), 0), At: now.Add(50 * time.Minute)}
	if CheckClock(hour, now, 48*time.Hour) != nil {
		t.Fatal("within the allowance refused")
	}
	b := ClockBounds(now)
	if b.AtAbove != now.Add(ClockAhead).UnixMilli() || HLC(b.HLCAbove).WallMillis() != b.AtAbove+1 || HLC(b.HLCBelow).WallMillis() != ClockFloor.UnixMilli() {
		t.Fatalf("bounds %+v", b)
	}
}

func TestEventCode(t *testing.T) {
	for _, c := range []struct {
		typ     EventType
		payload string
		code    string
		ok      bool
	}{
		{EvReceived, `{"code":" X-1 "}`, "X-1", true},
		{EvCodeAssigned, `{"code":"Y"}`, "Y", true},
		{EvRegisteredOnline, `{}`, "", true},
		{EvForwarded, `{"code":"Z"}`, "", false},
		{EvReceived, `{not json`, "", false},
	} {
		code, ok := EventCode(Event{Type: c.typ, Payload: []byte(c.payload)})
		if code != c.code || ok != c.ok {
			t.Errorf("%s %s: %q %v", c.typ, c.payload, code, ok)
		}
	}
}

// The skew warning: past two minutes either way, and not at two minutes.
func TestClockOff(t *testing.T) {
	for _, tt := range []struct {
		skew time.Duration
		want bool
	}{
		{0, false}, {SkewLimit, false}, {-SkewLimit, false},
		{SkewLimit + time.Second, true}, {-SkewLimit - time.Second, true}, {time.Hour, true},
	} {
		if got := ClockOff(tt.skew); got != tt.want {
			t.Errorf("ClockOff(%v) = %v, want %v", tt.skew, got, tt.want)
		}
	}
}

// An event's type must belong to its stream.
func TestEventCheckStream(t *testing.T) {
	for _, tt := range []struct {
		stream string
		typ    EventType
		ok     bool
	}{
		{StreamDossier, EvReceived, true},
		{StreamFeedback, EvFeedbackReceived, true},
		{StreamVisit, EvVisit, true},
		{StreamFeedback, EvReceived, false},
		{StreamDossier, EvVisit, false},
		{StreamDossier, "dossier", false},
		{StreamDossier, "dossierx.received", false},
	} {
		err := Event{Stream: tt.stream, Type: tt.typ}.CheckStream()
		if (err == nil) != tt.ok {
			t.Errorf("%s under %s: %v", tt.typ, tt.stream, err)
		}
		if err != nil && !strings.Contains(err.Error(), "không thuộc luồng") {
			t.Errorf("message %q", err)
		}
	}
}
