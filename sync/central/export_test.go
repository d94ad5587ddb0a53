package central

import (
	"bufio"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"motcua/domain"
	"motcua/sync/api"
)

// The portal takes KenhThucHien 1–3, LoaiDoiTuong 1–4 and TrichYeuHoSo up to 1,000
// characters: a dossier whose events left the first two out, or carry a longer summary,
// is still rendered within them.
func TestPortalFieldsWithinTheirCodes(t *testing.T) {
	f := newFixture(t)
	dev, tok := f.device(1)
	at := f.now.Add(-time.Hour)
	long := strings.Repeat("Đăng ký khai sinh cho con thứ hai. ", 40) // 1,400 characters
	code, _ := domain.NewDossierCode(unit, at, 1, 1)
	p := domain.ReceivedPayload{Code: code.String(), Procedure: domain.ProcedureRef{Code: "1.001193", Name: "Đăng ký khai sinh", FieldCode: "HT", Field: "Hộ tịch"},
		Applicant: domain.Person{Name: "Trần Thị Bình"}, Summary: long, DueAt: at.Add(24 * time.Hour)}
	sid := uuid.Must(uuid.NewV7()).String()
	e, err := domain.NewEvent(uuid.Must(uuid.NewV7()).String(), domain.StreamDossier, sid, domain.EvReceived, p, "lan", dev.ID, dev.Unit, at, domain.MakeHLC(at.UnixMilli(), 0))
	if err != nil {
		t.Fatal(err)
	}
	f.push(tok, signed(e))
	var pd PortalDossier
	json.NewDecoder(f.call(http.MethodGet, "/dossiers/"+sid+"?format=dvcqg", "admin", nil, nil).Body).Decode(&pd)
	if pd.KenhThucHien != 1 || pd.LoaiDoiTuong != 1 {
		t.Fatalf("KenhThucHien %d, LoaiDoiTuong %d: want 1 and 1", pd.KenhThucHien, pd.LoaiDoiTuong)
	}
	if n := len([]rune(pd.TrichYeuHoSo)); n != 1000 || !strings.HasSuffix(pd.TrichYeuHoSo, "…") || !strings.HasPrefix(long, strings.TrimSuffix(pd.TrichYeuHoSo, "…")) {
		t.Fatalf("TrichYeuHoSo of %d characters: %q", n, pd.TrichYeuHoSo)
	}
	d, _ := f.c.Dossier(t.Context(), sid)
	if d.Summary != long {
		t.Fatal("the city's record lost the whole summary")
	}
	// An online registration that did not say its channel came online.
	if got := portalChannel(domain.Dossier{RegisteredAt: at}); got != 2 {
		t.Fatalf("online registration: KenhThucHien %d", got)
	}
	for _, c := range []domain.Channel{domain.ChannelDirect, domain.ChannelOnline, domain.ChannelPost} {
		if got := portalChannel(domain.Dossier{Channel: c}); got != int(c) {
			t.Fatalf("channel %d rendered %d", c, got)
		}
	}
}

// exportLines reads a JSON-lines export.
func exportLines(t *testing.T, r *http.Response) []PortalDossier {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/x-ndjson") {
		t.Fatalf("Content-Type %q", ct)
	}
	var out []PortalDossier
	sc := bufio.NewScanner(r.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var p PortalDossier
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		out = append(out, p)
	}
	return out
}

func codesOf(ps []PortalDossier) map[string]bool {
	m := map[string]bool{}
	for _, p := range ps {
		m[p.MaHoSo] = true
	}
	return m
}

func TestExportPortalSince(t *testing.T) {
	f := newFixture(t)
	exportPage = 2 // several pages for a handful of dossiers
	t.Cleanup(func() { exportPage = 200 })
	devA, tokA := f.device(1)
	code, _, err := f.c.IssueEnrollCode(t.Context(), "000.00.07.H56", "Xã Bình Minh", 1)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := f.c.Enroll(t.Context(), enrollReq(code, ""))
	if err != nil {
		t.Fatal(err)
	}
	devB, _ := f.c.Authenticate(t.Context(), resp.Token)
	start := f.now.Add(-2 * time.Hour)
	f.push(tokA, backlog(devA, 9, start)...) // three dossiers of A
	f.push(resp.Token, backlog(devB, 6, start)...)
	first := f.now
	f.now = f.now.Add(time.Hour)
	devA2, tokA2 := f.device(2)
	f.push(tokA2, backlog(devA2, 3, f.now.Add(-time.Minute))...) // a fourth dossier of A, an hour later

	all := f.call(http.MethodGet, "/export/dvcqg", "admin", nil, nil)
	got := exportLines(t, all)
	if len(got) != 6 {
		t.Fatalf("whole city: %d dossiers, want 6", len(got))
	}
	if until := all.Header.Get("X-Motcua-Export-Until"); until != f.now.Add(-ExportMargin).UTC().Format(time.RFC3339Nano) {
		t.Fatalf("X-Motcua-Export-Until %q", until)
	}
	if last := got[len(got)-1]; !strings.HasPrefix(last.MaHoSo, unit+"-260302-2") {
		t.Fatalf("the dossier changed last comes last: %s", last.MaHoSo)
	}
	for _, p := range got {
		if p.MaHoSo == "" || p.NgayTiepNhan == "" || p.TrangThaiHoSo < int(domain.StatusAccepted) {
			t.Fatalf("export line %+v", p)
		}
	}
	since := url.QueryEscape(first.Add(time.Minute).Format(time.RFC3339))
	if got := exportLines(t, f.call(http.MethodGet, "/export/dvcqg?since="+since, "admin", nil, nil)); len(got) != 1 || !strings.HasPrefix(got[0].MaHoSo, unit+"-260302-2") {
		t.Fatalf("since the second push: %+v", codesOf(got))
	}
	if got := exportLines(t, f.call(http.MethodGet, "/export/dvcqg?unit=000.00.07.h56&since="+first.Add(-time.Minute).In(domain.VN()).Format("20060102150405"), "admin", nil, nil)); len(got) != 2 {
		t.Fatalf("unit B: %+v", codesOf(got))
	}
	// A workstation sees its own unit's only, and may not ask for another's.
	if got := exportLines(t, f.call(http.MethodGet, "/export/dvcqg", tokA, nil, nil)); len(got) != 4 {
		t.Fatalf("device of A: %+v", codesOf(got))
	}
	if r := f.call(http.MethodGet, "/export/dvcqg?unit=000.00.07.H56", tokA, nil, nil); r.StatusCode != http.StatusForbidden {
		t.Fatalf("device of A asking for B: HTTP %d", r.StatusCode)
	}
	if r := f.call(http.MethodGet, "/export/dvcqg?since=hôm-qua", "admin", nil, nil); r.StatusCode != http.StatusBadRequest || !strings.Contains(errorMessage(t, r), "không hợp lệ") {
		t.Fatalf("a bad since: HTTP %d", r.StatusCode)
	}
	if r := f.call(http.MethodGet, "/export/dvcqg", "", nil, nil); r.StatusCode != http.StatusUnauthorized {
		t.Fatalf("no token: HTTP %d", r.StatusCode)
	}
}

func TestAdminEnrollCodes(t *testing.T) {
	f := newFixture(t)
	body, _ := json.Marshal(api.AdminEnrollCodeRequest{UnitCode: "000.00.06.h56", UnitName: "Xã An Hưng", Slot: 2})
	if r := f.call(http.MethodPost, "/admin/enroll-codes", "not-the-admin", body, nil); r.StatusCode != http.StatusUnauthorized {
		t.Fatalf("without the admin token: HTTP %d", r.StatusCode)
	}
	r := f.call(http.MethodPost, "/admin/enroll-codes", "admin", body, nil)
	var cr api.AdminEnrollCodeResponse
	if r.StatusCode != http.StatusOK || json.NewDecoder(r.Body).Decode(&cr) != nil || len(cr.Code) != 14 || !cr.ExpiresAt.Equal(f.now.Add(EnrollCodeTTL)) {
		t.Fatalf("HTTP %d %+v", r.StatusCode, cr)
	}
	resp, err := f.c.Enroll(t.Context(), enrollReq(cr.Code, ""))
	if err != nil || resp.UnitCode != unit || resp.Slot != 2 {
		t.Fatalf("enroll with the code: %+v %v", resp, err)
	}
	// The slot is held now: a second code for it is refused with the rule's message.
	if r := f.call(http.MethodPost, "/admin/enroll-codes", "admin", body, nil); r.StatusCode != http.StatusConflict || !strings.Contains(errorMessage(t, r), "đang được máy") {
		t.Fatalf("a code for a held slot: HTTP %d", r.StatusCode)
	}
	bad, _ := json.Marshal(api.AdminEnrollCodeRequest{UnitCode: "000.00.06.H56", UnitName: "Xã An Hưng", Slot: 12})
	if r := f.call(http.MethodPost, "/admin/enroll-codes", "admin", bad, nil); r.StatusCode != http.StatusBadRequest {
		t.Fatalf("slot 12: HTTP %d", r.StatusCode)
	}
}
