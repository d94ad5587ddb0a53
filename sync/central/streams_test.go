package central

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"motcua/domain"
	"motcua/sync/api"
)

func streamEvent(t *testing.T, dev Device, stream, streamID string, typ domain.EventType, p any, at time.Time, hlc domain.HLC) domain.Event {
	t.Helper()
	e, err := domain.NewEvent(uuid.Must(uuid.NewV7()).String(), stream, streamID, typ, p, "lan", dev.ID, dev.Unit, at, hlc)
	if err != nil {
		t.Fatal(err)
	}
	return signed(e)
}

func push(t *testing.T, c *Central, dev Device, evs ...domain.Event) {
	t.Helper()
	resp, err := c.Push(context.Background(), dev, evs)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range resp.Results {
		if r.Status != api.Accepted {
			t.Fatalf("push: %+v", r)
		}
	}
}

// TestFeedbackProjectionFollowsItsEvents: the city's feedback projection follows the
// events whatever order they arrive in (a later step before the opening one), visits are
// counted once, and a database that held such events before the projection existed is
// filled when it opens.
func TestFeedbackProjectionFollowsItsEvents(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	dev, _ := f.device(1)
	at := f.now.Add(-2 * time.Hour)
	fb := uuid.Must(uuid.NewV7()).String()
	recv := streamEvent(t, dev, domain.StreamFeedback, fb, domain.EvFeedbackReceived,
		domain.FeedbackReceivedPayload{Citizen: domain.Person{Name: "Lê Thị Hà"}, Channel: domain.FeedbackPhone, Content: "Chờ lâu"}, at, domain.MakeHLC(at.UnixMilli(), 1))
	assign := streamEvent(t, dev, domain.StreamFeedback, fb, domain.EvFeedbackAssigned, domain.FeedbackAssignedPayload{To: "minh"},
		at.Add(time.Minute), domain.MakeHLC(at.Add(time.Minute).UnixMilli(), 1))
	resolve := streamEvent(t, dev, domain.StreamFeedback, fb, domain.EvFeedbackResolved, domain.FeedbackResolvedPayload{Answer: "Đã thêm quầy"},
		at.Add(time.Hour), domain.MakeHLC(at.Add(time.Hour).UnixMilli(), 1))
	visit := streamEvent(t, dev, domain.StreamVisit, uuid.Must(uuid.NewV7()).String(), domain.EvVisit, domain.VisitPayload{Kind: domain.VisitConsult},
		at, domain.MakeHLC(at.UnixMilli(), 2))

	// The assignment arrives first: nothing to count until the feedback itself arrives.
	push(t, f.c, dev, assign, visit)
	st, err := f.c.Stats(ctx)
	if err != nil || st.Feedback.Received != 0 || st.Visits != 1 || st.VisitsByKind[domain.VisitConsult] != 1 {
		t.Fatalf("stats %+v %v", st, err)
	}
	push(t, f.c, dev, recv)
	resp, err := f.c.Push(ctx, dev, []domain.Event{resolve, visit}) // the visit again: a duplicate
	if err != nil || resp.Results[0].Status != api.Accepted || resp.Results[1].Status != api.Duplicate {
		t.Fatalf("push %+v %v", resp, err)
	}
	page, err := f.c.Feedback(ctx, FeedbackFilter{})
	if err != nil || page.Total != 1 {
		t.Fatalf("feedback %+v %v", page, err)
	}
	got := page.Items[0]
	if got.Unit != unit || got.Status != domain.FeedbackResolved || got.AssignedTo != "minh" || got.Answer != "Đã thêm quầy" ||
		got.Channel != domain.FeedbackPhone || len(got.Conflicts) != 0 {
		t.Fatalf("feedback %+v", got)
	}
	st, _ = f.c.Stats(ctx)
	if st.Feedback.Received != 1 || st.Feedback.Resolved != 1 || st.Feedback.InProgress != 0 || st.Feedback.ByChannel[domain.FeedbackPhone] != 1 ||
		st.Visits != 1 || st.FeedbackByUnit[unit].Received != 1 {
		t.Fatalf("stats %+v", st)
	}
	// Filters: by status and period.
	if p, _ := f.c.Feedback(ctx, FeedbackFilter{Status: domain.FeedbackNew}); p.Total != 0 {
		t.Errorf("status filter %+v", p)
	}
	if p, _ := f.c.Feedback(ctx, FeedbackFilter{From: f.now}); p.Total != 0 {
		t.Errorf("period filter %+v", p)
	}
	if p, _ := f.c.Feedback(ctx, FeedbackFilter{Unit: "000.00.99.H56"}); p.Total != 0 {
		t.Errorf("unit filter %+v", p)
	}

	// A database filled before the projection existed: emptied tables, no mark.
	for _, q := range []string{`DELETE FROM feedback`, `DELETE FROM visits`, `DELETE FROM file_units`, `DELETE FROM meta WHERE key = 'streams.projected'`} {
		if _, err := f.c.db.w.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	// What OpenCentral runs on every open: it sees no mark and rebuilds.
	c := f.c
	if err := c.backfillStreams(ctx); err != nil {
		t.Fatal(err)
	}
	if v, err := c.db.meta(ctx, "streams.projected"); err != nil || v != streamsRev {
		t.Fatalf("mark %q %v", v, err)
	}
	page, err = c.Feedback(ctx, FeedbackFilter{})
	if err != nil || page.Total != 1 || page.Items[0].Status != domain.FeedbackResolved {
		t.Fatalf("backfilled %+v %v", page, err)
	}
	rep, err := c.Report(ctx, at.Add(-time.Hour), f.now, "")
	if err != nil || rep.Total.Visits != 1 || rep.Total.FeedbackResolved != 1 {
		t.Fatalf("report %+v %v", rep, err)
	}
	var out bytes.Buffer
	rep.Print(&out)
	if !strings.Contains(out.String(), "Phản ánh, kiến nghị: tiếp nhận 1; đã giải quyết 1 (trong đó đã công khai 0); đang xử lý 0.") ||
		!strings.Contains(out.String(), "hướng dẫn 1") {
		t.Errorf("report:\n%s", out.String())
	}
	// Events grant no file: file_units records uploads only, and the rebuild leaves it alone.
	var n int
	if err := c.db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM file_units`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("file_units %d %v", n, err)
	}
}

// TestAbandonedUploadsAreRemoved: a partial upload not written to for longer than the
// configured age is removed (its HEAD then answers 404 and the workstation starts over);
// one in progress is kept; the server cleans when it starts, too.
func TestAbandonedUploadsAreRemoved(t *testing.T) {
	f := newFixture(t)
	_, tok := f.device(1)
	data := bytes.Repeat([]byte("%PDF-1.4 scan "), 3000)
	start := func(sha string) string {
		r := f.call(http.MethodPost, "/files/", tok, nil, map[string]string{"Tus-Resumable": "1.0.0", "Upload-Length": strconv.Itoa(len(data)), "Upload-Metadata": tusMeta(sha)})
		if r.StatusCode != http.StatusCreated {
			t.Fatalf("create %d", r.StatusCode)
		}
		path := strings.TrimPrefix(r.Header.Get("Location"), f.ts.URL+api.Prefix)
		f.call(http.MethodPatch, path, tok, data[:1000], map[string]string{"Tus-Resumable": "1.0.0", "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"})
		return path
	}
	old, fresh := start(strings.Repeat("c", 64)), start(strings.Repeat("d", 64))
	uploads := filepath.Join(f.c.Dir(), "uploads")
	id := filepath.Base(old)
	// The old one was last written to eight days before the server's clock.
	back := f.now.Add(-8 * 24 * time.Hour)
	for _, p := range []string{filepath.Join(uploads, id), filepath.Join(uploads, id+".info")} {
		if err := os.Chtimes(p, back, back); err != nil {
			t.Fatal(err)
		}
	}
	n, err := f.c.CleanUploads(7 * 24 * time.Hour)
	if err != nil || n != 1 {
		t.Fatalf("cleaned %d %v", n, err)
	}
	head := func(path string) *http.Response {
		return f.call(http.MethodHead, path, tok, nil, map[string]string{"Tus-Resumable": "1.0.0"})
	}
	if r := head(old); r.StatusCode != http.StatusNotFound {
		t.Errorf("abandoned upload HEAD %d", r.StatusCode)
	}
	if r := head(fresh); r.StatusCode != http.StatusOK || r.Header.Get("Upload-Offset") != "1000" {
		t.Errorf("upload in progress HEAD %d %q", r.StatusCode, r.Header.Get("Upload-Offset"))
	}
	// Eight days on by the server's clock, the other one is abandoned too.
	f.now = time.Now().Add(8 * 24 * time.Hour)
	if n, err := f.c.CleanUploads(7 * 24 * time.Hour); err != nil || n != 1 {
		t.Fatalf("cleaned %d %v", n, err)
	}
	if entries, _ := os.ReadDir(uploads); len(entries) != 0 {
		t.Errorf("left: %v", entries)
	}

	// A server starting over a folder with an abandoned upload removes it at once.
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "uploads"), 0o700); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"abc", "abc.info"} {
		p := filepath.Join(dir, "uploads", name)
		if err := os.WriteFile(p, []byte("{}"), 0o600); err != nil {
			t.Fatal(err)
		}
		old := time.Now().Add(-2 * time.Hour)
		os.Chtimes(p, old, old)
	}
	srv, err := Open(context.Background(), Options{Dir: dir, UploadMaxAge: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if entries, _ := os.ReadDir(filepath.Join(dir, "uploads")); len(entries) != 0 {
		t.Errorf("left at start: %v", entries)
	}
}
