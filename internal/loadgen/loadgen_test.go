package loadgen

import (
	"context"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"motcua/domain"
	"motcua/sync/central"
)

const adminToken = "loadgen-test-admin-token-0123456789"

// startCentral runs the real city server over HTTP in this process.
func startCentral(t *testing.T, l central.Limits) *central.Server {
	t.Helper()
	srv, err := central.Open(context.Background(), central.Options{Dir: t.TempDir(), AdminToken: adminToken, Limits: l})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	ts := httptest.NewUnstartedServer(srv.Handler())
	ts.Config = central.NewHTTPServer("", srv.Handler(), srv.Limits())
	ts.Start()
	t.Cleanup(ts.Close)
	t.Setenv("LOADGEN_TEST_URL", ts.URL)
	return srv
}

func serverURL() string { return os.Getenv("LOADGEN_TEST_URL") }

// checkExact asserts the server holds exactly the events the report says were sent, each
// once, and nothing failed but answered 429s.
func checkExact(t *testing.T, srv *central.Server, rep Report, want int) {
	t.Helper()
	if rep.Events != want || rep.Accepted != want || rep.Duplicate != 0 || rep.Rejected != 0 {
		t.Fatalf("report: %d events (accepted %d, duplicate %d, rejected %d), want %d accepted", rep.Events, rep.Accepted, rep.Duplicate, rep.Rejected, want)
	}
	if len(rep.Errors) != 0 {
		t.Fatalf("errors: %v", rep.Errors)
	}
	if got := rep.ServerEventsAfter - rep.ServerEventsBefore; got != want {
		t.Fatalf("the report says the server went from %d to %d events, want +%d", rep.ServerEventsBefore, rep.ServerEventsAfter, want)
	}
	st, err := srv.Central().Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.Events != want {
		t.Fatalf("the server holds %d events, want %d", st.Events, want)
	}
	if rep.Push.N != rep.Pushes || rep.Push.P50 <= 0 || rep.Push.P99 < rep.Push.P50 {
		t.Fatalf("push latency %+v for %d pushes", rep.Push, rep.Pushes)
	}
}

func TestStormSmall(t *testing.T) {
	srv := startCentral(t, central.Limits{})
	rep, err := Run(context.Background(), Config{URL: serverURL(), AdminToken: adminToken, Scenario: ScenarioStorm,
		Workstations: 5, PerUnit: 3, Backlog: 40, BatchSize: 15, InFlight: 2, ServerPID: os.Getpid()})
	if err != nil {
		t.Fatal(err)
	}
	checkExact(t, srv, rep, 200)
	if rep.Units != 2 || rep.Pushes != 15 { // 40 events in batches of 15: 3 pushes each
		t.Fatalf("%d units, %d pushes; want 2 units, 15 pushes", rep.Units, rep.Pushes)
	}
	// Each workstation pulled, after its push, what the others of its unit had pushed by
	// then: at most everything the others pushed (units of 3 and 2 workstations).
	if most := 3*2*40 + 2*1*40; rep.Pulled > most || rep.Pulls < 5 {
		t.Fatalf("pulled %d events in %d pages, want at most %d in at least 5", rep.Pulled, rep.Pulls, most)
	}
	if rep.ServerRSSPeak <= 0 || rep.ServerHWM < rep.ServerRSSEnd {
		t.Fatalf("server memory: peak %d, end %d, hwm %d", rep.ServerRSSPeak, rep.ServerRSSEnd, rep.ServerHWM)
	}
	// Every dossier the workstations made folds without a conflict: the event mix is valid.
	ds, err := srv.Central().Dossiers(context.Background(), central.DossierFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) == 0 {
		t.Fatal("no dossiers")
	}
	statuses := map[domain.Status]int{}
	for _, d := range ds {
		if len(d.Conflicts) > 0 {
			t.Fatalf("dossier %s has conflicts: %+v", d.Code, d.Conflicts)
		}
		statuses[d.Status]++
	}
	if statuses[domain.StatusReturned] == 0 || statuses[domain.StatusAccepted]+statuses[domain.StatusProcessing]+statuses[domain.StatusSupplement] == 0 {
		t.Fatalf("statuses %v: want some handed over and some open", statuses)
	}
}

// With one request in flight, the storm is turned away with 429 and Retry-After, and
// honouring it still delivers every event exactly once.
func TestStormTurnedAway(t *testing.T) {
	srv := startCentral(t, central.Limits{InFlight: 1, RetryAfter: time.Second})
	rep, err := Run(context.Background(), Config{URL: serverURL(), AdminToken: adminToken, Scenario: ScenarioStorm,
		Workstations: 5, Backlog: 40, BatchSize: 20, InFlight: 2, NoPull: true})
	if err != nil {
		t.Fatal(err)
	}
	checkExact(t, srv, rep, 200)
	if rep.TooMany == 0 {
		t.Fatal("no 429 answered with one request in flight and 10 pushes at once")
	}
}

func TestMorningSmall(t *testing.T) {
	srv := startCentral(t, central.Limits{})
	rep, err := Run(context.Background(), Config{URL: serverURL(), AdminToken: adminToken, Scenario: ScenarioMorning,
		Workstations: 5, Duration: 3 * time.Second, IntakeEvery: 400 * time.Millisecond, TimeFactor: 1})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Pushes < 5 {
		t.Fatalf("%d pushes in a 3 s morning of 5 counters with an intake every 0.4 s", rep.Pushes)
	}
	checkExact(t, srv, rep, rep.Events)
	if rep.Pulls < rep.Pushes {
		t.Fatalf("%d pulls for %d pushes: every push is followed by a pull", rep.Pulls, rep.Pushes)
	}
}
