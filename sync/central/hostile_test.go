package central

// The hostile-workstation suite: one enrolled workstation tries what a broken or hostile
// machine could, against the real server over HTTP. Each attack must be refused with a clear
// message, and nothing the city accepted before may be lost.

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"motcua/domain"
	"motcua/sync/api"
)

// push sends events over HTTP with a device token and returns the per-event results.
func (f *fixture) push(token string, evs ...domain.Event) []api.PushResult {
	f.t.Helper()
	body, _ := json.Marshal(api.PushRequest{Events: evs})
	resp := f.call(http.MethodPost, "/events", token, body, nil)
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		f.t.Fatalf("push: HTTP %d %s", resp.StatusCode, b)
	}
	var pr api.PushResponse
	if err := json.NewDecoder(resp.Body).Decode(&pr); err != nil {
		f.t.Fatal(err)
	}
	return pr.Results
}

// record is the city's `record` over HTTP (the admin token).
func (f *fixture) record(req api.AdminEventRequest) (int, string) {
	f.t.Helper()
	body, _ := json.Marshal(req)
	resp := f.call(http.MethodPost, "/admin/events", "admin", body, nil)
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func rejected(t *testing.T, res []api.PushResult, want string) {
	t.Helper()
	if len(res) != 1 || res[0].Status != api.Rejected || !strings.Contains(res[0].Reason, want) {
		t.Fatalf("want rejected with %q, got %+v", want, res)
	}
}

// A pushed clock of 2^63−1 or ten years ahead is refused; the city's own clock does not
// move, and recording at the city goes on working for every unit.
func TestHostileClockPoisoning(t *testing.T) {
	f := newFixture(t)
	f.now = time.Now() // the bound is against the city's clock
	dev, tok := f.device(1)
	before := f.c.clock.Last()
	sid := uuid.Must(uuid.NewV7()).String()
	for name, h := range map[string]domain.HLC{
		"max":       domain.MaxHLC,
		"ten years": domain.MakeHLC(f.now.AddDate(10, 0, 0).UnixMilli(), 0),
		"an hour":   domain.MakeHLC(f.now.Add(time.Hour).UnixMilli(), 0),
		"2019":      domain.MakeHLC(time.Date(2019, 6, 1, 0, 0, 0, 0, time.UTC).UnixMilli(), 0),
	} {
		t.Run(name, func(t *testing.T) {
			rejected(t, f.push(tok, received(t, dev, uuid.Must(uuid.NewV7()).String(), f.now, h)), "Thời điểm của sự kiện")
		})
	}
	future := received(t, dev, uuid.Must(uuid.NewV7()).String(), f.now.AddDate(10, 0, 0), domain.MakeHLC(f.now.UnixMilli(), 9))
	rejected(t, f.push(tok, future), "vượt quá giờ hiện tại")
	if f.c.clock.Last() > domain.MakeHLC(f.now.Add(domain.ClockAhead).UnixMilli(), 0) || f.c.clock.Last() < before {
		t.Fatalf("the city's clock moved to %v", f.c.clock.Last())
	}
	// A real dossier still gets the city's events, stamped now.
	if res := f.push(tok, received(t, dev, sid, f.now, domain.MakeHLC(f.now.UnixMilli(), 0))); res[0].Status != api.Accepted {
		t.Fatalf("%+v", res)
	}
	code, body := f.record(api.AdminEventRequest{DossierID: sid, Type: "dossier.forwarded", Payload: json.RawMessage(`{"agency":"Tư pháp"}`)})
	if code != http.StatusOK {
		t.Fatalf("record after the attack: %d %s", code, body)
	}
	var rec AdminEventResponse
	json.Unmarshal([]byte(body), &rec)
	if rec.Event.HLC.Time().After(f.now.Add(time.Minute)) || rec.Event.HLC <= 0 {
		t.Fatalf("the city stamped %v", rec.Event.HLC.Time())
	}
}

// Events accepted before the bounds existed are found by repair-clocks, taken out of the
// log into the quarantine with the reason, and the clock comes back.
func TestHostileRepairClocks(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.now = time.Now()
	dev, tok := f.device(1)
	good := uuid.Must(uuid.NewV7()).String()
	if res := f.push(tok, received(t, dev, good, f.now, domain.MakeHLC(f.now.UnixMilli(), 0))); res[0].Status != api.Accepted {
		t.Fatalf("%+v", res)
	}
	// What an older server accepted: an event at 2^63−1, stored as it came.
	poison := received(t, dev, uuid.Must(uuid.NewV7()).String(), f.now, domain.MaxHLC)
	if _, err := f.c.db.w.Exec(`INSERT INTO events(id, stream, stream_id, type, v, payload, actor, device, unit, at, hlc, sig, sig_by, received_at)
		VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, '', ?)`, poison.ID, poison.Stream, poison.StreamID, string(poison.Type), string(poison.Payload),
		poison.Actor, poison.Device, poison.Unit, poison.At.UnixMilli(), int64(poison.HLC), poison.Sig, f.now.UnixMilli()); err != nil {
		t.Fatal(err)
	}
	f.c.clock.Reset(domain.MaxHLC) // as an older server's clock followed it
	rep, err := f.c.RepairClocks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Events) != 1 || rep.Events[0].ID != poison.ID || !strings.Contains(rep.Reasons[0], "vượt quá") {
		t.Fatalf("repair %+v", rep)
	}
	var n int
	f.c.db.r.QueryRow(`SELECT COUNT(*) FROM quarantine WHERE id = ?`, poison.ID).Scan(&n)
	if n != 1 {
		t.Fatal("the event was not kept in the quarantine")
	}
	if _, err := f.c.Dossier(ctx, good); err != nil {
		t.Fatalf("the good dossier was lost: %v", err)
	}
	if code, body := f.record(api.AdminEventRequest{DossierID: good, Type: "dossier.forwarded", Payload: json.RawMessage(`{"agency":"Tư pháp"}`)}); code != http.StatusOK {
		t.Fatalf("record after repair: %d %s", code, body)
	}
	var out strings.Builder
	rep.Print(&out)
	if !strings.Contains(out.String(), "Đã cách ly 1 sự kiện") {
		t.Fatalf("report %q", out.String())
	}
}

// A spent code re-used with the victim's device id, or a fresh code with another unit's
// active device id, gives nothing: the victim keeps its token, unit and slot.
func TestHostileDeviceTakeover(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	code, _, _ := f.c.IssueEnrollCode(ctx, unit, "Xã An Hưng", 1)
	victim := enrollReq(code, "")
	vr, err := f.c.Enroll(ctx, victim)
	if err != nil {
		t.Fatal(err)
	}
	enroll := func(req api.EnrollRequest) (int, string) {
		body, _ := json.Marshal(req)
		resp := f.call(http.MethodPost, "/enroll", "", body, nil)
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	// The spent code, the victim's id (read from any pulled event), the attacker's key and nonce.
	st, body := enroll(enrollReq(code, victim.DeviceID))
	if st != http.StatusForbidden || !strings.Contains(body, "đã được sử dụng") {
		t.Fatalf("spent code: %d %s", st, body)
	}
	// Even with the victim's key (public) — but not its nonce.
	replay := victim
	replay.Nonce = "attacker-guessed-nonce"
	if st, body := enroll(replay); st != http.StatusForbidden {
		t.Fatalf("spent code with the victim's key: %d %s", st, body)
	}
	// A fresh code of another unit with the victim's id: 409, nothing moved.
	other, _, _ := f.c.IssueEnrollCode(ctx, "000.00.07.H56", "Xã Bên", 3)
	st, body = enroll(enrollReq(other, victim.DeviceID))
	if st != http.StatusConflict || !strings.Contains(body, "đang hoạt động") || !strings.Contains(body, "revoke") {
		t.Fatalf("move to another unit: %d %s", st, body)
	}
	dev, err := f.c.Authenticate(ctx, vr.Token)
	if err != nil || dev.Unit != unit || dev.Slot != 1 {
		t.Fatalf("the victim lost its enrollment: %+v %v", dev, err)
	}
	// The real lost-reply retry still works: same code, nonce and key, within the window.
	f.now = f.now.Add(time.Minute)
	again, err := f.c.Enroll(ctx, victim)
	if err != nil {
		t.Fatalf("retry after a lost reply: %v", err)
	}
	// …but not after the window.
	f.now = f.now.Add(EnrollRetryWindow)
	if _, err := f.c.Enroll(ctx, victim); !errors.Is(err, domain.ErrDenied) {
		t.Fatalf("retry after the window: %v", err)
	}
	if _, err := f.c.Authenticate(ctx, again.Token); err != nil {
		t.Fatal("the retried token stopped working")
	}
	// After an admin's revoke, the device may join again with a new code.
	if err := f.c.Revoke(ctx, victim.DeviceID); err != nil {
		t.Fatal(err)
	}
	st, body = enroll(enrollReq(other, victim.DeviceID))
	if st != http.StatusOK {
		t.Fatalf("after revoke: %d %s", st, body)
	}
}

// A workstation of unit A cannot make a dossier under unit B's code, nor under another
// slot's; codes are unique in a unit; the city's record finds B's real dossier, and an
// ambiguous code needs --unit.
func TestHostileDossierShadowing(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	b, btok := f.device(1) // unit B = the fixture's unit
	codeA, _, _ := f.c.IssueEnrollCode(ctx, "000.00.07.H56", "Xã Bên", 1)
	ar, err := f.c.Enroll(ctx, enrollReq(codeA, ""))
	if err != nil {
		t.Fatal(err)
	}
	a, _ := f.c.Authenticate(ctx, ar.Token)
	real := uuid.Must(uuid.NewV7()).String()
	bcode := unit + "-260302-1001"
	if res := f.push(btok, receivedAs(t, b, real, f.now, domain.MakeHLC(f.now.UnixMilli(), 0), bcode)); res[0].Status != api.Accepted {
		t.Fatalf("%+v", res)
	}
	shadow := receivedAs(t, a, uuid.Must(uuid.NewV7()).String(), f.now, domain.MakeHLC(f.now.UnixMilli(), 1), bcode)
	rejected(t, f.push(ar.Token, shadow), "không thuộc máy trạm này")
	// Its own unit, another slot's numbers.
	rejected(t, f.push(ar.Token, receivedAs(t, a, uuid.Must(uuid.NewV7()).String(), f.now, domain.MakeHLC(f.now.UnixMilli(), 2), "000.00.07.H56-260302-2001")), "không thuộc máy trạm này")
	// Lower case would slip past a case-sensitive index.
	rejected(t, f.push(btok, receivedAs(t, b, uuid.Must(uuid.NewV7()).String(), f.now, domain.MakeHLC(f.now.UnixMilli(), 3), strings.ToLower(bcode))), "đúng dạng")
	// The same code twice in a unit.
	rejected(t, f.push(btok, receivedAs(t, b, uuid.Must(uuid.NewV7()).String(), f.now, domain.MakeHLC(f.now.UnixMilli(), 4), bcode)), "đã được dùng")
	code, body := f.record(api.AdminEventRequest{Code: bcode, Type: "dossier.forwarded", Payload: json.RawMessage(`{"agency":"Tư pháp"}`)})
	var rec AdminEventResponse
	json.Unmarshal([]byte(body), &rec)
	if code != http.StatusOK || rec.Dossier.ID != real {
		t.Fatalf("record --code landed on %s (%d %s)", rec.Dossier.ID, code, body)
	}
	// A shadow stored by an older server (same code in two units): ambiguous without --unit.
	if _, err := f.c.db.w.Exec(`INSERT INTO dossiers(id, unit, ma_ho_so, ma_tthc, ten_tthc, ma_linh_vuc, ten_linh_vuc, kenh_thuc_hien, chu_ho_so, so_giay_to,
		loai_doi_tuong, trang_thai, don_vi_xu_ly, conflicts, events, last_hlc, updated_at) VALUES (?, '000.00.07.H56', ?, '', '', '', '', 1, '', '', 1, 2, '', 0, 1, 1, ?)`,
		uuid.Must(uuid.NewV7()).String(), bcode, f.now.Add(time.Hour).UnixMilli()); err != nil {
		t.Fatal(err)
	}
	if code, body := f.record(api.AdminEventRequest{Code: bcode, Type: "dossier.progress_noted", Payload: json.RawMessage(`{"agency":"Tư pháp"}`)}); code != http.StatusBadRequest || !strings.Contains(body, "--unit") {
		t.Fatalf("ambiguous code: %d %s", code, body)
	}
	if code, body := f.record(api.AdminEventRequest{Code: bcode, Unit: unit, Type: "dossier.progress_noted", Payload: json.RawMessage(`{"agency":"Tư pháp"}`)}); code != http.StatusOK {
		t.Fatalf("with --unit: %d %s", code, body)
	}
}

// A token opens the door, a signature proves the author: a forged signature, another
// device's valid signature, a replayed event with an edited payload and an unsigned event
// are all refused, and the city holds only what the author signed.
func TestHostileSignatures(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	dev, tok := f.device(1)
	other, _ := f.device(2)
	at := f.now
	good := received(t, dev, uuid.Must(uuid.NewV7()).String(), at, domain.MakeHLC(at.UnixMilli(), 0))
	if res := f.push(tok, good); res[0].Status != api.Accepted {
		t.Fatalf("%+v", res)
	}
	forged := received(t, dev, uuid.Must(uuid.NewV7()).String(), at, domain.MakeHLC(at.UnixMilli(), 1))
	forged.Sig = strings.Repeat("A", len(forged.Sig))
	rejected(t, f.push(tok, forged), "Chữ ký số không hợp lệ")

	byOther := received(t, dev, uuid.Must(uuid.NewV7()).String(), at, domain.MakeHLC(at.UnixMilli(), 2))
	k, _ := testKeys.Load(other.ID)
	byOther.Sign(k.(ed25519.PrivateKey), "")
	rejected(t, f.push(tok, byOther), "Chữ ký số không hợp lệ")

	replay := good
	replay.Payload = json.RawMessage(strings.Replace(string(good.Payload), "Nguyễn Văn An", "Kẻ Giả Mạo", 1))
	rejected(t, f.push(tok, replay), "Chữ ký số không hợp lệ")

	unsigned := received(t, dev, uuid.Must(uuid.NewV7()).String(), at, domain.MakeHLC(at.UnixMilli(), 3))
	unsigned.Sig = ""
	rejected(t, f.push(tok, unsigned), "không có chữ ký")

	attested := received(t, dev, uuid.Must(uuid.NewV7()).String(), at, domain.MakeHLC(at.UnixMilli(), 4))
	attested.SigBy = domain.SignerCentral
	rejected(t, f.push(tok, attested), "do chính mình ký")

	d, err := f.c.Dossier(ctx, good.StreamID)
	if err != nil || d.Applicant.Name != "Nguyễn Văn An" {
		t.Fatalf("the stored dossier changed: %+v %v", d.Applicant, err)
	}
	st, _ := f.c.Stats(ctx)
	if st.Events != 1 {
		t.Fatalf("the city holds %d events", st.Events)
	}
}

// A device enrolled before signing registers its key once with its token; it cannot swap
// it for another afterwards.
func TestHostileKeyRegistration(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	dev, tok := f.device(1)
	// As an older server left it: no key on file.
	f.c.db.w.Exec(`UPDATE devices SET public_key = '' WHERE id = ?`, dev.ID)
	f.c.db.w.Exec(`DELETE FROM device_keys WHERE device = ?`, dev.ID)
	f.c.forgetKeys(dev.ID)
	e := received(t, dev, uuid.Must(uuid.NewV7()).String(), f.now, domain.MakeHLC(f.now.UnixMilli(), 0))
	rejected(t, f.push(tok, e), "chưa đăng ký khóa")
	k, _ := testKeys.Load(dev.ID)
	pub := domain.EncodeKey(k.(ed25519.PrivateKey).Public().(ed25519.PublicKey))
	register := func(key string) int {
		body, _ := json.Marshal(api.RegisterKeyRequest{PublicKey: key})
		return f.call(http.MethodPost, "/devices/key", tok, body, nil).StatusCode
	}
	if st := register(pub); st != http.StatusOK {
		t.Fatalf("register: %d", st)
	}
	if st := register(pub); st != http.StatusOK {
		t.Fatalf("the same key again: %d", st)
	}
	evil, _, _ := ed25519.GenerateKey(nil)
	if st := register(domain.EncodeKey(evil)); st != http.StatusConflict {
		t.Fatalf("a second key: %d", st)
	}
	if res := f.push(tok, e); res[0].Status != api.Accepted {
		t.Fatalf("after registering: %+v", res)
	}
	keys, err := f.c.DeviceKeys(ctx, unit)
	if err != nil || len(keys.Keys) != 1 || keys.Keys[0].PublicKey != pub || keys.CentralKey != f.c.PublicKey() {
		t.Fatalf("keys %+v %v", keys, err)
	}
	cityKey, _ := domain.ParseKey(keys.CentralKey)
	for _, r := range keys.Keys {
		if _, err := r.Verify(cityKey); err != nil {
			t.Fatalf("key record of %s not signed by the city", r.Device)
		}
	}
}

// The events a city held before signing are attested by the city's key when it upgrades;
// the city key is stable across restarts.
func TestLegacyEventsAttestedOnUpgrade(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	cfg := testConfig(t, dir)
	c, err := OpenCentral(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	code, _, _ := c.IssueEnrollCode(ctx, unit, "Xã", 1)
	resp, _ := c.Enroll(ctx, enrollReq(code, ""))
	dev, _ := c.Authenticate(ctx, resp.Token)
	now := time.Now()
	for i := range 3 {
		e := receivedAs(t, dev, uuid.Must(uuid.NewV7()).String(), now, domain.MakeHLC(now.UnixMilli(), uint16(i)), fmt.Sprintf("%s-260302-1%03d", unit, i+1))
		if res, err := c.Push(ctx, dev, []domain.Event{e}); err != nil || res.Results[0].Status != api.Accepted {
			t.Fatalf("%+v %v", res, err)
		}
	}
	cityKey := c.PublicKey()
	// As stored by a server before signing.
	c.db.w.Exec(`UPDATE events SET sig = '', sig_by = ''`)
	c.db.w.Exec(`DELETE FROM meta WHERE key = ?`, metaAttested)
	c.Close()
	c, err = OpenCentral(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.PublicKey() != cityKey {
		t.Fatal("the city's key changed on restart")
	}
	pub, _ := domain.ParseKey(cityKey)
	evs, _ := c.Events(ctx)
	if len(evs) != 3 {
		t.Fatalf("%d events", len(evs))
	}
	for _, e := range evs {
		if e.SigBy != domain.SignerCentral || e.Verify(pub) != nil {
			t.Fatalf("event %s not attested: %q %q", e.ID, e.Sig, e.SigBy)
		}
	}
}

// A workstation prepares a hand-off entry under another workstation's slot (its number
// "H-<slot><nnn>" is how the counters call the citizen): refused with the reason, nothing
// stored. Its own slot's number is accepted.
func TestHostileHandoffNumberOfAnotherSlot(t *testing.T) {
	f := newFixture(t)
	dev, tok := f.device(2)
	prepared := func(number string, tick uint16) domain.Event {
		p := domain.HandoffPreparedPayload{Number: number, Procedure: domain.ProcedureRef{Code: "1.001193", Name: "Thủ tục đăng ký khai sinh"},
			Applicant: domain.Person{Name: "Nguyễn Văn An", IDNumber: "001099012345"}}
		e, err := domain.NewEvent(uuid.Must(uuid.NewV7()).String(), domain.StreamHandoff, uuid.Must(uuid.NewV7()).String(), domain.EvHandoffPrepared,
			p, "lan", dev.ID, dev.Unit, f.now, domain.MakeHLC(f.now.UnixMilli(), tick))
		if err != nil {
			t.Fatal(err)
		}
		return signed(e)
	}
	rejected(t, f.push(tok, prepared("H-1001", 0)), "Số phiếu chuyển quầy H-1001 không thuộc máy trạm này")
	if st, _ := f.c.Stats(context.Background()); st.Events != 0 {
		t.Fatalf("a forged hand-off stored %d events", st.Events)
	}
	if res := f.push(tok, prepared("H-2001", 1)); len(res) != 1 || res[0].Status != api.Accepted {
		t.Fatalf("its own number: %+v", res)
	}
}
