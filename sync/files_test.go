package sync

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"motcua/domain"
	"motcua/localdb"
	"motcua/sync/central"
)

// scan makes the bytes of a fake scanned JPEG.
func scan(size int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed))
	b := make([]byte, size)
	for i := range b {
		b[i] = byte(r.IntN(256))
	}
	copy(b, "\xFF\xD8\xFF\xE0")
	return b
}

func storeScan(t *testing.T, s *localdb.Store, data []byte, name string) domain.FileRef {
	t.Helper()
	ref, err := s.StoreFile(context.Background(), bytes.NewReader(data), name)
	if err != nil {
		t.Fatal(err)
	}
	return ref
}

func sha(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func TestInterruptedUploadResumesFromItsOffset(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, central.FaultConfig{})
	dir := t.TempDir()
	a := h.workstationIn(dir, 1)
	data := scan(300_000, 1)
	ref := storeScan(t, a, data, "giay-chung-sinh.jpg")
	var patches counter
	h.srv.SetFaults(central.FaultConfig{Hook: func(r *http.Request) central.Fault {
		if r.Method == http.MethodPatch && patches.next() == 3 {
			return central.FaultServerError // the connection fails on the third chunk
		}
		return central.FaultNone
	}})
	chunks := func(o *Options) { o.ChunkSize = 64 << 10 }
	h.resetRequests()
	if _, err := h.engine(a, chunks).SyncOnce(ctx); !isClass(err, ClassServer) {
		t.Fatalf("interrupted upload: %v", err)
	}
	url, _ := a.FileUploadURL(ctx, ref.SHA256)
	if url == "" {
		t.Fatal("upload URL not recorded")
	}
	if _, held, _ := h.c.HasFile(ctx, ref.SHA256); held {
		t.Fatal("server holds a half-uploaded file")
	}
	// The workstation restarts.
	a.Close()
	a, err := localdb.Open(ctx, dir, localdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	h.resetRequests()
	rep, err := h.engine(a, chunks).SyncOnce(ctx)
	if err != nil || rep.Uploaded != 1 {
		t.Fatalf("resumed upload %+v %v", rep, err)
	}
	heads := h.requests(http.MethodHead, "/files/")
	patchesAfter := h.requests(http.MethodPatch, "/files/")
	if len(heads) != 1 || len(h.requests(http.MethodPost, "/files")) != 0 {
		t.Fatalf("resume must HEAD the recorded upload, not create a new one: %+v", h.requests("", "/files"))
	}
	want := strconv.Itoa(2 * 64 << 10)
	if len(patchesAfter) == 0 || patchesAfter[0].Offset != want {
		t.Fatalf("first PATCH after restart at offset %+v, want %s", patchesAfter, want)
	}
	got, err := os.ReadFile(h.c.FilePath(ref.SHA256))
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("server copy differs: %v", err)
	}
	if c, _ := a.SyncCounts(ctx); c.FilesWaiting != 0 {
		t.Fatalf("files waiting %+v", c)
	}
	st, _ := h.c.Stats(ctx)
	if st.Files != 1 {
		t.Fatalf("stats %+v", st)
	}
}

func TestSameFileTwiceIsStoredOnce(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, central.FaultConfig{})
	a, b := h.workstation(1), h.workstation(2)
	data := scan(100_000, 2)
	storeScan(t, a, data, "cccd.jpg")
	if _, err := h.engine(a).SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	h.resetRequests()
	storeScan(t, b, data, "cccd-ban-sao.jpg")
	rep, err := h.engine(b).SyncOnce(ctx)
	if err != nil || rep.Uploaded != 1 {
		t.Fatalf("second upload %+v %v", rep, err)
	}
	if n := len(h.requests(http.MethodPatch, "/files")); n != 0 {
		t.Fatalf("content the server holds was sent again (%d PATCH)", n)
	}
	if c, _ := b.SyncCounts(ctx); c.FilesWaiting != 0 {
		t.Fatalf("b files waiting %+v", c)
	}
	st, _ := h.c.Stats(ctx)
	if st.Files != 1 {
		t.Fatalf("server files %d", st.Files)
	}
	var stored []string
	filepath.WalkDir(filepath.Join(h.c.Dir(), "files"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			stored = append(stored, p)
		}
		return nil
	})
	if len(stored) != 1 || !strings.HasSuffix(stored[0], sha(data)) {
		t.Fatalf("stored copies %v", stored)
	}
	// And a concurrent second upload of the same bytes (both created before either finished).
	c3 := scan(70_000, 3)
	storeScan(t, a, c3, "x.jpg")
	storeScan(t, b, c3, "y.jpg")
	ea, eb := h.engine(a), h.engine(b)
	errs := make(chan error, 2)
	go func() { _, err := ea.SyncOnce(ctx); errs <- err }()
	go func() { _, err := eb.SyncOnce(ctx); errs <- err }()
	if err := <-errs; err != nil {
		t.Fatal(err)
	}
	if err := <-errs; err != nil {
		t.Fatal(err)
	}
	if st, _ := h.c.Stats(ctx); st.Files != 2 {
		t.Fatalf("server files %d", st.Files)
	}
}

func TestDamagedLocalFileIsReportedAndHoldsNothingBack(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, central.FaultConfig{})
	a := h.workstation(1)
	data := scan(50_000, 4)
	ref := storeScan(t, a, data, "a.jpg")
	// The workstation declares a hash the bytes do not have: the server must refuse them.
	if _, err := rawDB(t, a).Exec(`UPDATE files SET sha256 = ? WHERE sha256 = ?`, strings.Repeat("ab", 32), ref.SHA256); err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Dir(a.FilePath(strings.Repeat("ab", 32))), 0o700)
	os.WriteFile(a.FilePath(strings.Repeat("ab", 32)), data, 0o600)
	receive(t, a, 1)
	e := h.engine(a)
	rep, err := e.SyncOnce(ctx)
	if err != nil || len(rep.Warnings) != 1 || !strings.Contains(rep.Warnings[0], "bị hỏng") {
		t.Fatalf("damaged local file: %+v %v", rep, err)
	}
	// It holds nothing else back: the dossier went through, and the status says what is wrong.
	if rep.Pushed != 2 || !strings.Contains(e.Status().Warning, "bị hỏng") || e.Status().FilesWaiting != 1 {
		t.Fatalf("report %+v status %+v", rep, e.Status())
	}
	if st, _ := h.c.Stats(ctx); st.Files != 0 {
		t.Fatal("server stored bytes that do not match their hash")
	}
	var out bytes.Buffer
	err = syncOnceCommand(ctx, a, &out, Options{HTTPClient: h.ts.Client(), Logger: quiet})
	if err == nil || !strings.Contains(err.Error(), "Còn 1 tệp chưa gửi được") {
		t.Fatalf("sync --once with a damaged file: %v", err)
	}
}

// Files go after the events: in a pass, the push and the pull come first, and a file that
// cannot get through (the line fails on every chunk) holds back neither.
func TestFilesGoAfterEventsAndNeverBlockThem(t *testing.T) {
	h := newHarness(t, central.FaultConfig{})
	a, b := h.workstation(1), h.workstation(2)
	storeScan(t, a, scan(200_000, 7), "to-khai.jpg")
	receive(t, a, 3)
	h.srv.SetFaults(central.FaultConfig{Hook: func(r *http.Request) central.Fault {
		if strings.Contains(r.URL.Path, "/files") {
			return central.FaultServerError
		}
		return central.FaultNone
	}})
	h.resetRequests()
	if _, err := h.engine(a).SyncOnce(context.Background()); err == nil {
		t.Fatal("a pass whose file cannot go reported success")
	}
	if w := waiting(t, a); w != 0 {
		t.Fatalf("%d events held back by a file", w)
	}
	firstFile, lastEvent := -1, -1
	for i, r := range h.requests("", "") {
		switch {
		case strings.Contains(r.Path, "/files"):
			if firstFile < 0 {
				firstFile = i
			}
		case strings.HasSuffix(r.Path, "/events") || strings.HasSuffix(r.Path, "/changes"):
			lastEvent = i
		}
	}
	if firstFile < 0 || firstFile < lastEvent {
		t.Fatalf("a file was sent at call %d, before the events' last call %d", firstFile, lastEvent)
	}
	// The other counter gets the events while the file still waits.
	if rep := syncUntilDone(t, h.engine(b), 3); rep.Pulled == 0 {
		t.Fatalf("b pulled nothing: %+v", rep)
	}
}
