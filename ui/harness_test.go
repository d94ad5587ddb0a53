package ui

import (
	"context"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"motcua/domain"
	"motcua/localdb"
)

// testClock is an adjustable clock shared by the store and the UI.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Millisecond)
	return c.t
}

func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

func vnTime(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, domain.VN())
}

// testTick is the harness's status-bar and idle-lock tick.
const testTick = 20 * time.Millisecond

// harness is a UI over a real store in a temp dir, with the Fyne test driver.
type harness struct {
	t      *testing.T
	app    fyne.App
	store  *localdb.Store
	clock  *testClock
	idle   *testClock // what the idle lock measures inactivity with
	ui     *UI
	mu     sync.Mutex
	opened []string // PDFs the UI asked the system viewer to open
	queue  []func() // what background work handed to the UI goroutine
}

// do queues f for the UI goroutine (the test's), like fyne.Do queues it for the event loop.
func (h *harness) do(f func()) {
	h.mu.Lock()
	h.queue = append(h.queue, f)
	h.mu.Unlock()
}

// settle waits for background work and runs what it handed to the UI, until quiet.
func (h *harness) settle() {
	for {
		h.ui.jobs.Wait()
		h.mu.Lock()
		q := h.queue
		h.queue = nil
		h.mu.Unlock()
		if len(q) == 0 {
			return
		}
		for _, f := range q {
			f()
		}
	}
}

// newHarness opens an empty store (no set-up yet) and builds the UI, not started.
func newHarness(t *testing.T, at time.Time) *harness {
	t.Helper()
	h := &harness{t: t, clock: &testClock{t: at}, idle: &testClock{t: at}}
	h.app = test.NewTempApp(t)
	s, err := localdb.Open(context.Background(), t.TempDir(), localdb.Options{Now: h.clock.Now, LightPasswordHashing: true})
	if err != nil {
		t.Fatal(err)
	}
	h.store = s
	// The ticker runs every few milliseconds, so that -race sees it beside everything the
	// tests do on the UI goroutine.
	h.ui = New(h.app, Options{Store: s, Backups: localdb.BackupDesk{Store: s}, Tick: testTick, Now: h.clock.Now, IdleClock: h.idle.Now, Do: h.do, Open: func(path string) error {
		h.mu.Lock()
		h.opened = append(h.opened, path)
		h.mu.Unlock()
		return nil
	}})
	t.Cleanup(func() {
		h.ui.Close()
		h.ui.jobs.Wait()
		s.Close()
	})
	return h
}

var (
	testUnit = localdb.Config{UnitCode: "000.00.06.H56", UnitName: "Trung tâm Phục vụ hành chính công xã An Hưng",
		Parent: "UBND xã An Hưng", Place: "An Hưng", Slot: 1, IdleLockMinutes: 10, RescheduleLimit: 1,
		ReturnPlace: "Bộ phận tiếp nhận và trả kết quả xã An Hưng"}
	testAdmin    = domain.Staff{Username: "admin", FullName: "Quản Trị Viên", Role: domain.RoleAdmin}
	testClerk    = domain.Staff{Username: "lan", FullName: "Nguyễn Thị Lan", Role: domain.RoleCounter}
	testHelper   = domain.Staff{Username: "hoa", FullName: "Trần Thị Hoa", Role: domain.RoleHelper}
	testBoss     = domain.Staff{Username: "minh", FullName: "Lê Văn Minh", Role: domain.RoleSupervisor}
	testPassword = "matkhau123"
)

// setUp configures the store and creates one account of each role.
func (h *harness) setUp() {
	h.t.Helper()
	ctx := context.Background()
	cfg := testUnit
	cfg.Hours = localdb.DefaultConfig().Hours
	cfg.Language = "vi"
	if err := h.store.UpdateConfig(ctx, testAdmin, cfg); err != nil {
		h.t.Fatal(err)
	}
	if err := h.store.CreateStaff(ctx, nil, testAdmin, testPassword); err != nil {
		h.t.Fatal(err)
	}
	for _, st := range []domain.Staff{testClerk, testHelper, testBoss} {
		if err := h.store.CreateStaff(ctx, &testAdmin, st, testPassword); err != nil {
			h.t.Fatal(err)
		}
	}
}

// signIn starts the UI and signs in through the sign-in page, as a clerk would.
func (h *harness) signIn(st domain.Staff) {
	h.t.Helper()
	h.ui.Start()
	h.settle()
	p := h.signInPage()
	test.Type(p.username, st.Username)
	test.Type(p.password, testPassword)
	test.Tap(p.submit)
	h.settle()
	if u := h.ui.User(); u == nil || u.Username != st.Username {
		h.t.Fatalf("sign-in as %s failed: %s", st.Username, p.message.Text)
	}
}

// signInPage finds the sign-in page's widgets on the canvas.
func (h *harness) signInPage() *signInPage {
	h.t.Helper()
	if h.ui.signInPage == nil {
		h.t.Fatal("no sign-in page shown")
	}
	return h.ui.signInPage
}

// opened returns the PDFs opened so far.
func (h *harness) openedPDFs() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.opened...)
}

// pdfText extracts a PDF's text with poppler's pdftotext (installed by scripts/install-deps.sh).
func pdfText(t *testing.T, path string) string {
	t.Helper()
	out, err := exec.Command("pdftotext", "-layout", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext %s: %v (install poppler-utils: ./scripts/install-deps.sh test)", path, err)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}
