package sync

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"os/exec"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"motcua/localdb"
	"motcua/sync/central"
)

const childEnv = "MOTCUA_SYNC_CHILD_DIR"

// TestChildSync is not a test: it is the workstation process that TestKilledMidSync starts
// and kills. It runs the engine on the store in $MOTCUA_SYNC_CHILD_DIR until it is killed.
func TestChildSync(t *testing.T) {
	dir := os.Getenv(childEnv)
	if dir == "" {
		t.Skip("helper process for TestKilledMidSync")
	}
	ctx := context.Background()
	s, err := localdb.Open(ctx, dir, localdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	e := New(s, Options{BatchSize: 20, InFlight: 2, PullLimit: 25, MinBackoff: 5 * time.Millisecond, MaxBackoff: 20 * time.Millisecond,
		Interval: 10 * time.Millisecond, Debounce: time.Millisecond, Logger: quiet})
	e.Run(ctx)
}

// A workstation process is killed (SIGKILL) in the middle of pushing, then again in the
// middle of pulling, against a slow server. After a restart it resumes: nothing it made is
// lost or doubled at the city, nothing the city sent is lost or doubled locally, and the
// pull cursor never stood ahead of the stored data.
func TestKilledMidSync(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, central.FaultConfig{})
	b := h.workstation(2)
	seed(t, b, 120, 5)
	syncUntilDone(t, h.engine(b), 3)
	adir := t.TempDir()
	a := h.workstationIn(adir, 1)
	seed(t, a, 80, 6)
	made := localEvents(t, a)
	a.Close()
	h.srv.SetLatency(10 * time.Millisecond) // a slow server: the child is always in the middle of something

	run := func(phase string, match func(*http.Request) bool, killAt int64) {
		var n counter
		var once gosync.Once
		killed := make(chan struct{})
		cmd := exec.Command(os.Args[0], "-test.run=^TestChildSync$")
		cmd.Env = append(os.Environ(), childEnv+"="+adir)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		h.onRequest(func(r *http.Request) {
			if match(r) && n.next() >= killAt {
				once.Do(func() { close(killed) })
			}
		})
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		select {
		case <-killed:
			cmd.Process.Kill() // SIGKILL: no deferred function, no rollback, no close
		case <-time.After(2 * time.Minute):
			cmd.Process.Kill()
			t.Logf("%s: the child never reached call %d; killed it anyway", phase, killAt)
		}
		cmd.Wait()
		h.onRequest(nil)
		if strings.Contains(out.String(), "FAIL") || strings.Contains(out.String(), "panic") {
			t.Fatalf("%s: child failed:\n%s", phase, out.String())
		}
	}
	isPush := func(r *http.Request) bool {
		return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/events")
	}
	isPull := func(r *http.Request) bool {
		return r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/changes")
	}
	h.resetRequests()
	run("push", isPush, 6)
	if n := len(h.requests(http.MethodGet, "/changes")); n != 0 {
		t.Fatalf("the child reached the pull before it was killed (%d pages): kill it earlier", n)
	}
	if n := len(h.requests(http.MethodPost, "/events")); n < 6 {
		t.Fatalf("the child was killed after %d pushes", n)
	}
	run("pull", isPull, 5)

	a, err := localdb.Open(ctx, adir, localdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	checkCursor(t, h, a) // after the crash, before anything else
	for id := range made {
		if _, ok := localEvents(t, a)[id]; !ok {
			t.Fatalf("event %s lost locally", id)
		}
	}
	h.srv.SetLatency(0)
	syncUntilDone(t, h.engine(a), 3)
	syncUntilDone(t, h.engine(b), 3)
	checkConverged(t, h, a, b)
	server := h.serverEvents()
	for id := range made {
		if _, ok := server[id]; !ok {
			t.Fatalf("event %s never reached the city", id)
		}
	}
}
