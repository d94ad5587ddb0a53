package central

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"motcua/domain"
	"motcua/sync/api"
)

const unit = "000.00.06.H56"

type fixture struct {
	t   *testing.T
	srv *Server
	c   *Central
	ts  *httptest.Server
	now time.Time
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{t: t, now: time.Date(2026, 3, 2, 9, 0, 0, 0, domain.VN())}
	srv, err := Open(context.Background(), Options{Dir: t.TempDir(), DB: testDB(t), AdminToken: "admin", Now: func() time.Time { return f.now }})
	if err != nil {
		t.Fatal(err)
	}
	f.srv, f.c = srv, srv.Central()
	f.ts = httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		f.ts.Close()
		srv.Close()
	})
	return f
}

// device enrolls a workstation and returns it with its token.
func (f *fixture) device(slot int) (Device, string) {
	f.t.Helper()
	ctx := context.Background()
	code, _, err := f.c.IssueEnrollCode(ctx, unit, "Xã An Hưng", slot)
	if err != nil {
		f.t.Fatal(err)
	}
	resp, err := f.c.Enroll(ctx, enrollReq(code, ""))
	if err != nil {
		f.t.Fatal(err)
	}
	dev, err := f.c.Authenticate(ctx, resp.Token)
	if err != nil {
		f.t.Fatal(err)
	}
	return dev, resp.Token
}

func (f *fixture) call(method, path, token string, body []byte, header map[string]string) *http.Response {
	f.t.Helper()
	req, _ := http.NewRequest(method, f.ts.URL+api.Prefix+path, bytes.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := f.ts.Client().Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() { resp.Body.Close() })
	if resp.Header.Get(api.Header) != api.HeaderValue {
		f.t.Fatalf("%s %s: no %s header", method, path, api.Header)
	}
	return resp
}

func TestEnrollmentCodes(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	code, exp, err := f.c.IssueEnrollCode(ctx, "000.00.06.h56", "Xã An Hưng", 1)
	if err != nil {
		t.Fatal(err)
	}
	if exp.Sub(f.now) != 7*24*time.Hour || len(code) != 14 {
		t.Fatalf("code %q expires %v", code, exp)
	}
	me := uuid.Must(uuid.NewV7()).String()
	req := enrollReq(strings.ToLower(strings.ReplaceAll(code, "-", " ")), me)
	resp, err := f.c.Enroll(ctx, req)
	if err != nil || resp.DeviceID != me || resp.UnitCode != unit || resp.Slot != 1 || resp.Token == "" || resp.CentralKey != f.c.PublicKey() {
		t.Fatalf("enroll %+v %v", resp, err)
	}
	// The answer was lost: the same workstation presents the code again, with the same nonce
	// and key, and gets a new token.
	req.Code = code
	again, err := f.c.Enroll(ctx, req)
	if err != nil || again.Token == resp.Token {
		t.Fatalf("re-presented code: %v", err)
	}
	if _, err := f.c.Authenticate(ctx, resp.Token); err == nil {
		t.Fatal("the replaced token still works")
	}
	// Another workstation cannot use it.
	if _, err := f.c.Enroll(ctx, enrollReq(code, "")); !errors.Is(err, domain.ErrDenied) {
		t.Fatalf("code used twice: %v", err)
	}
	// The slot is taken while the device is active…
	if _, _, err := f.c.IssueEnrollCode(ctx, unit, "Xã An Hưng", 1); !errors.Is(err, domain.ErrConflict) {
		t.Fatalf("slot 1 issued twice: %v", err)
	}
	// …and free once it is revoked.
	if err := f.c.Revoke(ctx, me); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.c.IssueEnrollCode(ctx, unit, "Xã An Hưng", 1); err != nil {
		t.Fatal(err)
	}
	// Codes expire after 7 days.
	late, _, _ := f.c.IssueEnrollCode(ctx, unit, "Xã An Hưng", 2)
	f.now = f.now.Add(7*24*time.Hour + time.Minute)
	if _, err := f.c.Enroll(ctx, enrollReq(late, "")); err == nil || !strings.Contains(err.Error(), "hết hạn") {
		t.Fatalf("expired code: %v", err)
	}
	if _, _, err := f.c.IssueEnrollCode(ctx, unit, "Xã An Hưng", 10); err == nil {
		t.Fatal("slot 10 accepted")
	}
	// Secrets are stored hashed.
	raw, _ := os.ReadFile(filepath.Join(f.c.Dir(), DBFile))
	wal, _ := os.ReadFile(filepath.Join(f.c.Dir(), DBFile+"-wal"))
	for _, secret := range []string{again.Token, strings.ReplaceAll(code, "-", "")} {
		if bytes.Contains(raw, []byte(secret)) || bytes.Contains(wal, []byte(secret)) {
			t.Fatalf("secret %q stored in clear", secret)
		}
	}
}

func received(t *testing.T, dev Device, streamID string, at time.Time, hlc domain.HLC) domain.Event {
	t.Helper()
	return receivedAs(t, dev, streamID, at, hlc, unit+"-260302-1001")
}

// receivedAs is received with the dossier code given.
func receivedAs(t *testing.T, dev Device, streamID string, at time.Time, hlc domain.HLC, code string) domain.Event {
	t.Helper()
	p := domain.ReceivedPayload{Code: code, Procedure: domain.ProcedureRef{Code: "1.001193", Name: "Thủ tục đăng ký khai sinh", FieldCode: "HT", Field: "Hộ tịch"},
		Applicant: domain.Person{Name: "Nguyễn Văn An", IDNumber: "001099012345"}, Subject: domain.SubjectCitizen, Channel: domain.ChannelDirect,
		Summary: "Đăng ký khai sinh", Fee: 8000, DueAt: at.Add(8 * time.Hour),
		Documents: []domain.DocumentItem{{Code: "TK", Name: "Tờ khai", Form: domain.FormOriginal, Count: 1, Digitized: true,
			Files: []domain.FileRef{{SHA256: strings.Repeat("a", 64), Name: "to-khai.pdf", Mime: "application/pdf", Size: 10}}}}}
	e, err := domain.NewEvent(uuid.Must(uuid.NewV7()).String(), domain.StreamDossier, streamID, domain.EvReceived, p, "lan", dev.ID, dev.Unit, at, hlc)
	if err != nil {
		t.Fatal(err)
	}
	return signed(e)
}

func TestPushClassifiesEveryEvent(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	dev, _ := f.device(1)
	other, _ := f.device(2)
	sid := uuid.Must(uuid.NewV7()).String()
	at := f.now
	good := received(t, dev, sid, at, domain.MakeHLC(at.UnixMilli(), 0))
	reused := good
	reused.Actor = "someone-else"
	reused = signed(reused)
	foreign := received(t, other, uuid.Must(uuid.NewV7()).String(), at, domain.MakeHLC(at.UnixMilli(), 1)) // another device's event
	wrongUnit := received(t, dev, uuid.Must(uuid.NewV7()).String(), at, domain.MakeHLC(at.UnixMilli(), 2))
	wrongUnit.Unit = "000.00.07.H56"
	wrongUnit = signed(wrongUnit)
	badPayload := received(t, dev, uuid.Must(uuid.NewV7()).String(), at, domain.MakeHLC(at.UnixMilli(), 3))
	badPayload.Payload = json.RawMessage(`{"code":"X"}`)
	badPayload = signed(badPayload)
	mismatched := received(t, dev, uuid.Must(uuid.NewV7()).String(), at, domain.MakeHLC(at.UnixMilli(), 4))
	mismatched.Stream = domain.StreamVisit
	mismatched = signed(mismatched)
	resp, err := f.c.Push(ctx, dev, []domain.Event{good, good, reused, foreign, wrongUnit, badPayload, mismatched})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{api.Accepted, api.Duplicate, api.Rejected, api.Rejected, api.Rejected, api.Rejected, api.Rejected}
	for i, r := range resp.Results {
		if r.Status != want[i] || (r.Status == api.Rejected && r.Reason == "") {
			t.Fatalf("result %d: %+v, want %s", i, r, want[i])
		}
	}
	again, _ := f.c.Push(ctx, dev, []domain.Event{good, reused})
	if again.Results[0].Status != api.Duplicate || again.Results[1].Status != api.Rejected {
		t.Fatalf("second push %+v", again.Results)
	}
	// Another unit's device cannot write into this dossier.
	code, _, _ := f.c.IssueEnrollCode(ctx, "000.00.07.H56", "Xã Bên", 1)
	er, _ := f.c.Enroll(ctx, enrollReq(code, ""))
	stranger, _ := f.c.Authenticate(ctx, er.Token)
	intrude, _ := domain.NewEvent(uuid.Must(uuid.NewV7()).String(), domain.StreamDossier, sid, domain.EvRefused, domain.ReasonPayload{Reason: "x"}, "y", stranger.ID, stranger.Unit, at, domain.MakeHLC(at.UnixMilli(), 9))
	intrude = signed(intrude)
	r3, _ := f.c.Push(ctx, stranger, []domain.Event{intrude})
	if r3.Results[0].Status != api.Rejected || !strings.Contains(r3.Results[0].Reason, "đơn vị khác") {
		t.Fatalf("cross-unit event %+v", r3.Results)
	}
	st, _ := f.c.Stats(ctx)
	if st.Events != 1 || st.Dossiers != 1 || st.ByStatus["2"] != 1 || st.ByUnit[unit] != 1 || st.Devices != 3 {
		t.Fatalf("stats %+v", st)
	}
}

func TestChangesCursorAndGone(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	a, _ := f.device(1)
	b, _ := f.device(2)
	var evs []domain.Event
	for i := range 5 {
		evs = append(evs, receivedAs(t, a, uuid.Must(uuid.NewV7()).String(), f.now, domain.MakeHLC(f.now.UnixMilli(), uint16(i)), fmt.Sprintf("%s-260302-1%03d", unit, i+1)))
	}
	if _, err := f.c.Push(ctx, a, evs); err != nil {
		t.Fatal(err)
	}
	page, err := f.c.Changes(ctx, b, "", 2)
	if err != nil || len(page.Events) != 2 || !page.More {
		t.Fatalf("page 1 %+v %v", page, err)
	}
	page, _ = f.c.Changes(ctx, b, page.Cursor, 2)
	page, _ = f.c.Changes(ctx, b, page.Cursor, 2)
	if len(page.Events) != 1 || page.More {
		t.Fatalf("last page %+v", page)
	}
	// The author gets none of its own, and its cursor moves past them.
	own, _ := f.c.Changes(ctx, a, "", 10)
	if len(own.Events) != 0 || own.More || CursorSeq(own.Cursor) != 5 {
		t.Fatalf("own events %+v", own)
	}
	for _, bad := range []string{"deadbeef.1", "garbage", strings.SplitN(page.Cursor, ".", 2)[0] + ".99"} {
		if _, err := f.c.Changes(ctx, b, bad, 10); !errors.Is(err, errGone) {
			t.Fatalf("cursor %q: %v", bad, err)
		}
	}
	resp := f.call(http.MethodGet, "/changes?after=deadbeef.1", tokenFor(t, f, b), nil, nil)
	if resp.StatusCode != http.StatusGone {
		t.Fatalf("HTTP %d", resp.StatusCode)
	}
}

func tokenFor(t *testing.T, f *fixture, dev Device) string {
	t.Helper()
	// Only hashes are stored: give the device a token the test knows.
	tok := newToken()
	if _, err := f.c.db.w.Exec(`UPDATE devices SET token_hash = ? WHERE id = ?`, hashSecret(tok), dev.ID); err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestAdminEventsAndPortalView(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	dev, tok := f.device(1)
	sid := uuid.Must(uuid.NewV7()).String()
	if _, err := f.c.Push(ctx, dev, []domain.Event{received(t, dev, sid, f.now, domain.MakeHLC(f.now.UnixMilli(), 0))}); err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(api.AdminEventRequest{Code: unit + "-260302-1001", Type: "dossier.forwarded", Payload: json.RawMessage(`{"agency":"Công chức Tư pháp - Hộ tịch"}`), Actor: "tp.op"})
	if r := f.call(http.MethodPost, "/admin/events", tok, body, nil); r.StatusCode != http.StatusUnauthorized {
		t.Fatalf("a device token recorded a city event: %d", r.StatusCode)
	}
	f.now = f.now.Add(time.Hour)
	r := f.call(http.MethodPost, "/admin/events", "admin", body, nil)
	if r.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(r.Body)
		t.Fatalf("admin event %d %s", r.StatusCode, b)
	}
	var rec AdminEventResponse
	json.NewDecoder(r.Body).Decode(&rec)
	if rec.Event.Device != CentralDevice || rec.Event.Unit != unit || rec.Dossier.Status != domain.StatusProcessing || rec.Event.HLC <= domain.MakeHLC(f.now.Add(-time.Hour).UnixMilli(), 0) {
		t.Fatalf("recorded %+v", rec.Event)
	}
	// An impossible step at the city is refused with the rule's message.
	bad, _ := json.Marshal(api.AdminEventRequest{DossierID: sid, Type: "handed_over", Payload: json.RawMessage(`{"recipient":{"name":"A"},"method":"counter"}`)})
	if r := f.call(http.MethodPost, "/admin/events", "admin", bad, nil); r.StatusCode != http.StatusConflict {
		t.Fatalf("hand-over of a dossier in processing: %d", r.StatusCode)
	}
	// The pushing device pulls the city's event.
	ch, _ := f.c.Changes(ctx, dev, "", 10)
	if len(ch.Events) != 1 || ch.Events[0].Type != domain.EvForwarded {
		t.Fatalf("changes %+v", ch.Events)
	}
	var portal []PortalDossier
	r = f.call(http.MethodGet, "/dossiers?unit="+unit+"&status=4&format=dvcqg&limit=10", "admin", nil, nil)
	json.NewDecoder(r.Body).Decode(&portal)
	if len(portal) != 1 {
		t.Fatalf("portal list %+v", portal)
	}
	p := portal[0]
	if p.MaHoSo != unit+"-260302-1001" || p.MaTTHC != "1.001193" || p.TrangThaiHoSo != 4 || p.NgayTiepNhan != "20260302090000" ||
		p.NgayHenTra != "20260302170000" || p.DonViXuLy != "Công chức Tư pháp - Hộ tịch" || p.HoSoCoThanhPhanSoHoa != 1 ||
		len(p.TaiLieuNop) != 1 || p.TaiLieuNop[0].TenTepDinhKem != "to-khai.pdf" || len(p.DanhSachLePhi) != 1 || p.DanhSachLePhi[0].Gia != 8000 ||
		len(p.QuaTrinhXuLy) != 1 || p.QuaTrinhXuLy[0].ThoiDiemXuLy != "20260302100000" || p.ChuHoSo != "Nguyễn Văn An" || p.KenhThucHien != 1 {
		t.Fatalf("portal view %+v", p)
	}
	var raw map[string]any
	r = f.call(http.MethodGet, "/dossiers/"+sid+"?format=dvcqg", tok, nil, nil)
	json.NewDecoder(r.Body).Decode(&raw)
	for _, k := range []string{"MaHoSo", "MaTTHC", "TenTTHC", "MaLinhVuc", "TenLinhVuc", "KenhThucHien", "ChuHoSo", "SoGiayToChuHoSo", "LoaiDoiTuong",
		"SoDienThoai", "Email", "TrichYeuHoSo", "NgayTiepNhan", "NgayHenTra", "TrangThaiHoSo", "NgayTra", "HinhThuc", "NgayKetThucXuLy", "DonViXuLy",
		"GhiChu", "HoSoCoThanhPhanSoHoa", "NgayTuChoi", "TaiLieuNop", "DanhSachLePhi", "DanhSachHoSoBoSung", "DanhSachGiayToKetQua"} {
		if _, ok := raw[k]; !ok {
			t.Fatalf("portal field %s missing", k)
		}
	}
	var st map[string]any
	r = f.call(http.MethodGet, "/stats", "admin", nil, nil)
	json.NewDecoder(r.Body).Decode(&st)
	for _, k := range []string{"dossiers", "events", "files", "by_status"} {
		if _, ok := st[k]; !ok {
			t.Fatalf("stats field %s missing: %v", k, st)
		}
	}
	if r := f.call(http.MethodGet, "/stats", "", nil, nil); r.StatusCode != http.StatusUnauthorized {
		t.Fatalf("stats without a token: %d", r.StatusCode)
	}
	if r := f.call(http.MethodGet, "/nothing", "", nil, nil); r.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown call: %d", r.StatusCode)
	}
}

func TestCatalogueETag(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	_, tok := f.device(1)
	r := f.call(http.MethodGet, "/catalogue", tok, nil, nil)
	tag := r.Header.Get("ETag")
	var doc api.CatalogueResponse
	if err := json.NewDecoder(r.Body).Decode(&doc); err != nil || tag == "" || len(doc.Calendars) == 0 || !strings.HasPrefix(doc.Version, "2026.1+") {
		t.Fatalf("catalogue %q %q %v", tag, doc.Version, err)
	}
	if r := f.call(http.MethodGet, "/catalogue", tok, nil, map[string]string{"If-None-Match": tag}); r.StatusCode != http.StatusNotModified {
		t.Fatalf("unchanged catalogue: %d", r.StatusCode)
	}
	var cat domain.Catalogue
	json.Unmarshal(doc.Catalogue, &cat)
	cat.Version = "2026.2"
	raw, _ := json.Marshal(cat)
	if err := f.c.SetCatalogue(ctx, raw, nil); err != nil {
		t.Fatal(err)
	}
	if err := f.c.SetCatalogue(ctx, []byte(`{"version":""}`), nil); err == nil {
		t.Fatal("invalid catalogue accepted")
	}
	r = f.call(http.MethodGet, "/catalogue", tok, nil, map[string]string{"If-None-Match": tag})
	if r.StatusCode != http.StatusOK || r.Header.Get("ETag") == tag {
		t.Fatalf("changed catalogue: %d", r.StatusCode)
	}
}

func tusMeta(sha string) string {
	return api.MetaSHA256 + " " + base64.StdEncoding.EncodeToString([]byte(sha)) + "," + api.MetaName + " " + base64.StdEncoding.EncodeToString([]byte("a.pdf"))
}

func TestUploadVerifiedBySHA256AndDeduplicated(t *testing.T) {
	f := newFixture(t)
	_, tok := f.device(1)
	data := bytes.Repeat([]byte("%PDF-1.4 scan "), 5000)
	sum := sha256.Sum256(data)
	sha := hex.EncodeToString(sum[:])
	create := func(meta string, size int) *http.Response {
		return f.call(http.MethodPost, "/files/", tok, nil, map[string]string{"Tus-Resumable": "1.0.0", "Upload-Length": strconv.Itoa(size), "Upload-Metadata": meta})
	}
	if r := create(api.MetaName+" YQ==", len(data)); r.StatusCode != http.StatusBadRequest {
		t.Fatalf("upload without a hash: %d", r.StatusCode)
	}
	// Bytes that do not match the declared hash are refused at the end, and not kept.
	r := create(tusMeta(strings.Repeat("b", 64)), len(data))
	loc := r.Header.Get("Location")
	if r.StatusCode != http.StatusCreated || loc == "" {
		t.Fatalf("create %d", r.StatusCode)
	}
	path := strings.TrimPrefix(loc, f.ts.URL+api.Prefix)
	r = f.call(http.MethodPatch, path, tok, data, map[string]string{"Tus-Resumable": "1.0.0", "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"})
	if r.StatusCode != 460 {
		t.Fatalf("mismatched upload: %d", r.StatusCode)
	}
	// A right one in two halves, resumed with HEAD.
	r = create(tusMeta(sha), len(data))
	path = strings.TrimPrefix(r.Header.Get("Location"), f.ts.URL+api.Prefix)
	half := len(data) / 2
	f.call(http.MethodPatch, path, tok, data[:half], map[string]string{"Tus-Resumable": "1.0.0", "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"})
	r = f.call(http.MethodHead, path, tok, nil, map[string]string{"Tus-Resumable": "1.0.0"})
	if r.Header.Get("Upload-Offset") != strconv.Itoa(half) {
		t.Fatalf("HEAD offset %q", r.Header.Get("Upload-Offset"))
	}
	r = f.call(http.MethodPatch, path, tok, data[half:], map[string]string{"Tus-Resumable": "1.0.0", "Upload-Offset": strconv.Itoa(half), "Content-Type": "application/offset+octet-stream"})
	if r.StatusCode != http.StatusNoContent {
		t.Fatalf("last chunk %d", r.StatusCode)
	}
	got, err := os.ReadFile(f.c.FilePath(sha))
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("stored file %v", err)
	}
	// The same content again: answered complete at creation.
	r = create(tusMeta(sha), len(data))
	if r.StatusCode != http.StatusCreated || r.Header.Get("Upload-Offset") != strconv.Itoa(len(data)) {
		t.Fatalf("second upload %d offset %q", r.StatusCode, r.Header.Get("Upload-Offset"))
	}
	r = f.call(http.MethodHead, strings.TrimPrefix(r.Header.Get("Location"), api.Prefix), tok, nil, map[string]string{"Tus-Resumable": "1.0.0"})
	if r.StatusCode != http.StatusOK || r.Header.Get("Upload-Offset") != strconv.Itoa(len(data)) {
		t.Fatalf("HEAD of a held file %d", r.StatusCode)
	}
	st, _ := f.c.Stats(context.Background())
	if st.Files != 1 {
		t.Fatalf("files %d", st.Files)
	}
	entries, _ := os.ReadDir(filepath.Join(f.c.Dir(), "uploads"))
	for _, e := range entries {
		t.Fatalf("upload left behind: %s", e.Name())
	}
	if r := f.call(http.MethodPost, "/files/", "", nil, nil); r.StatusCode != http.StatusUnauthorized {
		t.Fatalf("upload without a token: %d", r.StatusCode)
	}
}

func TestFaultInjection(t *testing.T) {
	f := newFixture(t)
	kinds, err := ParseFaults("5xx, lost,captive")
	if err != nil || len(kinds) != 3 {
		t.Fatalf("parse %v %v", kinds, err)
	}
	if _, err := ParseFaults("meteor"); err == nil {
		t.Fatal("unknown fault accepted")
	}
	var nextFault atomic.Int64
	f.srv.SetFaults(FaultConfig{RetryAfter: 3 * time.Second, Hook: func(*http.Request) Fault { return Fault(nextFault.Load()) }})
	get := func() (*http.Response, error) { return f.ts.Client().Get(f.ts.URL + api.Prefix + "/ping") }
	nextFault.Store(int64(FaultCaptivePortal))
	r, _ := get()
	if r.StatusCode != 200 || r.Header.Get(api.Header) != "" || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("captive portal %d %v", r.StatusCode, r.Header)
	}
	nextFault.Store(int64(FaultTooMany))
	r, _ = get()
	if r.StatusCode != 429 || r.Header.Get("Retry-After") != "3" {
		t.Fatalf("429 %d %q", r.StatusCode, r.Header.Get("Retry-After"))
	}
	nextFault.Store(int64(FaultServerError))
	if r, _ = get(); r.StatusCode != 503 {
		t.Fatalf("5xx %d", r.StatusCode)
	}
	nextFault.Store(int64(FaultLostReply))
	if _, err := get(); err == nil {
		t.Fatal("lost reply arrived")
	}
	nextFault.Store(int64(FaultTruncated))
	if r, err := get(); err == nil {
		if _, err := io.ReadAll(r.Body); err == nil {
			t.Fatal("truncated body read whole")
		}
	}
	// The city's own view is never faulted.
	if r := f.call(http.MethodGet, "/stats", "admin", nil, nil); r.StatusCode != 200 {
		t.Fatalf("stats under faults: %d", r.StatusCode)
	}
}

func TestReopenKeepsEverything(t *testing.T) {
	ctx := context.Background()
	cfg := testConfig(t, t.TempDir())
	c, err := OpenCentral(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	code, _, _ := c.IssueEnrollCode(ctx, unit, "Xã", 1)
	resp, _ := c.Enroll(ctx, enrollReq(code, ""))
	dev, _ := c.Authenticate(ctx, resp.Token)
	now := time.Now()
	// Ahead of the city's clock, within the bound: the clock follows it, and remembers.
	e := received(t, dev, uuid.Must(uuid.NewV7()).String(), now, domain.MakeHLC(now.Add(3*time.Minute).UnixMilli(), 0))
	c.Push(ctx, dev, []domain.Event{e})
	epoch := c.epoch
	c.Close()
	c, err = OpenCentral(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.epoch != epoch {
		t.Fatal("epoch changed on reopen")
	}
	if c.clock.Now() <= e.HLC {
		t.Fatal("the clock forgot the events it observed")
	}
	if _, err := c.Authenticate(ctx, resp.Token); err != nil {
		t.Fatal(err)
	}
	var n int
	c.db.r.QueryRow(`SELECT COUNT(*) FROM events`).Scan(&n)
	if n != 1 {
		t.Fatalf("events %d", n)
	}
}
