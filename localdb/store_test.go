package localdb

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"motcua/domain"
)

func TestReceiveBirthRegistration(t *testing.T) {
	ctx := context.Background()
	// Friday 13 Feb 2026, 16:00: after the 15:00 cut-off, just before the Tết break (16–20/2).
	s, _ := newTestStore(t, vnTime(2026, 2, 13, 16, 0))
	d, err := s.Receive(ctx, clerk, birthIntake())
	if err != nil {
		t.Fatal(err)
	}
	if d.Code != "000.00.06.H56-260213-1001" {
		t.Errorf("code %s", d.Code)
	}
	if want := vnTime(2026, 2, 23, 17, 0); !d.DueAt.Equal(want) {
		t.Errorf("due %v, want %v", d.DueAt.In(domain.VN()), want)
	}
	if d.Applicant.Name != "Nguyễn Văn An" || d.Applicant.Phone != "0912345678" || d.Applicant.Birth != "1999-03-15" ||
		d.Applicant.Address != "Thôn Đông, xã An Hưng, TP Hải Phòng" {
		t.Errorf("applicant not normalised: %+v", d.Applicant)
	}
	if d.Status != domain.StatusAccepted || d.ReceivedBy != "lan" || d.Fee != 0 || len(d.Documents) != 3 || d.Sets != 1 {
		t.Errorf("dossier %+v", d)
	}
	d2, err := s.Receive(ctx, clerk, birthIntake())
	if err != nil {
		t.Fatal(err)
	}
	if d2.Code != "000.00.06.H56-260213-1002" {
		t.Errorf("second code %s", d2.Code)
	}
	got, err := s.ByCode(ctx, strings.ToLower(d.Code))
	if err != nil || got.ID != d.ID {
		t.Fatalf("by code: %v %+v", err, got.ID)
	}
	st, err := s.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Dossiers != 2 || st.Outbox != 4 || st.ByStatus["2"] != 2 { // intakes and their visits
		t.Errorf("stats %+v", st)
	}
	res, err := s.Verify(ctx)
	if err != nil || !res.OK() || res.Entries < 3 {
		t.Errorf("verify %+v %v", res, err)
	}
}

func TestFeeAndCopiesForCertifiedCopy(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t, vnTime(2026, 3, 2, 9, 0))
	in := birthIntake()
	in.ProcedureCode = "2.000815"
	proc, _ := s.Catalogue().Lookup("2.000815")
	in.Documents = nil
	for _, doc := range proc.Documents {
		if !doc.Optional {
			in.Documents = append(in.Documents, domain.DocumentItem{Code: doc.Code})
		}
	}
	in.Copies, in.Pages = 3, 5 // 2×2000 + 3×1000 = 7000 per copy
	d, err := s.Receive(ctx, clerk, in)
	if err != nil {
		t.Fatal(err)
	}
	if d.Fee != 21000 {
		t.Errorf("fee %d, want 21000", d.Fee)
	}
	if want := vnTime(2026, 3, 2, 17, 0); !d.DueAt.Equal(want) {
		t.Errorf("same-day due %v", d.DueAt.In(domain.VN()))
	}
}

// Bad input gets a clear Vietnamese message and writes nothing.
func TestBadIntakeWritesNothing(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t, vnTime(2026, 3, 2, 9, 0))
	nfd := norm.NFD.String("Trần Thị Bích")
	cases := []struct {
		name  string
		edit  func(*domain.Intake)
		field string
	}{
		{"bad ID", func(in *domain.Intake) { in.Applicant.IDNumber = "12345" }, domain.FieldApplicantID},
		{"unknown province", func(in *domain.Intake) { in.Applicant.IDNumber = "000099012345" }, domain.FieldApplicantID},
		{"ID vs birth year", func(in *domain.Intake) { in.Applicant.Birth = "15/03/1985" }, domain.FieldApplicantID},
		{"bad phone", func(in *domain.Intake) { in.Applicant.Phone = "0123" }, domain.FieldApplicantPhone},
		{"future birth", func(in *domain.Intake) { in.Applicant.Birth = "01/01/2030"; in.Applicant.IDNumber = "001230012345" }, domain.FieldApplicantBirth},
		{"empty name", func(in *domain.Intake) { in.Applicant.Name = "  " }, domain.FieldApplicantName},
		{"empty address", func(in *domain.Intake) { in.Applicant.Address = "" }, domain.FieldApplicantAddress},
		{"long summary", func(in *domain.Intake) { in.Summary = strings.Repeat("dài ", 400) }, domain.FieldSummary},
		{"unknown procedure", func(in *domain.Intake) { in.ProcedureCode = "9.999999" }, domain.FieldProcedure},
		{"missing documents", func(in *domain.Intake) { in.Documents = in.Documents[:1] }, domain.FieldDocuments},
		{"bad email", func(in *domain.Intake) { in.Applicant.Email = "an@" }, domain.FieldApplicantEmail},
		{"NFD name with digits", func(in *domain.Intake) { in.Applicant.Name = nfd + " 2" }, domain.FieldApplicantName},
	}
	for _, c := range cases {
		in := birthIntake()
		c.edit(&in)
		_, err := s.Receive(ctx, clerk, in)
		var v domain.ValidationError
		if !errors.As(err, &v) || len(v.For(c.field)) == 0 {
			t.Errorf("%s: got %v, want a problem with %s", c.name, err, c.field)
			continue
		}
		for _, fe := range v {
			if fe.Msg == "" || !isVietnamese(fe.Msg) {
				t.Errorf("%s: message %q is not a clear Vietnamese sentence", c.name, fe.Msg)
			}
		}
	}
	st, _ := s.Stats(ctx)
	if st.Dossiers != 0 || st.Events != 0 {
		t.Fatalf("bad intakes wrote something: %+v", st)
	}
	// NFD input is stored as NFC.
	in := birthIntake()
	in.Applicant.Name = nfd
	d, err := s.Receive(ctx, clerk, in)
	if err != nil {
		t.Fatal(err)
	}
	if d.Applicant.Name != "Trần Thị Bích" || !norm.NFC.IsNormalString(d.Applicant.Name) {
		t.Errorf("name %q not NFC", d.Applicant.Name)
	}
	if d.Code != "000.00.06.H56-260302-1001" {
		t.Errorf("failed intakes consumed numbers: %s", d.Code)
	}
}

func isVietnamese(s string) bool {
	return strings.ContainsAny(s, "àáảãạăắằẳẵặâấầẩẫậèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵđ")
}

func TestSearchWithoutDiacritics(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t, vnTime(2026, 3, 2, 9, 0))
	names := []string{"Nguyễn Thị Đào", "Trần Văn Bình", "Phạm Đức Anh"}
	ids := []string{"031086012345", "001099012345", "079203012345"}
	var codes []string
	for i, n := range names {
		in := birthIntake()
		in.Applicant.Name, in.Applicant.IDNumber, in.Applicant.Birth = n, ids[i], ""
		in.Applicant.Phone = "09" + strings.Repeat(string(rune('1'+i)), 8)
		d, err := s.Receive(ctx, clerk, in)
		if err != nil {
			t.Fatal(err)
		}
		codes = append(codes, d.Code)
	}
	cases := []struct {
		q    string
		want []string
	}{
		{"nguyen thi dao", []string{"Nguyễn Thị Đào"}},
		{"dao", []string{"Nguyễn Thị Đào"}},
		{norm.NFD.String("Đào"), []string{"Nguyễn Thị Đào"}},
		{"duc anh", []string{"Phạm Đức Anh"}},
		{"TRAN BIN", []string{"Trần Văn Bình"}},
		{"001099012345", []string{"Trần Văn Bình"}},
		{"0922222222", []string{"Trần Văn Bình"}},
		{"+84 933 333 333", []string{"Phạm Đức Anh"}},
		{codes[2], []string{"Phạm Đức Anh"}},
		{"khai sinh", names},
		{"xyz", nil},
	}
	for _, c := range cases {
		rows, err := s.Search(ctx, c.q, 10)
		if err != nil {
			t.Fatalf("%q: %v", c.q, err)
		}
		var got []string
		for _, r := range rows {
			got = append(got, r.Applicant)
		}
		if !sameSet(got, c.want) {
			t.Errorf("search %q = %v, want %v", c.q, got, c.want)
		}
		n, err := s.QueueCount(ctx, QueueFilter{Text: c.q})
		if err != nil || n != len(c.want) {
			t.Errorf("queue text %q: %d %v", c.q, n, err)
		}
	}
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[string]int{}
	for _, x := range a {
		m[x]++
	}
	for _, x := range b {
		m[x]--
	}
	for _, v := range m {
		if v != 0 {
			return false
		}
	}
	return true
}

func TestLifecycleAndTimeline(t *testing.T) {
	ctx := context.Background()
	// Monday 2 March 2026 09:00; marital status confirmation takes 3 working days.
	s, clk := newTestStore(t, vnTime(2026, 3, 2, 9, 0))
	in := birthIntake()
	in.ProcedureCode = "1.004873"
	proc, _ := s.Catalogue().Lookup("1.004873")
	in.Documents = nil
	for _, doc := range proc.Documents {
		if !doc.Optional {
			in.Documents = append(in.Documents, domain.DocumentItem{Code: doc.Code})
		}
	}
	d, err := s.Receive(ctx, clerk, in)
	if err != nil {
		t.Fatal(err)
	}
	if want := vnTime(2026, 3, 5, 9, 0); !d.DueAt.Equal(want) {
		t.Fatalf("due %v, want %v", d.DueAt.In(domain.VN()), want)
	}
	// Supplement asked Monday 10:00, brought back Wednesday 10:00: two working days paused.
	clk.Set(vnTime(2026, 3, 2, 10, 0))
	if _, err := s.RequestSupplement(ctx, clerk, d.ID, domain.SupplementRequestedPayload{
		Items: []domain.SupplementItem{{Name: "Bản sao giấy chứng tử của vợ", Form: domain.FormCertified}}, Reason: "Thiếu giấy tờ chứng minh"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ResultReady(ctx, clerk, d.ID, domain.ResultReadyPayload{}); err == nil || !errors.Is(err, domain.ErrConflict) {
		t.Fatalf("result ready while waiting for a supplement: %v", err)
	}
	clk.Set(vnTime(2026, 3, 4, 10, 0))
	d, err = s.ReceiveSupplement(ctx, clerk, d.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if want := vnTime(2026, 3, 9, 9, 0); !d.DueAt.Equal(want) || d.Status != domain.StatusAccepted {
		t.Fatalf("after pause: due %v status %v, want %v", d.DueAt.In(domain.VN()), d.Status, want)
	}
	if _, err := s.Forward(ctx, clerk, d.ID, "", ""); err == nil {
		t.Fatal("forward without an agency accepted")
	}
	if _, err := s.Forward(ctx, clerk, d.ID, "Công chức Tư pháp - Hộ tịch", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Postpone(ctx, clerk, d.ID, domain.RescheduledPayload{Reason: "Chờ kết quả xác minh", NewDueAt: vnTime(2026, 3, 7, 9, 0)}); err == nil {
		t.Fatal("rescheduled onto a Saturday")
	}
	d, err = s.Postpone(ctx, clerk, d.ID, domain.RescheduledPayload{Reason: "Chờ kết quả xác minh", NewDueAt: vnTime(2026, 3, 11, 9, 0)})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Reschedules) != 1 || d.Reschedules[0].Number != "1/PXL" {
		t.Errorf("reschedules %+v", d.Reschedules)
	}
	if _, err := s.Postpone(ctx, clerk, d.ID, domain.RescheduledPayload{Reason: "Lần nữa", NewDueAt: vnTime(2026, 3, 12, 9, 0)}); err == nil {
		t.Fatal("second reschedule accepted with limit 1")
	}
	if _, err := s.ResultReady(ctx, clerk, d.ID, domain.ResultReadyPayload{}); err != nil {
		t.Fatal(err)
	}
	// Someone else collects it without an authorisation: refused.
	_, err = s.HandOver(ctx, clerk, d.ID, domain.HandedOverPayload{Recipient: domain.Person{Name: "Lê Văn Tám", IDNumber: "031090012345"}})
	var v domain.ValidationError
	if !errors.As(err, &v) || len(v.For("authority")) == 0 {
		t.Fatalf("hand-over to a stranger: %v", err)
	}
	d, err = s.HandOver(ctx, clerk, d.ID, domain.HandedOverPayload{Recipient: domain.Person{Name: "Lê Văn Tám", IDNumber: "031090012345"},
		Authorized: true, Authority: "Giấy ủy quyền ngày 01/03/2026"})
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != domain.StatusReturned || d.HandOver == nil || !d.HandOver.Authorized || d.HandOver.Method != domain.HandOverCounter {
		t.Fatalf("after hand-over %+v", d.HandOver)
	}
	tl, err := s.Timeline(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	var types []domain.EventType
	for _, e := range tl {
		types = append(types, e.Event.Type)
		if !e.Local || e.SyncState != SyncWaiting || e.Event.Actor != "lan" {
			t.Errorf("timeline entry %+v", e)
		}
	}
	want := []domain.EventType{domain.EvReceived, domain.EvSupplementRequested, domain.EvSupplementReceived, domain.EvForwarded,
		domain.EvRescheduled, domain.EvResultReady, domain.EvHandedOver}
	if len(types) != len(want) {
		t.Fatalf("timeline %v", types)
	}
	for i := range want {
		if types[i] != want[i] {
			t.Fatalf("timeline %v, want %v", types, want)
		}
	}
}

func TestRoles(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t, vnTime(2026, 3, 2, 9, 0))
	if _, err := s.Receive(ctx, helper, birthIntake()); !errors.Is(err, domain.ErrDenied) {
		t.Fatalf("helper received a dossier: %v", err)
	}
	d, err := s.Receive(ctx, clerk, birthIntake())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Correct(ctx, clerk, d.ID, domain.CorrectedPayload{Reason: "x", Summary: ptr("y")}); !errors.Is(err, domain.ErrDenied) {
		t.Fatalf("clerk corrected: %v", err)
	}
	if _, err := s.Correct(ctx, boss, d.ID, domain.CorrectedPayload{Reason: "Gõ nhầm", Summary: ptr("Khai sinh cho con thứ hai")}); err != nil {
		t.Fatal(err)
	}
	if err := s.UpdateConfig(ctx, clerk, testCfg); !errors.Is(err, domain.ErrDenied) {
		t.Fatalf("clerk changed settings: %v", err)
	}
	cfg := s.Config()
	cfg.Slot = 2
	if err := s.UpdateConfig(ctx, admin, cfg); !errors.Is(err, domain.ErrConflict) {
		t.Fatalf("slot changed after intake: %v", err)
	}
}

func ptr[T any](v T) *T { return &v }

func TestStaffAccounts(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t, vnTime(2026, 3, 2, 9, 0))
	if err := s.CreateStaff(ctx, nil, domain.Staff{Username: "lan", FullName: "Lan", Role: domain.RoleCounter}, "matkhau123"); err == nil {
		t.Fatal("first account need not be admin?")
	}
	if err := s.CreateStaff(ctx, nil, domain.Staff{Username: "admin", FullName: "quản trị viên", Role: domain.RoleAdmin}, "ngan"); err == nil {
		t.Fatal("short password accepted")
	}
	if err := s.CreateStaff(ctx, nil, domain.Staff{Username: "admin", FullName: "quản trị viên", Role: domain.RoleAdmin}, "matkhau-quan-tri"); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateStaff(ctx, nil, domain.Staff{Username: "lan", FullName: "Lan", Role: domain.RoleCounter}, "matkhau123"); !errors.Is(err, domain.ErrDenied) {
		t.Fatalf("second account without admin: %v", err)
	}
	if err := s.CreateStaff(ctx, &admin, domain.Staff{Username: "Lan", FullName: "nguyễn thị lan", Role: domain.RoleCounter}, "matkhau123"); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateStaff(ctx, &admin, domain.Staff{Username: "lan", FullName: "Khác", Role: domain.RoleCounter}, "matkhau123"); err == nil {
		t.Fatal("duplicate username accepted")
	}
	st, err := s.Authenticate(ctx, " LAN ", "matkhau123")
	if err != nil || st.FullName != "Nguyễn Thị Lan" || st.Role != domain.RoleCounter {
		t.Fatalf("auth %+v %v", st, err)
	}
	for _, bad := range [][2]string{{"lan", "sai"}, {"khong-co", "matkhau123"}} {
		if _, err := s.Authenticate(ctx, bad[0], bad[1]); !errors.Is(err, ErrBadLogin) {
			t.Errorf("%v: %v", bad, err)
		}
	}
	st.Active = false
	if err := s.UpdateStaff(ctx, admin, st, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, "lan", "matkhau123"); !errors.Is(err, ErrBadLogin) {
		t.Fatal("disabled account signed in")
	}
}

func TestAuditTamperDetected(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t, vnTime(2026, 3, 2, 9, 0))
	for i := 0; i < 3; i++ {
		if _, err := s.Receive(ctx, clerk, birthIntake()); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.w.Exec(`UPDATE audit SET actor = 'mallory' WHERE seq = 3`); err != nil {
		t.Fatal(err)
	}
	res, err := s.Verify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.OK() || res.BrokenAt != 3 || !strings.Contains(res.BrokenWhy, "3") {
		t.Fatalf("tampering not found: %+v", res)
	}
}

func TestFilesStoredOnceAndChecked(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t, vnTime(2026, 3, 2, 9, 0))
	d, err := s.Receive(ctx, clerk, birthIntake())
	if err != nil {
		t.Fatal(err)
	}
	pdf := []byte("%PDF-1.4\n1 0 obj << /Type /Page >> endobj\n2 0 obj << /Type /Page >> endobj\n3 0 obj << /Type /Pages >> endobj\n%%EOF")
	a, err := s.StoreFile(ctx, bytes.NewReader(pdf), "giay-chung-sinh.pdf")
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.StoreFile(ctx, bytes.NewReader(pdf), "lan-hai.pdf")
	if err != nil {
		t.Fatal(err)
	}
	if a.SHA256 != b.SHA256 || a.Mime != "application/pdf" || a.Pages != 2 {
		t.Fatalf("refs %+v %+v", a, b)
	}
	entries, _ := filepath.Glob(filepath.Join(s.Dir(), "files", "*", "*"))
	if len(entries) != 1 {
		t.Fatalf("stored %d copies", len(entries))
	}
	if _, err := s.StoreFile(ctx, strings.NewReader("MZ not a document"), "virus.exe"); err == nil {
		t.Fatal("exe accepted")
	}
	if _, err := s.StoreFile(ctx, bytes.NewReader(make([]byte, MaxFileSize+10)), "big.pdf"); err == nil {
		t.Fatal("oversized file accepted")
	}
	d, err = s.AttachFile(ctx, clerk, d.ID, domain.FileAttachedPayload{File: a, Document: "GCS", Digitized: true})
	if err != nil {
		t.Fatal(err)
	}
	if d.DigitizedShare() == 0 || len(d.Documents[1].Files) != 1 {
		t.Fatalf("attach %+v", d.Documents)
	}
	if n, _ := s.PendingFiles(ctx, 10); len(n) != 1 {
		t.Fatalf("pending files %v", n)
	}
	if err := os.WriteFile(s.FilePath(a.SHA256), []byte("%PDF-altered"), 0o600); err != nil {
		t.Fatal(err)
	}
	res, _ := s.Verify(ctx)
	if res.OK() || len(res.FilesMissing) != 1 {
		t.Fatalf("altered file not found: %+v", res)
	}
}

func TestTooNewDatabaseRefused(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.w.Exec(`INSERT INTO schema_migrations(version, name, applied_at) VALUES (999, '999_future.sql', 0)`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := Open(ctx, dir, Options{}); !errors.Is(err, ErrTooNew) {
		t.Fatalf("opened a newer database: %v", err)
	}
}

func TestBackupRestore(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t, vnTime(2026, 3, 2, 9, 0))
	for i := 0; i < 5; i++ {
		if _, err := s.Receive(ctx, clerk, birthIntake()); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.StoreFile(ctx, strings.NewReader("%PDF-1.4 scan"), "scan.pdf"); err != nil {
		t.Fatal(err)
	}
	info, err := s.Backup(ctx, t.TempDir(), BackupOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if info.Files != 1 {
		t.Errorf("backup files %d", info.Files)
	}
	target := filepath.Join(t.TempDir(), "restored")
	if err := Restore(info.Dir, target, ""); err != nil {
		t.Fatal(err)
	}
	if err := Restore(info.Dir, target, ""); err == nil {
		t.Fatal("restored over existing data")
	}
	r, err := Open(ctx, target, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	a, _ := s.Stats(ctx)
	b, _ := r.Stats(ctx)
	if a.Dossiers != b.Dossiers || a.Events != b.Events || a.Files != b.Files || a.Outbox != b.Outbox {
		t.Fatalf("stats differ: %+v vs %+v", a, b)
	}
	res, err := r.Verify(ctx)
	if err != nil || !res.OK() {
		t.Fatalf("restored store fails verify: %+v %v", res, err)
	}
	if r.Config().DeviceID != s.Config().DeviceID {
		t.Error("device id not restored")
	}
}

var _ = time.Second

// TestPasswordHashCost: a real store hashes with OWASP's argon2id minimum (19 MiB, t=2);
// the light cost is a test-only option.
func TestPasswordHashCost(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.CreateStaff(ctx, nil, domain.Staff{Username: "admin", FullName: "Quản Trị", Role: domain.RoleAdmin}, "matkhau-quan-tri"); err != nil {
		t.Fatal(err)
	}
	var hash string
	if err := s.r.QueryRow(`SELECT password_hash FROM staff WHERE username = 'admin'`).Scan(&hash); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %s", hash)
	}
	if _, err := s.Authenticate(ctx, "admin", "matkhau-quan-tri"); err != nil {
		t.Fatal(err)
	}
}

// The queue's search over the dossiers being worked on answers from their own index
// (dossier_open_fts), which must follow every change of status, also after reopening.
func TestOpenSearchIndexFollowsStatus(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t, vnTime(2026, 3, 2, 9, 0))
	var ids []string
	for i := 0; i < 5; i++ {
		in := birthIntake()
		in.Applicant.Name = "Nguyễn Thị Lan"
		d, err := s.Receive(ctx, clerk, in)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, d.ID)
	}
	if _, err := s.Refuse(ctx, clerk, ids[0], "Hồ sơ không thuộc thẩm quyền"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Withdraw(ctx, clerk, ids[1], "Công dân xin rút"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ResultReady(ctx, clerk, ids[2], domain.ResultReadyPayload{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Forward(ctx, clerk, ids[3], "UBND xã", ""); err != nil {
		t.Fatal(err)
	}
	open := []domain.Status{domain.StatusAccepted, domain.StatusProcessing, domain.StatusSupplement, domain.StatusAwaitingPayment}
	check := func(s *Store, when string) {
		t.Helper()
		rows, err := s.Queue(ctx, QueueFilter{Text: "nguyen thi lan", Statuses: open}, 0, 50)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range rows {
			got = append(got, r.ID)
		}
		if !sameSet(got, ids[3:]) {
			t.Errorf("%s: open dossiers found %v, want %v", when, got, ids[3:])
		}
		var n int
		if err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM dossier_open_fts WHERE dossier_open_fts MATCH 'lan'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 2 {
			t.Errorf("%s: the index of open dossiers holds %d, want 2", when, n)
		}
		// Every status still finds all five (the full index).
		if n, err := s.QueueCount(ctx, QueueFilter{Text: "nguyen thi lan"}); err != nil || n != 5 {
			t.Errorf("%s: every status %d %v", when, n, err)
		}
		if n, err := s.QueueCount(ctx, QueueFilter{Text: "nguyen thi lan", Statuses: []domain.Status{domain.StatusResultReady}}); err != nil || n != 1 {
			t.Errorf("%s: result ready %d %v", when, n, err)
		}
	}
	check(s, "open")
	dir := filepath.Dir(s.Path())
	s.Close()
	s2, err := Open(ctx, dir, Options{LightPasswordHashing: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	check(s2, "reopened")
}

// Intakes do not copy the log into the database themselves (that made one in thirty take
// 15–35 ms at a million dossiers): the checkpointer does, soon after, and the log then
// starts over instead of growing.
func TestCheckpointsOffTheWritePath(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t, vnTime(2026, 3, 2, 9, 0))
	receive := func(n int) {
		for i := 0; i < n; i++ {
			if _, err := s.Receive(ctx, clerk, birthIntake()); err != nil {
				t.Fatal(err)
			}
		}
	}
	receive(60)
	deadline := time.Now().Add(10 * time.Second)
	for s.ckpt.copied.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if s.ckpt.copied.Load() == 0 {
		t.Fatal("nothing was checkpointed after 60 intakes")
	}
	wal := func() int64 {
		fi, err := os.Stat(s.Path() + "-wal")
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	// Let the checkpointer catch up (the whole log copied, however slow the machine), then
	// write as much again: the log is reused from its start, so it does not grow by the
	// second batch.
	deadline = time.Now().Add(30 * time.Second)
	for !s.ckpt.settled.Load() && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if !s.ckpt.settled.Load() {
		t.Fatal("the checkpointer never copied the whole log after the intakes stopped")
	}
	first := wal()
	receive(60)
	if got := wal(); got > first+first/4 {
		t.Errorf("the log grew from %d to %d bytes: it is not being reused", first, got)
	}
}

// An online registration (from the city's portal, status 1) is accepted at the counter:
// received now by the clerk, due date counted from now, waiting to sync; once only, and
// only by a role that receives dossiers.
func TestAcceptOnlineRegistration(t *testing.T) {
	ctx := context.Background()
	s, clk := newTestStore(t, vnTime(2026, 3, 2, 9, 0)) // Monday
	portal := func(procTime domain.ProcessingTime, code string) string {
		t.Helper()
		evs := oddDossier(t, vnTime(2026, 3, 1, 20, 0)) // Sunday evening, online
		var p domain.ReceivedPayload
		if err := json.Unmarshal(evs[0].Payload, &p); err != nil {
			t.Fatal(err)
		}
		p.Procedure.Code, p.Procedure.Time = code, procTime
		e, err := domain.NewEvent(evs[0].ID, domain.StreamDossier, evs[0].StreamID, domain.EvRegisteredOnline, p, "portal", "city",
			testCfg.UnitCode, evs[0].At, evs[0].HLC)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.ApplyRemote(ctx, []domain.Event{e}, "", ""); err != nil {
			t.Fatal(err)
		}
		return e.StreamID
	}
	id := portal(domain.ProcessingTime{Unit: domain.TimeWorkingDays, Value: 2}, "X.1")
	d, err := s.Get(ctx, id)
	if err != nil || d.Status != domain.StatusRegistered {
		t.Fatalf("registered: %v %v", d.Status, err)
	}
	helper := domain.Staff{Username: "hien", FullName: "Hiền", Role: domain.RoleHelper}
	if _, err := s.Accept(ctx, helper, id); !errors.Is(err, domain.ErrDenied) {
		t.Fatalf("a helper accepted: %v", err)
	}
	before, _ := s.OutboxCount(ctx)
	d, err = s.Accept(ctx, clerk, id)
	if err != nil {
		t.Fatal(err)
	}
	// Two working days from Monday 9:00.
	if d.Status != domain.StatusAccepted || d.ReceivedAt.Sub(vnTime(2026, 3, 2, 9, 0)).Abs() > time.Second || d.ReceivedBy != clerk.Username ||
		!d.DueAt.Equal(vnTime(2026, 3, 4, 9, 0)) || !d.RegisteredAt.Equal(vnTime(2026, 3, 1, 20, 0)) {
		t.Fatalf("accepted: status %v received %v by %q due %v registered %v", d.Status, d.ReceivedAt, d.ReceivedBy, d.DueAt, d.RegisteredAt)
	}
	if after, _ := s.OutboxCount(ctx); after != before+1 {
		t.Errorf("outbox %d → %d", before, after)
	}
	if _, err := s.Accept(ctx, clerk, id); err == nil {
		t.Fatal("accepted twice")
	}
	// A procedure the catalogue does not know, registered without a processing time: a
	// clear message, nothing recorded.
	clk.Set(vnTime(2026, 3, 2, 10, 0))
	id2 := portal(domain.ProcessingTime{}, "X.404")
	before, _ = s.OutboxCount(ctx)
	_, err = s.Accept(ctx, clerk, id2)
	var ve domain.ValidationError
	if !errors.As(err, &ve) || !strings.Contains(err.Error(), "chưa có thời hạn giải quyết") {
		t.Fatalf("no processing time: %v", err)
	}
	if d, _ := s.Get(ctx, id2); d.Status != domain.StatusRegistered {
		t.Errorf("status changed to %v", d.Status)
	}
	if after, _ := s.OutboxCount(ctx); after != before {
		t.Errorf("outbox %d → %d after a refused acceptance", before, after)
	}
	// Known to the catalogue: its processing time is used.
	id3 := portal(domain.ProcessingTime{}, "1.001193")
	if d, err := s.Accept(ctx, clerk, id3); err != nil || d.DueAt.IsZero() {
		t.Fatalf("catalogue time: %v %v", d.DueAt, err)
	}
}

// Migration 0005 writes the open statuses out in SQL; they must be domain.Status.Open's.
func TestOpenStatusesMatchTheMigration(t *testing.T) {
	raw, err := migrationFS.ReadFile("migrations/0005_open_search.sql")
	if err != nil {
		t.Fatal(err)
	}
	var ph []string
	for _, st := range openStatuses {
		ph = append(ph, strconv.Itoa(st))
	}
	if want := "WHERE status IN (" + strings.Join(ph, ", ") + ")"; !strings.Contains(string(raw), want) {
		t.Errorf("0005_open_search.sql does not select %q", want)
	}
}
