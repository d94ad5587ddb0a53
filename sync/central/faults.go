package central

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"

	"motcua/sync/api"
)

// Fault is a failure the server can inject into a reply, to show that the counters' sync
// survives what real networks and servers do.
type Fault int

const (
	FaultNone          Fault = iota
	FaultServerError         // 503 before doing anything
	FaultLostReply           // the call is handled and committed, then the connection drops
	FaultTruncated           // the call is handled, then half the body arrives and the connection drops
	FaultSlow                // the call is handled, the reply comes late (FaultConfig.Slow)
	FaultTooMany             // 429 with Retry-After
	FaultCaptivePortal       // 200 text/html without the API header (a Wi-Fi login page)
)

var faultNames = map[Fault]string{
	FaultNone: "none", FaultServerError: "5xx", FaultLostReply: "lost", FaultTruncated: "truncated",
	FaultSlow: "slow", FaultTooMany: "429", FaultCaptivePortal: "captive",
}

func (f Fault) String() string { return faultNames[f] }

// ParseFaults parses a comma-separated list of fault names ("5xx,lost,truncated,slow,429,captive").
func ParseFaults(s string) ([]Fault, error) {
	var out []Fault
	for _, name := range strings.Split(s, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		found := false
		for f, n := range faultNames {
			if n == name && f != FaultNone {
				out = append(out, f)
				found = true
			}
		}
		if !found {
			return nil, fmt.Errorf("unknown fault %q (known: 5xx, lost, truncated, slow, 429, captive)", name)
		}
	}
	return out, nil
}

// AllFaults lists every fault kind.
func AllFaults() []Fault {
	return []Fault{FaultServerError, FaultLostReply, FaultTruncated, FaultSlow, FaultTooMany, FaultCaptivePortal}
}

// FaultConfig says how often and how the server misbehaves.
type FaultConfig struct {
	Rate       float64       // share of protocol calls that get a fault (0..1)
	Kinds      []Fault       // which faults to draw from (default: all)
	Slow       time.Duration // delay of FaultSlow (default 2 s)
	RetryAfter time.Duration // Retry-After of FaultTooMany, whole seconds (0: 1 s; negative: "0")
	Seed       uint64        // random seed (0: from the clock)
	// Hook, when set, decides the fault of every protocol call instead of Rate (tests).
	Hook func(r *http.Request) Fault
}

type faults struct {
	mu  sync.Mutex
	cfg FaultConfig
	rng *rand.Rand
}

func newFaults(cfg FaultConfig) *faults {
	f := &faults{}
	f.set(cfg)
	return f
}

func (f *faults) set(cfg FaultConfig) {
	if len(cfg.Kinds) == 0 {
		cfg.Kinds = AllFaults()
	}
	if cfg.Slow <= 0 {
		cfg.Slow = 2 * time.Second
	}
	switch {
	case cfg.RetryAfter == 0:
		cfg.RetryAfter = time.Second
	case cfg.RetryAfter < 0:
		cfg.RetryAfter = 0
	}
	seed := cfg.Seed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	f.mu.Lock()
	f.cfg, f.rng = cfg, rand.New(rand.NewPCG(seed, seed>>1|1))
	f.mu.Unlock()
}

func (f *faults) pick(r *http.Request) Fault {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.cfg.Hook != nil {
		return f.cfg.Hook(r)
	}
	if f.cfg.Rate <= 0 || f.rng.Float64() >= f.cfg.Rate {
		return FaultNone
	}
	return f.cfg.Kinds[f.rng.IntN(len(f.cfg.Kinds))]
}

func (f *faults) slow() time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.cfg.Slow
}

func (f *faults) retryAfter() time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.cfg.RetryAfter
}

// faultable says which calls faults apply to: the counters' protocol calls, not the city's
// own view (stats, dossiers) nor the operator's admin calls.
func faultable(r *http.Request) bool {
	p := strings.TrimPrefix(r.URL.Path, api.Prefix)
	for _, prefix := range []string{"/enroll", "/events", "/changes", "/catalogue", "/files", "/ping"} {
		if strings.HasPrefix(p, prefix) {
			return true
		}
	}
	return false
}
