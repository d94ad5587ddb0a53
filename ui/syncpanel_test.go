package ui

import (
	"context"
	"errors"
	"image/png"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"github.com/google/uuid"

	"motcua/domain"
	"motcua/localdb"
	appsync "motcua/sync"
	"motcua/sync/central"
)

// engineSyncer shows a real sync engine to the UI (cmd/motcua has the same small adapter).
type engineSyncer struct {
	e     *appsync.Engine
	store *localdb.Store
	hc    *http.Client // nil: the engine's default
	subs  Listeners
}

func (a *engineSyncer) Info() SyncInfo {
	st := a.e.Status()
	return SyncInfo{Enrolled: st.Enrolled, Online: st.Online, Paused: st.PausedForAuth, Syncing: st.Syncing,
		Waiting: st.EventsWaiting, FilesWaiting: st.FilesWaiting, Quarantined: st.Quarantined, Refused: st.Refused,
		LastSuccess: st.LastSuccess, LastError: st.LastError, Skew: st.ClockSkew, Server: st.ServerURL,
		PlainHTTP: appsync.PlainHTTPRemote(st.ServerURL)}
}
func (a *engineSyncer) OnChange(f func()) func() { return a.subs.Add(f) }
func (a *engineSyncer) SyncNow()                 { a.e.SyncNow() }
func (a *engineSyncer) Enroll(ctx context.Context, url, code, name string, allowPlainHTTP bool) error {
	_, err := appsync.Enroll(ctx, a.store, url, code, name, appsync.AllowPlainHTTP(allowPlainHTTP), appsync.WithHTTPClient(a.hc))
	a.e.SyncNow()
	var se *appsync.Error // as cmd/motcua's adapter: the engine's message is written for staff
	if errors.As(err, &se) {
		return &StaffError{Msg: se.Msg, Err: err}
	}
	return err
}

// TestEnrollAndSyncFromSettings: an admin enrolls the workstation from the settings screen
// with a code from the real central server; what the counter received offline reaches it.
func TestEnrollAndSyncFromSettings(t *testing.T) {
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := central.Open(ctx, central.Options{Dir: t.TempDir(), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() { ts.Close(); srv.Close() })
	code, _, err := srv.Central().IssueEnrollCode(ctx, testUnit.UnitCode, testUnit.UnitName, testUnit.Slot)
	if err != nil {
		t.Fatal(err)
	}

	h := newHarness(t, vnTime(2026, 3, 2, 9, 0))
	h.setUp()
	// Offline work first.
	receiveFor(t, h, testClerk, "Nguyễn Thị Mai", "031190012345")
	eng := appsync.New(h.store, appsync.Options{Logger: quiet, MinBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond})
	sy := &engineSyncer{e: eng, store: h.store}
	eng.Subscribe(func(appsync.Status) { sy.subs.Notify() })
	h.ui.opt.Sync = sy
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { eng.Run(runCtx); close(done) }()
	t.Cleanup(func() { stop(); <-done })

	h.signIn(testAdmin)
	s := settingsOf(t, h)
	h.ui.showScreen(s)
	h.settle()
	var p *syncPanel
	p = findSyncPanel(t, s)
	test.Tap(p.enroll) // nothing typed: a message, nothing sent
	h.settle()
	if p.enrollMsg.Hidden {
		t.Fatal("no message for an empty enrollment")
	}
	p.server.SetText(ts.URL)
	test.Type(p.code, "sai-ma")
	test.Tap(p.enroll)
	h.settle()
	if p.enrollMsg.Hidden || p.enrollMsg.Importance == 0 && p.enrollMsg.Text == "" {
		t.Fatal("a wrong code gave no message")
	}
	if tok, _ := h.store.SyncValue(ctx, localdb.SyncKeyToken); tok != "" {
		t.Fatal("a wrong code enrolled the workstation")
	}
	p.code.SetText(code)
	test.Tap(p.enroll)
	h.settle()
	if tok, _ := h.store.SyncValue(ctx, localdb.SyncKeyToken); tok == "" {
		t.Fatalf("not enrolled: %q", p.enrollMsg.Text)
	}
	// The engine pushes what waited; the panel and the status bar follow.
	deadline := time.Now().Add(30 * time.Second)
	for {
		if st, _ := h.store.Stats(ctx); st.Outbox == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("outbox never emptied: %+v", eng.Status())
		}
		time.Sleep(20 * time.Millisecond)
	}
	// The status counts again after it records the success: wait for both.
	for (eng.Status().LastSuccess.IsZero() || eng.Status().EventsWaiting != 0) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	h.settle()
	p.refresh()
	if !containsText(visibleTexts(s.root), "Chờ gửi: 0 sự kiện") {
		t.Errorf("panel does not show an empty queue: %v", p.waiting.Text)
	}
	if n, err := srv.Central().Stats(ctx); err != nil || n.Dossiers != 1 {
		t.Fatalf("central holds %+v (%v)", n, err)
	}
}

// findSyncPanel returns the sync panel the settings screen built.
func findSyncPanel(t *testing.T, s *settingsScreen) *syncPanel {
	t.Helper()
	if s.sync == nil {
		t.Fatal("no sync panel in the settings")
	}
	return s.sync
}

// TestPlainHTTPNeedsTheAdminsChoice: enrolling to http:// on another machine is refused
// until the administrator ticks the choice; then it works, and the panel warns that the
// connection is not encrypted. (Every connection is dialled to the test server on loopback.)
func TestPlainHTTPNeedsTheAdminsChoice(t *testing.T) {
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := central.Open(ctx, central.Options{Dir: t.TempDir(), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() { ts.Close(); srv.Close() })
	code, _, err := srv.Central().IssueEnrollCode(ctx, testUnit.UnitCode, testUnit.UnitName, testUnit.Slot)
	if err != nil {
		t.Fatal(err)
	}
	addr := ts.Listener.Addr().String()
	hc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}}}

	h := newHarness(t, vnTime(2026, 3, 2, 9, 0))
	h.setUp()
	eng := appsync.New(h.store, appsync.Options{Logger: quiet, HTTPClient: hc, MinBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond})
	sy := &engineSyncer{e: eng, store: h.store, hc: hc}
	h.ui.opt.Sync = sy
	h.signIn(testAdmin)
	s := settingsOf(t, h)
	h.ui.showScreen(s)
	h.settle()
	p := findSyncPanel(t, s)
	if p.allowHTTP == nil || p.allowHTTP.Checked {
		t.Fatal("the plain-http choice is missing or ticked by default")
	}
	p.server.SetText("http://10.0.0.5:8787")
	p.code.SetText(code)
	test.Tap(p.enroll)
	h.settle()
	if tok, _ := h.store.SyncValue(ctx, localdb.SyncKeyToken); tok != "" || !strings.Contains(p.enrollMsg.Text, "Cho phép kết nối không mã hóa") {
		t.Fatalf("enrolled over http without the choice; message %q", p.enrollMsg.Text)
	}
	if !p.plainHTTP.Hidden {
		t.Fatal("a warning before any enrollment")
	}
	test.Tap(p.allowHTTP)
	test.Tap(p.enroll)
	h.settle()
	if tok, _ := h.store.SyncValue(ctx, localdb.SyncKeyToken); tok == "" {
		t.Fatalf("not enrolled with the choice: %q", p.enrollMsg.Text)
	}
	if _, err := eng.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	p.refresh()
	if p.plainHTTP.Hidden || !strings.Contains(p.plainHTTP.Text, "Kết nối không mã hóa (http)") || !h.store.Config().AllowPlainHTTP {
		t.Fatalf("no warning while the connection is plain http (%q)", p.plainHTTP.Text)
	}
	if dir := os.Getenv("MOTCUA_SYNCPANEL_PNG"); dir != "" {
		w := test.NewWindow(p.card)
		w.Resize(fyne.NewSize(1000, 560))
		f, err := os.Create(filepath.Join(dir, "syncpanel-plain-http.png"))
		if err != nil {
			t.Fatal(err)
		}
		png.Encode(f, w.Canvas().Capture())
		f.Close()
	}
}

// The sync panel says how many received events were refused as untrustworthy, and where
// the supervisor sees them.
func TestSyncPanelCountsRefusedEvents(t *testing.T) {
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	h := newHarness(t, vnTime(2026, 3, 2, 9, 0))
	h.setUp()
	d := receiveFor(t, h, testClerk, "Nguyễn Thị Mai", "031190012345")
	far := vnTime(2036, 3, 2, 9, 0)
	ev, err := domain.NewEvent(uuid.Must(uuid.NewV7()).String(), domain.StreamDossier, d.ID, domain.EvRefused,
		domain.ReasonPayload{Reason: "x"}, "x", "0193a0b0-0000-7000-8000-00000000beef", testUnit.UnitCode, far, domain.MakeHLC(far.UnixMilli(), 0))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.store.ApplyPulled(ctx, nil, []localdb.Refused{{Event: ev, Reason: domain.CheckClock(ev, h.clock.Now(), 0).Error()}}, "", ""); err != nil {
		t.Fatal(err)
	}
	eng := appsync.New(h.store, appsync.Options{Logger: quiet})
	eng.SyncOnce(ctx) // not enrolled: it only counts
	h.ui.opt.Sync = &engineSyncer{e: eng, store: h.store}
	h.signIn(testAdmin)
	s := settingsOf(t, h)
	h.ui.showScreen(s)
	h.settle()
	p := findSyncPanel(t, s)
	h.do(p.refresh)
	h.settle()
	if !strings.Contains(p.waiting.Text, "Nhận về bị từ chối vì không tin được: 1") {
		t.Fatalf("panel: %q", p.waiting.Text)
	}
}
