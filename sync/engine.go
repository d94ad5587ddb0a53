// Package sync is motcua's client sync engine: it pushes the local outbox to the city's
// central system, pulls the unit's changes with a cursor stored in the same transaction as
// the events, uploads scanned files by tus 1.0, keeps the catalogue and calendar tables up
// to date, and reports its state in plain Vietnamese for the status bar.
//
// The folder's name shadows the standard library: import it as appsync. It imports
// localdb, domain and sync/api; never ui or cmd.
package sync

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strings"
	gosync "sync"
	"sync/atomic"
	"time"

	"motcua/domain"
	"motcua/internal/fanout"
	"motcua/localdb"
	"motcua/sync/api"
)

// Options tune an engine. Zero values give production defaults.
type Options struct {
	HTTPClient     *http.Client
	Interval       time.Duration // sync this often while online (default 2 min)
	ProbeInterval  time.Duration // between full passes, check the server is still there this often (default 15 s)
	Debounce       time.Duration // wait after a local write, so a burst becomes one push (default 300 ms)
	MinBackoff     time.Duration // first wait after a failure (default 2 s)
	MaxBackoff     time.Duration // longest wait (default 5 min)
	RequestTimeout time.Duration // one HTTP call (default 60 s)
	BatchSize      int           // events per push (default and maximum api.MaxBatch)
	InFlight       int           // push batches in flight at once (default 4)
	PullLimit      int           // events per pull page (default 1000)
	ChunkSize      int64         // bytes per tus PATCH (default 1 MiB)
	Now            func() time.Time
	Jitter         func() float64 // in [0,1) (default math/rand)
	Logger         *slog.Logger
}

func (o *Options) defaults() {
	if o.Interval <= 0 {
		o.Interval = 2 * time.Minute
	}
	if o.ProbeInterval <= 0 {
		o.ProbeInterval = 15 * time.Second
	}
	if o.Debounce <= 0 {
		o.Debounce = 300 * time.Millisecond
	}
	if o.MinBackoff <= 0 {
		o.MinBackoff = 2 * time.Second
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 5 * time.Minute
	}
	if o.MaxBackoff < o.MinBackoff {
		o.MaxBackoff = o.MinBackoff
	}
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = time.Minute
	}
	if o.BatchSize <= 0 || o.BatchSize > api.MaxBatch {
		o.BatchSize = api.MaxBatch
	}
	if o.InFlight <= 0 {
		o.InFlight = 4
	}
	if o.PullLimit <= 0 {
		o.PullLimit = 1000
	}
	if o.ChunkSize <= 0 {
		o.ChunkSize = 1 << 20
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Jitter == nil {
		o.Jitter = rand.Float64
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
}

// Status is what the status bar and the sync panel show.
type Status struct {
	Enrolled      bool
	ServerURL     string
	UnitCode      string
	Slot          int
	Online        bool // the last call reached the server
	PausedForAuth bool // 401: waiting for re-enrollment
	Syncing       bool
	EventsWaiting int
	FilesWaiting  int
	Quarantined   int
	Refused       int // received events refused as untrustworthy
	LastSuccess   time.Time
	LastAttempt   time.Time
	NextAttempt   time.Time // zero: none scheduled
	LastError     string    // plain Vietnamese; "" after a success
	Warning       string    // what the last complete pass could not do (a damaged file, a bad catalogue)
	ClockSkew     time.Duration
	SkewWarning   string // non-empty when the clock is off by more than domain.SkewLimit
	// While a pass sends: the events and files still to send, the bytes they will take on
	// the line (from what this link measured per event, and the files' sizes) and the time
	// that should take at the measured rate (0: not measured yet).
	LeftEvents int
	LeftFiles  int
	LeftBytes  int64
	LeftTime   time.Duration
}

// Report says what one sync pass did.
type Report struct {
	Pushed      int // events the server now holds (accepted or duplicate)
	Quarantined int // events the server rejected
	Pulled      int // new events stored from the server
	Refused     int // pulled events refused (signature, clock bounds): kept aside, never applied
	Uploaded    int // files uploaded (or found already held)
	Resynced    bool
	Catalogue   bool     // catalogue or calendars updated
	Warnings    []string // problems that did not fail the pass (plain Vietnamese)
}

// Progress reports whether the pass moved anything.
func (r Report) Progress() bool {
	return r.Pushed > 0 || r.Quarantined > 0 || r.Pulled > 0 || r.Uploaded > 0 || r.Catalogue
}

// Engine syncs one workstation's store with the central system.
type Engine struct {
	store *localdb.Store
	opt   Options
	log   *slog.Logger

	kickCh chan struct{} // a local write
	nowCh  chan struct{} // the clerk pressed "sync now"
	passMu gosync.Mutex  // one pass at a time

	mu   gosync.Mutex
	st   Status
	subs fanout.Subscribers[Status]

	onPulled fanout.Subscribers[Pulled]

	wakes     atomic.Int64 // loop iterations handled (tests wait on it)
	refetched atomic.Bool  // the refused events had their second chance in this engine's life

	// The chain head shown to the city in this pass, and the one it acknowledged (one pass
	// at a time: passMu).
	passHead *api.ChainHead
	ackedMu  gosync.Mutex
	acked    *api.ChainHead

	pushing atomic.Int32 // push requests in flight
	progMu  gosync.Mutex
	prog    progress
	link    link // the server's encodings, the link's round trip and throughput (link.go)
}

// New builds an engine over a store. It registers for the store's writes, so a new event is
// pushed promptly once Run is running.
func New(store *localdb.Store, opt Options) *Engine {
	opt.defaults()
	e := &Engine{store: store, opt: opt, log: opt.Logger, kickCh: make(chan struct{}, 1), nowCh: make(chan struct{}, 1)}
	store.OnWrite(e.kick)
	cfg := store.Config()
	e.st.ServerURL, e.st.UnitCode, e.st.Slot = cfg.ServerURL, cfg.UnitCode, cfg.Slot
	return e
}

func (e *Engine) kick() {
	select {
	case e.kickCh <- struct{}{}:
	default:
	}
}

// SyncNow asks the running loop for a pass at once, skipping any backoff wait. While sync
// is paused for re-enrollment it only refreshes the status.
func (e *Engine) SyncNow() {
	select {
	case e.nowCh <- struct{}{}:
	default:
	}
}

// Pulled says what one page of pulled events touched, so open screens can refresh what
// they show (a dossier the city forwarded, a result ready) without waiting to be reopened.
type Pulled struct {
	Dossiers []string // ids of the dossiers with new events, each once
	Others   bool     // events of other streams (feedback, visits)
}

// OnPulled calls f after each page of pulled events is stored, on the engine's goroutine: f
// must not block (a Fyne UI hands it to fyne.Do). The returned function unsubscribes.
func (e *Engine) OnPulled(f func(Pulled)) (cancel func()) { return e.onPulled.Add(f) }

// TellApplied reports events stored by another path than the engine's pull — a LAN peer's
// exchange, a USB bundle's import — to the OnPulled functions, so open screens follow every
// way events arrive through one hook. Safe from any goroutine; f must not block.
func (e *Engine) TellApplied(evs []domain.Event) { e.tellPulled(evs) }

// tellPulled reports a stored page to the OnPulled functions.
func (e *Engine) tellPulled(evs []domain.Event) {
	if len(evs) == 0 {
		return
	}
	var p Pulled
	seen := map[string]bool{}
	for _, ev := range evs {
		switch {
		case ev.Stream != domain.StreamDossier:
			p.Others = true
		case !seen[ev.StreamID]:
			seen[ev.StreamID] = true
			p.Dossiers = append(p.Dossiers, ev.StreamID)
		}
	}
	e.onPulled.Notify(p)
}

// Status returns the current state.
func (e *Engine) Status() Status {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.st
}

// Subscribe calls f with the new status after every change, on the engine's goroutine: f must
// not block (a Fyne UI hands it to fyne.Do). The returned function unsubscribes.
func (e *Engine) Subscribe(f func(Status)) (cancel func()) {
	cancel = e.subs.Add(f)
	f(e.Status())
	return cancel
}

// update changes the status under the lock and tells the subscribers.
func (e *Engine) update(fn func(*Status)) {
	e.mu.Lock()
	fn(&e.st)
	st := e.st
	e.mu.Unlock()
	e.subs.Notify(st)
}

// refresh reloads the counts and the enrollment from the store.
func (e *Engine) refresh(ctx context.Context) {
	c, err := e.store.SyncCounts(ctx)
	tok, _ := e.store.SyncValue(ctx, localdb.SyncKeyToken)
	paused, _ := e.store.SyncValue(ctx, localdb.SyncKeyAuthPaused)
	cfg := e.store.Config()
	e.update(func(s *Status) {
		if err == nil {
			s.EventsWaiting, s.Quarantined, s.FilesWaiting, s.Refused = c.Waiting, c.Quarantined, c.FilesWaiting, c.Refused
		}
		s.Enrolled = tok != "" && cfg.ServerURL != ""
		s.PausedForAuth = paused != ""
		if s.PausedForAuth {
			s.LastError = MsgAuth
		}
		s.ServerURL, s.UnitCode, s.Slot = cfg.ServerURL, cfg.UnitCode, cfg.Slot
	})
}

// backoff is the wait before attempt n (1, 2, …): capped exponential with jitter in [d/2, d).
func (e *Engine) backoff(n int) time.Duration {
	d := e.opt.MinBackoff
	for i := 1; i < n && d < e.opt.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, e.opt.MaxBackoff)
	return d/2 + time.Duration(e.opt.Jitter()*float64(d/2))
}

// Run syncs until ctx is cancelled: at start-up, after every local write (debounced), on a
// timer while online, with capped exponential backoff and jitter after failures (reset on
// real progress), probing a lost server cheaply before a full attempt. Between full passes
// while online it probes every ProbeInterval, so a server that went away shows as offline
// within seconds rather than at the next full pass. After a 401 it waits for re-enrollment
// and sends nothing. Cancellation is never an error: Run returns nil.
func (e *Engine) Run(ctx context.Context) error {
	e.refresh(ctx)
	timer := time.NewTimer(0) // start-up
	defer timer.Stop()
	next := e.opt.Now()
	schedule := func(d time.Duration) {
		next = e.opt.Now().Add(d)
		timer.Reset(d)
		e.update(func(s *Status) { s.NextAttempt = next })
	}
	unschedule := func() {
		timer.Stop()
		next = time.Time{}
		e.update(func(s *Status) { s.NextAttempt = time.Time{} })
	}
	attempt := 0
	offline := false
	// fullDue is when the next full pass is due while online and idle; before it, the timer
	// only probes. Zero: the next wake-up is a full pass.
	var fullDue time.Time
	idle := func() {
		wait := e.opt.Interval
		if d := fullDue.Sub(e.opt.Now()); d < wait {
			wait = max(d, 0)
		}
		schedule(min(wait, e.opt.ProbeInterval))
	}
	for {
		forced := false
		select {
		case <-ctx.Done():
			return nil
		case <-e.nowCh:
			forced = true
		case <-e.kickCh:
			e.refresh(ctx)
			st := e.Status()
			switch {
			case !st.Enrolled || st.PausedForAuth:
				// A pass could only fail: wait for (re-)enrollment.
			case next.IsZero():
				// The loop was idle (just enrolled, or re-enrolled after a 401): start afresh.
				attempt, offline, fullDue = 0, false, time.Time{}
				schedule(0)
			case offline || attempt > 0:
				// Failing: the backoff schedule (and the probe) decide, not every keystroke.
			case next.After(e.opt.Now().Add(e.opt.Debounce)):
				// Debounce: a burst of writes becomes one push.
				fullDue = time.Time{}
				schedule(e.opt.Debounce)
			}
			e.wakes.Add(1)
			continue
		case <-timer.C:
		}
		e.refresh(ctx)
		st := e.Status()
		if !st.Enrolled || st.PausedForAuth {
			unschedule()
			e.wakes.Add(1)
			continue
		}
		if !forced && !offline && attempt == 0 && !fullDue.IsZero() && e.opt.Now().Before(fullDue) {
			// Online and idle: a cheap check that the server is still there.
			if err := e.Probe(ctx); err != nil {
				if ctx.Err() != nil {
					return nil
				}
				attempt, offline, fullDue = 1, isClass(err, ClassNetwork), time.Time{}
				schedule(e.wait(attempt, err))
			} else {
				idle()
			}
			e.wakes.Add(1)
			continue
		}
		if offline && !forced {
			if err := e.Probe(ctx); err != nil {
				if ctx.Err() != nil {
					return nil
				}
				attempt++
				schedule(e.wait(attempt, err))
				e.wakes.Add(1)
				continue
			}
		}
		rep, err := e.SyncOnce(ctx)
		if ctx.Err() != nil {
			return nil
		}
		switch {
		case err == nil:
			attempt, offline = 0, false
			fullDue = e.opt.Now().Add(e.opt.Interval)
			idle()
		case isClass(err, ClassAuth):
			unschedule()
		case isClass(err, ClassNotEnrolled):
			unschedule()
		default:
			fullDue = time.Time{}
			if rep.Progress() {
				attempt = 0 // real progress: start the backoff again from the bottom
			}
			attempt++
			offline = isClass(err, ClassNetwork)
			schedule(e.wait(attempt, err))
		}
		e.wakes.Add(1)
	}
}

// wait is the pause before the next attempt: the backoff, or the server's Retry-After when
// longer. A 429 with Retry-After is the city pacing its clients under load (each told a
// jittered wait, so they come back spread out), not a failure to back off from: the engine
// comes back when told, however many times in a row it was turned away. Escalating instead
// left the city idle while a reconnect storm's counters sat out minutes of backoff
// (docs/BENCHMARKS.md, "The city at scale").
func (e *Engine) wait(attempt int, err error) time.Duration {
	var se *Error
	if errors.As(err, &se) && se.Status == http.StatusTooManyRequests && se.RetryAfter > 0 {
		return min(max(se.RetryAfter, e.opt.MinBackoff), 30*time.Minute)
	}
	d := e.backoff(attempt)
	if errors.As(err, &se) && se.RetryAfter > d {
		d = min(se.RetryAfter, 30*time.Minute)
	}
	return d
}

// enrollment reads the server URL and token.
func (e *Engine) enrollment(ctx context.Context) (string, string, error) {
	cfg := e.store.Config()
	tok, err := e.store.SyncValue(ctx, localdb.SyncKeyToken)
	if err != nil {
		return "", "", localErr("sync", err)
	}
	if tok == "" || cfg.ServerURL == "" {
		return "", "", ErrNotEnrolled
	}
	paused, err := e.store.SyncValue(ctx, localdb.SyncKeyAuthPaused)
	if err != nil {
		return "", "", localErr("sync", err)
	}
	if paused != "" {
		return "", "", ErrPaused
	}
	return cfg.ServerURL, tok, nil
}

// Probe checks cheaply (GET /ping, no token) whether the server answers as a motcua server.
func (e *Engine) Probe(ctx context.Context) error {
	cfg := e.store.Config()
	if cfg.ServerURL == "" {
		return ErrNotEnrolled
	}
	c, err := newClient(e.opt.HTTPClient, cfg.ServerURL, "", min(e.opt.RequestTimeout, 15*time.Second))
	if err != nil {
		return err
	}
	c.link = &e.link
	r, err := c.call(ctx, "probe", http.MethodGet, "/ping", nil, nil)
	if err == nil {
		var p api.PingResponse
		if err = decode("probe", r, &p); err == nil {
			e.observeClock(r, p.ServerTime)
		}
	}
	if err != nil && ctx.Err() == nil {
		e.log.Debug("sync: probe failed", "err", err) // every back-off while offline: debug
		e.update(func(s *Status) {
			s.Online = !isClass(err, ClassNetwork)
			s.LastError = Message(err)
			s.LastAttempt = e.opt.Now()
		})
	}
	return err
}

// SyncOnce runs one pass: push the outbox, pull changes, refresh the catalogue, upload
// files (last, so scans never hold back events). It stops at the first failure; a nil error means the outbox was drained and the
// pull reached the end. A file that cannot be sent (its local copy is damaged) and a
// catalogue the server sends that does not validate are reported in Report.Warnings and
// Status.Warning without failing the pass: trying again sooner cannot fix them, and they must
// not hold back everything else with backoff.
func (e *Engine) SyncOnce(ctx context.Context) (Report, error) {
	e.passMu.Lock()
	defer e.passMu.Unlock()
	var rep Report
	server, token, err := e.enrollment(ctx)
	if err != nil {
		e.finish(ctx, &rep, err)
		return rep, err
	}
	c, err := newClient(e.opt.HTTPClient, server, token, e.opt.RequestTimeout)
	if err != nil {
		e.finish(ctx, &rep, err)
		return rep, err
	}
	c.link = &e.link
	e.update(func(s *Status) { s.Syncing, s.LastAttempt = true, e.opt.Now() })
	err = e.ensureKey(ctx, c)
	if err == nil {
		e.startProgress(ctx)
		err = e.push(ctx, c, &rep)
	}
	if err == nil {
		err = e.pull(ctx, c, &rep)
	}
	if err == nil {
		if cerr := e.catalogue(ctx, c, &rep); isClass(cerr, ClassInvalid) {
			e.log.Warn("sync: the server's catalogue was refused", "err", cerr)
			rep.Warnings = append(rep.Warnings, Message(cerr))
		} else {
			err = cerr
		}
	}
	if err == nil {
		// Files last: on a thin link a page of scans takes longer than a day's events, and
		// the events (and what the city sends back) must not wait behind it. An upload cut
		// half-way resumes where it stopped next pass (tus HEAD).
		var fileErr error
		if fileErr, err = e.uploadFiles(ctx, c, &rep); fileErr != nil {
			e.log.Warn("sync: a file was not sent", "err", fileErr)
			rep.Warnings = append(rep.Warnings, Message(fileErr))
		}
	}
	if isClass(err, ClassAuth) {
		if perr := e.store.PauseSync(context.WithoutCancel(ctx), MsgAuth); perr != nil {
			e.log.Error("sync: cannot record the pause", "err", perr)
		}
	}
	e.finish(ctx, &rep, err)
	return rep, err
}

// finish records a pass's outcome in the status.
func (e *Engine) finish(ctx context.Context, rep *Report, err error) {
	now := e.opt.Now()
	cancelled := err != nil && ctx.Err() != nil
	if err != nil && !cancelled && !errors.Is(err, ErrNotEnrolled) {
		e.log.Warn("sync failed", "err", err, "pushed", rep.Pushed, "pulled", rep.Pulled)
	}
	e.update(func(s *Status) {
		s.Syncing = false
		s.LeftEvents, s.LeftFiles, s.LeftBytes, s.LeftTime = 0, 0, 0, 0
		switch {
		case cancelled:
		case err == nil:
			s.Online, s.LastSuccess, s.LastError = true, now, ""
			s.Warning = strings.Join(rep.Warnings, "; ")
		default:
			s.LastError = Message(err)
			s.Online = !isClass(err, ClassNetwork) && !isClass(err, ClassNotEnrolled) && !isClass(err, ClassLocal)
			if isClass(err, ClassAuth) {
				s.PausedForAuth = true
			}
		}
	})
	e.refresh(context.WithoutCancel(ctx))
}

// observeClock measures the clock skew from a reply's server time.
func (e *Engine) observeClock(r *reply, server time.Time) {
	if server.IsZero() {
		return
	}
	// The server read its clock somewhere between sending and receiving: take the middle.
	// Wall times from the injected clock, so a test can skew it.
	rtt := r.received.Sub(r.sent)
	local := e.opt.Now().Add(-rtt / 2)
	skew := server.Sub(local).Round(time.Second)
	warn := ""
	if domain.ClockOff(skew) {
		dir := "chậm"
		if skew < 0 {
			dir = "nhanh"
		}
		warn = "Đồng hồ máy trạm " + dir + " " + plainSkew(skew) + " so với máy chủ; hãy chỉnh lại ngày giờ của máy tính."
	}
	e.update(func(s *Status) { s.ClockSkew, s.SkewWarning = skew, warn })
}

func plainSkew(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	if d >= time.Hour {
		return strings.TrimSuffix(d.Round(time.Minute).String(), "0s")
	}
	return plainDuration(d)
}
