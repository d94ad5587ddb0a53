package sync

import (
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"

	"motcua/localdb"
	"motcua/sync/api"
	"motcua/sync/central"
)

func TestNormaliseServerURL(t *testing.T) {
	for _, c := range []struct {
		in    string
		allow bool
		want  string // "" = refused
	}{
		{"10.0.0.5:8787", false, "https://10.0.0.5:8787"},
		{"dongbo.haiphong.gov.vn/", false, "https://dongbo.haiphong.gov.vn"},
		{" https://dongbo.haiphong.gov.vn/api/v1/ ", false, "https://dongbo.haiphong.gov.vn"},
		{"127.0.0.1:8787", false, "http://127.0.0.1:8787"},
		{"127.8.9.10:8787", false, "http://127.8.9.10:8787"},
		{"localhost:8787", false, "http://localhost:8787"},
		{"[::1]:8787", false, "http://[::1]:8787"},
		{"https://127.0.0.1:8787", false, "https://127.0.0.1:8787"},
		{"http://127.0.0.1:8787", false, "http://127.0.0.1:8787"},
		{"http://10.0.0.5:8787", false, ""},
		{"http://dongbo.haiphong.gov.vn", false, ""},
		{"HTTP://10.0.0.5:8787", false, ""},
		{"http://10.0.0.5:8787", true, "http://10.0.0.5:8787"},
		{"10.0.0.5:8787", true, "https://10.0.0.5:8787"}, // the choice allows http; it does not make it the default
		{"ftp://10.0.0.5", false, ""},
		{"", false, ""},
	} {
		got, err := NormaliseServerURL(c.in, c.allow)
		if c.want == "" {
			var se *Error
			if err == nil || !errors.As(err, &se) || se.Class != ClassInvalid {
				t.Errorf("%q (allow %v): %q %v, want a refusal", c.in, c.allow, got, err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%q (allow %v): %q %v, want %q", c.in, c.allow, got, err, c.want)
		}
	}
	_, err := NormaliseServerURL("http://10.0.0.5:8787", false)
	if msg := err.Error(); !strings.Contains(msg, "không mã hóa") || !strings.Contains(msg, "--allow-http") || !strings.Contains(msg, "Cho phép kết nối không mã hóa") {
		t.Errorf("the refusal does not say how to choose: %q", msg)
	}
	for u, want := range map[string]bool{"http://10.0.0.5:8787": true, "https://10.0.0.5:8787": false, "http://127.0.0.1:1": false, "http://localhost": false, "": false} {
		if PlainHTTPRemote(u) != want {
			t.Errorf("PlainHTTPRemote(%q) = %v", u, !want)
		}
	}
}

// towards dials every address at the test server on loopback: the workstation believes it
// talks to 10.0.0.5, and no packet leaves this machine.
func towards(ts *httptest.Server) *http.Client {
	addr := ts.Listener.Addr().String()
	return &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}}}
}

// Enrolling to plain http on another machine is refused before anything is sent, unless an
// administrator chooses it; the choice is kept with the enrollment and sync then works.
func TestEnrollPlainHTTPNeedsTheChoice(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, central.FaultConfig{})
	s, err := localdb.Open(ctx, t.TempDir(), localdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	code, _, _ := h.c.IssueEnrollCode(ctx, testUnit, testUnitName, 1)
	hc := towards(h.ts)
	_, err = enroll(ctx, s, hc, "http://10.0.0.5:8787", code, "Quầy 1")
	if !isClass(err, ClassInvalid) || !strings.Contains(err.Error(), "--allow-http") {
		t.Fatalf("http to another machine without the choice: %v", err)
	}
	if n := len(h.requests("", "")); n != 0 {
		t.Fatalf("%d requests sent before the refusal", n)
	}
	en, err := enroll(ctx, s, hc, "http://10.0.0.5:8787", code, "Quầy 1", AllowPlainHTTP(true))
	if err != nil {
		t.Fatal(err)
	}
	if cfg := s.Config(); !cfg.AllowPlainHTTP || cfg.ServerURL != "http://10.0.0.5:8787" || en.ServerURL != cfg.ServerURL {
		t.Fatalf("stored %q, allow %v", cfg.ServerURL, cfg.AllowPlainHTTP)
	}
	receive(t, s, 1)
	e := h.engine(s, func(o *Options) { o.HTTPClient = hc })
	syncUntilDone(t, e, 3)
	if st := e.Status(); !PlainHTTPRemote(st.ServerURL) {
		t.Fatalf("status URL %q", st.ServerURL)
	}
}

// A server (or a man in the middle) that answers a pull with 200 MB: the workstation reads
// at most MaxReplyBytes of it, gives up with a server error in Vietnamese, and its heap
// stays bounded.
func TestPullRefusesAnOversizedReply(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, central.FaultConfig{})
	a := h.workstation(1)
	real := h.srv.Handler()
	huge := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, api.Prefix+"/changes") {
			real.ServeHTTP(w, r)
			return
		}
		w.Header().Set(api.Header, api.HeaderValue)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"events":[{"payload":"`)
		chunk := []byte(strings.Repeat("x", 64<<10))
		for range (200 << 20) / len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return // the workstation hung up
			}
		}
		io.WriteString(w, `"}],"cursor":"x.1"}`)
	}))
	defer huge.Close()
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	e := h.engine(a, func(o *Options) { o.HTTPClient = towards(huge) })
	_, err := e.SyncOnce(ctx)
	runtime.ReadMemStats(&after)
	if !isClass(err, ClassServer) || !strings.Contains(err.Error(), "quá lớn") {
		t.Fatalf("a 200 MB reply: %v", err)
	}
	if grew := int64(after.TotalAlloc - before.TotalAlloc); grew > 100<<20 {
		t.Fatalf("the workstation allocated %d MB reading it", grew>>20)
	}
}

// A batch whose body would be over the limit goes in halves: no request is over it, and
// everything arrives.
func TestPushSplitsABatchOverTheByteLimit(t *testing.T) {
	defer func(old int) { pushBodyLimit = old }(pushBodyLimit)
	pushBodyLimit = 8 << 10
	h := newHarness(t, central.FaultConfig{})
	a := h.workstation(1)
	receive(t, a, 20) // 40 events of about 1 KB
	var largest int64
	h.onRequest(func(r *http.Request) {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/events") {
			h.mu.Lock()
			largest = max(largest, r.ContentLength)
			h.mu.Unlock()
		}
	})
	rep := syncUntilDone(t, h.engine(a), 2)
	if rep.Pushed != 40 || waiting(t, a) != 0 {
		t.Fatalf("pushed %d", rep.Pushed)
	}
	n := len(h.requests(http.MethodPost, "/events"))
	h.mu.Lock()
	defer h.mu.Unlock()
	// The compact encoding makes the 40 events about 12 KB in all (40 KB as plain JSON):
	// still over the limit, so at least two pushes.
	if largest > int64(pushBodyLimit) || n < 2 {
		t.Fatalf("%d pushes, the largest %d bytes", n, largest)
	}
}

// Over HTTPS a workstation enrolls and syncs with a client that trusts the server's
// certificate; one that does not is told so in plain words, and nothing is stored.
func TestEnrollAndSyncOverTLS(t *testing.T) {
	ctx := context.Background()
	srv, err := central.Open(ctx, central.Options{Dir: t.TempDir(), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(srv.Handler())
	ts.Config = central.NewHTTPServer("", srv.Handler(), srv.Limits())
	ts.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes below
	ts.EnableHTTP2 = true
	ts.StartTLS()
	t.Cleanup(func() { ts.Close(); srv.Close() })
	s, err := localdb.Open(ctx, t.TempDir(), localdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	code, _, _ := srv.Central().IssueEnrollCode(ctx, testUnit, testUnitName, 1)
	_, err = enroll(ctx, s, &http.Client{Transport: &http.Transport{}}, ts.URL, code, "Quầy 1")
	if !isClass(err, ClassNetwork) || !strings.Contains(err.Error(), "chứng chỉ TLS") {
		t.Fatalf("an untrusted certificate: %v", err)
	}
	if s.Config().ServerURL != "" {
		t.Fatal("enrolled through an untrusted certificate")
	}
	if _, err := Enroll(ctx, s, ts.URL, code, "Quầy 1", WithHTTPClient(ts.Client())); err != nil {
		t.Fatal(err)
	}
	receive(t, s, 2)
	e := New(s, Options{HTTPClient: ts.Client(), Logger: quiet})
	rep, err := e.SyncOnce(ctx)
	if err != nil || rep.Pushed != 4 {
		t.Fatalf("sync over TLS: %+v %v", rep, err)
	}
}
