package central

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"motcua/domain"
	"motcua/sync/api"
)

// otherUnitDevice enrolls a workstation of another unit than the fixture's.
func (f *fixture) otherUnitDevice(unitCode string, slot int) (Device, string) {
	f.t.Helper()
	ctx := context.Background()
	code, _, err := f.c.IssueEnrollCode(ctx, unitCode, "Xã Bình Minh", slot)
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

// TestFileNotReadableByNamingItsHash: a workstation of unit B that knows (or guesses) the
// SHA-256 of a scan uploaded by unit A cannot read it by naming the hash in an event of its
// own, and HEAD or a tus creation does not tell it whether the city holds the hash. Once B
// uploads the same bytes itself (hash-checked, stored once), it may read them.
func TestFileNotReadableByNamingItsHash(t *testing.T) {
	f := newFixture(t)
	_, tokA := f.device(1)
	data := bytes.Repeat([]byte("%PDF-1.4 CCCD của công dân xã An Hưng "), 2000)
	sum := sha256.Sum256(data)
	sha := hex.EncodeToString(sum[:])
	r := f.call(http.MethodPost, "/files/", tokA, nil, map[string]string{"Tus-Resumable": "1.0.0", "Upload-Length": strconv.Itoa(len(data)), "Upload-Metadata": tusMeta(sha)})
	path := strings.TrimPrefix(r.Header.Get("Location"), f.ts.URL+api.Prefix)
	r = f.call(http.MethodPatch, path, tokA, data, map[string]string{"Tus-Resumable": "1.0.0", "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"})
	if r.StatusCode != http.StatusNoContent {
		t.Fatalf("upload %d", r.StatusCode)
	}

	const unitB = "000.00.07.H56"
	b, tokB := f.otherUnitDevice(unitB, 1)
	// Before: unit B is refused (404), as documented.
	if r := f.call(http.MethodGet, "/files/"+sha, tokB, nil, nil); r.StatusCode != http.StatusNotFound {
		t.Fatalf("before: %d", r.StatusCode)
	}
	// But HEAD (tus) tells any workstation whether the city holds the hash, and its size.
	if r := f.call(http.MethodHead, "/files/"+sha, tokB, nil, map[string]string{"Tus-Resumable": "1.0.0"}); r.StatusCode == http.StatusOK {
		t.Errorf("HEAD /files/{sha} tells unit B the file is held (size %s)", r.Header.Get("Upload-Length"))
	}
	// Unit B names the hash in an intake of its own.
	p := domain.ReceivedPayload{Code: unitB + "-260302-1001", Procedure: domain.ProcedureRef{Code: "1.001193", Name: "Thủ tục đăng ký khai sinh", FieldCode: "HT", Field: "Hộ tịch"},
		Applicant: domain.Person{Name: "Trần Văn B", IDNumber: "001099012399"}, Subject: domain.SubjectCitizen, Channel: domain.ChannelDirect,
		Summary: "x", Fee: 0, DueAt: f.now.Add(8 * time.Hour),
		Documents: []domain.DocumentItem{{Code: "TK", Name: "Tờ khai", Form: domain.FormOriginal, Count: 1, Digitized: true,
			Files: []domain.FileRef{{SHA256: sha, Name: "x.pdf", Mime: "application/pdf", Size: int64(len(data))}}}}}
	e, err := domain.NewEvent("0190a0b0-0000-7000-8000-000000000001", domain.StreamDossier, "0190a0b0-0000-7000-8000-0000000000d1", domain.EvReceived, p, "lan", b.ID, b.Unit, f.now, domain.MakeHLC(f.now.UnixMilli(), 0))
	if err != nil {
		t.Fatal(err)
	}
	res := f.push(tokB, signed(e))
	if res[0].Status != api.Accepted {
		t.Fatalf("push: %+v", res)
	}
	r = f.call(http.MethodGet, "/files/"+sha, tokB, nil, nil)
	got, _ := io.ReadAll(r.Body)
	if r.StatusCode != http.StatusNotFound || bytes.Equal(got, data) {
		t.Fatalf("unit B read unit A's scan (%d, %d bytes) by naming its hash in its own event", r.StatusCode, len(got))
	}
	// A creation with the matching size is not answered "already complete": tusd makes a
	// real upload, as for content the city never saw.
	r = f.call(http.MethodPost, "/files/", tokB, nil, map[string]string{"Tus-Resumable": "1.0.0", "Upload-Length": strconv.Itoa(len(data)), "Upload-Metadata": tusMeta(sha)})
	if r.StatusCode != http.StatusCreated || r.Header.Get("Upload-Offset") == strconv.Itoa(len(data)) || strings.HasSuffix(r.Header.Get("Location"), "/"+sha) {
		t.Fatalf("creation by unit B: %d offset %q location %q", r.StatusCode, r.Header.Get("Upload-Offset"), r.Header.Get("Location"))
	}
	pathB := strings.TrimPrefix(r.Header.Get("Location"), f.ts.URL+api.Prefix)
	// Other bytes under A's hash fail the check and grant nothing.
	forged := bytes.Repeat([]byte("x"), len(data))
	if r := f.call(http.MethodPatch, pathB, tokB, forged, map[string]string{"Tus-Resumable": "1.0.0", "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"}); r.StatusCode == http.StatusNoContent {
		t.Fatalf("forged upload accepted")
	}
	if r := f.call(http.MethodGet, "/files/"+sha, tokB, nil, nil); r.StatusCode != http.StatusNotFound {
		t.Fatalf("after a forged upload: %d", r.StatusCode)
	}
	// A sibling workstation of unit A is told the file is held, and may read it.
	_, tokA2 := f.device(2)
	if r := f.call(http.MethodHead, "/files/"+sha, tokA2, nil, map[string]string{"Tus-Resumable": "1.0.0"}); r.StatusCode != http.StatusOK || r.Header.Get("Upload-Length") != strconv.Itoa(len(data)) {
		t.Fatalf("HEAD by unit A's sibling: %d %q", r.StatusCode, r.Header.Get("Upload-Length"))
	}
	r = f.call(http.MethodPost, "/files/", tokA2, nil, map[string]string{"Tus-Resumable": "1.0.0", "Upload-Length": strconv.Itoa(len(data)), "Upload-Metadata": tusMeta(sha)})
	if r.StatusCode != http.StatusCreated || r.Header.Get("Upload-Offset") != strconv.Itoa(len(data)) {
		t.Fatalf("creation by unit A's sibling: %d offset %q", r.StatusCode, r.Header.Get("Upload-Offset"))
	}
	if r := f.call(http.MethodGet, "/files/"+sha, tokA2, nil, nil); r.StatusCode != http.StatusOK {
		t.Fatalf("GET by unit A's sibling: %d", r.StatusCode)
	}
	// Unit B uploads the bytes themselves: they check out, are stored once, and B may read them.
	r = f.call(http.MethodPost, "/files/", tokB, nil, map[string]string{"Tus-Resumable": "1.0.0", "Upload-Length": strconv.Itoa(len(data)), "Upload-Metadata": tusMeta(sha)})
	pathB = strings.TrimPrefix(r.Header.Get("Location"), f.ts.URL+api.Prefix)
	if r := f.call(http.MethodPatch, pathB, tokB, data, map[string]string{"Tus-Resumable": "1.0.0", "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"}); r.StatusCode != http.StatusNoContent {
		t.Fatalf("unit B's own upload: %d", r.StatusCode)
	}
	r = f.call(http.MethodGet, "/files/"+sha, tokB, nil, nil)
	got, _ = io.ReadAll(r.Body)
	if r.StatusCode != http.StatusOK || !bytes.Equal(got, data) {
		t.Fatalf("unit B after uploading the bytes: %d, %d bytes", r.StatusCode, len(got))
	}
	if r := f.call(http.MethodHead, "/files/"+sha, tokB, nil, map[string]string{"Tus-Resumable": "1.0.0"}); r.StatusCode != http.StatusOK {
		t.Fatalf("HEAD by unit B after its upload: %d", r.StatusCode)
	}
	if st, err := f.c.Stats(context.Background()); err != nil || st.Files != 1 {
		t.Fatalf("files stored %d %v", st.Files, err)
	}
}

// A database whose file_units an earlier build filled from event references (unit B named
// unit A's hash) loses those rows on upgrade (migration 0006): B reads nothing, A's device
// that uploaded the file and its siblings still do.
func TestUpgradeDropsFileGrantsFromEventReferences(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	_, tokA := f.device(1)
	data := bytes.Repeat([]byte("%PDF-1.4 giấy khai sinh "), 500)
	sum := sha256.Sum256(data)
	sha := hex.EncodeToString(sum[:])
	r := f.call(http.MethodPost, "/files/", tokA, nil, map[string]string{"Tus-Resumable": "1.0.0", "Upload-Length": strconv.Itoa(len(data)), "Upload-Metadata": tusMeta(sha)})
	path := strings.TrimPrefix(r.Header.Get("Location"), f.ts.URL+api.Prefix)
	if r := f.call(http.MethodPatch, path, tokA, data, map[string]string{"Tus-Resumable": "1.0.0", "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"}); r.StatusCode != http.StatusNoContent {
		t.Fatalf("upload %d", r.StatusCode)
	}
	const unitB = "000.00.07.H56"
	_, tokB := f.otherUnitDevice(unitB, 1)
	// What the old build wrote for B's event naming the hash, before 0006 ran.
	for _, q := range []struct {
		sql  string
		args []any
	}{{`DELETE FROM file_units`, nil}, {`INSERT INTO file_units(sha256, unit) VALUES (?, ?)`, []any{sha, unitB}},
		{`DELETE FROM schema_migrations WHERE version >= 6`, nil}} {
		if _, err := f.c.db.w.ExecContext(ctx, q.sql, q.args...); err != nil {
			t.Fatal(err)
		}
	}
	if r := f.call(http.MethodGet, "/files/"+sha, tokB, nil, nil); r.StatusCode != http.StatusOK {
		t.Fatalf("the old grant: %d", r.StatusCode)
	}
	if err := f.c.db.migrate(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if r := f.call(http.MethodGet, "/files/"+sha, tokB, nil, nil); r.StatusCode != http.StatusNotFound {
		t.Fatalf("unit B after the upgrade: %d", r.StatusCode)
	}
	var units []string
	rows, err := f.c.db.r.QueryContext(ctx, `SELECT unit FROM file_units WHERE sha256 = ?`, sha)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var u string
		if err := rows.Scan(&u); err != nil {
			t.Fatal(err)
		}
		units = append(units, u)
	}
	rows.Close()
	if len(units) != 1 || units[0] != unit {
		t.Fatalf("file_units after the upgrade %v, want [%s]", units, unit)
	}
	_, tokA2 := f.device(2)
	if r := f.call(http.MethodGet, "/files/"+sha, tokA2, nil, nil); r.StatusCode != http.StatusOK {
		t.Fatalf("unit A's sibling after the upgrade: %d", r.StatusCode)
	}
}
