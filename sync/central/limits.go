package central

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"motcua/domain"
	"motcua/sync/api"
)

// Limits bound what clients can make the city server hold: memory (body caps, byte-bounded
// pages, requests in flight), time (read, write and idle timeouts) and enrollment attempts
// per address. docs/SERVER.md explains each one. A zero field takes its DefaultLimits value.
type Limits struct {
	EnrollBody int64 // bytes of a POST /enroll body
	PushBody   int64 // bytes of a POST /events body (a full batch of ordinary events is ~1.5 MB)
	AdminBody  int64 // bytes of a POST /admin/events body

	PageBytes     int // GET /changes: events per page, in (estimated) encoded bytes; at least one event
	DossiersLimit int // GET /dossiers: largest ?limit= (each dossier is folded from its events)

	InFlight int // requests handled at once (GET /ping is not counted); more get 429
	// InFlightPerDevice bounds the requests of one token among them (each device's token,
	// and the admin token as one more): one enrolled workstation, or a stolen token, cannot
	// hold every slot with slow requests and stop the city for the other counters. It leaves
	// room for what a real workstation does at once (the engine's 4 pushes in flight, plus a
	// clerk's file download or a dossier query beside them). More get 429, before the
	// request takes one of the InFlight slots.
	InFlightPerDevice int
	// PushInFlight bounds the pushes (POST /events) among them: each decodes, verifies and
	// writes up to 1,000 events, and they all wait for the one writer. More are turned away
	// with 429 before their body is read, rather than queued where they hold memory and
	// every push's latency grows with the queue.
	PushInFlight int
	// PushInFlightPerDevice bounds the large pushes of one token among them (zero:
	// max(1, PushInFlight/4)): one workstation, or a stolen token, whose push bodies never
	// arrive cannot hold every push slot and stop the other units' backlogs. A push over
	// its token's share waits (up to ReadTimeout/4) for that token's own push to end, since
	// the desktop engine sends several batches at once; it is then answered 429.
	PushInFlightPerDevice int
	// PushStall cuts a large push whose body makes no progress for this long (408), well
	// before ReadTimeout: a body that never comes frees its push slot sooner.
	PushStall time.Duration
	// TokenlessInFlight is the pool of requests without a token (POST /enroll, and any call
	// without one, answered 401 at once). They never take the InFlight slots: a stranger's
	// slow enrollment bodies cannot stop the workstations or the admin.
	TokenlessInFlight int
	// TokenlessPerAddress bounds one client address's share of them (zero:
	// max(1, TokenlessInFlight/2)): one stranger cannot stop every enrollment.
	TokenlessPerAddress int
	// SmallPush is the largest push body (by its Content-Length) PushInFlight does not
	// count: a clerk's act of a few events is never turned away because a storm's large
	// batches hold the push slots. Negative: every push counts.
	SmallPush  int64
	RetryAfter time.Duration // what a client turned away is told to wait (plus up to as much again, at random)

	EnrollPerMinute float64 // POST /enroll attempts per client address, refilled continuously
	EnrollBurst     int     // attempts an address may make at once
	EnrollAddresses int     // addresses remembered; the least recently seen are forgotten first
	// EnrollReadTimeout cuts an enrollment body (a few hundred bytes) that has not arrived
	// in this time (408), well before ReadTimeout: it frees its TokenlessInFlight slot.
	EnrollReadTimeout time.Duration

	ReadHeaderTimeout time.Duration // to read a request's headers
	ReadTimeout       time.Duration // to read a whole request, body included (tus uploads extend it per read)
	WriteTimeout      time.Duration // from the end of the headers to the end of the reply
	IdleTimeout       time.Duration // a kept-alive connection waiting for its next request
	MaxHeaderBytes    int           // request line and headers

	// A request body or reply at least FreeAfter bytes long returns the freed heap to the
	// operating system (debug.FreeOSMemory, in the background), at most once per FreeEvery.
	// A negative FreeAfter turns this off.
	FreeAfter int64
	FreeEvery time.Duration
}

// DefaultLimits are the limits of `motcua-central serve` and of every Server opened without
// its own. Sized for a city of a few hundred counters on one machine: in-flight requests
// times the largest body stays well under the default memory limit of serve (1 GiB).
func DefaultLimits() Limits {
	return Limits{
		EnrollBody: 8 << 10,
		PushBody:   8 << 20,
		AdminBody:  256 << 10,

		PageBytes:     4 << 20,
		DossiersLimit: 500,

		InFlight:          32,
		InFlightPerDevice: 6,
		PushInFlight:      4,
		PushStall:         20 * time.Second,
		TokenlessInFlight: 4,
		SmallPush:         128 << 10,
		RetryAfter:        3 * time.Second,

		EnrollPerMinute: 5,
		EnrollBurst:     10,
		EnrollAddresses: 10000,

		EnrollReadTimeout: 10 * time.Second,

		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      90 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,

		FreeAfter: 4 << 20,
		FreeEvery: 30 * time.Second,
	}
}

// withDefaults fills the zero fields from DefaultLimits.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	l.EnrollBody = orDefault(l.EnrollBody, d.EnrollBody)
	l.PushBody = orDefault(l.PushBody, d.PushBody)
	l.AdminBody = orDefault(l.AdminBody, d.AdminBody)
	l.PageBytes = orDefault(l.PageBytes, d.PageBytes)
	l.DossiersLimit = orDefault(l.DossiersLimit, d.DossiersLimit)
	l.InFlight = orDefault(l.InFlight, d.InFlight)
	l.InFlightPerDevice = orDefault(l.InFlightPerDevice, d.InFlightPerDevice)
	l.PushInFlight = orDefault(l.PushInFlight, d.PushInFlight)
	l.PushInFlightPerDevice = orDefault(l.PushInFlightPerDevice, max(1, l.PushInFlight/4))
	l.TokenlessInFlight = orDefault(l.TokenlessInFlight, d.TokenlessInFlight)
	l.PushStall = orDefault(l.PushStall, d.PushStall)
	l.TokenlessPerAddress = orDefault(l.TokenlessPerAddress, max(1, l.TokenlessInFlight/2))
	l.EnrollReadTimeout = orDefault(l.EnrollReadTimeout, d.EnrollReadTimeout)
	if l.SmallPush == 0 { // negative: off
		l.SmallPush = d.SmallPush
	}
	l.RetryAfter = orDefault(l.RetryAfter, d.RetryAfter)
	l.EnrollPerMinute = orDefault(l.EnrollPerMinute, d.EnrollPerMinute)
	l.EnrollBurst = orDefault(l.EnrollBurst, d.EnrollBurst)
	l.EnrollAddresses = orDefault(l.EnrollAddresses, d.EnrollAddresses)
	l.ReadHeaderTimeout = orDefault(l.ReadHeaderTimeout, d.ReadHeaderTimeout)
	l.ReadTimeout = orDefault(l.ReadTimeout, d.ReadTimeout)
	l.WriteTimeout = orDefault(l.WriteTimeout, d.WriteTimeout)
	l.IdleTimeout = orDefault(l.IdleTimeout, d.IdleTimeout)
	l.MaxHeaderBytes = orDefault(l.MaxHeaderBytes, d.MaxHeaderBytes)
	if l.FreeAfter == 0 { // negative: off
		l.FreeAfter = d.FreeAfter
	}
	l.FreeEvery = orDefault(l.FreeEvery, d.FreeEvery)
	return l
}

func orDefault[T int | int64 | float64 | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// NewHTTPServer is the http.Server that serves h on addr with l's timeouts and header cap:
// `motcua-central serve` runs it, and tests put it in an httptest.Server (ts.Config).
// ReadTimeout cuts a body that trickles in; WriteTimeout cuts a client that never reads its
// reply, so neither can hold a request's memory for long.
func NewHTTPServer(addr string, h http.Handler, l Limits) *http.Server {
	l = l.withDefaults()
	return &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: l.ReadHeaderTimeout, ReadTimeout: l.ReadTimeout,
		WriteTimeout: l.WriteTimeout, IdleTimeout: l.IdleTimeout, MaxHeaderBytes: l.MaxHeaderBytes}
}

// LoadTLS reads a certificate (with its chain) and its private key, PEM-encoded, for
// serving HTTPS. TLS 1.2 is the oldest version offered.
func LoadTLS(certFile, keyFile string) (*tls.Config, error) {
	if certFile == "" || keyFile == "" {
		return nil, errors.New("cần cả --tls-cert (chứng chỉ) và --tls-key (khóa riêng) để phục vụ HTTPS")
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("không đọc được chứng chỉ TLS %s / khóa %s: %w", certFile, keyFile, err)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}

// errTooLarge is a request body over its route's cap (413).
type errTooLarge struct {
	limit    int64
	inflated bool // a compressed body, past the limit once inflated
}

func (e *errTooLarge) Error() string {
	if e.inflated {
		return fmt.Sprintf("Nội dung yêu cầu quá lớn sau khi giải nén: lệnh này nhận tối đa %s (đã giải nén); máy chủ dừng giải nén ở đó.", domain.FormatBytes(int(e.limit)))
	}
	return fmt.Sprintf("Nội dung yêu cầu quá lớn: lệnh này nhận tối đa %s.", domain.FormatBytes(int(e.limit)))
}

// errSlowBody is a body that did not arrive within the read timeout (408).
var errSlowBody = errors.New("Máy chủ không nhận đủ nội dung yêu cầu trong thời gian cho phép; hãy thử lại khi đường truyền ổn định hơn.")

// capBody bounds the body a route reads. Past the cap, reading fails (decodeBody answers
// 413) and net/http closes the connection after the reply instead of reading on.
func capBody(limit int64, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		h(w, r)
	}
}

// admit takes a slot for a request, or answers 429 with Retry-After when every slot is
// busy, or when the request's token already holds InFlightPerDevice of them. GET /ping is
// always answered: it is how a workstation finds the server again, and it costs nothing.
// The token is counted as presented, before it is checked: a token nobody holds is
// answered 401 at once and holds nothing, and counting first keeps a device over its
// share from taking (even for a moment) the slots the other counters need.
//
// Requests without a token, and every POST /enroll (whatever it carries), take one of the
// TokenlessInFlight slots instead: strangers never take the slots the counters use. The
// admin token has one slot of its own beside the InFlight ones, so the operator can
// always look at /stats while the city is busy.
func (s *Server) admit(w http.ResponseWriter, r *http.Request) (release func(), ok bool) {
	if r.URL.Path == api.Prefix+"/ping" {
		return func() {}, true
	}
	tok := bearer(r)
	if tok == "" || r.URL.Path == api.Prefix+"/enroll" {
		addr := clientKey(r.RemoteAddr)
		if !s.tokenlessPerAddr.tryTake(addr) {
			s.turnAway(w, r, "Địa chỉ này đang gửi quá nhiều yêu cầu chưa có mã truy cập cùng lúc; hãy thử lại sau %d giây.")
			return nil, false
		}
		select {
		case s.tokenless <- struct{}{}:
			return func() {
				<-s.tokenless
				s.tokenlessPerAddr.release(addr)
			}, true
		default:
		}
		s.tokenlessPerAddr.release(addr)
		s.turnAway(w, r, "Máy chủ đang bận phục vụ nhiều yêu cầu chưa có mã truy cập cùng lúc; hãy thử lại sau %d giây.")
		return nil, false
	}
	if !s.perToken.tryTake(tok) {
		s.turnAway(w, r, "Máy trạm này đang gửi quá nhiều yêu cầu cùng lúc tới máy chủ; máy trạm sẽ tự thử lại sau %d giây.")
		return nil, false
	}
	select {
	case s.slots <- struct{}{}:
		return func() {
			<-s.slots
			s.perToken.release(tok)
		}, true
	default:
	}
	if s.isAdmin(r) {
		select {
		case s.adminSlot <- struct{}{}:
			return func() {
				<-s.adminSlot
				s.perToken.release(tok)
			}, true
		default:
		}
	}
	s.perToken.release(tok)
	s.turnAway(w, r, "Máy chủ đang bận phục vụ nhiều yêu cầu cùng lúc; máy trạm sẽ tự thử lại sau %d giây.")
	return nil, false
}

// limitPush admits a large push when one of the PushInFlight slots is free and its token
// holds fewer than PushInFlightPerDevice of them, and otherwise answers 429 with
// Retry-After, without reading the body. A push over its token's share first waits up to
// a quarter of the read timeout (at least RetryAfter) for one of that token's pushes to
// end: the desktop engine sends a few
// batches at once, and a lone workstation's backlog then goes through without being
// turned away. Small pushes (up to Limits.SmallPush bytes, announced by Content-Length,
// not compressed) are not counted.
func (s *Server) limitPush(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		// Only a plain body is small for what it says: a gzipped one may inflate to the
		// whole push limit.
		if r.ContentLength >= 0 && r.ContentLength <= s.limits.SmallPush && r.Header.Get("Content-Encoding") == "" {
			// A clerk's act (a few events): little memory and a moment of the writer. Turning
			// it away would make a counter wait seconds for nothing; the overall limit holds.
			h(w, r)
			return
		}
		end := time.Now().Add(s.limits.ReadTimeout) // about when the server's read timeout ends
		tok := bearer(r)
		// The wait costs the city nothing (the request holds only its token's own share of
		// the slots) and leaves most of the read timeout for the body.
		if !s.pushPerToken.take(r.Context(), tok, max(s.limits.RetryAfter, s.limits.ReadTimeout/4)) {
			s.turnAway(w, r, "Máy trạm này đang gửi nhiều lô dữ liệu cùng lúc; máy trạm sẽ tự gửi lại sau %d giây.")
			return
		}
		defer s.pushPerToken.release(tok)
		select {
		case s.pushSlots <- struct{}{}:
			defer func() { <-s.pushSlots }()
			r.Body = &stallBody{body: r.Body, rc: http.NewResponseController(w), stall: s.limits.PushStall, end: end}
			h(w, r)
		default:
			s.turnAway(w, r, "Máy chủ đang nhận dữ liệu của nhiều máy trạm cùng lúc; máy trạm sẽ tự gửi lại sau %d giây.")
		}
	}
}

// stallBody gives every read of a body PushStall to bring something, up to the end of the
// read timeout: a push whose body stops coming is cut (408) long before the read timeout.
type stallBody struct {
	body interface {
		Read([]byte) (int, error)
		Close() error
	}
	rc    *http.ResponseController
	stall time.Duration
	end   time.Time
	off   bool // the connection does not take deadlines
}

func (b *stallBody) Read(p []byte) (int, error) {
	if !b.off {
		d := time.Now().Add(b.stall)
		if d.After(b.end) {
			d = b.end
		}
		if err := b.rc.SetReadDeadline(d); err != nil {
			b.off = true
		}
	}
	return b.body.Read(p)
}

func (b *stallBody) Close() error { return b.body.Close() }

// keyedSlots holds, per key (a bearer token, a client address), a semaphore of max slots;
// a key is forgotten when nothing of it is held or waiting, so the map holds at most one
// entry per request in flight.
type keyedSlots struct {
	mu  sync.Mutex
	max int
	m   map[string]*keySem
}

type keySem struct {
	ch   chan struct{}
	refs int // holders and waiters
}

func newKeyedSlots(max int) *keyedSlots { return &keyedSlots{max: max, m: map[string]*keySem{}} }

// tryTake takes one of key's slots if one is free.
func (t *keyedSlots) tryTake(key string) bool { return t.take(context.Background(), key, 0) }

// take takes one of key's slots, waiting up to wait (or until ctx ends) for one.
func (t *keyedSlots) take(ctx context.Context, tok string, wait time.Duration) bool {
	t.mu.Lock()
	e := t.m[tok]
	if e == nil {
		e = &keySem{ch: make(chan struct{}, t.max)}
		t.m[tok] = e
	}
	e.refs++
	t.mu.Unlock()
	select {
	case e.ch <- struct{}{}:
		return true
	default:
	}
	if wait <= 0 {
		t.unref(tok, e)
		return false
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case e.ch <- struct{}{}:
		return true
	case <-timer.C:
	case <-ctx.Done():
	}
	t.unref(tok, e)
	return false
}

func (t *keyedSlots) release(tok string) {
	t.mu.Lock()
	e := t.m[tok]
	t.mu.Unlock()
	<-e.ch
	t.unref(tok, e)
}

func (t *keyedSlots) unref(tok string, e *keySem) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if e.refs--; e.refs == 0 {
		delete(t.m, tok)
	}
}

// held is how many slots tok holds (tests).
func (t *keyedSlots) held(tok string) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	if e := t.m[tok]; e != nil {
		return len(e.ch)
	}
	return 0
}

// turnAway answers 429 with a Retry-After of the configured wait plus up to as much again,
// so clients turned away together do not all come back together. msg has one %d: seconds.
// A request with a body is answered at once and its connection closed: net/http would
// otherwise read the unread body (up to 256 KB) before sending the reply, and a client
// that never sends it would hold the connection until the read timeout.
func (s *Server) turnAway(w http.ResponseWriter, r *http.Request, msg string) {
	if r.ContentLength != 0 {
		w.Header().Set("Connection", "close")
	}
	wait := s.limits.RetryAfter + rand.N(s.limits.RetryAfter+1)
	secs := max(1, int((wait+time.Second-1)/time.Second))
	s.turnAwayFor(w, secs, fmt.Sprintf(msg, secs))
}

func (s *Server) turnAwayFor(w http.ResponseWriter, secs int, msg string) {
	w.Header().Set(api.Header, api.HeaderValue)
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	s.writeError(w, http.StatusTooManyRequests, "rate_limited", msg)
}

// limitEnroll lets each client address try POST /enroll only so often: the call needs no
// token, so it is the one a stranger can repeat to guess codes or to load the database.
func (s *Server) limitEnroll(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if ok, wait := s.enrolls.allow(clientKey(r.RemoteAddr)); !ok {
			secs := max(1, int((wait+time.Second-1)/time.Second))
			s.turnAwayFor(w, secs, fmt.Sprintf("Địa chỉ này đã thử đăng ký quá nhiều lần; hãy thử lại sau %d giây.", secs))
			return
		}
		// An enrollment body is a few hundred bytes: one that has not come in a few seconds
		// is not coming, and it holds one of the few tokenless slots.
		if err := http.NewResponseController(w).SetReadDeadline(time.Now().Add(s.limits.EnrollReadTimeout)); err != nil {
			s.log.Warn("enroll: no read deadline", "err", err)
		}
		h(w, r)
	}
}

// clientKey is what the enrollment limit counts by: the IPv4 address, or the /64 an IPv6
// address is in (one site gets a whole /64 and could otherwise walk through it).
func clientKey(remoteAddr string) string {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return host
	}
	if v4 := ip.To4(); v4 != nil {
		return v4.String()
	}
	return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
}

// addrLimiter is a token bucket per key, in a map of bounded size.
type addrLimiter struct {
	mu      sync.Mutex
	perSec  float64
	burst   float64
	max     int
	now     func() time.Time
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newAddrLimiter(perMinute float64, burst, maxKeys int, now func() time.Time) *addrLimiter {
	return &addrLimiter{perSec: perMinute / 60, burst: float64(burst), max: maxKeys, now: now, buckets: map[string]*bucket{}}
}

// allow takes a token for key, or says how long until one is there.
func (l *addrLimiter) allow(key string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) >= l.max {
			l.evict(now)
		}
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	}
	b.tokens = min(l.burst, b.tokens+now.Sub(b.last).Seconds()*l.perSec)
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / l.perSec * float64(time.Second))
}

// evict forgets the addresses whose bucket has refilled (they lose nothing), and if that
// is not enough, the one seen least recently.
func (l *addrLimiter) evict(now time.Time) {
	full := time.Duration(l.burst / l.perSec * float64(time.Second))
	var oldest string
	var oldestAt time.Time
	for k, b := range l.buckets {
		if now.Sub(b.last) >= full {
			delete(l.buckets, k)
			continue
		}
		if oldest == "" || b.last.Before(oldestAt) {
			oldest, oldestAt = k, b.last
		}
	}
	if len(l.buckets) >= l.max && oldest != "" {
		delete(l.buckets, oldest)
	}
}

func (l *addrLimiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}

// memReturner gives the heap freed after a large request back to the operating system.
// The Go runtime does so by itself, but slowly (minutes); a city server that just decoded
// an 8 MB push or encoded a 4 MB page would otherwise keep that memory resident. The work
// (a full collection) is done in the background and at most once per interval.
type memReturner struct {
	after   int64
	every   time.Duration
	mu      sync.Mutex
	last    time.Time
	running atomic.Bool
	runs    atomic.Int64 // how many times it ran (tests)
}

func (m *memReturner) note(n int64) {
	if m.after < 0 || n < m.after {
		return
	}
	m.mu.Lock()
	if now := time.Now(); now.Sub(m.last) >= m.every && !m.running.Load() {
		m.last = now
		m.running.Store(true)
		go func() {
			defer m.running.Store(false)
			debug.FreeOSMemory()
			m.runs.Add(1)
		}()
	}
	m.mu.Unlock()
}

// countingBody counts the bytes a handler read from a request body.
type countingBody struct {
	body interface {
		Read([]byte) (int, error)
		Close() error
	}
	n int64
}

func (c *countingBody) Read(p []byte) (int, error) {
	n, err := c.body.Read(p)
	c.n += int64(n)
	return n, err
}

func (c *countingBody) Close() error { return c.body.Close() }

// encodedSize estimates an event's size in a JSON page from its stored fields: the field
// names, the time and the clock take under 160 bytes.
func encodedSize(e domain.Event) int {
	return 160 + len(e.ID) + len(e.Stream) + len(e.StreamID) + len(e.Type) + len(e.Payload) + len(e.Actor) + len(e.Device) + len(e.Unit)
}

// pageLimit is the byte cap of a /changes page.
func (c *Central) pageLimit() int {
	if c.pageBytes > 0 {
		return c.pageBytes
	}
	return DefaultLimits().PageBytes
}
