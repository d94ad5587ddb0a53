package sync

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"motcua/domain"
	"motcua/localdb"
	"motcua/sync/api"
	"motcua/sync/central"
)

// checkCursor asserts the pull cursor never stands ahead of the data: every event the server
// would send this workstation up to the cursor is stored locally.
func checkCursor(t *testing.T, h *harness, s *localdb.Store) {
	t.Helper()
	cur, err := s.SyncValue(context.Background(), localdb.SyncKeyCursor)
	if err != nil {
		t.Fatal(err)
	}
	seqs, err := h.c.EventSeqs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	upTo := central.CursorSeq(cur)
	held := localEvents(t, s)
	dev := s.Config().DeviceID
	for id, e := range h.serverEvents() {
		if e.Device == dev || e.Unit != s.Config().UnitCode || seqs[id] > upTo {
			continue
		}
		if _, ok := held[id]; !ok {
			t.Fatalf("cursor %s is ahead of the data: event %s (seq %d) missing", cur, id, seqs[id])
		}
	}
}

func TestCursorNeverAheadOfStoredData(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, central.FaultConfig{})
	a, b := h.workstation(1), h.workstation(2)
	receive(t, a, 30)
	if _, err := h.engine(a).SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	// The fourth page's reply is cut short, the sixth is lost after the server answered.
	var pages counter
	h.srv.SetFaults(central.FaultConfig{Hook: func(r *http.Request) central.Fault {
		if strings.HasSuffix(r.URL.Path, "/changes") {
			switch pages.next() {
			case 4:
				return central.FaultTruncated
			case 6:
				return central.FaultLostReply
			}
		}
		return central.FaultNone
	}})
	e := h.engine(b, func(o *Options) { o.PullLimit = 4 })
	for pass := 0; ; pass++ {
		_, err := e.SyncOnce(ctx)
		checkCursor(t, h, b)
		if err == nil {
			break
		}
		if pass > 5 || !isClass(err, ClassNetwork) {
			t.Fatalf("pass %d: %v", pass, err)
		}
	}
	if st, _ := b.Stats(ctx); st.Dossiers != 30 || st.Events != 60 {
		t.Fatalf("b holds %+v", st)
	}
}

func TestUnknownCursorGivesFullResync(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, central.FaultConfig{})
	a, b := h.workstation(1), h.workstation(2)
	receive(t, a, 5)
	receive(t, b, 2) // b's own, still waiting: a resync must not touch them
	if _, err := h.engine(a).SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	eb := h.engine(b, func(o *Options) { o.PullLimit = 2 })
	if _, err := eb.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	receive(t, b, 1)
	// A cursor from another server database (reset, restored from an older backup).
	if err := b.SetSyncValue(ctx, localdb.SyncKeyCursor, "0123456789abcdef.999"); err != nil {
		t.Fatal(err)
	}
	before := localEvents(t, b)
	h.resetRequests()
	rep, err := eb.SyncOnce(ctx)
	if err != nil || !rep.Resynced || rep.Pulled != 0 || rep.Pushed != 2 {
		t.Fatalf("resync %+v %v", rep, err)
	}
	gone := h.requests(http.MethodGet, "/changes")
	if len(gone) < 2 || !strings.Contains(gone[0].Query, "0123456789abcdef") || !strings.Contains(gone[1].Query, "after=&") {
		t.Fatalf("pull calls %+v", gone)
	}
	after := localEvents(t, b)
	if len(after) != len(before) {
		t.Fatalf("events before %d after %d", len(before), len(after))
	}
	for id, e := range after {
		if e.Local && e.State != localdb.SyncAcked {
			t.Fatalf("local event %s not pushed", id)
		}
	}
	checkCursor(t, h, b)
	// A cursor beyond the server's end (a database restored from an older backup) too.
	cur, _ := b.SyncValue(ctx, localdb.SyncKeyCursor)
	epoch, _, _ := strings.Cut(cur, ".")
	b.SetSyncValue(ctx, localdb.SyncKeyCursor, epoch+".100000")
	if rep, err := eb.SyncOnce(ctx); err != nil || !rep.Resynced {
		t.Fatalf("cursor ahead of the server: %+v %v", rep, err)
	}
}

func TestPullNeverErasesALocalEventWaitingToBePushed(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, central.FaultConfig{})
	a, b := h.workstation(1), h.workstation(2)
	d := receive(t, a, 1)[0]
	if _, err := h.engine(a).SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	eb := h.engine(b)
	if _, err := eb.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	// b, offline, forwards the dossier; meanwhile the city notes progress on it.
	if _, err := b.Forward(ctx, clerk, d.ID, "Công chức Tư pháp - Hộ tịch", ""); err != nil {
		t.Fatal(err)
	}
	waiting, _ := b.Outbox(ctx, 10)
	if len(waiting) != 1 {
		t.Fatalf("outbox %d", len(waiting))
	}
	if _, _, err := h.c.Record(ctx, api.AdminEventRequest{DossierID: d.ID, Type: "dossier.progress_noted", Payload: json.RawMessage(`{"content":"Đang thẩm định"}`), Actor: "tp.hotich"}); err != nil {
		t.Fatal(err)
	}
	// Pull only (no push): the waiting event must stay, untouched and still waiting.
	c, err := newClient(h.ts.Client(), h.ts.URL, tokenOf(t, b), 0)
	if err != nil {
		t.Fatal(err)
	}
	var rep Report
	if err := eb.pull(ctx, c, &rep); err != nil || rep.Pulled != 1 {
		t.Fatalf("pull %+v %v", rep, err)
	}
	still, _ := b.Outbox(ctx, 10)
	if len(still) != 1 || !still[0].SameContent(waiting[0]) {
		t.Fatalf("waiting event changed by pull: %+v", still)
	}
	got, _ := b.Get(ctx, d.ID)
	if len(got.Steps) != 2 || got.Status != domain.StatusProcessing {
		t.Fatalf("b's dossier %+v", got.Steps)
	}
	if _, err := eb.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	city, _ := h.c.Dossier(ctx, d.ID)
	if len(city.Steps) != 2 || city.Events != 3 {
		t.Fatalf("city's dossier %+v", city)
	}
}

func tokenOf(t *testing.T, s *localdb.Store) string {
	t.Helper()
	tok, err := s.SyncValue(context.Background(), localdb.SyncKeyToken)
	if err != nil || tok == "" {
		t.Fatalf("token %q %v", tok, err)
	}
	return tok
}

// The counter hands the result over while offline; the city meanwhile refused the dossier.
// Neither fact is dropped: both sides keep every event and show the same conflict to a
// supervisor, who resolves it with a new event that reaches the city too.
func TestHandOverOfflineVersusRefusalAtTheCity(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, central.FaultConfig{})
	a, b := h.workstation(1), h.workstation(2)
	d := receive(t, a, 1)[0]
	ea := h.engine(a)
	if _, err := ea.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if _, _, err := h.c.Record(ctx, api.AdminEventRequest{Code: d.Code, Type: "dossier.refused",
		Payload: json.RawMessage(`{"reason":"Giấy chứng sinh không hợp lệ"}`), Actor: "tp.hotich"}); err != nil {
		t.Fatal(err)
	}
	// Offline at the counter: result ready, handed over.
	if _, err := a.ResultReady(ctx, clerk, d.ID, domain.ResultReadyPayload{Agency: "UBND xã"}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.HandOver(ctx, clerk, d.ID, domain.HandedOverPayload{Recipient: domain.Person{Name: "Nguyễn Văn An", IDNumber: "001099012345"}}); err != nil {
		t.Fatal(err)
	}
	rep, err := ea.SyncOnce(ctx)
	if err != nil || rep.Pushed != 3 || rep.Quarantined != 0 || rep.Pulled != 1 { // result ready, hand-over and its visit
		t.Fatalf("reconnect %+v %v", rep, err)
	}
	if _, err := h.engine(b).SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	city, _ := h.c.Dossier(ctx, d.ID)
	local, _ := a.Get(ctx, d.ID)
	other, _ := b.Get(ctx, d.ID)
	if city.Events != 4 || local.Events != 4 || other.Events != 4 {
		t.Fatalf("events: city %d, counter %d, other counter %d", city.Events, local.Events, other.Events)
	}
	if len(city.OpenConflicts()) == 0 {
		t.Fatal("the city sees no conflict")
	}
	for name, x := range map[string]domain.Dossier{"counter": local, "other counter": other} {
		if x.Status != city.Status || !sameConflicts(x.OpenConflicts(), city.OpenConflicts()) {
			t.Fatalf("%s: status %v conflicts %+v; city: status %v conflicts %+v", name, x.Status, x.OpenConflicts(), city.Status, city.OpenConflicts())
		}
	}
	if n, _ := a.QueueCount(ctx, localdb.QueueFilter{Conflicts: true}); n != 1 {
		t.Fatalf("supervisor's conflict list: %d", n)
	}
	var ids []string
	for _, c := range local.OpenConflicts() {
		ids = append(ids, c.EventID)
	}
	if _, err := a.ResolveConflict(ctx, boss, d.ID, domain.ConflictResolvedPayload{EventIDs: ids, Decision: "set_status",
		SetStatus: domain.StatusReturned, Note: "Công dân đã nhận kết quả trước khi có quyết định từ chối"}); err != nil {
		t.Fatal(err)
	}
	if _, err := ea.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	city, _ = h.c.Dossier(ctx, d.ID)
	if len(city.OpenConflicts()) != 0 || city.Status != domain.StatusReturned {
		t.Fatalf("after resolution the city has status %v conflicts %+v", city.Status, city.OpenConflicts())
	}
	var portal central.PortalDossier
	getJSON(t, h, "/dossiers/"+d.ID+"?format=dvcqg", &portal)
	if portal.MaHoSo != d.Code || portal.TrangThaiHoSo != 10 || len(portal.NgayTiepNhan) != 14 || portal.NgayTuChoi != "" {
		t.Fatalf("portal view %+v", portal)
	}
}

func sameConflicts(a, b []domain.Conflict) bool {
	if len(a) != len(b) {
		return false
	}
	ids := map[string]bool{}
	for _, c := range a {
		ids[c.EventID] = true
	}
	for _, c := range b {
		if !ids[c.EventID] {
			return false
		}
	}
	return true
}

func getJSON(t *testing.T, h *harness, path string, v any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, h.ts.URL+api.Prefix+path, nil)
	req.Header.Set("Authorization", "Bearer "+adminToken)
	resp, err := h.ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get(api.Header) != api.HeaderValue {
		t.Fatalf("GET %s: %s", path, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

func TestCatalogueUpdatesWithETag(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, central.FaultConfig{})
	a := h.workstation(1)
	e := h.engine(a)
	if _, err := e.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	tag, _ := a.SyncValue(ctx, localdb.SyncKeyCatalogueETag)
	if tag == "" {
		t.Fatal("no ETag stored")
	}
	h.resetRequests()
	if rep, err := e.SyncOnce(ctx); err != nil || rep.Catalogue {
		t.Fatalf("unchanged catalogue applied again: %+v %v", rep, err)
	}
	// The operator publishes a new version.
	cat := *a.Catalogue()
	cat.Version = "2026.2"
	cat.Procedures = append([]domain.Procedure(nil), cat.Procedures...)
	cat.Procedures[0].Name += " (sửa đổi)"
	raw, _ := json.Marshal(cat)
	if err := h.c.SetCatalogue(ctx, raw, nil); err != nil {
		t.Fatal(err)
	}
	rep, err := e.SyncOnce(ctx)
	if err != nil || !rep.Catalogue {
		t.Fatalf("new catalogue %+v %v", rep, err)
	}
	if v := a.Catalogue().Version; v != "2026.2" {
		t.Fatalf("catalogue version %s", v)
	}
	if tag2, _ := a.SyncValue(ctx, localdb.SyncKeyCatalogueETag); tag2 == tag {
		t.Fatal("ETag not updated")
	}
}
