package central

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"motcua/sync/api"
)

// heldRequest sends request on a fresh connection (from local, if set) and never sends
// the rest of its body; the reply, if one comes, is sent on replies.
func heldRequest(t *testing.T, addr, local, request string, replies chan<- *http.Response) {
	t.Helper()
	d := net.Dialer{}
	if local != "" {
		d.LocalAddr = &net.TCPAddr{IP: net.ParseIP(local)}
	}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if _, err := c.Write([]byte(request)); err != nil {
		t.Fatal(err)
	}
	go func() {
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			return // held until the test ends
		}
		replies <- resp
	}()
}

// One workstation's token opens large pushes (1 MB gzipped, announced) whose body never
// comes. It holds its share of the push slots only; its further pushes are turned away
// with Retry-After, and another unit's large push goes through.
func TestHostileOneTokenCannotHoldEveryPushSlot(t *testing.T) {
	f := newLimitedFixture(t, Limits{PushInFlight: 4, RetryAfter: time.Second, ReadTimeout: 10 * time.Minute}, nil)
	if got := f.srv.Limits().PushInFlightPerDevice; got != 1 {
		t.Fatalf("default share of 4 push slots: %d", got)
	}
	_, hog := f.device(1)
	other, tokOther := f.otherUnitDevice("000.00.07.H99", 1)
	addr := strings.TrimPrefix(f.ts.URL, "http://")
	const n = 5 // within the hog's share of the request slots (6)
	replies := make(chan *http.Response, n)
	for range n {
		heldRequest(t, addr, "", "POST "+api.Prefix+"/events HTTP/1.1\r\nHost: motcua\r\nAuthorization: Bearer "+hog+
			"\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: 1000000\r\n\r\n", replies)
	}
	waitUntil(t, "the hog's push held", func() bool { return f.srv.pushPerToken.held(hog) == 1 && len(f.srv.pushSlots) == 1 })

	// Another unit's large push (over SmallPush, gzipped as the engine sends it).
	evs := backlog(other, 300, time.Now().Add(-3*time.Hour))
	body, _ := json.Marshal(api.PushRequest{Events: evs})
	if len(body) <= int(f.srv.Limits().SmallPush) {
		t.Fatalf("the push is small: %d bytes", len(body))
	}
	resp := f.call(http.MethodPost, "/events", tokOther, body, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("the other unit's large push: HTTP %d %s", resp.StatusCode, errorMessage(t, resp))
	}
	var pr api.PushResponse
	if err := json.NewDecoder(resp.Body).Decode(&pr); err != nil || len(pr.Results) != len(evs) {
		t.Fatalf("%d results (%v)", len(pr.Results), err)
	}
	for _, res := range pr.Results {
		if res.Status != api.Accepted {
			t.Fatalf("%+v", res)
		}
	}
	// The hog's pushes over its share waited for its own (holding nothing of the others'),
	// and none of them was taken.
	if held := f.srv.pushPerToken.held(hog); held != 1 {
		t.Fatalf("the hog holds %d push slots", held)
	}
	select {
	case r := <-replies:
		t.Fatalf("a push of the hog answered HTTP %d", r.StatusCode)
	default:
	}
}

// A push over its token's share that waits in vain is turned away with Retry-After,
// before its body is read.
func TestPushOverTheTokensShareTurnedAway(t *testing.T) {
	f := newLimitedFixture(t, Limits{PushInFlight: 4, RetryAfter: time.Second, ReadTimeout: 2 * time.Second}, nil)
	_, tok := f.device(1)
	addr := strings.TrimPrefix(f.ts.URL, "http://")
	replies := make(chan *http.Response, 2)
	heldRequest(t, addr, "", "POST "+api.Prefix+"/events HTTP/1.1\r\nHost: motcua\r\nAuthorization: Bearer "+tok+
		"\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: 1000000\r\n\r\n", replies)
	waitUntil(t, "the first push held", func() bool { return f.srv.pushPerToken.held(tok) == 1 })
	heldRequest(t, addr, "", "POST "+api.Prefix+"/events HTTP/1.1\r\nHost: motcua\r\nAuthorization: Bearer "+tok+
		"\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: 1000000\r\n\r\n", replies)
	statuses := map[int]int{}
	for range 2 {
		r := <-replies // the test's deadline bounds the wait
		statuses[r.StatusCode]++
		if r.StatusCode == http.StatusTooManyRequests {
			if r.Header.Get("Retry-After") == "" {
				t.Fatal("429 without Retry-After")
			}
			if msg := errorMessage(t, r); !strings.Contains(msg, "nhiều lô dữ liệu cùng lúc") {
				t.Fatalf("message %q", msg)
			}
		}
	}
	// The first is cut by the read timeout (408); the second waited for it in vain (429),
	// or, on a slow machine, took the slot the first freed and was cut too.
	if statuses[http.StatusRequestTimeout] < 1 || statuses[http.StatusRequestTimeout]+statuses[http.StatusTooManyRequests] != 2 {
		t.Fatalf("statuses %v", statuses)
	}
	waitUntil(t, "the push slots back", func() bool { return f.srv.pushPerToken.held(tok) == 0 && len(f.srv.pushSlots) == 0 })
}

// A lone workstation sends its backlog as the engine does, several large batches at
// once: every one is taken (those over the token's share wait for its own), none is
// turned away.
func TestOneWorkstationsBatchesAtOnceAllTaken(t *testing.T) {
	f := newLimitedFixture(t, Limits{PushInFlight: 4, RetryAfter: 30 * time.Second}, nil)
	dev, tok := f.device(1)
	evs := backlog(dev, 1200, time.Now().Add(-3*time.Hour))
	const batches = 4
	var wg gosync.WaitGroup
	errs := make([]error, batches)
	for i := range batches {
		wg.Add(1)
		go func() {
			defer wg.Done()
			part := evs[i*300 : (i+1)*300]
			body, _ := json.Marshal(api.PushRequest{Events: part})
			req, _ := http.NewRequest(http.MethodPost, f.ts.URL+api.Prefix+"/events", strings.NewReader(string(body)))
			req.Header.Set("Authorization", "Bearer "+tok)
			resp, err := f.ts.Client().Do(req)
			if err != nil {
				errs[i] = err
				return
			}
			defer resp.Body.Close()
			var pr api.PushResponse
			if resp.StatusCode != http.StatusOK {
				errs[i] = fmt.Errorf("HTTP %d", resp.StatusCode)
			} else if err := json.NewDecoder(resp.Body).Decode(&pr); err != nil || len(pr.Results) != len(part) {
				errs[i] = fmt.Errorf("%d results (%v)", len(pr.Results), err)
			}
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("batch %d: %v", i, err)
		}
	}
	if st, _ := f.c.Stats(context.Background()); st.Events != len(evs) {
		t.Fatalf("%d of %d events stored", st.Events, len(evs))
	}
	if f.srv.pushPerToken.held(tok) != 0 || len(f.srv.pushSlots) != 0 {
		t.Fatal("push slots still held")
	}
}

// Strangers without a token open slow enrollments from several addresses, many more than
// the server's slots. They hold the tokenless pool only: a workstation pulls and pushes,
// and the admin reads /stats. Every shared slot taken by workstations still leaves the
// admin a way in.
func TestHostileTokenlessCannotHoldTheSlots(t *testing.T) {
	f := newLimitedFixture(t, Limits{InFlight: 4, InFlightPerDevice: 2, TokenlessInFlight: 2, RetryAfter: time.Second,
		ReadTimeout: 10 * time.Minute, EnrollReadTimeout: 10 * time.Minute}, nil)
	dev, tok := f.device(1)
	_, tokSibling := f.device(2)
	addr := strings.TrimPrefix(f.ts.URL, "http://")
	const n = 16
	replies := make(chan *http.Response, n)
	for i := range n {
		local := fmt.Sprintf("127.0.0.%d", 2+i%4)
		heldRequest(t, addr, local, "POST "+api.Prefix+"/enroll HTTP/1.1\r\nHost: motcua\r\n"+
			"Content-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"code\":", replies)
	}
	for range n - 2 {
		r := <-replies
		if r.StatusCode != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
			t.Fatalf("an enrollment over the tokenless pool: HTTP %d", r.StatusCode)
		}
	}
	waitUntil(t, "the tokenless pool held", func() bool { return len(f.srv.tokenless) == 2 })
	if a, b := f.srv.tokenlessPerAddr.held("127.0.0.2"), f.srv.tokenlessPerAddr.held("127.0.0.3"); a > 1 || b > 1 {
		t.Fatalf("one address holds more than its share: %d, %d", a, b)
	}
	if len(f.srv.slots) != 0 {
		t.Fatalf("tokenless requests hold %d shared slots", len(f.srv.slots))
	}
	// Also with a made-up token on /enroll.
	r := f.call(http.MethodPost, "/enroll", "made-up", []byte(`{}`), nil)
	if r.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("an enrollment with a made-up token while the pool is held: HTTP %d", r.StatusCode)
	}
	for _, res := range f.push(tok, backlog(dev, 5, time.Now().Add(-time.Hour))...) {
		if res.Status != api.Accepted {
			t.Fatalf("a push: %+v", res)
		}
	}
	var cr api.ChangesResponse
	if r := f.call(http.MethodGet, "/changes", tokSibling, nil, nil); r.StatusCode != http.StatusOK {
		t.Fatalf("a pull: HTTP %d", r.StatusCode)
	} else if err := json.NewDecoder(r.Body).Decode(&cr); err != nil || len(cr.Events) != 5 {
		t.Fatalf("pulled %d events (%v)", len(cr.Events), err)
	}
	if r := f.call(http.MethodGet, "/stats", "admin", nil, nil); r.StatusCode != http.StatusOK {
		t.Fatalf("the admin: HTTP %d", r.StatusCode)
	}

	// Two workstations hold every shared slot (pushes whose body never comes): the admin
	// still gets in.
	held := make(chan *http.Response, 4)
	for _, tk := range []string{tok, tokSibling, tok, tokSibling} {
		heldRequest(t, addr, "", "POST "+api.Prefix+"/events HTTP/1.1\r\nHost: motcua\r\nAuthorization: Bearer "+tk+
			"\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"events\":", held)
	}
	waitUntil(t, "the shared slots held", func() bool { return len(f.srv.slots) == 4 })
	if r := f.call(http.MethodGet, "/stats", "admin", nil, nil); r.StatusCode != http.StatusOK {
		t.Fatalf("the admin while every shared slot is held: HTTP %d", r.StatusCode)
	}
}

// An enrollment body that does not come is cut after EnrollReadTimeout (408), long
// before ReadTimeout, and its tokenless slot is free again.
func TestHostileSlowEnrollCutEarly(t *testing.T) {
	f := newLimitedFixture(t, Limits{ReadTimeout: 10 * time.Minute, EnrollReadTimeout: time.Second}, nil)
	addr := strings.TrimPrefix(f.ts.URL, "http://")
	replies := make(chan *http.Response, 1)
	heldRequest(t, addr, "", "POST "+api.Prefix+"/enroll HTTP/1.1\r\nHost: motcua\r\n"+
		"Content-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"code\":", replies)
	r := <-replies // the test's deadline bounds the wait
	if r.StatusCode != http.StatusRequestTimeout {
		t.Fatalf("a stalled enrollment: HTTP %d", r.StatusCode)
	}
	if msg := errorMessage(t, r); !strings.Contains(msg, "thời gian cho phép") {
		t.Fatalf("message %q", msg)
	}
	waitUntil(t, "the tokenless slot back", func() bool { return len(f.srv.tokenless) == 0 })
}

// Pushes with made-up tokens whose gzipped body never comes are answered 401 at once: the
// token is checked before a push slot is taken or the gzip header read.
func TestHostileMadeUpTokensTakeNoPushSlot(t *testing.T) {
	f := newLimitedFixture(t, Limits{PushInFlight: 4, ReadTimeout: 10 * time.Minute}, nil)
	addr := strings.TrimPrefix(f.ts.URL, "http://")
	const n = 6
	replies := make(chan *http.Response, n)
	for i := range n {
		heldRequest(t, addr, "", fmt.Sprintf("POST "+api.Prefix+"/events HTTP/1.1\r\nHost: motcua\r\nAuthorization: Bearer made-up-%d"+
			"\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: 1000000\r\n\r\n", i), replies)
	}
	for range n {
		if r := <-replies; r.StatusCode != http.StatusUnauthorized {
			t.Fatalf("a push with a made-up token: HTTP %d", r.StatusCode)
		}
	}
	if len(f.srv.pushSlots) != 0 {
		t.Fatalf("%d push slots held", len(f.srv.pushSlots))
	}
}

// A large push whose body stops coming is cut after PushStall (408), long before the
// read timeout, and its push slot is free again.
func TestHostileStalledPushCutEarly(t *testing.T) {
	f := newLimitedFixture(t, Limits{ReadTimeout: 10 * time.Minute, PushStall: time.Second}, nil)
	_, tok := f.device(1)
	addr := strings.TrimPrefix(f.ts.URL, "http://")
	for _, enc := range []string{"Content-Encoding: gzip\r\n", ""} {
		replies := make(chan *http.Response, 1)
		heldRequest(t, addr, "", "POST "+api.Prefix+"/events HTTP/1.1\r\nHost: motcua\r\nAuthorization: Bearer "+tok+
			"\r\nContent-Type: application/json\r\n"+enc+"Content-Length: 1000000\r\n\r\n", replies)
		r := <-replies // the test's deadline bounds the wait
		if r.StatusCode != http.StatusRequestTimeout {
			t.Fatalf("a stalled push (%q): HTTP %d", enc, r.StatusCode)
		}
		if msg := errorMessage(t, r); !strings.Contains(msg, "thời gian cho phép") {
			t.Fatalf("message %q", msg)
		}
		waitUntil(t, "the push slot back", func() bool { return len(f.srv.pushSlots) == 0 && f.srv.pushPerToken.held(tok) == 0 })
	}
	// A push that comes is taken as usual.
	dev, _ := f.c.Authenticate(context.Background(), tok)
	for _, res := range f.push(tok, backlog(dev, 300, time.Now().Add(-time.Hour))...) {
		if res.Status != api.Accepted {
			t.Fatalf("%+v", res)
		}
	}
}
