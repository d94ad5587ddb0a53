package sync

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"motcua/domain"
	"motcua/localdb"
	"motcua/sync/api"
	"motcua/sync/central"
)

const (
	testUnit     = "000.00.06.H56"
	testUnitName = "Trung tâm Phục vụ hành chính công xã An Hưng"
	adminToken   = "admin-secret"
)

var (
	clerk = domain.Staff{Username: "lan", FullName: "Nguyễn Thị Lan", Role: domain.RoleCounter, Active: true}
	boss  = domain.Staff{Username: "minh", FullName: "Lê Văn Minh", Role: domain.RoleSupervisor, Active: true}
	quiet = slog.New(slog.NewTextHandler(io.Discard, nil))
)

// harness is a real central server on loopback with its own SQLite database.
type harness struct {
	t   testing.TB
	srv *central.Server
	ts  *httptest.Server
	c   *central.Central

	mu   gosync.Mutex
	reqs []seenRequest
	hook func(*http.Request) // extra observer (tests that react to calls)
}

// onRequest sets a function called with every request the server sees.
func (h *harness) onRequest(f func(*http.Request)) {
	h.mu.Lock()
	h.hook = f
	h.mu.Unlock()
}

// seenRequest is what the server saw of one call.
type seenRequest struct {
	Method, Path, Query string
	Offset              string // Upload-Offset of a tus PATCH
	Device              string // the bearer token's last characters (who called)
}

func newHarness(t testing.TB, faults central.FaultConfig) *harness {
	t.Helper()
	srv, err := central.Open(context.Background(), central.Options{Dir: t.TempDir(), AdminToken: adminToken, Faults: faults, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, srv: srv, c: srv.Central()}
	srv.SetObserver(func(r *http.Request) {
		h.mu.Lock()
		tok := r.Header.Get("Authorization")
		if len(tok) > 6 {
			tok = tok[len(tok)-6:]
		}
		h.reqs = append(h.reqs, seenRequest{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Offset: r.Header.Get("Upload-Offset"), Device: tok})
		hook := h.hook
		h.mu.Unlock()
		if hook != nil {
			hook(r)
		}
	})
	h.ts = httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		h.ts.Close()
		srv.Close()
	})
	return h
}

// requests returns the calls seen so far whose path ends with suffix ("" = all).
func (h *harness) requests(method, pathPrefix string) []seenRequest {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []seenRequest
	for _, r := range h.reqs {
		if (method == "" || r.Method == method) && (pathPrefix == "" || len(r.Path) >= len(api.Prefix+pathPrefix) && r.Path[:len(api.Prefix+pathPrefix)] == api.Prefix+pathPrefix) {
			out = append(out, r)
		}
	}
	return out
}

func (h *harness) resetRequests() {
	h.mu.Lock()
	h.reqs = nil
	h.mu.Unlock()
}

// workstation opens a store in a fresh folder and enrolls it at a slot of the test unit.
func (h *harness) workstation(slot int) *localdb.Store {
	h.t.Helper()
	return h.workstationIn(h.t.TempDir(), slot)
}

func (h *harness) workstationIn(dir string, slot int) *localdb.Store {
	h.t.Helper()
	ctx := context.Background()
	s, err := localdb.Open(ctx, dir, localdb.Options{})
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { s.Close() })
	h.enroll(s, slot)
	return s
}

func (h *harness) enroll(s *localdb.Store, slot int) {
	h.t.Helper()
	code, _, err := h.c.IssueEnrollCode(context.Background(), testUnit, testUnitName, slot)
	if err != nil {
		h.t.Fatal(err)
	}
	if _, err := Enroll(context.Background(), s, h.ts.URL, code, "Quầy "+string(rune('0'+slot))); err != nil {
		h.t.Fatal(err)
	}
}

// engine builds an engine with fast, deterministic backoff for tests.
func (h *harness) engine(s *localdb.Store, mod ...func(*Options)) *Engine {
	opt := Options{HTTPClient: h.ts.Client(), Interval: time.Hour, ProbeInterval: time.Hour, Debounce: time.Millisecond, MinBackoff: 5 * time.Millisecond,
		MaxBackoff: 40 * time.Millisecond, RequestTimeout: time.Minute, Jitter: func() float64 { return 0.5 }, Logger: quiet}
	for _, m := range mod {
		m(&opt)
	}
	return New(s, opt)
}

// syncUntilDone runs passes until one succeeds (faults may need several).
func syncUntilDone(t *testing.T, e *Engine, maxPasses int) Report {
	t.Helper()
	total, err := syncAll(e, maxPasses)
	if err != nil {
		t.Fatalf("sync did not complete in %d passes: %v", maxPasses, err)
	}
	return total
}

// syncAll is syncUntilDone for other goroutines than the test's. Like the engine's own
// loop, it waits when the city paces it (429 with Retry-After), and such a pass does not
// count against maxPasses: being told to come back is not a failed pass.
func syncAll(e *Engine, maxPasses int) (Report, error) {
	var total Report
	var err error
	for i, paced := 0, 0; i < maxPasses; i++ {
		var rep Report
		rep, err = e.SyncOnce(context.Background())
		if ra := retryAfterOf(err); ra > 0 && paced < 100 {
			paced++
			i--
			time.Sleep(min(ra, 10*time.Second))
		}
		total.Pushed += rep.Pushed
		total.Pulled += rep.Pulled
		total.Quarantined += rep.Quarantined
		total.Uploaded += rep.Uploaded
		total.Resynced = total.Resynced || rep.Resynced
		total.Catalogue = total.Catalogue || rep.Catalogue
		if err == nil {
			return total, nil
		}
	}
	return total, err
}

func birthIntake(name, id string) domain.Intake {
	return domain.Intake{
		ProcedureCode: "1.001193",
		Applicant: domain.Person{Name: name, IDNumber: id, Birth: "15/03/1999", Sex: "Nam",
			Phone: "0912345678", Address: "Thôn Đông, xã An Hưng, TP Hải Phòng"},
		Documents: []domain.DocumentItem{{Code: "TK"}, {Code: "GCS"}, {Code: "GTTT"}},
		Summary:   "Đăng ký khai sinh cho con",
	}
}

func receive(t *testing.T, s *localdb.Store, n int) []domain.Dossier {
	t.Helper()
	var out []domain.Dossier
	for i := 0; i < n; i++ {
		d, err := s.Receive(context.Background(), clerk, birthIntake("Nguyễn Văn An", "001099012345"))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, d)
	}
	return out
}

// localEvents reads every event a store holds, with its sync state, straight from SQLite.
type localEvent struct {
	ID, Device string
	Local      bool
	State      int
}

func localEvents(t *testing.T, s *localdb.Store) map[string]localEvent {
	t.Helper()
	db := rawDB(t, s)
	rows, err := db.Query(`SELECT id, device, local, sync_state FROM events`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]localEvent{}
	for rows.Next() {
		var e localEvent
		if err := rows.Scan(&e.ID, &e.Device, &e.Local, &e.State); err != nil {
			t.Fatal(err)
		}
		if _, dup := out[e.ID]; dup {
			t.Fatalf("event %s stored twice", e.ID)
		}
		out[e.ID] = e
	}
	return out
}

// rawDB opens a second connection to a store's database (to inspect or damage it).
func rawDB(t *testing.T, s *localdb.Store) *sql.DB {
	t.Helper()
	db := rawDBPath(s.Path())
	t.Cleanup(func() { db.Close() })
	return db
}

func rawDBPath(path string) *sql.DB {
	db, err := sql.Open("sqlite", "file:"+filepath.ToSlash(path)+"?_pragma=busy_timeout(10000)")
	if err != nil {
		panic(err) // sql.Open only fails for an unknown driver
	}
	return db
}

// serverEvents maps the server's events by id.
func (h *harness) serverEvents() map[string]domain.Event {
	h.t.Helper()
	evs, err := h.c.Events(context.Background())
	if err != nil {
		h.t.Fatal(err)
	}
	out := map[string]domain.Event{}
	for _, e := range evs {
		if _, dup := out[e.ID]; dup {
			h.t.Fatalf("server holds event %s twice", e.ID)
		}
		out[e.ID] = e
	}
	return out
}

// waitFor polls cond until it holds; a generous deadline only guards against a hang.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// waiting is the number of events in a store's outbox.
func waiting(t *testing.T, s *localdb.Store) int {
	t.Helper()
	c, err := s.SyncCounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return c.Waiting
}

// counter is a concurrency-safe count for fault hooks.
type counter struct{ n atomic.Int64 }

func (c *counter) next() int64 { return c.n.Add(1) }
