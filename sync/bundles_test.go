package sync

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"motcua/domain"
	"motcua/localdb"
	"motcua/sync/api"
	"motcua/sync/bundle"
	"motcua/sync/central"
)

// An island workstation, enrolled and then never connected again, reconciles with the city by
// carrying one file each way: the city holds every one of its events exactly once, the city's
// processing comes back, and a later network sync has nothing left to send or fetch.
func TestBundleRoundTripForAnIsland(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, central.FaultConfig{})
	island := h.workstation(1)
	mainland := h.workstation(2)

	// Another counter of the unit works online: its dossier reaches the island only by bundle.
	receive(t, mainland, 1)
	syncUntilDone(t, h.engine(mainland), 3)

	// The island works offline: dossiers and a scan.
	ds := receive(t, island, 3)
	ref := storeScan(t, island, scan(40<<10, 7), "giay-khai-sinh.jpg")
	if _, err := island.AttachFile(ctx, clerk, ds[0].ID, domain.FileAttachedPayload{File: ref, Document: "GCS", Digitized: true}); err != nil {
		t.Fatal(err)
	}
	// A hand-off entry prepared at the island's helper desk (issue 20) travels like any event.
	helper := domain.Staff{Username: "hoa", FullName: "Trần Thị Hoa", Role: domain.RoleHelper, Active: true}
	entry, err := island.PrepareHandoff(ctx, helper, domain.HandoffPreparedPayload{Procedure: domain.ProcedureRef{Code: "1.001193"},
		Applicant: domain.Person{Name: "Nguyễn Văn An", IDNumber: "001099012345"}})
	if err != nil {
		t.Fatal(err)
	}
	outbox := waiting(t, island)
	if outbox == 0 {
		t.Fatal("nothing waiting on the island")
	}

	dir := t.TempDir()
	up := filepath.Join(dir, "up.motcua")
	exp, err := ExportBundle(ctx, island, up, nil, quiet)
	if err != nil {
		t.Fatal(err)
	}
	if exp.Events != outbox || exp.Files != 1 {
		t.Fatalf("exported %+v, want %d events and 1 file", exp, outbox)
	}

	before := len(h.serverEvents())
	rep := importAtCity(t, h, up, central.BundleOptions{Unit: testUnit})
	if rep.Already || rep.Accepted != outbox || rep.Duplicate != 0 || len(rep.Rejected) != 0 || rep.Files != 1 {
		t.Fatalf("first import: %+v", rep)
	}
	if got := len(h.serverEvents()); got != before+outbox {
		t.Fatalf("city holds %d events, want %d", got, before+outbox)
	}
	if _, held, _ := h.c.HasFile(ctx, ref.SHA256); !held {
		t.Fatal("the scan is not at the city")
	}
	// Twice: recognised, nothing changes.
	again := importAtCity(t, h, up, central.BundleOptions{})
	if !again.Already {
		t.Fatalf("second import not recognised: %+v", again)
	}
	if got := len(h.serverEvents()); got != before+outbox {
		t.Fatalf("second import changed the city: %d events", got)
	}
	// The scan came from a device of the unit, so the unit's other counters may read it
	// (a file is readable only by units that uploaded its bytes): the mainland counter
	// pulls the dossier and downloads the scan the stick brought.
	syncUntilDone(t, h.engine(mainland), 3)
	if code, _, body := h.get(t, "/files/"+ref.SHA256, token(t, mainland), nil); code != http.StatusOK || !bytes.Equal(body, scan(40<<10, 7)) {
		t.Fatalf("the unit's other counter reads the bundle's scan: %d, %d bytes", code, len(body))
	}
	// It takes the island's hand-off entry; the claim goes back to the island by bundle.
	if _, err := mainland.ClaimHandoff(ctx, clerk, entry.ID); err != nil {
		t.Fatalf("the mainland counter cannot take the island's hand-off entry: %v", err)
	}
	syncUntilDone(t, h.engine(mainland), 3)

	// The city processes the island's dossier.
	if _, _, err := h.c.Record(ctx, api.AdminEventRequest{DossierID: ds[1].ID, Type: "dossier.forwarded",
		Payload: json.RawMessage(`{"agency":"Phòng Văn hóa - Xã hội"}`), Actor: "tp.vhxh"}); err != nil {
		t.Fatal(err)
	}

	back := filepath.Join(dir, "back.motcua")
	ret, err := h.c.ExportBundle(ctx, testUnit, island.Config().DeviceID, back, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ret.Acks != outbox || ret.More {
		t.Fatalf("return bundle %+v, want %d acks", ret, outbox)
	}
	in, err := ImportBundle(ctx, island, back, nil, quiet)
	if err != nil {
		t.Fatal(err)
	}
	if in.Acked != outbox || in.Refused != 0 || in.Files != 1 || in.New != ret.Events || in.New == 0 {
		t.Fatalf("return import %+v (bundle %+v)", in, ret)
	}
	// The events it stored are handed on for the open screens to follow (Engine.TellApplied).
	if len(in.Applied) < in.New {
		t.Fatalf("return import reports %d events applied, %d new", len(in.Applied), in.New)
	}
	// The unit's roster came with it, kept as a city sync keeps it: both counters, signed.
	roster, ok, err := island.Roster(ctx)
	if err != nil || !ok || len(roster.Devices) != 2 || in.Roster != 2 || ret.Roster != 2 {
		t.Fatalf("roster after the return bundle: %+v %v %v (import %+v, bundle %+v)", roster, ok, err, in, ret)
	}
	if !strings.Contains(in.Message(), "Đã cập nhật danh sách máy trạm của đơn vị: 2 máy đang hoạt động") {
		t.Fatalf("message %q", in.Message())
	}
	again2, err := ImportBundle(ctx, island, back, nil, quiet)
	if err != nil || !again2.Already {
		t.Fatalf("second return import: %+v %v", again2, err)
	}
	if !strings.Contains(again2.Message(), "không thay đổi") {
		t.Fatalf("message %q", again2.Message())
	}

	// Counts match exactly: every event of the unit at the city is on the island, once.
	local := localEvents(t, island)
	city := h.serverEvents()
	if len(local) != len(city) {
		t.Fatalf("island holds %d events, city %d", len(local), len(city))
	}
	for id := range city {
		if _, ok := local[id]; !ok {
			t.Fatalf("city event %s missing on the island", id)
		}
	}
	c, _ := island.SyncCounts(ctx)
	if c.Waiting != 0 || c.FilesWaiting != 0 || c.Refused != 0 || c.Quarantined != 0 {
		t.Fatalf("island still has work waiting: %+v", c)
	}
	if got, err := island.Handoff(ctx, entry.ID); err != nil || got.ClaimedBy != clerk.Username || got.ClaimedDevice != mainland.Config().DeviceID {
		t.Fatalf("the claim did not come back with the return bundle: %+v %v", got, err)
	}
	d, err := island.Get(ctx, ds[1].ID)
	if err != nil || d.Status != domain.StatusProcessing {
		t.Fatalf("city's processing did not come back: %v %v", d.Status, err)
	}
	res, err := island.VerifyAll(ctx, localdb.VerifyOptions{})
	if err != nil || !res.OK() {
		t.Fatalf("verify: %+v %v", res.Findings, err)
	}

	// The link comes back: nothing is sent or fetched twice.
	h.resetRequests()
	rep2 := syncUntilDone(t, h.engine(island), 2)
	if rep2.Pushed != 0 || rep2.Pulled != 0 || rep2.Uploaded != 0 {
		t.Fatalf("network sync after the bundles moved %+v", rep2)
	}
	if got := len(h.serverEvents()); got != len(city) {
		t.Fatalf("city events %d after sync, want %d", got, len(city))
	}
	for _, r := range h.requests("POST", "/files") {
		t.Fatalf("a file was uploaded again: %+v", r)
	}
	// The next return bundle continues after the last one: nothing new to carry.
	next, err := h.c.ExportBundle(ctx, testUnit, island.Config().DeviceID, filepath.Join(dir, "next.motcua"), nil)
	if err != nil || next.Events != 0 || next.Acks != 0 {
		t.Fatalf("next return bundle %+v %v", next, err)
	}
}

func importAtCity(t *testing.T, h *harness, path string, opt central.BundleOptions) central.BundleImport {
	t.Helper()
	rep, err := importAtCityErr(h, path, opt)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func importAtCityErr(h *harness, path string, opt central.BundleOptions) (central.BundleImport, error) {
	f, err := os.Open(path)
	if err != nil {
		return central.BundleImport{}, err
	}
	defer f.Close()
	return h.c.ImportBundle(context.Background(), f, opt)
}

// Bundles that must not be applied are refused with a message for the clerk, and change
// nothing: another unit's, a tampered one, one signed by an unknown key or a revoked device,
// one encrypted for another city, and a return bundle for another workstation.
func TestBundleRefusals(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, central.FaultConfig{})
	island := h.workstation(1)
	receive(t, island, 2)
	dir := t.TempDir()
	up := filepath.Join(dir, "up.motcua")
	if _, err := ExportBundle(ctx, island, up, nil, quiet); err != nil {
		t.Fatal(err)
	}
	cityEvents := func() int { return len(h.serverEvents()) }
	base := cityEvents()
	refused := func(what string, err error, want string) {
		t.Helper()
		var re *domain.RuleError
		if err == nil || !errors.As(err, &re) && !isClass(err, ClassInvalid) {
			t.Fatalf("%s: not refused: %v", what, err)
		}
		if !strings.Contains(err.Error(), want) {
			t.Fatalf("%s: message %q does not say %q", what, err.Error(), want)
		}
		noRawError(t, what, err.Error())
		if got := cityEvents(); got != base {
			t.Fatalf("%s: city changed (%d events, had %d)", what, got, base)
		}
	}

	// Another unit: the operator imports for unit X only.
	_, err := importAtCityErr(h, up, central.BundleOptions{Unit: "000.00.07.H56"})
	refused("another unit", err, "gói của đơn vị "+testUnit)

	// One byte flipped in the encrypted body.
	raw, _ := os.ReadFile(up)
	bad := append([]byte(nil), raw...)
	bad[len(bad)/2] ^= 0x40
	tampered := filepath.Join(dir, "tampered.motcua")
	os.WriteFile(tampered, bad, 0o600)
	_, err = importAtCityErr(h, tampered, central.BundleOptions{})
	refused("tampered", err, "Không nhận gói: "+bundle.MsgDamaged+".")
	// A byte changed in age's header, in the stanza naming the city's key: damaged, not
	// "encrypted for another city".
	nl := bytes.IndexByte(raw, '\n')
	stanza := nl + 1 + bytes.Index(raw[nl+1:], []byte("-> ssh-ed25519 ")) + len("-> ssh-ed25519 ")
	for _, at := range []int{stanza, stanza - 3, stanza + 10, nl + 3} {
		bad = append([]byte(nil), raw...)
		bad[at] ^= 0x04
		os.WriteFile(tampered, bad, 0o600)
		_, err = importAtCityErr(h, tampered, central.BundleOptions{})
		refused(fmt.Sprintf("byte %d of the encryption header", at), err, "Không nhận gói: "+bundle.MsgDamaged+".")
	}
	// Cut short, as by a copy that did not finish.
	for _, n := range []int{0, nl / 2, nl + 40, len(raw) / 2, len(raw) - 1} {
		os.WriteFile(tampered, raw[:n], 0o600)
		_, err = importAtCityErr(h, tampered, central.BundleOptions{})
		refused(fmt.Sprintf("cut at %d of %d bytes", n, len(raw)), err, "Không nhận gói: "+bundle.MsgDamaged+".")
	}

	// A bundle naming the island but signed by another key, and one of a device the city
	// never enrolled (both encrypted to the city: its key is public).
	cityKey, _ := domain.ParseKey(h.c.PublicKey())
	_, stranger, _ := ed25519.GenerateKey(rand.Reader)
	forge := func(name, device string, evs []domain.Event) string {
		to, _ := bundle.RecipientFor(cityKey)
		p := filepath.Join(dir, name)
		f, _ := os.Create(p)
		defer f.Close()
		if _, err := bundle.Write(f, bundle.Header{Kind: bundle.KindUp, ID: uuid.NewString(), Unit: testUnit, Device: device, Signer: device,
			Created: time.Now()}, bundle.Contents{Events: evs}, bundle.KeySigner(stranger), to, nil); err != nil {
			t.Fatal(err)
		}
		return p
	}
	evs, _ := island.Outbox(ctx, 10)
	_, err = importAtCityErr(h, forge("forged.motcua", island.Config().DeviceID, evs), central.BundleOptions{})
	refused("signed by another key", err, "chữ ký số của gói không hợp lệ")
	_, err = importAtCityErr(h, forge("unknown.motcua", uuid.NewString(), evs), central.BundleOptions{})
	refused("unknown device", err, "chưa đăng ký với thành phố")

	// A bundle for another city.
	other := newHarness(t, central.FaultConfig{})
	elsewhere := other.workstation(1)
	receive(t, elsewhere, 1)
	otherUp := filepath.Join(dir, "other-city.motcua")
	if _, err := ExportBundle(ctx, elsewhere, otherUp, nil, quiet); err != nil {
		t.Fatal(err)
	}
	_, err = importAtCityErr(h, otherUp, central.BundleOptions{})
	refused("another city", err, "không được mã hóa cho máy chủ thành phố này")

	// A return bundle for another workstation of the unit, imported on the island.
	second := h.workstation(2)
	receive(t, second, 1)
	syncUntilDone(t, h.engine(second), 3)
	base = cityEvents()
	forSecond := filepath.Join(dir, "for-second.motcua")
	if _, err := h.c.ExportBundle(ctx, testUnit, second.Config().DeviceID, forSecond, nil); err != nil {
		t.Fatal(err)
	}
	before := localEvents(t, island)
	_, err = ImportBundle(ctx, island, forSecond, nil, quiet)
	refused("return bundle for another workstation", err, "không phải máy này")
	// An up bundle is not a return bundle.
	_, err = ImportBundle(ctx, island, up, nil, quiet)
	refused("up bundle on a workstation", err, "không phải gói thành phố trả về")
	// A return bundle flipped by one byte.
	back := filepath.Join(dir, "back.motcua")
	if _, err := h.c.ExportBundle(ctx, testUnit, island.Config().DeviceID, back, nil); err != nil {
		t.Fatal(err)
	}
	raw, _ = os.ReadFile(back)
	whole := append([]byte(nil), raw...)
	raw[len(raw)-40] ^= 1
	os.WriteFile(back, raw, 0o600)
	_, err = ImportBundle(ctx, island, back, nil, quiet)
	refused("tampered return bundle", err, "Không nhập: "+bundle.MsgDamaged+". Không có gì thay đổi trên máy này.")
	// The encryption header damaged (the stanza naming this device's key), and the file cut
	// short: damaged, not "for another workstation".
	nl = bytes.IndexByte(whole, '\n')
	stanza = nl + 1 + bytes.Index(whole[nl+1:], []byte("-> ssh-ed25519 ")) + len("-> ssh-ed25519 ")
	raw = append([]byte(nil), whole...)
	raw[stanza+1] ^= 0x04
	os.WriteFile(back, raw, 0o600)
	_, err = ImportBundle(ctx, island, back, nil, quiet)
	refused("return bundle with its encryption header damaged", err, "Không nhập: "+bundle.MsgDamaged)
	for _, n := range []int{0, nl + 60, len(whole) * 2 / 3} {
		os.WriteFile(back, whole[:n], 0o600)
		_, err = ImportBundle(ctx, island, back, nil, quiet)
		refused(fmt.Sprintf("return bundle cut at %d of %d bytes", n, len(whole)), err, "Không nhập: "+bundle.MsgDamaged)
	}
	// A file that is not there.
	missing := filepath.Join(dir, "khong-co.motcua")
	_, err = ImportBundle(ctx, island, missing, nil, quiet)
	refused("missing file", err, "Không nhập: không tìm thấy tệp gói «"+missing+"»")
	if after := localEvents(t, island); len(after) != len(before) {
		t.Fatalf("refused return bundles changed the island: %d events, had %d", len(after), len(before))
	}
	if waiting(t, island) != len(evs) {
		t.Fatalf("refused bundles touched the outbox: %d waiting", waiting(t, island))
	}

	// A revoked device's bundle.
	if err := h.c.Revoke(ctx, island.Config().DeviceID); err != nil {
		t.Fatal(err)
	}
	_, err = importAtCityErr(h, up, central.BundleOptions{})
	refused("revoked device", err, "đã bị thu hồi")
	// Writing a return bundle for it is refused with the export's own verb.
	_, err = h.c.ExportBundle(ctx, testUnit, island.Config().DeviceID, filepath.Join(dir, "x.motcua"), nil)
	refused("return bundle for a revoked device", err, "Không lập gói trả về: máy trạm")
	if strings.Contains(err.Error(), "Không nhận") {
		t.Fatalf("an export refusal speaks of receiving: %q", err)
	}
}

// noRawError fails when a message shown to a clerk or operator carries a Go or library error.
func noRawError(t *testing.T, what, msg string) {
	t.Helper()
	for _, raw := range []string{"no such file", "open ", "failed", "header.json", "EOF", "tar:", "age:", "permission denied", "decrypt"} {
		if strings.Contains(msg, raw) {
			t.Fatalf("%s: message %q carries raw error text %q", what, msg, raw)
		}
	}
}

// The workstation's messages when the file system is in the way: a folder that does not exist
// to export into, at the workstation and at the city.
func TestBundleFileMessages(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, central.FaultConfig{})
	island := h.workstation(1)
	receive(t, island, 1)
	nowhere := filepath.Join(t.TempDir(), "khong-co", "goi.motcua")
	_, err := ExportBundle(ctx, island, nowhere, nil, quiet)
	if err == nil || !strings.HasPrefix(err.Error(), "Không xuất được gói: thư mục «"+filepath.Dir(nowhere)+"» không tồn tại") {
		t.Fatalf("export into a folder that does not exist: %v", err)
	}
	noRawError(t, "export into a folder that does not exist", err.Error())
	_, err = h.c.ExportBundle(ctx, testUnit, island.Config().DeviceID, nowhere, nil)
	if err == nil || !strings.HasPrefix(err.Error(), "Không lập được gói trả về: thư mục «"+filepath.Dir(nowhere)+"» không tồn tại") {
		t.Fatalf("return bundle into a folder that does not exist: %v", err)
	}
	noRawError(t, "return bundle into a folder that does not exist", err.Error())
	if !errors.Is(central.BundleCause(err), fs.ErrNotExist) {
		t.Fatalf("the cause for the log: %v", central.BundleCause(err))
	}
}

// A return bundle lost on the way is made good by the next round trip (the workstation's
// bundle reports the cursor it really has), and when the lost one turns up later it changes
// nothing: its events are held, its cursor is older and is not taken.
func TestBundleLostReturnAndLateArrival(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, central.FaultConfig{})
	island := h.workstation(1)
	dir := t.TempDir()
	ds := receive(t, island, 2)
	up1 := filepath.Join(dir, "up1.motcua")
	if _, err := ExportBundle(ctx, island, up1, nil, quiet); err != nil {
		t.Fatal(err)
	}
	importAtCity(t, h, up1, central.BundleOptions{})
	if _, _, err := h.c.Record(ctx, api.AdminEventRequest{DossierID: ds[0].ID, Type: "dossier.forwarded",
		Payload: json.RawMessage(`{"agency":"Phòng Tư pháp"}`), Actor: "tp.tuphap"}); err != nil {
		t.Fatal(err)
	}
	lost := filepath.Join(dir, "lost.motcua")
	if _, err := h.c.ExportBundle(ctx, testUnit, island.Config().DeviceID, lost, nil); err != nil {
		t.Fatal(err)
	}

	receive(t, island, 1)
	up2 := filepath.Join(dir, "up2.motcua")
	exp2, err := ExportBundle(ctx, island, up2, nil, quiet)
	if err != nil {
		t.Fatal(err)
	}
	rep := importAtCity(t, h, up2, central.BundleOptions{})
	if rep.Duplicate == 0 || rep.Accepted == 0 || rep.Accepted+rep.Duplicate != exp2.Events {
		t.Fatalf("second up bundle: %+v", rep)
	}
	ret2 := filepath.Join(dir, "ret2.motcua")
	r2, err := h.c.ExportBundle(ctx, testUnit, island.Config().DeviceID, ret2, nil)
	if err != nil || r2.Events == 0 || r2.Acks != exp2.Events {
		t.Fatalf("second return bundle %+v %v (want the city's event again and %d acks)", r2, err, exp2.Events)
	}
	in, err := ImportBundle(ctx, island, ret2, nil, quiet)
	if err != nil || in.New != r2.Events || waiting(t, island) != 0 {
		t.Fatalf("second return import %+v %v, %d waiting", in, err, waiting(t, island))
	}
	cursor, _ := island.SyncValue(ctx, localdb.SyncKeyCursor)

	late, err := ImportBundle(ctx, island, lost, nil, quiet)
	if err != nil || late.New != 0 || late.Already || late.Applied != nil {
		t.Fatalf("late return bundle %+v %v", late, err)
	}
	if now, _ := island.SyncValue(ctx, localdb.SyncKeyCursor); now != cursor {
		t.Fatalf("a late bundle moved the cursor back: %q → %q", cursor, now)
	}
	if d, _ := island.Get(ctx, ds[0].ID); d.Status != domain.StatusProcessing {
		t.Fatalf("dossier status %v", d.Status)
	}
	if got, want := len(localEvents(t, island)), len(h.serverEvents()); got != want {
		t.Fatalf("island %d events, city %d", got, want)
	}
	rep2 := syncUntilDone(t, h.engine(island), 2)
	if rep2.Pushed != 0 || rep2.Pulled != 0 {
		t.Fatalf("network sync moved %+v", rep2)
	}
}
