package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"motcua/assets"
	"motcua/domain"
	"motcua/sync/api"
	"motcua/sync/central"
)

// syncBuffer is a bytes.Buffer safe to read while a command writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func runCmd(t *testing.T, args ...string) string {
	t.Helper()
	var out bytes.Buffer
	if err := run(context.Background(), args, &out, io.Discard); err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	return out.String()
}

func TestCommands(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	out := runCmd(t, "enroll-code", "--data", dir, "--unit-code", "000.00.06.H56", "--unit-name", "Xã An Hưng", "--slot", "1")
	code := strings.SplitN(out, "\n", 2)[0]
	if !regexp.MustCompile(`^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$`).MatchString(code) || !strings.Contains(out, "máy số 1") {
		t.Fatalf("enroll-code printed %q", out)
	}
	if err := run(ctx, []string{"enroll-code", "--data", dir, "--unit-code", "000.00.06.H56", "--unit-name", "X", "--slot", "0"}, io.Discard, io.Discard); err == nil {
		t.Fatal("slot 0 accepted")
	}
	// A workstation enrolls and pushes a dossier (through the package: the CLI has no push).
	c, err := central.OpenCentral(ctx, central.Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	_, key, _ := ed25519.GenerateKey(nil)
	resp, err := c.Enroll(ctx, api.EnrollRequest{Code: code, DeviceName: "Quầy 1", DeviceID: uuid.Must(uuid.NewV7()).String(),
		PublicKey: domain.EncodeKey(key.Public().(ed25519.PublicKey)), Nonce: "a-nonce-of-sixteen-bytes"})
	if err != nil {
		t.Fatal(err)
	}
	dev, _ := c.Authenticate(ctx, resp.Token)
	now := time.Now()
	e, _ := domain.NewEvent(uuid.Must(uuid.NewV7()).String(), domain.StreamDossier, uuid.Must(uuid.NewV7()).String(), domain.EvReceived,
		domain.ReceivedPayload{Code: "000.00.06.H56-260302-1001", Procedure: domain.ProcedureRef{Code: "1.001193", Name: "Khai sinh"},
			Applicant: domain.Person{Name: "Nguyễn Văn An"}, DueAt: now.Add(time.Hour)}, "lan", dev.ID, dev.Unit, now, domain.MakeHLC(now.UnixMilli(), 0))
	e.Sign(key, "")
	if _, err := c.Push(ctx, dev, []domain.Event{e}); err != nil {
		t.Fatal(err)
	}
	c.Close()

	out = runCmd(t, "record", "--data", dir, "--code", "000.00.06.h56-260302-1001", "--type", "dossier.forwarded", "--payload", `{"agency":"Tư pháp"}`, "--actor", "tp.op")
	if !strings.Contains(out, "Đang xử lý") {
		t.Fatalf("record printed %q", out)
	}
	if err := run(ctx, []string{"record", "--data", dir, "--code", "000.00.06.H56-260302-1001", "--type", "dossier.handed_over", "--payload", `{}`}, io.Discard, io.Discard); err == nil {
		t.Fatal("an impossible event was recorded")
	}
	out = runCmd(t, "devices", "--data", dir)
	if !strings.Contains(out, dev.ID) || !strings.Contains(out, "đang hoạt động") {
		t.Fatalf("devices printed %q", out)
	}
	var cat domain.Catalogue
	json.Unmarshal(assets.CatalogueJSON, &cat)
	cat.Version = "2027.1"
	raw, _ := json.Marshal(cat)
	file := filepath.Join(t.TempDir(), "catalogue.json")
	os.WriteFile(file, raw, 0o600)
	if out = runCmd(t, "catalogue", "--data", dir, "--file", file); !strings.Contains(out, "ETag") {
		t.Fatalf("catalogue printed %q", out)
	}
	if out = runCmd(t, "catalogue", "--data", dir); !strings.Contains(out, "2027.1") {
		t.Fatalf("catalogue shows %q", out)
	}
	var st api.StatsResponse
	if err := json.Unmarshal([]byte(runCmd(t, "stats", "--data", dir)), &st); err != nil || st.Dossiers != 1 || st.Events != 2 || st.ByStatus["4"] != 1 {
		t.Fatalf("stats %+v %v", st, err)
	}
	runCmd(t, "revoke", "--data", dir, "--device", dev.ID)
	if out = runCmd(t, "devices", "--data", dir); !strings.Contains(out, "đã thu hồi") {
		t.Fatalf("devices after revoke %q", out)
	}
	if err := run(ctx, []string{"bogus"}, io.Discard, io.Discard); err == nil {
		t.Fatal("unknown command accepted")
	}
}

func TestServe(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--data", dir, "--admin-token", "secret", "--latency", "1ms"}, &out, io.Discard)
	}()
	url := ""
	re := regexp.MustCompile(`http://127\.0\.0\.1:\d+`)
	for deadline := time.Now().Add(30 * time.Second); url == ""; {
		if time.Now().After(deadline) {
			t.Fatalf("server did not start: %q", out.String())
		}
		url = re.FindString(out.String())
		time.Sleep(5 * time.Millisecond)
	}
	resp, err := http.Get(url + api.Prefix + "/ping")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get(api.Header) != api.HeaderValue {
		t.Fatalf("ping %d", resp.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodGet, url+api.Prefix+"/stats", nil)
	req.Header.Set("Authorization", "Bearer secret")
	if resp, err = http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Fatalf("stats with the admin token: %v", err)
	}
	resp.Body.Close()
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve after cancel: %v", err)
	}
}
