package peer

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"motcua/domain"
	"motcua/localdb"
	appsync "motcua/sync"
	"motcua/sync/central"
)

const (
	testUnit  = "000.00.06.H56"
	otherUnit = "000.00.07.H56"
)

var (
	clerk = domain.Staff{Username: "lan", FullName: "Nguyễn Thị Lan", Role: domain.RoleCounter, Active: true}
	quiet = slog.New(slog.NewTextHandler(io.Discard, nil))
)

// city is the real central server on a loopback port that can be stopped and started again
// on the same address (the workstations keep its URL).
type city struct {
	t    *testing.T
	srv  *central.Server
	c    *central.Central
	ts   *httptest.Server
	addr string
	// front, when set before start, stands before the city's handler (a test's faults).
	front func(http.Handler) http.Handler
}

func newCity(t *testing.T) *city {
	t.Helper()
	srv, err := central.Open(context.Background(), central.Options{Dir: t.TempDir(), AdminToken: "admin-secret", Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	c := &city{t: t, srv: srv, c: srv.Central()}
	c.start()
	t.Cleanup(func() {
		c.stop()
		srv.Close()
	})
	return c
}

func (c *city) url() string { return "http://" + c.addr }

func (c *city) start() {
	c.t.Helper()
	if c.ts != nil {
		return
	}
	addr := c.addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	var ln net.Listener
	var err error
	for i := 0; i < 50; i++ { // the old socket may linger a moment
		if ln, err = net.Listen("tcp", addr); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		c.t.Fatal(err)
	}
	h := c.srv.Handler()
	if c.front != nil {
		h = c.front(h)
	}
	ts := httptest.NewUnstartedServer(h)
	ts.Listener.Close()
	ts.Listener = ln
	ts.Start()
	c.ts, c.addr = ts, ln.Addr().String()
}

func (c *city) stop() {
	if c.ts != nil {
		c.ts.CloseClientConnections()
		c.ts.Close()
		c.ts = nil
	}
}

// station is one workstation: its store and its running peer server.
type station struct {
	t     *testing.T
	store *localdb.Store
	node  *Node
	addr  string
	name  string
}

// workstation opens a store, enrolls it in unit at slot and starts its peer server on a
// loopback port.
func (c *city) workstation(unit string, slot int) *station {
	c.t.Helper()
	st := c.enrolled(unit, slot)
	st.serve()
	return st
}

// enrolled opens a store enrolled in unit at slot that serves nothing (a counter that only
// runs `sync --once`).
func (c *city) enrolled(unit string, slot int) *station {
	c.t.Helper()
	ctx := context.Background()
	s, err := localdb.Open(ctx, c.t.TempDir(), localdb.Options{LightPasswordHashing: true})
	if err != nil {
		c.t.Fatal(err)
	}
	c.t.Cleanup(func() { s.Close() })
	code, _, err := c.c.IssueEnrollCode(ctx, unit, "Trung tâm Phục vụ hành chính công", slot)
	if err != nil {
		c.t.Fatal(err)
	}
	name := "Quầy " + string(rune('0'+slot))
	if _, err := appsync.Enroll(ctx, s, c.url(), code, name); err != nil {
		c.t.Fatal(err)
	}
	return &station{t: c.t, store: s, name: name}
}

func nodeOptions() Options {
	off := false
	return Options{Listen: "127.0.0.1:0", MDNS: &off, RequestTimeout: 10 * time.Second, Logger: quiet}
}

// serve starts the station's peer server.
func (s *station) serve() {
	s.t.Helper()
	s.node = New(s.store, nodeOptions())
	ln, srv, err := s.node.Listen(context.Background())
	if err != nil {
		s.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.node.Serve(ctx, ln, srv); close(done) }()
	s.t.Cleanup(func() { cancel(); <-done })
	s.addr = ln.Addr().String()
}

// refreshKeys fetches the unit's roster from the city.
func (s *station) refreshKeys() {
	s.t.Helper()
	if err := appsync.RefreshKeys(context.Background(), s.store, nil); err != nil {
		s.t.Fatal(err)
	}
}

func (s *station) addPeers(others ...*station) {
	s.t.Helper()
	for _, o := range others {
		if o.addr == "" {
			continue // serves nothing
		}
		if _, err := s.store.AddPeer(context.Background(), o.addr, localdb.PeerManual); err != nil {
			s.t.Fatal(err)
		}
	}
}

// syncOnce runs `motcua sync --once` on the station and returns its output.
func (s *station) syncOnce() (string, error) {
	var out bytes.Buffer
	// The city's retries wait milliseconds, not seconds: a stopped city costs the test nothing.
	err := SyncOnceCommand(context.Background(), s.store, &out, CommandOptions{CityBackoff: 10 * time.Millisecond, Node: nodeOptions()})
	return out.String(), err
}

func (s *station) receive(n int) []domain.Dossier {
	s.t.Helper()
	var out []domain.Dossier
	for i := 0; i < n; i++ {
		d, err := s.store.Receive(context.Background(), clerk, domain.Intake{
			ProcedureCode: "1.001193",
			Applicant: domain.Person{Name: "Nguyễn Văn An", IDNumber: "001099012345", Birth: "15/03/1999", Sex: "Nam",
				Phone: "0912345678", Address: "Thôn Đông, xã An Hưng, TP Hải Phòng"},
			Documents: []domain.DocumentItem{{Code: "TK"}, {Code: "GCS"}, {Code: "GTTT"}},
			Summary:   "Đăng ký khai sinh cho con",
		})
		if err != nil {
			s.t.Fatal(err)
		}
		out = append(out, d)
	}
	return out
}

func (s *station) has(id string) bool {
	_, err := s.store.Get(context.Background(), id)
	return err == nil
}

func (s *station) verifyClean() {
	s.t.Helper()
	r, err := s.store.VerifyAll(context.Background(), localdb.VerifyOptions{})
	if err != nil {
		s.t.Fatal(err)
	}
	if !r.OK() {
		s.t.Fatalf("%s: verify found %+v", s.name, r.Findings)
	}
}

// eventCount is the number of the unit's signed events a store holds.
func (s *station) eventCount() int {
	s.t.Helper()
	page, err := s.store.PeerChanges(context.Background(), "", "", MaxPage, 1<<30)
	if err != nil {
		s.t.Fatal(err)
	}
	if page.More {
		s.t.Fatal("more events than one page holds: count them another way")
	}
	return len(page.Events)
}

// serveWith runs a TLS peer server holding the station's key, answering with h: a peer
// whose key is genuine but whose answers are not (an edited event, garbage).
func (s *station) serveWith(h http.Handler) string {
	s.t.Helper()
	cert, err := s.store.PeerCertificate(time.Now())
	if err != nil {
		s.t.Fatal(err)
	}
	srv := newHTTPServer(h, cert, quiet)
	ln, err := listenTLS("127.0.0.1:0", srv)
	if err != nil {
		s.t.Fatal(err)
	}
	go srv.Serve(ln)
	s.t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

func contains(t *testing.T, what, got string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("%s: %q does not say %q", what, got, w)
		}
	}
}

func waiting(t *testing.T, s *station) int {
	t.Helper()
	c, err := s.store.SyncCounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return c.Waiting
}
