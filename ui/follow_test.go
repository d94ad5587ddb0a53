package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"fyne.io/fyne/v2"

	"motcua/domain"
	appsync "motcua/sync"
	"motcua/sync/api"
	"motcua/sync/central"
)

// pullingSyncer is the test's engineSyncer that also says what a pull touched, as
// cmd/motcua's adapter does.
type pullingSyncer struct{ *engineSyncer }

func (p pullingSyncer) OnPulled(f func([]string, bool)) {
	p.e.OnPulled(func(x appsync.Pulled) { f(x.Dossiers, x.Others) })
}

// An open queue and an open dossier follow what a pull brings — the city forwarded the
// dossier — without being reopened, and the queue keeps its place (issue 15, item 11).
func TestOpenScreensFollowAPull(t *testing.T) {
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
	h := newHarness(t, vnTime(2026, 3, 16, 9, 0))
	h.setUp()
	if _, err := appsync.Enroll(ctx, h.store, ts.URL, code, "Quầy 1"); err != nil {
		t.Fatal(err)
	}
	var ds []domain.Dossier
	for i := range 30 {
		ds = append(ds, receiveFor(t, h, testClerk, "Nguyễn Thị Mai", fmt.Sprintf("0311900%05d", i)))
	}
	eng := appsync.New(h.store, appsync.Options{Logger: quiet})
	if _, err := eng.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	h.ui.opt.Sync = pullingSyncer{&engineSyncer{e: eng, store: h.store}}
	h.ui.followSync()

	h.ui.win.Resize(fyne.NewSize(1280, 720))
	h.signIn(testClerk)
	q := queueOf(t, h)
	q.table.ScrollToBottom()
	h.settle()
	codes := func() string {
		var out []string
		for _, s := range visibleTexts(q.table) {
			if strings.Contains(s, "000.00.06.H56-") {
				out = append(out, s)
			}
		}
		return strings.Join(out, " ")
	}
	pos, gen := codes(), q.gen
	if pos == "" || strings.Contains(pos, ds[len(ds)-1].Code) && strings.Contains(pos, ds[0].Code) {
		t.Fatalf("the queue shows %q: the test shows nothing", pos)
	}
	// The processing side forwards a dossier; the next pull brings it to the open queue.
	target := ds[0]
	if _, _, err := srv.Central().Record(ctx, api.AdminEventRequest{DossierID: target.ID, Type: "dossier.forwarded",
		Payload: json.RawMessage(`{"agency":"Công chức Tư pháp - Hộ tịch"}`), Actor: "tp.hotich"}); err != nil {
		t.Fatal(err)
	}
	if _, err := eng.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	h.settle()
	if q.gen == gen || codes() != pos {
		t.Fatalf("queue reloaded: %v; showed %q, now %q", q.gen != gen, pos, codes())
	}

	// An open dossier shows what the city noted, with a word that it changed.
	h.ui.openDossier(target.ID)
	h.settle()
	v := q.detail
	if v.d.Status != domain.StatusProcessing {
		t.Fatalf("the pulled forward is not in the detail: %v", v.d.Status)
	}
	n := len(v.entries)
	if _, _, err := srv.Central().Record(ctx, api.AdminEventRequest{DossierID: target.ID, Type: "dossier.progress_noted",
		Payload: json.RawMessage(`{"content":"Đang thẩm định"}`), Actor: "tp.hotich"}); err != nil {
		t.Fatal(err)
	}
	if _, err := eng.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	h.settle()
	if len(v.entries) != n+1 || !strings.Contains(v.banner.label.Text, "vừa được cập nhật") {
		t.Fatalf("the open dossier has %d entries (was %d), banner %q", len(v.entries), n, v.banner.label.Text)
	}
}
