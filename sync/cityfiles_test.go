package sync

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"motcua/domain"
	"motcua/localdb"
	"motcua/sync/api"
	"motcua/sync/central"
)

const (
	otherUnit     = "000.00.07.H56"
	otherUnitName = "Trung tâm Phục vụ hành chính công xã Bình Minh"
)

// workstationOf opens a store and enrolls it at a slot of the given unit.
func (h *harness) workstationOf(unit, name string, slot int) *localdb.Store {
	h.t.Helper()
	ctx := context.Background()
	s, err := localdb.Open(ctx, h.t.TempDir(), localdb.Options{})
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { s.Close() })
	code, _, err := h.c.IssueEnrollCode(ctx, unit, name, slot)
	if err != nil {
		h.t.Fatal(err)
	}
	if _, err := Enroll(ctx, s, h.ts.URL, code, fmt.Sprintf("Quầy %d", slot)); err != nil {
		h.t.Fatal(err)
	}
	return s
}

// get calls the server with a token and returns the status and body.
func (h *harness) get(t *testing.T, path, token string, header map[string]string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, h.ts.URL+api.Prefix+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := h.ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, body
}

func token(t *testing.T, s *localdb.Store) string {
	t.Helper()
	tok, err := s.SyncValue(context.Background(), localdb.SyncKeyToken)
	if err != nil || tok == "" {
		t.Fatalf("token: %q %v", tok, err)
	}
	return tok
}

// TestCityFiguresAreTheSumOfTheUnits: two centres seed a month (dossiers, visits, feedback
// in every stage, scans) and sync; the city's feedback and visit figures for the month, in
// the report, /stats and the /feedback listing, are the sums of the centres' own registers.
func TestCityFiguresAreTheSumOfTheUnits(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, central.FaultConfig{})
	units := []struct {
		code string
		s    *localdb.Store
	}{
		{testUnit, h.workstationOf(testUnit, testUnitName, 1)},
		{otherUnit, h.workstationOf(otherUnit, otherUnitName, 1)},
	}
	now := time.Now()
	from := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, domain.VN()).AddDate(0, 0, -31)
	to := from.AddDate(0, 0, 33)
	type figures struct {
		received, resolved, published, inProgress, visits, dossiers int
	}
	var sum figures
	local := map[string]figures{}
	for i, u := range units {
		if _, err := u.s.Seed(ctx, localdb.SeedOptions{Dossiers: 150 + 40*i, Days: 30, Seed: uint64(7 + i),
			Actors: []domain.Staff{clerk, boss}}); err != nil {
			t.Fatal(err)
		}
		rep := syncUntilDone(t, h.engine(u.s), 3)
		if rep.Uploaded == 0 {
			t.Fatalf("unit %s: no scan uploaded (%+v)", u.code, rep)
		}
		fc, err := u.s.CountFeedback(ctx, from, to)
		if err != nil {
			t.Fatal(err)
		}
		vs, err := u.s.Visits(ctx, from, to)
		if err != nil {
			t.Fatal(err)
		}
		st, err := u.s.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		f := figures{received: fc.Received, resolved: fc.ResolvedOrPublished, published: fc.Published, inProgress: fc.InProgress, dossiers: st.Dossiers}
		for _, v := range vs {
			f.visits += v.N
		}
		if f.received == 0 || f.published == 0 || f.inProgress == 0 || f.visits < f.dossiers {
			t.Fatalf("unit %s seeded %+v", u.code, f)
		}
		local[u.code] = f
		t.Logf("unit %s: %+v", u.code, f)
		sum.received += f.received
		sum.resolved += f.resolved
		sum.published += f.published
		sum.inProgress += f.inProgress
		sum.visits += f.visits
		sum.dossiers += f.dossiers
	}

	// The period report, per centre and in all.
	rep, err := h.c.Report(ctx, from, to, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Units) != 2 {
		t.Fatalf("report units %+v", rep.Units)
	}
	for _, u := range rep.Units {
		want := local[u.Unit]
		got := figures{u.FeedbackReceived, u.FeedbackResolved, u.FeedbackPublished, u.FeedbackInProgress, u.Visits, u.DossiersReceived}
		if got != want {
			t.Errorf("unit %s: city %+v, centre %+v", u.Unit, got, want)
		}
	}
	tot := rep.Total
	if got := (figures{tot.FeedbackReceived, tot.FeedbackResolved, tot.FeedbackPublished, tot.FeedbackInProgress, tot.Visits, tot.DossiersReceived}); got != sum {
		t.Errorf("city total %+v, sum of centres %+v", got, sum)
	}
	var out bytes.Buffer
	rep.Print(&out)
	for _, s := range []string{"Phản ánh, kiến nghị: tiếp nhận " + fmt.Sprint(sum.received), "Lượt tiếp đón: " + fmt.Sprint(sum.visits), otherUnitName} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("report lacks %q:\n%s", s, out.String())
		}
	}

	// /stats: the city sees both units, a device its own only.
	code, _, body := h.get(t, "/stats", adminToken, nil)
	var st api.StatsResponse
	if code != http.StatusOK || json.Unmarshal(body, &st) != nil {
		t.Fatalf("stats %d %s", code, body)
	}
	if st.Feedback.Received != sum.received || st.Feedback.Published != sum.published || st.Visits != sum.visits ||
		st.VisitsByUnit[otherUnit] != local[otherUnit].visits || st.FeedbackByUnit[testUnit].Received != local[testUnit].received {
		t.Errorf("city stats %+v, want %+v / %+v", st, sum, local)
	}
	other := units[1].s
	code, _, body = h.get(t, "/stats", token(t, other), nil)
	st = api.StatsResponse{}
	if code != http.StatusOK || json.Unmarshal(body, &st) != nil {
		t.Fatalf("unit stats %d %s", code, body)
	}
	if st.Feedback.Received != local[otherUnit].received || st.Visits != local[otherUnit].visits || len(st.VisitsByUnit) != 1 {
		t.Errorf("unit stats %+v, want %+v", st, local[otherUnit])
	}

	// /feedback, page by page, holds every item once; a filter by status counts as the register.
	seen := map[string]bool{}
	for offset := 0; ; offset += 7 {
		code, _, body := h.get(t, fmt.Sprintf("/feedback?limit=7&offset=%d&from=%s&to=%s", offset, from.Format("2006-01-02"),
			to.AddDate(0, 0, -1).Format("2006-01-02")), adminToken, nil)
		var page api.FeedbackPage
		if code != http.StatusOK || json.Unmarshal(body, &page) != nil {
			t.Fatalf("feedback %d %s", code, body)
		}
		if page.Total != sum.received {
			t.Fatalf("feedback total %d, want %d", page.Total, sum.received)
		}
		for _, it := range page.Items {
			if seen[it.ID] || it.Content == "" || (it.Unit != testUnit && it.Unit != otherUnit) {
				t.Fatalf("item %+v (seen %v)", it, seen[it.ID])
			}
			seen[it.ID] = true
		}
		if len(page.Items) < 7 {
			break
		}
	}
	if len(seen) != sum.received {
		t.Errorf("listed %d of %d", len(seen), sum.received)
	}
	code, _, body = h.get(t, "/feedback?status=4&limit=500", token(t, other), nil)
	var page api.FeedbackPage
	if code != http.StatusOK || json.Unmarshal(body, &page) != nil {
		t.Fatalf("feedback %d %s", code, body)
	}
	if page.Total != local[otherUnit].published {
		t.Errorf("unit's published %d, want %d", page.Total, local[otherUnit].published)
	}
	for _, it := range page.Items {
		if it.Unit != otherUnit || it.Status != domain.FeedbackPublished {
			t.Fatalf("unit listing %+v", it)
		}
	}
	if code, _, _ := h.get(t, "/feedback?unit="+testUnit, token(t, other), nil); code != http.StatusForbidden {
		t.Errorf("another unit's feedback: %d", code)
	}
	if code, _, _ := h.get(t, "/feedback?status=9", adminToken, nil); code != http.StatusBadRequest {
		t.Errorf("bad status: %d", code)
	}

	// Rebuilt from the events, the projection is the same.
	before, _ := h.c.Report(ctx, from, to, "")
	if _, err := h.c.RebuildStreams(ctx); err != nil {
		t.Fatal(err)
	}
	after, _ := h.c.Report(ctx, from, to, "")
	if fmt.Sprint(before) != fmt.Sprint(after) {
		t.Errorf("rebuilt:\n%+v\n%+v", before, after)
	}
}

// TestScanIsReadWhereItsUnitIs: a scan uploaded by one workstation is downloaded on demand
// by another of the same unit (verified, cached, never sent back), with range requests
// resuming a partial download; a workstation of another unit is refused without learning
// whether the city holds it; the city's viewer reads it.
func TestScanIsReadWhereItsUnitIs(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, central.FaultConfig{})
	a1 := h.workstationOf(testUnit, testUnitName, 1)
	a2 := h.workstationOf(testUnit, testUnitName, 2)
	b1 := h.workstationOf(otherUnit, otherUnitName, 1)
	data := scan(200_000, 3)
	ref := storeScan(t, a1, data, "giay-chung-sinh.jpg")
	d := receive(t, a1, 1)[0]
	if _, err := a1.AttachFile(ctx, clerk, d.ID, domain.FileAttachedPayload{File: ref, Document: "GCS", Digitized: true}); err != nil {
		t.Fatal(err)
	}
	if rep := syncUntilDone(t, h.engine(a1), 3); rep.Uploaded != 1 {
		t.Fatalf("uploaded %+v", rep)
	}
	e2 := h.engine(a2)
	syncUntilDone(t, e2, 3)
	got, err := a2.Get(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	var pulled domain.FileRef
	for _, doc := range got.Documents {
		if len(doc.Files) > 0 {
			pulled = doc.Files[0]
		}
	}
	if pulled.SHA256 != ref.SHA256 || e2.HasLocalFile(ref.SHA256) {
		t.Fatalf("pulled %+v, held locally %v", pulled, e2.HasLocalFile(ref.SHA256))
	}

	// A range request by the sibling: the bytes asked for.
	code, hdr, body := h.get(t, "/files/"+ref.SHA256, token(t, a2), map[string]string{"Range": "bytes=1000-1999"})
	if code != http.StatusPartialContent || !bytes.Equal(body, data[1000:2000]) || hdr.Get("Content-Range") != fmt.Sprintf("bytes 1000-1999/%d", len(data)) {
		t.Fatalf("range: %d %q %d bytes", code, hdr.Get("Content-Range"), len(body))
	}

	// The download resumes what an interrupted one left, with a Range request.
	part := filepath.Join(a2.Dir(), "files", "download-"+ref.SHA256+".part")
	if err := os.WriteFile(part, data[:77_777], 0o600); err != nil {
		t.Fatal(err)
	}
	var mu gosync.Mutex
	var ranges []string
	h.onRequest(func(r *http.Request) {
		if strings.HasPrefix(r.URL.Path, api.Prefix+"/files/") && r.Method == http.MethodGet {
			mu.Lock()
			ranges = append(ranges, r.Header.Get("Range"))
			mu.Unlock()
		}
	})
	var progress []int64
	if err := e2.FetchFile(ctx, pulled, func(done, total int64) {
		if total != int64(len(data)) {
			t.Errorf("total %d", total)
		}
		progress = append(progress, done)
	}); err != nil {
		t.Fatal(err)
	}
	h.onRequest(nil)
	mu.Lock()
	if len(ranges) != 1 || ranges[0] != "bytes=77777-" {
		t.Errorf("ranges asked %q", ranges)
	}
	mu.Unlock()
	if len(progress) < 2 || progress[0] != 77_777 || progress[len(progress)-1] != int64(len(data)) {
		t.Errorf("progress %v", progress)
	}
	f, err := a2.OpenFile(ref.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	held, _ := io.ReadAll(f)
	f.Close()
	if !bytes.Equal(held, data) {
		t.Fatal("downloaded bytes differ")
	}
	if _, err := os.Stat(part); !os.IsNotExist(err) {
		t.Errorf("partial file left: %v", err)
	}
	// Held now, and known to be at the city: nothing to upload, nothing to fetch again.
	if pending, err := a2.PendingFiles(ctx, 10); err != nil || len(pending) != 0 {
		t.Errorf("pending after download %v %v", pending, err)
	}
	h.resetRequests()
	if err := e2.FetchFile(ctx, pulled, nil); err != nil || len(h.requests(http.MethodGet, "/files/")) != 0 {
		t.Errorf("second fetch: %v, %d calls", err, len(h.requests(http.MethodGet, "/files/")))
	}

	// Another unit: the same answer as for a file the city does not hold.
	eb := h.engine(b1)
	err = eb.FetchFile(ctx, pulled, nil)
	if !isClass(err, ClassInvalid) || Message(err) != MsgFileNotHeld {
		t.Fatalf("other unit fetched: %v", err)
	}
	if eb.HasLocalFile(ref.SHA256) {
		t.Fatal("other unit holds the file")
	}
	codeOther, _, bodyOther := h.get(t, "/files/"+ref.SHA256, token(t, b1), nil)
	unknown := strings.Repeat("ab", 32)
	codeNone, _, bodyNone := h.get(t, "/files/"+unknown, token(t, b1), nil)
	if codeOther != http.StatusNotFound || codeOther != codeNone || !bytes.Equal(bodyOther, bodyNone) {
		t.Errorf("other unit: %d %s; unknown file: %d %s", codeOther, bodyOther, codeNone, bodyNone)
	}
	if code, _, _ := h.get(t, "/files/"+ref.SHA256, "not-a-token", nil); code != http.StatusUnauthorized {
		t.Errorf("no token: %d", code)
	}
	// Bytes damaged at the city are caught by the hash: nothing is kept.
	a3 := h.workstationOf(testUnit, testUnitName, 3)
	e3 := h.engine(a3)
	syncUntilDone(t, e3, 3)
	damaged := append([]byte(nil), data...)
	damaged[5000] ^= 0xFF
	if err := os.WriteFile(h.c.FilePath(ref.SHA256), damaged, 0o600); err != nil {
		t.Fatal(err)
	}
	err = e3.FetchFile(ctx, pulled, nil)
	if err == nil || !strings.Contains(Message(err), "không khớp mã SHA-256") || e3.HasLocalFile(ref.SHA256) {
		t.Fatalf("damaged download: %v", err)
	}
	if _, err := os.Stat(filepath.Join(a3.Dir(), "files", "download-"+ref.SHA256+".part")); !os.IsNotExist(err) {
		t.Errorf("damaged part kept: %v", err)
	}
	if err := os.WriteFile(h.c.FilePath(ref.SHA256), data, 0o600); err != nil {
		t.Fatal(err)
	}
	// The city's viewer reads it whole.
	code, hdr, body = h.get(t, "/files/"+ref.SHA256, adminToken, nil)
	if code != http.StatusOK || !bytes.Equal(body, data) || hdr.Get("Content-Type") != "image/jpeg" {
		t.Errorf("city: %d %q %d bytes", code, hdr.Get("Content-Type"), len(body))
	}
}
