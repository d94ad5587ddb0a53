package sync

// The workstation's side of the hostile suite: what arrives by pull is checked against keys
// the city vouches for, whoever carried it.

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"motcua/domain"
	"motcua/internal/keyfile"
	"motcua/localdb"
	"motcua/sync/api"
	"motcua/sync/central"
)

// mitm is a man in the middle between workstations and the city: it passes every call on
// and lets a test rewrite the answers to pulls.
func mitm(t *testing.T, h *harness, rewrite func(path string, body []byte) []byte) *httptest.Server {
	t.Helper()
	target, _ := url.Parse(h.ts.URL)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		out, _ := http.NewRequestWithContext(r.Context(), r.Method, target.String()+r.URL.RequestURI(), bytes.NewReader(body))
		out.Header = r.Header.Clone()
		// The proxy reads replies as plain JSON: it asks for neither gzip nor the compact
		// encoding (a tamperer able to read those is no different).
		out.Header.Del("Accept-Encoding")
		out.Header.Set("Accept", "application/json")
		resp, err := h.ts.Client().Do(out)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode == http.StatusOK {
			b = rewrite(r.URL.Path, b)
		}
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		w.WriteHeader(resp.StatusCode)
		w.Write(b)
	}))
	t.Cleanup(ts.Close)
	return ts
}

// A man in the middle rewrites a pulled event (the applicant's name) and slips in a key of
// its own for the author: the event is refused with a Vietnamese reason, kept aside, never
// applied; the genuine events of the page arrive.
func TestMITMRewritingPulledEventIsRefused(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, central.FaultConfig{})
	// b enrolls first: enrollment fetches the unit's keys, and a's must come only through
	// the man in the middle.
	b := h.workstation(2)
	a := h.workstation(1)
	made := receive(t, a, 3)
	syncUntilDone(t, h.engine(a), 3)
	total := len(h.serverEvents()) // the dossiers and the visits they counted
	target := made[1].ID
	// rename rewrites the applicant of the target's opening event in a page of changes.
	rename := func(body []byte) []byte {
		var cr api.ChangesResponse
		json.Unmarshal(body, &cr)
		for i, e := range cr.Events {
			if e.StreamID == target && e.Type == domain.EvReceived {
				cr.Events[i].Payload = json.RawMessage(strings.Replace(string(e.Payload), made[1].Applicant.Name, "Kẻ Giả Mạo", 1))
			}
		}
		out, _ := json.Marshal(cr)
		return out
	}
	proxy := mitm(t, h, func(path string, body []byte) []byte {
		switch {
		case strings.HasSuffix(path, "/changes"):
			return rename(body)
		case strings.HasSuffix(path, "/devices/keys"):
			var kr api.KeysResponse
			json.Unmarshal(body, &kr)
			for i := range kr.Keys {
				kr.Keys[i].PublicKey = kr.Keys[i].PublicKey[:len(kr.Keys[i].PublicKey)-2] + "AA"
			}
			out, _ := json.Marshal(kr)
			return out
		}
		return body
	})
	// The workstation talks to the city through the proxy from now on.
	cfg := b.Config()
	cfg.ServerURL = proxy.URL
	if err := b.UpdateConfig(ctx, admin, cfg); err != nil {
		t.Fatal(err)
	}
	e := h.engine(b, func(o *Options) { o.HTTPClient = proxy.Client() })
	rep, err := e.SyncOnce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Every event's author key was tampered with on the way: none can be trusted.
	if rep.Pulled != 0 || rep.Refused != total {
		t.Fatalf("report %+v", rep)
	}
	if _, err := b.Get(ctx, target); err == nil {
		t.Fatal("a dossier was applied from events that cannot be verified")
	}
	refused, err := b.RefusedEvents(ctx)
	if err != nil || len(refused) != total {
		t.Fatalf("refused %d %v", len(refused), err)
	}
	for _, r := range refused {
		if !strings.Contains(r.Reason, "Không tin được sự kiện") {
			t.Fatalf("reason %q", r.Reason)
		}
	}
	if st := e.Status(); st.Refused != total {
		t.Fatalf("status %+v", st)
	}

	// With the keys left alone, only the rewritten event is refused.
	c := h.workstation(3)
	proxy2 := mitm(t, h, func(path string, body []byte) []byte {
		if !strings.HasSuffix(path, "/changes") {
			return body
		}
		return rename(body)
	})
	cfg = c.Config()
	cfg.ServerURL = proxy2.URL
	if err := c.UpdateConfig(ctx, admin, cfg); err != nil {
		t.Fatal(err)
	}
	rep, err = h.engine(c, func(o *Options) { o.HTTPClient = proxy2.Client() }).SyncOnce(ctx)
	if err != nil || rep.Refused != 1 || rep.Pulled != total-1 {
		t.Fatalf("report %+v %v", rep, err)
	}
	// Another engine start reads everything again through the same proxy: the refused list
	// still holds that one event once, and nothing held is listed.
	if _, err := h.engine(c, func(o *Options) { o.HTTPClient = proxy2.Client() }).SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if r, _ := c.RefusedEvents(ctx); len(r) != 1 {
		t.Fatalf("refused after a second start: %d", len(r))
	}
	if _, err := c.Get(ctx, target); err == nil {
		t.Fatal("the rewritten dossier was applied")
	}
	for _, d := range []domain.Dossier{made[0], made[2]} {
		got, err := c.Get(ctx, d.ID)
		if err != nil || got.Applicant.Name != d.Applicant.Name {
			t.Fatalf("genuine dossier %s: %+v %v", d.Code, got.Applicant, err)
		}
	}

	// The proxy is gone: the next engine gives the refused event another chance, and the
	// genuine one arrives.
	cfg = c.Config()
	cfg.ServerURL = h.ts.URL
	if err := c.UpdateConfig(ctx, admin, cfg); err != nil {
		t.Fatal(err)
	}
	rep, err = h.engine(c).SyncOnce(ctx)
	if err != nil || rep.Pulled != 1 || rep.Refused != 0 {
		t.Fatalf("after the proxy: %+v %v", rep, err)
	}
	got, err := c.Get(ctx, target)
	if err != nil || got.Applicant.Name != made[1].Applicant.Name {
		t.Fatalf("the genuine dossier: %+v %v", got.Applicant, err)
	}
	if r, _ := c.RefusedEvents(ctx); len(r) != 0 {
		t.Fatalf("still refused: %+v", r)
	}
}

// A pulled event dated ahead of this workstation's clock (beyond the bound and the
// measured skew) or before 2020 is refused even when its signature holds, and the
// workstation's clock does not follow it.
func TestPulledEventOutOfBoundsIsRefused(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, central.FaultConfig{})
	a := h.workstation(1)
	receive(t, a, 1)
	syncUntilDone(t, h.engine(a), 3)
	b := h.workstation(2)
	e := h.engine(b)
	syncUntilDone(t, e, 3) // knows a's key now
	now := time.Now()
	mk := func(at time.Time) domain.Event {
		ev, _ := domain.NewEvent(uuid.Must(uuid.NewV7()).String(), domain.StreamVisit, uuid.Must(uuid.NewV7()).String(), domain.EvVisit,
			domain.VisitPayload{Kind: domain.VisitConsult}, "lan", a.Config().DeviceID, testUnit, at, domain.MakeHLC(at.UnixMilli(), 0))
		return ev
	}
	// Signed with a's real key (as a's own store would sign it), but dated ten years ahead.
	far, old, fine := mk(now.AddDate(10, 0, 0)), mk(time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)), mk(now)
	// A visit filed under a dossier stream: the city refuses such a push (Event.CheckStream),
	// and so does the workstation on a pull.
	astray := mk(now)
	astray.Stream = domain.StreamDossier
	for _, ev := range []*domain.Event{&far, &old, &fine, &astray} {
		signAs(t, a, ev)
	}
	c, err := newClient(h.ts.Client(), h.ts.URL, "", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	good, refused, err := e.screen(ctx, c, []domain.Event{far, old, fine, astray})
	if err != nil {
		t.Fatal(err)
	}
	if len(good) != 1 || good[0].ID != fine.ID || len(refused) != 3 ||
		!strings.Contains(refused[0].Reason, "vượt quá giờ hiện tại") || !strings.Contains(refused[1].Reason, "trước năm 2020") ||
		!strings.Contains(refused[2].Reason, "không thuộc luồng") {
		t.Fatalf("good %d, refused %+v", len(good), refused)
	}
	before := b.Clock().Last()
	if _, err := b.ApplyPulled(ctx, good, refused, "", ""); err != nil {
		t.Fatal(err)
	}
	if b.Clock().Last().Time().After(time.Now().Add(time.Minute)) || b.Clock().Last() < before {
		t.Fatalf("clock %v", b.Clock().Last())
	}
}

// signAs signs an event with a workstation's own key, the way its store signs what it
// makes: through a store method used only here, reading the key from the data folder.
func signAs(t *testing.T, s *localdb.Store, e *domain.Event) {
	t.Helper()
	k, err := keyfile.Load(filepath.Join(s.Dir(), localdb.KeyFile))
	if err != nil {
		t.Fatal(err)
	}
	e.Sign(k, "")
}

// A workstation enrolled before signing registers its key on its first sync after the
// upgrade and pushes; it pins the city's key from the key list, and events the city
// attested verify with it.
func TestUpgradedWorkstationRegistersItsKey(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, central.FaultConfig{})
	a := h.workstation(1)
	// As an older version left things: the city has no key for it, it has pinned nothing.
	// (Nothing was pushed yet, so the city has not cached the key.)
	db := rawDBPath(filepath.Join(h.c.Dir(), central.DBFile))
	defer db.Close()
	if _, err := db.Exec(`UPDATE devices SET public_key = ''`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`DELETE FROM device_keys`); err != nil {
		t.Fatal(err)
	}
	if _, err := rawDB(t, a).Exec(`DELETE FROM sync_state WHERE key IN (?, ?)`, localdb.SyncKeyCentralKey, localdb.SyncKeyKeyRegistered); err != nil {
		t.Fatal(err)
	}
	h2 := h
	made := receive(t, a, 2)
	rep := syncUntilDone(t, h2.engine(a), 3)
	if rep.Pushed != len(made)+2 { // two dossiers and two visits
		t.Fatalf("report %+v", rep)
	}
	if v, _ := a.SyncValue(ctx, localdb.SyncKeyKeyRegistered); v != a.PublicKey() {
		t.Fatal("key not recorded as registered")
	}
	b := h2.workstation(2)
	rep = syncUntilDone(t, h2.engine(b), 3)
	if rep.Refused != 0 || rep.Pulled != len(made)+2 {
		t.Fatalf("the peer could not verify: %+v", rep)
	}
}

var admin = domain.Staff{Username: "admin", FullName: "Quản trị", Role: domain.RoleAdmin, Active: true}

// Each push shows the city the head of the workstation's chain; the city keeps it, returns
// it (remembered as chain.acked) and serves it to verify.
func TestCityKeepsTheChainHead(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, central.FaultConfig{})
	a := h.workstation(1)
	receive(t, a, 2)
	seq, link, err := a.ChainHead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	syncUntilDone(t, h.engine(a), 3)
	raw, _ := a.SyncValue(ctx, localdb.SyncKeyChainAcked)
	var acked api.ChainHead
	if err := json.Unmarshal([]byte(raw), &acked); err != nil || acked.Seq < seq {
		t.Fatalf("acked %q %v", raw, err)
	}
	if acked.Seq == seq && acked.Link != link {
		t.Fatalf("acked link %s, local %s", acked.Link, link)
	}
	got, err := CityHead(ctx, a, h.ts.Client())
	if err != nil || got == nil || got.Seq != acked.Seq || got.Link != acked.Link {
		t.Fatalf("city head %+v %v", got, err)
	}
	res, err := a.VerifyAll(ctx, localdb.VerifyOptions{CityHead: got})
	if err != nil || !res.OK() || !res.CityCompared {
		t.Fatalf("verify with the city's head: %+v %v", res.Findings, err)
	}
	// A new enrollment (after a revoke) starts afresh at the city.
	b := h.workstation(2)
	if got, err := CityHead(ctx, b, h.ts.Client()); err != nil || got != nil {
		t.Fatalf("a device that never pushed: %+v %v", got, err)
	}
}

// A head the device did not sign (a stolen token is enough to push) is not kept: the city
// goes on comparing with the device's own.
func TestUnsignedChainHeadIsNotKept(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, central.FaultConfig{})
	a := h.workstation(1)
	receive(t, a, 1)
	syncUntilDone(t, h.engine(a), 3)
	before, err := CityHead(ctx, a, h.ts.Client())
	if err != nil || before == nil {
		t.Fatal(before, err)
	}
	tok, _ := a.SyncValue(ctx, localdb.SyncKeyToken)
	for _, sig := range []string{"", strings.Repeat("A", 86)} {
		body, _ := json.Marshal(api.PushRequest{Events: []domain.Event{}, Head: &api.ChainHead{Seq: 999999, Link: strings.Repeat("ab", 32), Sig: sig}})
		req, _ := http.NewRequest(http.MethodPost, h.ts.URL+api.Prefix+"/events", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := h.ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var pr api.PushResponse
		json.NewDecoder(resp.Body).Decode(&pr)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || pr.Head != nil {
			t.Fatalf("a forged head: %d %+v", resp.StatusCode, pr.Head)
		}
	}
	// An older head the device really signed, replayed by someone who saw it go by.
	raw, _ := a.SyncValue(ctx, localdb.SyncKeyChainAcked)
	var acked api.ChainHead
	json.Unmarshal([]byte(raw), &acked)
	receive(t, a, 1)
	syncUntilDone(t, h.engine(a), 3)
	newer, err := CityHead(ctx, a, h.ts.Client())
	if err != nil || newer.Seq <= before.Seq {
		t.Fatalf("the head did not move on: %+v %v", newer, err)
	}
	old := api.ChainHead{Seq: acked.Seq, Link: acked.Link, At: acked.At, Sig: a.SignHead(acked.Seq, acked.Link, acked.At)}
	body, _ := json.Marshal(api.PushRequest{Events: []domain.Event{}, Head: &old})
	req, _ := http.NewRequest(http.MethodPost, h.ts.URL+api.Prefix+"/events", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := h.ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	after, err := CityHead(ctx, a, h.ts.Client())
	if err != nil || after.Seq != newer.Seq || after.Link != newer.Link {
		t.Fatalf("a replayed head moved the city's head back: %+v -> %+v %v", newer, after, err)
	}
	if before.Seq == after.Seq {
		t.Fatal("the test proves nothing")
	}
}

// Events hidden from the outbox by editing their sync state are found by verify against
// the city's count, and --repair sends them.
func TestVerifyFindsEventsHiddenFromTheOutbox(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, central.FaultConfig{})
	a := h.workstation(1)
	receive(t, a, 2)
	syncUntilDone(t, h.engine(a), 3)
	receive(t, a, 2)
	db := rawDB(t, a)
	if _, err := db.Exec(`UPDATE events SET sync_state = 1 WHERE sync_state = 0`); err != nil {
		t.Fatal(err)
	}
	db.Exec(`UPDATE dossiers SET sync = 0`)
	head, err := CityHead(ctx, a, h.ts.Client())
	if err != nil {
		t.Fatal(err)
	}
	res, err := a.VerifyAll(ctx, localdb.VerifyOptions{CityHead: head})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range res.Findings {
		found = found || f.Kind == "unsent"
	}
	if !found {
		t.Fatalf("findings %+v", res.Findings)
	}
	if res, err = a.VerifyAll(ctx, localdb.VerifyOptions{CityHead: head, Repair: true}); err != nil || res.Repaired == 0 {
		t.Fatalf("repair %+v %v", res, err)
	}
	syncUntilDone(t, h.engine(a), 3)
	server := h.serverEvents()
	for id, e := range localEvents(t, a) {
		if _, ok := server[id]; !ok && e.Local {
			t.Fatalf("event %s still not at the city", id)
		}
	}
}

// A workstation restored from its own older backup (keeping its key and token) gets back
// what it pushed after the backup, numbers new dossiers after them, and verifies.
func TestRestoreOwnBackupCatchesUp(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, central.FaultConfig{})
	dir := t.TempDir() + "/data"
	a := h.workstationIn(dir, 1)
	receive(t, a, 2)
	syncUntilDone(t, h.engine(a), 3)
	info, err := a.Backup(ctx, t.TempDir(), localdb.BackupOptions{Passphrase: "mat-khau-sao-luu"})
	if err != nil {
		t.Fatal(err)
	}
	later := receive(t, a, 3)
	syncUntilDone(t, h.engine(a), 3)
	if _, err := localdb.StageRestore(ctx, info.Dir, dir, "mat-khau-sao-luu"); err != nil {
		t.Fatal(err)
	}
	a.Close()
	if _, err := localdb.ApplyPendingRestore(dir); err != nil {
		t.Fatal(err)
	}
	r, err := localdb.Open(ctx, dir, localdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := r.Get(ctx, later[0].ID); err == nil {
		t.Fatal("the backup already had the later dossiers: the test proves nothing")
	}
	syncUntilDone(t, h.engine(r), 3)
	// Nothing to push, but the city is shown the restored chain: verify agrees at once.
	head, err := CityHead(ctx, r, h.ts.Client())
	if err != nil {
		t.Fatal(err)
	}
	if res, err := r.VerifyAll(ctx, localdb.VerifyOptions{CityHead: head}); err != nil || !res.OK() {
		t.Fatalf("verify right after the restore's first sync: %+v %v", res.Findings, err)
	}
	for _, d := range later {
		if _, err := r.Get(ctx, d.ID); err != nil {
			t.Fatalf("dossier %s pushed after the backup did not come back: %v", d.Code, err)
		}
	}
	next := receive(t, r, 1)
	for _, d := range later {
		if next[0].Code == d.Code {
			t.Fatalf("code %s issued twice", d.Code)
		}
	}
	rep := syncUntilDone(t, h.engine(r), 3)
	if rep.Quarantined != 0 {
		t.Fatalf("the city refused the new dossier: %+v", rep)
	}
	if head, err = CityHead(ctx, r, h.ts.Client()); err != nil {
		t.Fatal(err)
	}
	res, err := r.VerifyAll(ctx, localdb.VerifyOptions{CityHead: head})
	if err != nil || !res.OK() {
		t.Fatalf("verify after the restore: %+v %v", res.Findings, err)
	}
}
