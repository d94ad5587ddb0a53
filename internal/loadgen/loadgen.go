// Package loadgen simulates many workstations speaking sync protocol v1 to a running city
// server (`motcua-central loadtest`): each one enrolled with a one-time code the admin token
// asks for, with its own Ed25519 key, pushing signed events of realistic dossiers (intakes,
// steps, supplement rounds, hand-overs) and pulling its unit's changes between pushes, the
// way the sync engine does. Two scenarios:
//
//   - morning: every workstation receives a dossier every few minutes (the clock compressed
//     by TimeFactor) and moves some of its open dossiers on; each act is pushed at once and
//     followed by a pull.
//   - storm: every workstation comes back from an outage with a backlog (2,000 events) and
//     pushes it at once, in batches of 1,000 with 4 in flight like the engine, honouring 429
//     and Retry-After; then it pulls what the others sent.
//
// It reports events per second, push latencies, errors by kind (429s apart) and, given the
// server's process id, its resident memory. It imports domain, assets and sync/api only.
package loadgen

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"motcua/domain"
	"motcua/sync/api"
)

// Scenarios.
const (
	ScenarioMorning = "morning"
	ScenarioStorm   = "storm"
)

// Config describes a run. Zero values take the defaults given.
type Config struct {
	URL          string // the server, e.g. http://127.0.0.1:8787
	AdminToken   string // to ask for enrollment codes and read GET /stats
	Scenario     string // ScenarioMorning or ScenarioStorm
	Workstations int    // simulated at once (default 50)
	PerUnit      int    // workstations per unit, 1–9 (default 4: Hải Phòng's ~500 counters in 114 units)

	Backlog   int // storm: events each workstation brings back (default 2,000)
	BatchSize int // events per push (default api.MaxBatch, as the engine)
	InFlight  int // push batches in flight per workstation (default 4, as the engine)

	Duration    time.Duration // morning: how long the run lasts, wall clock (default 60 s)
	IntakeEvery time.Duration // morning: mean time between two intakes at one counter (default 3 min)
	TimeFactor  float64       // morning: the counters' clock runs this much faster (default 10)

	NoPull         bool          // do not pull after pushing
	Seed           uint64        // workstation keys, ids and dossiers follow from it (default 1)
	RunTag         string        // first part of the run's unit codes (default: random, so one server takes many runs)
	RequestTimeout time.Duration // one call (default 60 s, as the engine)
	ServerPID      int           // when set, the server's VmRSS is sampled from /proc
	HTTPClient     *http.Client  // default: one transport sized for the run
	Progress       io.Writer     // progress lines (nil: none)
}

func (c *Config) defaults() error {
	if c.URL == "" {
		return errors.New("thiếu địa chỉ máy chủ (--url)")
	}
	if c.AdminToken == "" {
		return errors.New("thiếu mã quản trị (--admin-token-file hoặc MOTCUA_ADMIN_TOKEN): cần để cấp mã đăng ký cho các máy trạm giả lập")
	}
	if c.Scenario == "" {
		c.Scenario = ScenarioMorning
	}
	if c.Scenario != ScenarioMorning && c.Scenario != ScenarioStorm {
		return fmt.Errorf("kịch bản %q không có: morning hoặc storm", c.Scenario)
	}
	if c.Workstations <= 0 {
		c.Workstations = 50
	}
	if c.PerUnit <= 0 {
		c.PerUnit = 4
	}
	if c.PerUnit > 9 {
		return errors.New("mỗi đơn vị có tối đa 9 máy trạm (--per-unit)")
	}
	if c.Backlog <= 0 {
		c.Backlog = 2000
	}
	if c.BatchSize <= 0 || c.BatchSize > api.MaxBatch {
		c.BatchSize = api.MaxBatch
	}
	if c.InFlight <= 0 {
		c.InFlight = 4
	}
	if c.Duration <= 0 {
		c.Duration = time.Minute
	}
	if c.IntakeEvery <= 0 {
		c.IntakeEvery = 3 * time.Minute
	}
	if c.TimeFactor <= 0 {
		c.TimeFactor = 10
	}
	if c.Seed == 0 {
		c.Seed = 1
	}
	if c.RunTag == "" {
		const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ"
		b := []byte("LT")
		for range 3 {
			b = append(b, alphabet[rand.IntN(len(alphabet))])
		}
		c.RunTag = string(b)
	}
	if err := domain.ValidateUnitCode(c.RunTag + ".00.00.H31"); err != nil {
		return fmt.Errorf("--run-tag %q: %w", c.RunTag, err)
	}
	if c.RequestTimeout <= 0 {
		c.RequestTimeout = time.Minute
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Transport: &http.Transport{
			DialContext:         (&net.Dialer{Timeout: 15 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConns:        c.Workstations * c.InFlight,
			MaxIdleConnsPerHost: c.Workstations * c.InFlight,
			IdleConnTimeout:     90 * time.Second,
		}}
	}
	c.URL = strings.TrimRight(strings.TrimSuffix(strings.TrimRight(c.URL, "/"), api.Prefix), "/")
	return nil
}

// Latency summarises the durations of one kind of call.
type Latency struct {
	N             int
	P50, P99, Max time.Duration
}

func summarise(ds []time.Duration) Latency {
	if len(ds) == 0 {
		return Latency{}
	}
	slices.Sort(ds)
	at := func(q float64) time.Duration { return ds[min(len(ds)-1, int(q*float64(len(ds))))] }
	return Latency{N: len(ds), P50: at(0.50), P99: at(0.99), Max: ds[len(ds)-1]}
}

// Report is what a run measured.
type Report struct {
	Scenario     string
	Workstations int
	Units        int
	Setup        time.Duration // enrolling (and, for the storm, making the backlogs)
	SetupTooMany int           // 429s while enrolling (the per-address enrollment limit), not counted below

	Events    int // events the server answered for, each once
	Accepted  int
	Duplicate int
	Rejected  int
	Pushes    int // pushes answered 200
	Push      Latency
	Pulls     int // /changes pages read
	Pulled    int // events in them
	Pull      Latency

	TooMany int            // 429 answers, each with Retry-After, each honoured
	Errors  map[string]int // every other failure, by kind (a 429 without Retry-After is one)

	Elapsed      time.Duration // first push to the last event acknowledged (storm) or the run's length (morning)
	EventsPerSec float64

	ServerEventsBefore, ServerEventsAfter int   // the server's count of events (GET /stats)
	ServerRSSPeak, ServerRSSEnd           int64 // bytes (0: no --server-pid)
	ServerHWM                             int64 // the kernel's peak resident size of the server process
}

// ErrorCount is the number of failures of every kind (429s with Retry-After excluded).
func (r Report) ErrorCount() int {
	n := 0
	for _, v := range r.Errors {
		n += v
	}
	return n
}

// Print writes the report as aligned lines.
func (r Report) Print(w io.Writer) {
	fmt.Fprintf(w, "scenario\t%s\n", r.Scenario)
	fmt.Fprintf(w, "workstations\t%d (%d units)\n", r.Workstations, r.Units)
	fmt.Fprintf(w, "setup\t%s (%d answered 429 while enrolling)\n", r.Setup.Round(time.Millisecond), r.SetupTooMany)
	fmt.Fprintf(w, "events\t%d (accepted %d, duplicate %d, rejected %d) in %s\n", r.Events, r.Accepted, r.Duplicate, r.Rejected, r.Elapsed.Round(time.Millisecond))
	fmt.Fprintf(w, "events/s\t%.0f\n", r.EventsPerSec)
	fmt.Fprintf(w, "push latency\tp50 %s, p99 %s, max %s (%d pushes)\n", ms(r.Push.P50), ms(r.Push.P99), ms(r.Push.Max), r.Push.N)
	fmt.Fprintf(w, "pull latency\tp50 %s, p99 %s, max %s (%d pages, %d events)\n", ms(r.Pull.P50), ms(r.Pull.P99), ms(r.Pull.Max), r.Pulls, r.Pulled)
	fmt.Fprintf(w, "429 with Retry-After\t%d\n", r.TooMany)
	if len(r.Errors) == 0 {
		fmt.Fprintf(w, "errors\tnone\n")
	} else {
		kinds := make([]string, 0, len(r.Errors))
		for k := range r.Errors {
			kinds = append(kinds, k)
		}
		slices.Sort(kinds)
		var parts []string
		for _, k := range kinds {
			parts = append(parts, fmt.Sprintf("%s %d", k, r.Errors[k]))
		}
		fmt.Fprintf(w, "errors\t%s\n", strings.Join(parts, ", "))
	}
	fmt.Fprintf(w, "server events\t%d → %d (+%d)\n", r.ServerEventsBefore, r.ServerEventsAfter, r.ServerEventsAfter-r.ServerEventsBefore)
	if r.ServerRSSPeak > 0 {
		fmt.Fprintf(w, "server memory\tpeak VmRSS %d MB, at the end %d MB, VmHWM %d MB\n", r.ServerRSSPeak>>20, r.ServerRSSEnd>>20, r.ServerHWM>>20)
	}
}

// RowHeader and Row print the report as a line of a Markdown table (docs/BENCHMARKS.md).
const RowHeader = "| store | scenario | workstations | events | time | events/s | push p50 | push p99 | 429 (Retry-After) | other errors | server RSS peak |\n|---|---|---|---|---|---|---|---|---|---|---|"

// Row is the report as a row under RowHeader; store names the server's database.
func (r Report) Row(store string) string {
	errs := "none"
	if n := r.ErrorCount(); n > 0 {
		var parts []string
		for k, v := range r.Errors {
			parts = append(parts, fmt.Sprintf("%s %d", k, v))
		}
		slices.Sort(parts)
		errs = strings.Join(parts, ", ")
	}
	rss := "–"
	if r.ServerRSSPeak > 0 {
		rss = fmt.Sprintf("%d MB", r.ServerRSSPeak>>20)
	}
	return fmt.Sprintf("| %s | %s | %d | %d | %.1f s | %.0f | %s | %s | %d | %s | %s |", store, r.Scenario, r.Workstations, r.Events,
		r.Elapsed.Seconds(), r.EventsPerSec, ms(r.Push.P50), ms(r.Push.P99), r.TooMany, errs, rss)
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 1, 64) + " ms"
}

// run holds a run's shared state.
type run struct {
	cfg Config
	hc  *http.Client

	mu      sync.Mutex
	rep     Report
	pushLat []time.Duration
	pullLat []time.Duration
	lastAck time.Time

	acked    atomic.Int64
	tooMany  atomic.Int64
	workDir  string
	progress io.Writer
}

// Run enrolls the workstations, runs the scenario and reports.
func Run(ctx context.Context, cfg Config) (Report, error) {
	if err := cfg.defaults(); err != nil {
		return Report{}, err
	}
	r := &run{cfg: cfg, hc: cfg.HTTPClient, progress: cfg.Progress}
	if r.progress == nil {
		r.progress = io.Discard
	}
	r.rep = Report{Scenario: cfg.Scenario, Workstations: cfg.Workstations, Units: (cfg.Workstations + cfg.PerUnit - 1) / cfg.PerUnit,
		Errors: map[string]int{}}
	before, err := r.serverEvents(ctx)
	if err != nil {
		return r.rep, err
	}
	r.rep.ServerEventsBefore = before
	setup := time.Now()
	wss := make([]*workstation, cfg.Workstations)
	for i := range wss {
		wss[i] = newWorkstation(cfg.Seed, cfg.RunTag, i, cfg.PerUnit)
	}
	fmt.Fprintf(r.progress, "# enrolling %d workstations in %d units (%s.*)\n", len(wss), r.rep.Units, cfg.RunTag)
	if err := parallel(ctx, 16, len(wss), func(i int) error { return r.enroll(ctx, wss[i]) }); err != nil {
		return r.rep, err
	}
	if cfg.Scenario == ScenarioStorm {
		dir, err := os.MkdirTemp("", "motcua-loadtest-")
		if err != nil {
			return r.rep, err
		}
		defer os.RemoveAll(dir)
		r.workDir = dir
		fmt.Fprintf(r.progress, "# signing %d backlogs of %d events\n", len(wss), cfg.Backlog)
		end := time.Now().Add(-time.Minute)
		if err := parallel(ctx, runtime.GOMAXPROCS(0), len(wss), func(i int) error { return r.prepare(wss[i], end) }); err != nil {
			return r.rep, err
		}
	}
	r.rep.Setup = time.Since(setup)
	// What the scenario meets is counted from here: enrolling many workstations from one
	// address meets the enrollment limit, which is not the load being measured.
	r.mu.Lock()
	r.rep.SetupTooMany, r.rep.TooMany = r.rep.TooMany, 0
	r.tooMany.Store(0)
	r.mu.Unlock()
	var sampler *memSampler
	if cfg.ServerPID > 0 {
		sampler = sampleMemory(cfg.ServerPID)
	}
	stopProgress := r.report()
	start := time.Now()
	switch cfg.Scenario {
	case ScenarioStorm:
		err = r.storm(ctx, wss, start)
	default:
		err = r.morning(ctx, wss, start)
	}
	stopProgress()
	if sampler != nil {
		r.rep.ServerRSSPeak, r.rep.ServerRSSEnd, r.rep.ServerHWM = sampler.stop()
	}
	if err != nil {
		return r.rep, err
	}
	r.rep.Push, r.rep.Pull = summarise(r.pushLat), summarise(r.pullLat)
	if r.rep.Elapsed > 0 {
		r.rep.EventsPerSec = float64(r.rep.Events) / r.rep.Elapsed.Seconds()
	}
	after, err := r.serverEvents(ctx)
	if err != nil {
		return r.rep, err
	}
	r.rep.ServerEventsAfter = after
	return r.rep, nil
}

// report prints progress every five seconds until stopped.
func (r *run) report() (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(5 * time.Second)
		defer t.Stop()
		start := time.Now()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				fmt.Fprintf(r.progress, "# %3.0f s: %d events acknowledged, %d answered 429\n", time.Since(start).Seconds(), r.acked.Load(), r.tooMany.Load())
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}

// parallel runs fn(0…n-1) on workers goroutines; the first error stops the rest.
func parallel(ctx context.Context, workers, n int, fn func(int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	next := atomic.Int64{}
	var once sync.Once
	var first error
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				if err := fn(i); err != nil {
					once.Do(func() { first = err; cancel() })
					return
				}
			}
		}()
	}
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	return first
}

// errKind sorts a failed call for the report.
type callError struct {
	kind       string
	status     int
	retryAfter time.Duration // for a 429 that carried one
	msg        string
}

func (e *callError) Error() string {
	if e.status != 0 {
		return fmt.Sprintf("%s (HTTP %d): %s", e.kind, e.status, e.msg)
	}
	return e.kind + ": " + e.msg
}

// call makes one API call and returns the body of a 2xx answer of a motcua server.
func (r *run) call(ctx context.Context, method, path, token string, body []byte) ([]byte, error) {
	cctx, cancel := context.WithTimeout(ctx, r.cfg.RequestTimeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(cctx, method, r.cfg.URL+api.Prefix+path, rd)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("User-Agent", "motcua-loadtest/1")
	resp, err := r.hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if errors.Is(err, context.DeadlineExceeded) {
			return nil, &callError{kind: "timeout", msg: err.Error()}
		}
		return nil, &callError{kind: "network", msg: err.Error()}
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, &callError{kind: "network", status: resp.StatusCode, msg: "reply cut: " + err.Error()}
	}
	if resp.Header.Get(api.Header) != api.HeaderValue {
		return nil, &callError{kind: "not_motcua", status: resp.StatusCode, msg: "the reply has no " + api.Header + " header"}
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return out, nil
	}
	var er api.ErrorResponse
	json.Unmarshal(out, &er)
	ce := &callError{status: resp.StatusCode, msg: er.Error.Message}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		ce.kind = "429_without_retry_after"
		if s, err := strconv.Atoi(strings.TrimSpace(resp.Header.Get("Retry-After"))); err == nil && s >= 0 {
			ce.kind, ce.retryAfter = "429", time.Duration(s)*time.Second
		}
	case resp.StatusCode >= 500:
		ce.kind = "http_5xx"
	default:
		ce.kind = fmt.Sprintf("http_%d", resp.StatusCode)
	}
	return nil, ce
}

func (r *run) countError(kind string) {
	r.mu.Lock()
	r.rep.Errors[kind]++
	r.mu.Unlock()
}

// retry calls fn until it succeeds, waiting between attempts as the sync engine does
// (sync.Engine.wait): after a 429 with Retry-After, what the server said (at least the
// engine's 2 s MinBackoff); after any other failure its capped exponential backoff (2 s
// doubling to 5 min, jitter in [d/2, d)) counted over the workstation's failures in a row. 429s with Retry-After are counted apart; every other
// failure is counted by kind. A call that fails eight times in a row otherwise, or with a
// 4xx the server means, is given up. w nil: the run's own calls (stats, codes).
func (r *run) retry(ctx context.Context, w *workstation, fn func() error) error {
	local := 0
	failures := &local
	if w != nil {
		failures = &w.failures
	}
	errs := 0
	for {
		err := fn()
		if err == nil {
			if w != nil {
				r.mu.Lock()
				*failures = 0 // progress: the engine starts its backoff again from the bottom
				r.mu.Unlock()
			}
			return nil
		}
		if ctx.Err() != nil {
			return err
		}
		var ce *callError
		if !errors.As(err, &ce) {
			return err
		}
		r.mu.Lock()
		*failures++
		n := *failures
		r.mu.Unlock()
		wait := engineBackoff(n)
		if ce.kind == "429" {
			r.tooMany.Add(1)
			r.mu.Lock()
			r.rep.TooMany++
			r.mu.Unlock()
			wait = max(ce.retryAfter, 2*time.Second) // the engine comes back when told (sync.Engine.wait)
		} else {
			r.countError(ce.kind)
			errs++
			if errs > 8 || (ce.status >= 400 && ce.status < 500 && ce.status != http.StatusTooManyRequests && ce.status != http.StatusRequestTimeout) {
				return err
			}
		}
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// engineBackoff is the engine's wait before attempt n+1 after n failures in a row, with its
// production settings (MinBackoff 2 s, MaxBackoff 5 min).
func engineBackoff(n int) time.Duration {
	d := 2 * time.Second
	for i := 1; i < n && d < 5*time.Minute; i++ {
		d *= 2
	}
	d = min(d, 5*time.Minute)
	return d/2 + rand.N(d/2)
}

// serverEvents reads how many events the server holds.
func (r *run) serverEvents(ctx context.Context) (int, error) {
	var st api.StatsResponse
	err := r.retry(ctx, nil, func() error {
		body, err := r.call(ctx, http.MethodGet, "/stats", r.cfg.AdminToken, nil)
		if err != nil {
			return err
		}
		return json.Unmarshal(body, &st)
	})
	if err != nil {
		return 0, fmt.Errorf("đọc số liệu của máy chủ (GET /stats với mã quản trị): %w", err)
	}
	return st.Events, nil
}

// enroll asks for a code with the admin token and enrolls the workstation with it, as the
// app does: its own device id, its public key, a nonce.
func (r *run) enroll(ctx context.Context, w *workstation) error {
	var code api.AdminEnrollCodeResponse
	req, _ := json.Marshal(api.AdminEnrollCodeRequest{UnitCode: w.unit, UnitName: w.name, Slot: w.slot})
	if err := r.retry(ctx, nil, func() error {
		body, err := r.call(ctx, http.MethodPost, "/admin/enroll-codes", r.cfg.AdminToken, req)
		if err != nil {
			return err
		}
		return json.Unmarshal(body, &code)
	}); err != nil {
		return fmt.Errorf("cấp mã đăng ký cho máy %d: %w", w.n+1, err)
	}
	er, _ := json.Marshal(api.EnrollRequest{Code: code.Code, DeviceName: fmt.Sprintf("Máy thử tải %d", w.n+1), DeviceID: w.id,
		UnitCode: w.unit, Slot: w.slot, PublicKey: domain.EncodeKey(w.key.Public().(ed25519.PublicKey)), Nonce: "loadtest-nonce-" + w.id})
	var resp api.EnrollResponse
	if err := r.retry(ctx, nil, func() error {
		body, err := r.call(ctx, http.MethodPost, "/enroll", "", er)
		if err != nil {
			return err
		}
		return json.Unmarshal(body, &resp)
	}); err != nil {
		return fmt.Errorf("đăng ký máy %d: %w", w.n+1, err)
	}
	w.token = resp.Token
	return nil
}

// prepare makes a workstation's backlog, signed, and writes it as the bodies of its pushes.
func (r *run) prepare(w *workstation, end time.Time) error {
	evs, err := w.backlog(r.cfg.Backlog, end)
	if err != nil {
		return err
	}
	for b := 0; b*r.cfg.BatchSize < len(evs); b++ {
		chunk := evs[b*r.cfg.BatchSize : min((b+1)*r.cfg.BatchSize, len(evs))]
		body, err := json.Marshal(api.PushRequest{Events: chunk})
		if err != nil {
			return err
		}
		if err := os.WriteFile(r.batchFile(w, b), body, 0o600); err != nil {
			return err
		}
	}
	return nil
}

func (r *run) batchFile(w *workstation, b int) string {
	return filepath.Join(r.workDir, fmt.Sprintf("ws%05d-%03d.json", w.n, b))
}

// push sends one batch until the server answers for it; it returns how many events it held.
func (r *run) push(ctx context.Context, w *workstation, body []byte, n int) error {
	var pr api.PushResponse
	var took time.Duration
	err := r.retry(ctx, w, func() error {
		t0 := time.Now()
		b, err := r.call(ctx, http.MethodPost, "/events", w.token, body)
		took = time.Since(t0)
		if err != nil {
			return err
		}
		if err := json.Unmarshal(b, &pr); err != nil {
			return &callError{kind: "bad_reply", msg: err.Error()}
		}
		return nil
	})
	if err != nil {
		return err
	}
	now := time.Now()
	var acc, dup, rej int
	for _, res := range pr.Results {
		switch res.Status {
		case api.Accepted:
			acc++
		case api.Duplicate:
			dup++
		default:
			rej++
		}
	}
	r.mu.Lock()
	r.rep.Pushes++
	r.pushLat = append(r.pushLat, took)
	r.rep.Events += len(pr.Results)
	r.rep.Accepted += acc
	r.rep.Duplicate += dup
	r.rep.Rejected += rej
	if rej > 0 {
		r.rep.Errors["rejected_event"] += rej
	}
	if len(pr.Results) != n {
		r.rep.Errors["unanswered_event"] += n - len(pr.Results)
	}
	if now.After(r.lastAck) {
		r.lastAck = now
	}
	r.mu.Unlock()
	r.acked.Add(int64(acc + dup))
	return nil
}

// pull reads the unit's changes from the workstation's cursor to the end, page by page.
func (r *run) pull(ctx context.Context, w *workstation) error {
	for {
		// The events are counted, not parsed: the simulated workstations share the machine
		// with the server, and what they spend is taken from it.
		var cr struct {
			Events []json.RawMessage `json:"events"`
			Cursor string            `json:"cursor"`
			More   bool              `json:"more"`
		}
		var took time.Duration
		err := r.retry(ctx, w, func() error {
			t0 := time.Now()
			b, err := r.call(ctx, http.MethodGet, "/changes?limit=1000&after="+url.QueryEscape(w.cursor), w.token, nil)
			took = time.Since(t0)
			if err != nil {
				return err
			}
			if err := json.Unmarshal(b, &cr); err != nil {
				return &callError{kind: "bad_reply", msg: err.Error()}
			}
			return nil
		})
		if err != nil {
			return err
		}
		r.mu.Lock()
		r.rep.Pulls++
		r.rep.Pulled += len(cr.Events)
		r.pullLat = append(r.pullLat, took)
		r.mu.Unlock()
		w.cursor = cr.Cursor
		if !cr.More {
			return nil
		}
	}
}

// storm: every workstation pushes its whole backlog at once, then pulls.
func (r *run) storm(ctx context.Context, wss []*workstation, start time.Time) error {
	batches := (r.cfg.Backlog + r.cfg.BatchSize - 1) / r.cfg.BatchSize
	var wg sync.WaitGroup
	errs := make([]error, len(wss))
	for i, w := range wss {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = parallel(ctx, r.cfg.InFlight, batches, func(b int) error {
				body, err := os.ReadFile(r.batchFile(w, b))
				if err != nil {
					return err
				}
				n := min(r.cfg.BatchSize, r.cfg.Backlog-b*r.cfg.BatchSize)
				return r.push(ctx, w, body, n)
			})
			if errs[i] == nil && !r.cfg.NoPull {
				errs[i] = r.pull(ctx, w)
			}
		}()
	}
	wg.Wait()
	r.rep.Elapsed = r.lastAck.Sub(start)
	return r.firstFailure(errs)
}

// firstFailure is the first error of the workstations, unless it is only a call given up
// after its failures were counted (the report says what they were).
func (r *run) firstFailure(errs []error) error {
	failed := 0
	var first error
	for _, err := range errs {
		var ce *callError
		switch {
		case err == nil:
		case errors.As(err, &ce):
			failed++
		case first == nil:
			first = err
		}
	}
	if failed > 0 {
		r.countError("workstation_gave_up")
		fmt.Fprintf(r.progress, "# %d workstations gave up after repeated failures\n", failed)
	}
	return first
}

// morning: every workstation receives a dossier every IntakeEvery (on average, compressed
// by TimeFactor), moves some open dossiers on with it, pushes the act and pulls.
func (r *run) morning(ctx context.Context, wss []*workstation, start time.Time) error {
	deadline := start.Add(r.cfg.Duration)
	mean := time.Duration(float64(r.cfg.IntakeEvery) / r.cfg.TimeFactor)
	var wg sync.WaitGroup
	errs := make([]error, len(wss))
	for i, w := range wss {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Counters open at different moments: the first intake comes anywhere in the first interval.
			wait := time.Duration(w.rng.Float64() * float64(mean))
			for {
				if time.Now().Add(wait).After(deadline) {
					return
				}
				select {
				case <-time.After(wait):
				case <-ctx.Done():
					errs[i] = ctx.Err()
					return
				}
				now := time.Now()
				evs := make([]domain.Event, 0, 5)
				e, err := w.intake(now)
				if err != nil {
					errs[i] = err
					return
				}
				evs = append(evs, e)
				for range w.rng.IntN(5) {
					e, ok, err := w.advance(now)
					if err != nil {
						errs[i] = err
						return
					}
					if ok {
						evs = append(evs, e)
					}
				}
				body, err := json.Marshal(api.PushRequest{Events: evs})
				if err != nil {
					errs[i] = err
					return
				}
				if err := r.push(ctx, w, body, len(evs)); err != nil {
					errs[i] = err
					return
				}
				if !r.cfg.NoPull {
					if err := r.pull(ctx, w); err != nil {
						errs[i] = err
						return
					}
				}
				wait = time.Duration(w.rng.ExpFloat64() * float64(mean))
			}
		}()
	}
	wg.Wait()
	r.rep.Elapsed = time.Since(start)
	return r.firstFailure(errs)
}
