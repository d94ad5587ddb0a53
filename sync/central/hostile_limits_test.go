package central

// The hostile-workstation suite, resource part: each test plays one attack against the real
// server over HTTP on loopback (the server runs in this process, so runtime.MemStats shows
// what the attack made it hold) and checks it is refused quickly with bounded memory.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"motcua/domain"
	"motcua/sync/api"
)

// heapBound is how much the server's heap may grow during an attack.
const heapBound = 200 << 20

// newLimitedFixture serves a fresh city server with limits l through NewHTTPServer, the
// http.Server `motcua-central serve` runs. configure, if set, adjusts the test server
// before it starts.
func newLimitedFixture(t *testing.T, l Limits, configure func(*httptest.Server)) *fixture {
	t.Helper()
	f := &fixture{t: t, now: time.Now()}
	srv, err := Open(context.Background(), Options{Dir: t.TempDir(), DB: testDB(t), AdminToken: "admin", Limits: l})
	if err != nil {
		t.Fatal(err)
	}
	f.srv, f.c = srv, srv.Central()
	f.ts = httptest.NewUnstartedServer(srv.Handler())
	f.ts.Config = NewHTTPServer("", srv.Handler(), srv.Limits())
	if configure != nil {
		configure(f.ts)
	}
	f.ts.Start()
	t.Cleanup(func() {
		f.ts.Close()
		srv.Close()
	})
	return f
}

// heapWatch samples the heap while an attack runs and reports its peak growth.
type heapWatch struct {
	base uint64
	peak atomic.Uint64
	stop chan struct{}
	done chan struct{}
}

func watchHeap() *heapWatch {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	h := &heapWatch{base: ms.HeapInuse, stop: make(chan struct{}), done: make(chan struct{})}
	h.peak.Store(ms.HeapInuse)
	go func() {
		defer close(h.done)
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-h.stop:
				return
			case <-tick.C:
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				if ms.HeapInuse > h.peak.Load() {
					h.peak.Store(ms.HeapInuse)
				}
			}
		}
	}()
	return h
}

// check stops watching and fails the test if the heap grew by more than heapBound.
func (h *heapWatch) check(t *testing.T, what string) {
	t.Helper()
	close(h.stop)
	<-h.done
	grew := int64(h.peak.Load()) - int64(h.base)
	t.Logf("%s: heap peak %d MB over the %d MB before", what, grew>>20, h.base>>20)
	if grew > heapBound {
		t.Fatalf("%s: the heap grew by %d MB (bound %d MB)", what, grew>>20, heapBound>>20)
	}
}

// filler is an endless stream of one byte: a large body without holding it in memory.
type filler byte

func (b filler) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(b)
	}
	return len(p), nil
}

// streamBody is prefix, n bytes of fill, suffix: valid-looking JSON of any size.
func streamBody(prefix string, n int64, suffix string) (io.Reader, int64) {
	return io.MultiReader(strings.NewReader(prefix), io.LimitReader(filler('a'), n), strings.NewReader(suffix)),
		int64(len(prefix)) + n + int64(len(suffix))
}

// hostileEvent makes one event of dev (every event of this suite is made here).
func hostileEvent(t *testing.T, dev Device, streamID string, typ domain.EventType, payload any, hlc domain.HLC) domain.Event {
	t.Helper()
	now := time.Now()
	e, err := domain.NewEvent(uuid.Must(uuid.NewV7()).String(), domain.StreamDossier, streamID, typ, payload, "lan", dev.ID, dev.Unit, now, hlc)
	if err != nil {
		t.Fatal(err)
	}
	return signed(e)
}

// largeLegalEvent opens dossier n of dev with a payload of about size bytes that is within
// every limit: its bulk is a checklist of documents with long names.
func largeLegalEvent(t *testing.T, dev Device, n, size int) domain.Event {
	t.Helper()
	now := time.Now()
	code, err := domain.NewDossierCode(dev.Unit, now, dev.Slot, n)
	if err != nil {
		t.Fatal(err)
	}
	p := domain.ReceivedPayload{Code: code.String(), Procedure: domain.ProcedureRef{Code: "1.001193", Name: "Thủ tục đăng ký khai sinh"},
		Applicant: domain.Person{Name: "Nguyễn Văn An"}, Summary: "Đăng ký khai sinh", DueAt: now.Add(8 * time.Hour), Sets: 1}
	for left := size; left > 0; left -= 6000 {
		p.Documents = append(p.Documents, domain.DocumentItem{Name: strings.Repeat("d", min(left, 6000)), Form: domain.FormOriginal, Count: 1})
	}
	e := hostileEvent(t, dev, uuid.Must(uuid.NewV7()).String(), domain.EvReceived, p, domain.MakeHLC(now.UnixMilli(), uint16(n)))
	if err := e.CheckLimits(); err != nil {
		t.Fatal(err)
	}
	return e
}

// pushLarge stores n large legal events of dev at the city.
func pushLarge(t *testing.T, f *fixture, dev Device, n, size int) []domain.Event {
	t.Helper()
	var evs []domain.Event
	for i := 1; i <= n; i++ {
		evs = append(evs, largeLegalEvent(t, dev, i, size))
	}
	resp, err := f.c.Push(context.Background(), dev, evs)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range resp.Results {
		if r.Status != api.Accepted {
			t.Fatalf("a legal event was not accepted: %+v", r)
		}
	}
	return evs
}

// errorMessage reads a reply's Vietnamese error message.
func errorMessage(t *testing.T, r *http.Response) string {
	t.Helper()
	var er api.ErrorResponse
	if err := json.NewDecoder(r.Body).Decode(&er); err != nil {
		t.Fatalf("HTTP %d without an error body: %v", r.StatusCode, err)
	}
	return er.Error.Message
}

// Twelve clients each send a 62 MB body to /enroll (which needs no token) at once: each is
// answered 413 after 8 KB, quickly, and the server never holds the bodies.
func TestHostileOversizedEnrollBody(t *testing.T) {
	f := newLimitedFixture(t, Limits{EnrollPerMinute: 6000, EnrollBurst: 100, TokenlessInFlight: 12, TokenlessPerAddress: 12}, nil)
	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	heap := watchHeap()
	start := time.Now()
	var wg gosync.WaitGroup
	statuses := make([]int, 12)
	errs := make([]error, 12)
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body, n := streamBody(`{"code":"`, 62<<20, `"}`)
			req, _ := http.NewRequest(http.MethodPost, f.ts.URL+api.Prefix+"/enroll", body)
			req.ContentLength = n
			resp, err := client.Do(req)
			if err != nil {
				errs[i] = err
				return
			}
			defer resp.Body.Close()
			statuses[i] = resp.StatusCode
			if resp.StatusCode == http.StatusRequestEntityTooLarge {
				if msg := errorMessage(t, resp); !strings.Contains(msg, "quá lớn") || !strings.Contains(msg, "8 KiB") {
					errs[i] = fmt.Errorf("message %q", msg)
				}
			}
		}()
	}
	wg.Wait()
	took := time.Since(start)
	heap.check(t, "12 × 62 MB to /enroll")
	refused := 0
	for i, st := range statuses {
		switch {
		case st == http.StatusRequestEntityTooLarge:
			refused++
		case errs[i] != nil && st == 0:
			// The connection was closed while the body was still being sent: refused too.
			t.Logf("client %d: %v", i, errs[i])
		default:
			t.Fatalf("client %d: HTTP %d %v", i, st, errs[i])
		}
		if errs[i] != nil && st != 0 {
			t.Fatalf("client %d: %v", i, errs[i])
		}
	}
	if refused < len(statuses)/2 {
		t.Fatalf("only %d of %d clients were answered 413", refused, len(statuses))
	}
	if took > 15*time.Second {
		t.Fatalf("refusing took %v", took)
	}
	// The server is still there for a real workstation.
	code, _, _ := f.c.IssueEnrollCode(context.Background(), unit, "Xã An Hưng", 1)
	body, _ := json.Marshal(enrollReq(code, ""))
	if r := f.call(http.MethodPost, "/enroll", "", body, nil); r.StatusCode != http.StatusOK {
		t.Fatalf("a real enrollment after the attack: %d %s", r.StatusCode, errorMessage(t, r))
	}
}

// pushRaw posts a body to /events and returns the reply.
func pushRaw(t *testing.T, f *fixture, token string, body io.Reader, n int64) (*http.Response, error) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, f.ts.URL+api.Prefix+"/events", body)
	req.ContentLength = n
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	return f.ts.Client().Do(req)
}

// An enrolled workstation pushes a 5 MB actor, a 20 MB payload, payloads with huge strings
// and deep nesting: the body over the cap is refused whole (413); the others are rejected
// one by one with the reason, the good event beside them is accepted, nothing oversized is
// stored, and the heap stays bounded.
func TestHostileOversizedEvents(t *testing.T) {
	ctx := context.Background()
	f := newLimitedFixture(t, Limits{}, nil)
	dev, tok := f.device(1)
	heap := watchHeap()

	// 20 MB of payload: refused once 8 MiB have been read.
	now := time.Now()
	prefix := fmt.Sprintf(`{"events":[{"id":%q,"stream":"dossier","stream_id":%q,"type":"dossier.received","v":1,"actor":"lan",`+
		`"device":%q,"unit":%q,"at":%q,"hlc":%d,"payload":{"summary":"`, uuid.Must(uuid.NewV7()).String(), uuid.Must(uuid.NewV7()).String(),
		dev.ID, dev.Unit, now.UTC().Format(time.RFC3339Nano), domain.MakeHLC(now.UnixMilli(), 0))
	body, n := streamBody(prefix, 20<<20, `"}}]}`)
	resp, err := pushRaw(t, f, tok, body, n)
	if err == nil {
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Fatalf("20 MB push: HTTP %d", resp.StatusCode)
		}
		if msg := errorMessage(t, resp); !strings.Contains(msg, "8,0 MiB") {
			t.Fatalf("20 MB push: %q", msg)
		}
		resp.Body.Close()
	} else {
		t.Logf("20 MB push: connection closed while sending: %v", err)
	}

	// A batch under the cap with oversized fields beside a good event.
	good := largeLegalEvent(t, dev, 2, 2000)
	bigActor := largeLegalEvent(t, dev, 3, 100)
	bigActor.Actor = strings.Repeat("x", 5<<20)
	bigString := largeLegalEvent(t, dev, 4, 100)
	bigString.Payload = json.RawMessage(strings.Replace(string(bigString.Payload), `"summary":"`, `"summary":"`+strings.Repeat("s", 50<<10), 1))
	deep := largeLegalEvent(t, dev, 5, 100)
	deep.Payload = json.RawMessage(`{"code":"x","documents":` + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + `}`)
	bigType := largeLegalEvent(t, dev, 6, 100)
	bigType.Type = domain.EventType("dossier." + strings.Repeat("t", 1<<20))
	raw, _ := json.Marshal(api.PushRequest{Events: []domain.Event{good, bigActor, bigString, deep, bigType}})
	r := f.call(http.MethodPost, "/events", tok, raw, nil)
	if r.StatusCode != http.StatusOK {
		t.Fatalf("push: HTTP %d %s", r.StatusCode, errorMessage(t, r))
	}
	var pr api.PushResponse
	if err := json.NewDecoder(r.Body).Decode(&pr); err != nil {
		t.Fatal(err)
	}
	want := []struct{ status, reason string }{{api.Accepted, ""}, {api.Rejected, "actor"}, {api.Rejected, "văn bản"}, {api.Rejected, "lồng nhau"}, {api.Rejected, "type"}}
	for i, w := range want {
		got := pr.Results[i]
		if got.Status != w.status || !strings.Contains(got.Reason, w.reason) || len(got.Reason) > 300 {
			t.Fatalf("event %d: %s %.300q, want %s naming %q", i, got.Status, got.Reason, w.status, w.reason)
		}
	}
	heap.check(t, "oversized events")
	stored := map[string]bool{}
	evs, _ := f.c.Events(ctx)
	for _, e := range evs {
		stored[e.ID] = true
		if err := e.CheckLimits(); err != nil {
			t.Fatalf("the city stored an oversized event: %v", err)
		}
	}
	if !stored[good.ID] || len(evs) != 1 {
		t.Fatalf("the city holds %d events", len(evs))
	}
	// The large request gave its memory back.
	waitUntil(t, "memory returned after a large request", func() bool { return f.srv.mem.runs.Load() > 0 })

	// The city's own recording path has the same limits, and its own body cap.
	rec, _ := json.Marshal(api.AdminEventRequest{DossierID: good.StreamID, Type: "dossier.forwarded", Actor: strings.Repeat("a", 200),
		Payload: json.RawMessage(`{"agency":"Tư pháp"}`)})
	if r := f.call(http.MethodPost, "/admin/events", "admin", rec, nil); r.StatusCode != http.StatusBadRequest || !strings.Contains(errorMessage(t, r), "actor") {
		t.Fatalf("an admin event with a 200-byte actor: HTTP %d", r.StatusCode)
	}
	rec, _ = json.Marshal(api.AdminEventRequest{DossierID: good.StreamID, Type: "dossier.forwarded", Payload: json.RawMessage(`{"agency":"` + strings.Repeat("a", 300<<10) + `"}`)})
	if r := f.call(http.MethodPost, "/admin/events", "admin", rec, nil); r.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("a 300 KB admin event: HTTP %d", r.StatusCode)
	}
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting: %s", what)
		}
	}
}

// A unit holds many large (legal) events; another counter pulls with the largest page it
// may ask for. Each page stays within the byte cap (plus one event), holds at least one
// event, and the pages together carry every event once, in order.
func TestHostileChangesPageBoundedInBytes(t *testing.T) {
	f := newLimitedFixture(t, Limits{}, nil)
	a, _ := f.device(1)
	_, tokB := f.device(2)
	evs := pushLarge(t, f, a, 80, 60<<10) // 4.8 MB of events
	heap := watchHeap()
	pull := func() []domain.Event {
		var got []domain.Event
		cursor := ""
		for pages := 0; ; pages++ {
			r := f.call(http.MethodGet, "/changes?limit=5000&after="+cursor, tokB, nil, nil)
			raw, _ := io.ReadAll(r.Body)
			var page api.ChangesResponse
			if err := json.Unmarshal(raw, &page); err != nil || r.StatusCode != http.StatusOK {
				t.Fatalf("HTTP %d: %v", r.StatusCode, err)
			}
			if len(page.Events) == 0 && page.More {
				t.Fatal("an empty page that says there is more")
			}
			// The documented cap (4 MiB), overshot by less than one event.
			if len(raw) > 4<<20+70<<10 && len(page.Events) > 1 {
				t.Fatalf("a page of %d bytes (%d events)", len(raw), len(page.Events))
			}
			got = append(got, page.Events...)
			cursor = page.Cursor
			if !page.More {
				if pages == 0 {
					t.Fatalf("4.8 MB of events in one page of %d bytes", len(raw))
				}
				return got
			}
		}
	}
	got := pull()
	if len(got) != len(evs) {
		t.Fatalf("pulled %d of %d events", len(got), len(evs))
	}
	for i := range evs {
		if got[i].ID != evs[i].ID {
			t.Fatalf("event %d out of order or missing", i)
		}
	}
	heap.check(t, "pages of large events")
	// Whatever the cap, a page holds at least one event: pulling always moves forward.
	f.c.pageBytes = 1
	if got := pull(); len(got) != len(evs) {
		t.Fatalf("with a 1-byte cap: %d of %d events", len(got), len(evs))
	}
}

// smallBuffers makes every accepted connection's send buffer small, so a reply larger than
// a few kilobytes waits for the client to read it (instead of sitting in kernel buffers).
type smallBuffers struct{ net.Listener }

func (l smallBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetWriteBuffer(16 << 10)
	}
	return c, err
}

// rawRequest opens a connection that reads only as much as its small buffer takes, and
// sends a request on it.
func rawRequest(t *testing.T, addr, request string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	c.(*net.TCPConn).SetReadBuffer(4 << 10)
	t.Cleanup(func() { c.Close() })
	if _, err := io.WriteString(c, request); err != nil {
		t.Fatal(err)
	}
	return c
}

// Five clients ask for the largest page and never read it. The server gives up on each
// within its write timeout: the requests leave (their slots and memory are free again)
// and the connections are closed.
func TestHostileReaderThatNeverReads(t *testing.T) {
	const writeTimeout = 2 * time.Second
	var mu gosync.Mutex
	closed := map[string]bool{} // client addresses whose connection the server closed
	f := newLimitedFixture(t, Limits{WriteTimeout: writeTimeout}, func(ts *httptest.Server) {
		ts.Listener = smallBuffers{ts.Listener}
		ts.Config.ConnState = func(c net.Conn, st http.ConnState) {
			if st == http.StateClosed {
				mu.Lock()
				closed[c.RemoteAddr().String()] = true
				mu.Unlock()
			}
		}
	})
	a, _ := f.device(1)
	_, tokB := f.device(2)
	pushLarge(t, f, a, 80, 60<<10)
	heap := watchHeap()
	addr := strings.TrimPrefix(f.ts.URL, "http://")
	var conns []net.Conn
	start := time.Now()
	for range 5 {
		conns = append(conns, rawRequest(t, addr, "GET "+api.Prefix+"/changes?limit=5000 HTTP/1.1\r\nHost: motcua\r\nAuthorization: Bearer "+tokB+"\r\n\r\n"))
	}
	// Each request leaves (its slot and memory free) and its connection is closed.
	waitUntil(t, "the server to give up on the readers", func() bool {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			if !closed[c.LocalAddr().String()] {
				return false
			}
		}
		return len(f.srv.slots) == 0
	})
	took := time.Since(start)
	heap.check(t, "five readers that never read")
	if took > 4*writeTimeout+3*time.Second { // generous: a loaded CI machine is slow to close
		t.Fatalf("the server held the readers for %v (write timeout %v)", took, writeTimeout)
	}
	// A reader that reads now gets a reply cut short (whatever the kernel still held).
	c := conns[0]
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	if n, _ := io.Copy(io.Discard, c); n >= int64(f.c.pageLimit()) {
		t.Fatalf("a reader got %d bytes: the whole page", n)
	}
	// The server serves on.
	if r := f.call(http.MethodGet, "/changes?limit=1", tokB, nil, nil); r.StatusCode != http.StatusOK {
		t.Fatalf("after the attack: HTTP %d", r.StatusCode)
	}
}

// A body that trickles in a byte at a time is cut by the read timeout (408), and so are
// headers that never end.
func TestHostileSlowBody(t *testing.T) {
	const readTimeout = time.Second
	f := newLimitedFixture(t, Limits{ReadTimeout: readTimeout, ReadHeaderTimeout: readTimeout}, nil)
	_, tok := f.device(1)
	addr := strings.TrimPrefix(f.ts.URL, "http://")
	c := rawRequest(t, addr, "POST "+api.Prefix+"/events HTTP/1.1\r\nHost: motcua\r\nAuthorization: Bearer "+tok+
		"\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"events\":[")
	start := time.Now()
	stop := make(chan struct{})
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Millisecond):
				if _, err := c.Write([]byte(" ")); err != nil {
					return
				}
			}
		}
	}()
	defer close(stop)
	c.SetReadDeadline(time.Now().Add(readTimeout + 5*time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("no answer to a trickling body after %v: %v", time.Since(start), err)
	}
	took := time.Since(start)
	if resp.StatusCode != http.StatusRequestTimeout || took > readTimeout+2*time.Second {
		t.Fatalf("trickling body: HTTP %d after %v", resp.StatusCode, took)
	}
	if msg := errorMessage(t, resp); !strings.Contains(msg, "thời gian cho phép") {
		t.Fatalf("message %q", msg)
	}
	waitUntil(t, "the slot back", func() bool { return len(f.srv.slots) == 0 })

	// Headers that never end.
	h := rawRequest(t, addr, "GET "+api.Prefix+"/ping HTTP/1.1\r\nHost: motcua\r\n")
	start = time.Now()
	h.SetReadDeadline(time.Now().Add(readTimeout + 5*time.Second))
	io.Copy(io.Discard, h) // returns when the server closes the connection
	if took := time.Since(start); took > readTimeout+2*time.Second {
		t.Fatalf("unfinished headers held for %v", took)
	}
}

// More requests at once than the server takes: the rest are answered 429 with Retry-After
// (which the workstations honour), while /ping still answers.
func TestHostileTooManyInFlight(t *testing.T) {
	f := newLimitedFixture(t, Limits{InFlight: 2, InFlightPerDevice: 8, RetryAfter: time.Second}, nil)
	_, tok := f.device(1)
	f.srv.SetLatency(time.Second) // each request holds its slot a while
	var wg gosync.WaitGroup
	statuses := make([]int, 8)
	retry := make([]string, 8)
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest(http.MethodGet, f.ts.URL+api.Prefix+"/changes", nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			resp, err := f.ts.Client().Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			defer resp.Body.Close()
			statuses[i], retry[i] = resp.StatusCode, resp.Header.Get("Retry-After")
			if resp.StatusCode == http.StatusTooManyRequests {
				if resp.Header.Get(api.Header) != api.HeaderValue || !strings.Contains(errorMessage(t, resp), "bận") {
					t.Error("a 429 without the API header or the message")
				}
			}
		}()
	}
	waitUntil(t, "the slots taken", func() bool { return len(f.srv.slots) == 2 })
	f.srv.SetLatency(0)
	ping, err := f.ts.Client().Get(f.ts.URL + api.Prefix + "/ping")
	if err != nil || ping.StatusCode != http.StatusOK {
		t.Fatalf("ping while full: %v", err)
	}
	ping.Body.Close()
	wg.Wait()
	ok, busy := 0, 0
	for i, st := range statuses {
		switch st {
		case http.StatusOK:
			ok++
		case http.StatusTooManyRequests:
			busy++
			if n, err := strconv.Atoi(retry[i]); err != nil || n < 1 || n > 3 {
				t.Fatalf("Retry-After %q", retry[i])
			}
		default:
			t.Fatalf("HTTP %d", st)
		}
	}
	if ok < 2 || busy < 1 {
		t.Fatalf("%d served, %d turned away", ok, busy)
	}
}

// A stranger tries enrollment codes from one address: after the burst every attempt is
// answered 429 with Retry-After, even with a valid code, until the bucket refills.
func TestHostileEnrollRateLimit(t *testing.T) {
	f := newLimitedFixture(t, Limits{EnrollPerMinute: 5, EnrollBurst: 3}, nil)
	var now atomic.Int64
	now.Store(time.Now().UnixNano())
	f.srv.enrolls.now = func() time.Time { return time.Unix(0, now.Load()) }
	try := func(code string) *http.Response {
		body, _ := json.Marshal(enrollReq(code, ""))
		return f.call(http.MethodPost, "/enroll", "", body, nil)
	}
	for i := range 3 {
		if r := try(fmt.Sprintf("AAAA-BBBB-CCC%d", i)); r.StatusCode != http.StatusForbidden {
			t.Fatalf("guess %d: HTTP %d", i, r.StatusCode)
		}
	}
	code, _, _ := f.c.IssueEnrollCode(context.Background(), unit, "Xã An Hưng", 1)
	r := try(code)
	if r.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("after the burst: HTTP %d", r.StatusCode)
	}
	if n, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || n < 1 || n > 12 {
		t.Fatalf("Retry-After %q", r.Header.Get("Retry-After"))
	}
	if msg := errorMessage(t, r); !strings.Contains(msg, "quá nhiều lần") {
		t.Fatalf("message %q", msg)
	}
	now.Add(int64(12 * time.Second)) // one attempt back
	if r := try(code); r.StatusCode != http.StatusOK {
		t.Fatalf("after the wait: HTTP %d", r.StatusCode)
	}
}

// The limiter remembers a bounded number of addresses, and counts an IPv6 /64 as one.
func TestEnrollLimiterIsBounded(t *testing.T) {
	now := time.Unix(1_770_000_000, 0)
	l := newAddrLimiter(5, 2, 100, func() time.Time { return now })
	for i := range 10000 {
		l.allow(fmt.Sprintf("10.%d.%d.%d", i>>16, i>>8&255, i&255))
		if l.size() > 100 {
			t.Fatalf("%d addresses remembered", l.size())
		}
	}
	for i := range 3 {
		ok, _ := l.allow(clientKey(fmt.Sprintf("[2001:db8::%x]:443", i+1)))
		if ok != (i < 2) {
			t.Fatalf("IPv6 attempt %d: %v", i, ok)
		}
	}
	if clientKey("192.0.2.7:5000") != "192.0.2.7" || clientKey("[2001:db8:1:2:3::4]:1") != "2001:db8:1:2::/64" {
		t.Fatalf("keys %q %q", clientKey("192.0.2.7:5000"), clientKey("[2001:db8:1:2:3::4]:1"))
	}
}

// /dossiers folds every dossier it lists: its limit is capped.
func TestHostileDossiersLimitCapped(t *testing.T) {
	f := newLimitedFixture(t, Limits{DossiersLimit: 3}, nil)
	dev, _ := f.device(1)
	pushLarge(t, f, dev, 5, 100)
	var ds []domain.Dossier
	json.NewDecoder(f.call(http.MethodGet, "/dossiers?limit=100000", "admin", nil, nil).Body).Decode(&ds)
	if len(ds) != 3 {
		t.Fatalf("%d dossiers listed", len(ds))
	}
}

// A device sees its own unit's figures only, and a rejection never names the unit that
// owns a dossier.
func TestHostileStatsAndRejectionsStayInTheUnit(t *testing.T) {
	ctx := context.Background()
	f := newLimitedFixture(t, Limits{}, nil)
	a, tokA := f.device(1)
	pushLarge(t, f, a, 2, 100)
	const other = "000.00.07.H99"
	code, _, _ := f.c.IssueEnrollCode(ctx, other, "Xã Bên", 1)
	er, err := f.c.Enroll(ctx, enrollReq(code, ""))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := f.c.Authenticate(ctx, er.Token)
	pushLarge(t, f, b, 1, 100)

	stats := func(token string) api.StatsResponse {
		var st api.StatsResponse
		if err := json.NewDecoder(f.call(http.MethodGet, "/stats", token, nil, nil).Body).Decode(&st); err != nil {
			t.Fatal(err)
		}
		return st
	}
	if st := stats(er.Token); st.Dossiers != 1 || st.Events != 1 || st.Devices != 1 || len(st.ByUnit) != 1 || st.ByUnit[other] != 1 {
		t.Fatalf("unit B's device sees %+v", st)
	}
	if st := stats(tokA); st.Dossiers != 2 || st.Events != 2 || st.ByUnit[unit] != 2 || st.ByUnit[other] != 0 {
		t.Fatalf("unit A's device sees %+v", st)
	}
	if st := stats("admin"); st.Dossiers != 3 || st.ByUnit[unit] != 2 || st.ByUnit[other] != 1 || st.Devices != 2 {
		t.Fatalf("the admin sees %+v", st)
	}

	// B writes into A's dossier: refused without saying whose it is.
	evs, _ := f.c.Events(ctx)
	var target string
	for _, e := range evs {
		if e.Unit == unit {
			target = e.StreamID
		}
	}
	intrude := hostileEvent(t, b, target, domain.EvRefused, domain.ReasonPayload{Reason: "x"}, domain.MakeHLC(time.Now().UnixMilli(), 50))
	raw, _ := json.Marshal(api.PushRequest{Events: []domain.Event{intrude}})
	var pr api.PushResponse
	json.NewDecoder(f.call(http.MethodPost, "/events", er.Token, raw, nil).Body).Decode(&pr)
	if len(pr.Results) != 1 || pr.Results[0].Status != api.Rejected || !strings.Contains(pr.Results[0].Reason, "đơn vị khác") ||
		strings.Contains(pr.Results[0].Reason, unit) || bytes.Contains(raw, []byte(unit)) {
		t.Fatalf("cross-unit push: %+v", pr.Results)
	}
}

// Large pushes have their own, smaller share of the slots: while every push slot is taken,
// a large push is answered 429 with Retry-After before its body is read, other calls still go
// through, and the push is taken once a slot is free.
func TestPushesInFlightTurnedAway(t *testing.T) {
	f := newLimitedFixture(t, Limits{PushInFlight: 1, RetryAfter: time.Second}, nil)
	dev, tok := f.device(1)
	evs := backlog(dev, 300, time.Now().Add(-3*time.Hour)) // over smallPush
	body, _ := json.Marshal(api.PushRequest{Events: evs})
	f.srv.pushSlots <- struct{}{} // a push in flight
	resp := f.call(http.MethodPost, "/events", tok, body, nil)
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get(api.Header) != api.HeaderValue {
		t.Fatalf("push while the push slots are taken: HTTP %d", resp.StatusCode)
	}
	if n, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || n < 1 || n > 3 {
		t.Fatalf("Retry-After %q", resp.Header.Get("Retry-After"))
	}
	if msg := errorMessage(t, resp); !strings.Contains(msg, "gửi lại sau") {
		t.Fatalf("message %q", msg)
	}
	if r := f.call(http.MethodGet, "/changes", tok, nil, nil); r.StatusCode != http.StatusOK {
		t.Fatalf("a pull while pushes are turned away: HTTP %d", r.StatusCode)
	}
	if st, _ := f.c.Stats(context.Background()); st.Events != 0 {
		t.Fatalf("a turned-away push stored %d events", st.Events)
	}
	// A clerk's small push is not held back by a storm's large ones.
	dev2, tok2 := f.device(2)
	small := backlog(dev2, 3, time.Now().Add(-2*time.Hour))
	for _, res := range f.push(tok2, small...) {
		if res.Status != api.Accepted {
			t.Fatalf("small push while the push slots are taken: %+v", res)
		}
	}
	<-f.srv.pushSlots
	for _, res := range f.push(tok, evs...) {
		if res.Status != api.Accepted {
			t.Fatalf("%+v", res)
		}
	}
}

// One enrolled workstation (or a stolen token) opens more requests than its share and
// holds them (pushes whose body never comes, read until the read timeout). Its share is
// held; its extra requests are answered 429 with Retry-After at once, before they take a
// slot; a device of another unit still pushes and pulls, and the admin token has a share
// of its own. Without the per-device bound the hog held every slot and everyone got 429.
func TestHostileOneDeviceCannotHoldEverySlot(t *testing.T) {
	const share = 3
	f := newLimitedFixture(t, Limits{InFlight: 8, InFlightPerDevice: share, RetryAfter: time.Second, ReadTimeout: 10 * time.Minute}, nil)
	_, hog := f.device(1)
	other, tokOther := f.otherUnitDevice("000.00.07.H99", 1)
	_, tokSibling := f.otherUnitDevice("000.00.07.H99", 2)
	addr := strings.TrimPrefix(f.ts.URL, "http://")

	// Twice the whole server's slots, each a small push announcing a body it never sends.
	const n = 16
	type reply struct {
		status int
		retry  string
		msg    string
	}
	replies := make(chan reply, n)
	for range n {
		c := rawRequest(t, addr, "POST "+api.Prefix+"/events HTTP/1.1\r\nHost: motcua\r\nAuthorization: Bearer "+hog+
			"\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"events\":")
		go func() {
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				return // a held request, cut when the test ends
			}
			defer resp.Body.Close()
			var e api.ErrorResponse
			json.NewDecoder(resp.Body).Decode(&e)
			replies <- reply{resp.StatusCode, resp.Header.Get("Retry-After"), e.Error.Message}
		}()
	}
	for range n - share {
		r := <-replies // the test's deadline bounds the wait
		if r.status != http.StatusTooManyRequests || !strings.Contains(r.msg, "quá nhiều yêu cầu cùng lúc") {
			t.Fatalf("a request over the device's share: HTTP %d %q", r.status, r.msg)
		}
		if s, err := strconv.Atoi(r.retry); err != nil || s < 1 || s > 3 {
			t.Fatalf("Retry-After %q", r.retry)
		}
	}
	waitUntil(t, "the hog's share held", func() bool { return f.srv.perToken.held(hog) == share && len(f.srv.slots) == share })

	// Another unit's counters work as usual (one pushes, the other pulls it), and so does
	// the admin.
	for _, res := range f.push(tokOther, backlog(other, 5, time.Now().Add(-time.Hour))...) {
		if res.Status != api.Accepted {
			t.Fatalf("the other unit's push: %+v", res)
		}
	}
	var cr api.ChangesResponse
	if r := f.call(http.MethodGet, "/changes", tokSibling, nil, nil); r.StatusCode != http.StatusOK {
		t.Fatalf("the other unit's pull: HTTP %d", r.StatusCode)
	} else if err := json.NewDecoder(r.Body).Decode(&cr); err != nil || len(cr.Events) != 5 {
		t.Fatalf("the other unit pulled %d events (%v)", len(cr.Events), err)
	}
	if r := f.call(http.MethodGet, "/stats", "admin", nil, nil); r.StatusCode != http.StatusOK {
		t.Fatalf("the admin while a device holds its share: HTTP %d", r.StatusCode)
	}
	// The hog itself: one more request is turned away; /ping still answers.
	r := f.call(http.MethodGet, "/changes", hog, nil, nil)
	if r.StatusCode != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
		t.Fatalf("one more request of the hog: HTTP %d, Retry-After %q", r.StatusCode, r.Header.Get("Retry-After"))
	}
	if r := f.call(http.MethodGet, "/ping", hog, nil, nil); r.StatusCode != http.StatusOK {
		t.Fatalf("ping of the hog: HTTP %d", r.StatusCode)
	}
	if len(f.srv.slots) != share {
		t.Fatalf("%d slots taken after the turned-away requests", len(f.srv.slots))
	}
}
