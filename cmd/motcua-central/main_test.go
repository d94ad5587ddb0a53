package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"io"
	"log/slog"
	"math"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"motcua/assets"
	"motcua/domain"
	"motcua/localdb"
	appsync "motcua/sync"
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
	day := now.In(domain.VN()).Format("2006-01-02")
	out = runCmd(t, "report", "--data", dir, "--from", day, "--to", day)
	if !strings.Contains(out, "Xã An Hưng (000.00.06.H56)") || !strings.Contains(out, "Hồ sơ: tiếp nhận 1; đã giải quyết 0.") ||
		!strings.Contains(out, "Phản ánh, kiến nghị: tiếp nhận 0") {
		t.Fatalf("report printed %q", out)
	}
	for _, bad := range [][]string{{"--from", "01/12/2026", "--to", day}, {"--from", day, "--to", "2020-01-01"}} {
		if err := run(ctx, append([]string{"report", "--data", dir}, bad...), io.Discard, io.Discard); err == nil {
			t.Fatalf("report %v accepted", bad)
		}
	}
	if out = runCmd(t, "rebuild", "--data", dir); !strings.Contains(out, "0 phản ánh") {
		t.Fatalf("rebuild printed %q", out)
	}
	// The portal's export: one dossier a line, then none changed since the future.
	exp := filepath.Join(t.TempDir(), "dvcqg.jsonl")
	if out = runCmd(t, "export", "dvcqg", "--data", dir, "--unit", "000.00.06.h56", "--to", exp); !strings.Contains(out, "Đã xuất 1 hồ sơ") || !strings.Contains(out, "--since") {
		t.Fatalf("export printed %q", out)
	}
	raw, _ = os.ReadFile(exp)
	var pd central.PortalDossier
	if lines := strings.Split(strings.TrimSpace(string(raw)), "\n"); len(lines) != 1 || json.Unmarshal([]byte(lines[0]), &pd) != nil ||
		pd.MaHoSo != "000.00.06.H56-260302-1001" || pd.TrangThaiHoSo != 4 {
		t.Fatalf("export wrote %q", raw)
	}
	if out = runCmd(t, "export", "dvcqg", "--data", dir, "--since", now.Add(time.Hour).Format(time.RFC3339), "--to", "-"); out != "" {
		t.Fatalf("export since an hour ahead wrote %q", out)
	}
	if err := run(ctx, []string{"export", "dvcqg", "--data", dir, "--since", "hôm qua", "--to", exp}, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "không hợp lệ") {
		t.Fatalf("a bad --since: %v", err)
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
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--data", dir, "--admin-token", "secret-0123456789abcdef", "--latency", "1ms"}, &out, io.Discard)
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
	req.Header.Set("Authorization", "Bearer secret-0123456789abcdef")
	if resp, err = http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Fatalf("stats with the admin token: %v", err)
	}
	resp.Body.Close()
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve after cancel: %v", err)
	}
}

// loadtest against `serve`, both from the command line: a small storm arrives whole.
func TestLoadtestCommand(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tokFile := filepath.Join(t.TempDir(), "admin-token")
	os.WriteFile(tokFile, []byte("loadtest-admin-token-0123456789\n"), 0o600)
	var out syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--data", dir, "--admin-token-file", tokFile, "--enroll-per-minute", "10000"}, &out, io.Discard)
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
	rep := runCmd(t, "loadtest", "--url", url, "--admin-token-file", tokFile, "--scenario", "storm", "--workstations", "3",
		"--backlog", "20", "--batch", "10", "--server-pid", strconv.Itoa(os.Getpid()))
	for _, want := range []string{"events\t60 (accepted 60, duplicate 0, rejected 0)", "errors\tnone", "server events\t0 → 60 (+60)", "server memory\tpeak VmRSS"} {
		if !strings.Contains(rep, want) {
			t.Fatalf("report lacks %q:\n%s", want, rep)
		}
	}
	if err := run(ctx, []string{"loadtest", "--url", url, "--scenario", "noon"}, io.Discard, io.Discard); err == nil {
		t.Fatal("loadtest without an admin token ran")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve after cancel: %v", err)
	}
}

// selfSigned writes a certificate for 127.0.0.1 and its key, and returns a pool that
// trusts it.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "motcua-central test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	keyDER, _ := x509.MarshalECPrivateKey(key)
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600)
	return certFile, keyFile, pool
}

// TestServeTLS: serve --tls-cert/--tls-key answers HTTPS (HTTP/2) with the admin token
// read from a file; a workstation that trusts the certificate enrolls and syncs through
// it; a client that does not trust it gets nothing.
func TestServeTLS(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, pool := selfSigned(t, t.TempDir())
	tokenFile := filepath.Join(t.TempDir(), "admin-token")
	os.WriteFile(tokenFile, []byte("tls-secret-0123456789abcdef\n"), 0o600)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--data", dir, "--tls-cert", certFile, "--tls-key", keyFile,
			"--admin-token-file", tokenFile}, &out, &errOut)
	}()
	url := ""
	re := regexp.MustCompile(`https://127\.0\.0\.1:\d+`)
	for deadline := time.Now().Add(30 * time.Second); url == ""; {
		if time.Now().After(deadline) {
			t.Fatalf("server did not start: %q %q", out.String(), errOut.String())
		}
		url = re.FindString(out.String())
		time.Sleep(5 * time.Millisecond)
	}
	if strings.Contains(out.String(), "Mã quản trị") {
		t.Fatal("a token was generated although one was given in a file")
	}
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true}}
	defer hc.CloseIdleConnections()
	resp, err := hc.Get(url + api.Prefix + "/ping")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.TLS == nil || resp.ProtoMajor != 2 {
		t.Fatalf("ping over TLS: %d %s", resp.StatusCode, resp.Proto)
	}
	if _, err := (&http.Client{Transport: &http.Transport{}}).Get(url + api.Prefix + "/ping"); err == nil {
		t.Fatal("a client that does not trust the certificate was answered")
	}
	stats := func() api.StatsResponse {
		req, _ := http.NewRequest(http.MethodGet, url+api.Prefix+"/stats", nil)
		req.Header.Set("Authorization", "Bearer tls-secret-0123456789abcdef")
		resp, err := hc.Do(req)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("stats with the token from the file: %v", err)
		}
		defer resp.Body.Close()
		var st api.StatsResponse
		json.NewDecoder(resp.Body).Decode(&st)
		return st
	}

	// A workstation enrolls and syncs over HTTPS.
	code := strings.SplitN(runCmd(t, "enroll-code", "--data", dir, "--unit-code", "000.00.06.H56", "--unit-name", "Xã An Hưng", "--slot", "1"), "\n", 2)[0]
	ws, err := localdb.Open(ctx, t.TempDir(), localdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	if _, err := appsync.Enroll(ctx, ws, url, code, "Quầy 1", appsync.WithHTTPClient(hc)); err != nil {
		t.Fatal(err)
	}
	if cfg := ws.Config(); cfg.ServerURL != url || appsync.PlainHTTPRemote(cfg.ServerURL) {
		t.Fatalf("stored %q", cfg.ServerURL)
	}
	clerk := domain.Staff{Username: "lan", FullName: "Nguyễn Thị Lan", Role: domain.RoleCounter, Active: true}
	if _, err := ws.Receive(ctx, clerk, domain.Intake{ProcedureCode: "1.001193",
		Applicant: domain.Person{Name: "Nguyễn Văn An", IDNumber: "001099012345", Birth: "15/03/1999", Sex: "Nam", Phone: "0912345678",
			Address: "Thôn Đông, xã An Hưng, TP Hải Phòng"},
		Documents: []domain.DocumentItem{{Code: "TK"}, {Code: "GCS"}, {Code: "GTTT"}}}); err != nil {
		t.Fatal(err)
	}
	eng := appsync.New(ws, appsync.Options{HTTPClient: hc, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	rep, err := eng.SyncOnce(ctx)
	if err != nil || rep.Pushed == 0 {
		t.Fatalf("sync over TLS: %+v %v", rep, err)
	}
	if st := stats(); st.Dossiers != 1 {
		t.Fatalf("the city holds %+v", st)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve after cancel: %v", err)
	}
}

func TestServeRefusesHalfATLSConfiguration(t *testing.T) {
	err := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir(), "--tls-cert", "cert.pem"}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "--tls-key") {
		t.Fatalf("a certificate without its key: %v", err)
	}
	err = run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir(), "--tls-cert", "missing.pem", "--tls-key", "missing.key"}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "chứng chỉ TLS") {
		t.Fatalf("missing files: %v", err)
	}
}

func TestAdminTokenSources(t *testing.T) {
	file := filepath.Join(t.TempDir(), "token")
	os.WriteFile(file, []byte("  from-file-0123456789\n"), 0o600)
	var warn bytes.Buffer
	t.Setenv("MOTCUA_ADMIN_TOKEN", "from-env-0123456789")
	if tok, err := adminToken("on-line-0123456789", true, file, &warn); err != nil || tok != "from-file-0123456789" || warn.Len() != 0 {
		t.Fatalf("file: %q %v %q", tok, err, warn.String())
	}
	if tok, _ := adminToken("on-line-0123456789", true, "", &warn); tok != "on-line-0123456789" || !strings.Contains(warn.String(), "ps") {
		t.Fatalf("command line: %q, warning %q", tok, warn.String())
	}
	warn.Reset()
	if tok, _ := adminToken("", false, "", &warn); tok != "from-env-0123456789" || warn.Len() != 0 {
		t.Fatalf("environment: %q %q", tok, warn.String())
	}
	os.WriteFile(file, []byte("\n"), 0o600)
	if _, err := adminToken("", false, file, &warn); err == nil {
		t.Fatal("an empty token file accepted")
	}
	// A short token is refused; a token file others can read is warned about.
	os.WriteFile(file, []byte("abc\n"), 0o600)
	if _, err := adminToken("", false, file, &warn); err == nil || !strings.Contains(err.Error(), "quá ngắn") {
		t.Fatalf("a 3-character token: %v", err)
	}
	os.WriteFile(file, []byte("a-long-enough-token-0123456789\n"), 0o644)
	os.Chmod(file, 0o644)
	warn.Reset()
	if _, err := adminToken("", false, file, &warn); err != nil || !strings.Contains(warn.String(), "chmod 600") {
		t.Fatalf("a world-readable token file: %v %q", err, warn.String())
	}
	for in, want := range map[string]int64{"1GiB": 1 << 30, "512MiB": 512 << 20, "2g": 2 << 30, "300MB": 300 << 20, "1048576": 1 << 20, "off": math.MaxInt64} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "lots", "-1GiB", "1TiB"} {
		if _, err := parseSize(bad); err == nil {
			t.Errorf("parseSize(%q) accepted", bad)
		}
	}
}

// --db (or MOTCUA_CENTRAL_DB) puts the city's records in PostgreSQL: every command takes it,
// an unreachable server is named in the error, and --db "" is SQLite in --data again.
func TestDBFlag(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	nowhere := "postgres://motcua@/motcua?host=" + filepath.Join(dir, "no-server") + "&connect_timeout=5"
	for _, args := range [][]string{
		{"stats", "--data", dir, "--db", nowhere},
		{"devices", "--data", dir, "--db", nowhere},
		{"enroll-code", "--data", dir, "--db", nowhere, "--unit-code", "000.00.06.H56", "--unit-name", "Xã", "--slot", "1"},
	} {
		if err := run(ctx, args, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "PostgreSQL") {
			t.Fatalf("%v: %v, want the PostgreSQL server named", args, err)
		}
	}
	t.Setenv(DBEnv, nowhere)
	if err := run(ctx, []string{"stats", "--data", dir}, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "PostgreSQL") {
		t.Fatalf("stats with %s set: %v", DBEnv, err)
	}
	if out := runCmd(t, "stats", "--data", dir, "--db", ""); out == "" {
		t.Fatal("stats on SQLite printed nothing")
	}
	if _, err := os.Stat(filepath.Join(dir, central.DBFile)); err != nil {
		t.Fatalf("--db \"\" did not use SQLite in --data: %v", err)
	}
}

// Commands that read what the city holds refuse a folder with no city in it (a mistyped
// --data), instead of making an empty city and reporting zeros; export says which folder
// it cannot write to.
func TestReadingCommandsRefuseAnEmptyFolder(t *testing.T) {
	ctx := context.Background()
	empty := t.TempDir()
	for _, args := range [][]string{
		{"report", "--data", empty, "--from", "2026-12-01", "--to", "2026-12-31"},
		{"rebuild", "--data", empty},
		{"export", "dvcqg", "--data", empty, "--to", "-"},
	} {
		err := run(ctx, args, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "không có dữ liệu của máy chủ") {
			t.Fatalf("%v: %v", args, err)
		}
	}
	if entries, _ := os.ReadDir(empty); len(entries) != 0 {
		t.Fatalf("the empty folder now holds %d entries", len(entries))
	}
	dir := t.TempDir()
	runCmd(t, "enroll-code", "--data", dir, "--unit-code", "000.00.06.H56", "--unit-name", "Xã An Hưng", "--slot", "1")
	if out := runCmd(t, "rebuild", "--data", dir); !strings.Contains(out, "0 phản ánh") {
		t.Fatalf("rebuild of a real city: %q", out)
	}
	err := run(ctx, []string{"rebuild", "--data", dir, "thừa"}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "không nhận thêm tham số") {
		t.Fatalf("rebuild with a stray argument: %v", err)
	}
	missing := filepath.Join(t.TempDir(), "khong-co", "x.jsonl")
	err = run(ctx, []string{"export", "dvcqg", "--data", dir, "--to", missing}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "không có hoặc không ghi được") || strings.Contains(err.Error(), ".export-") {
		t.Fatalf("export to a missing folder: %v", err)
	}
}

// Bad limits and addresses are refused in words before anything is made or printed: no
// admin token, no data folder.
func TestServeRefusesBadLimits(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--max-in-flight-per-device", "-1"}, "--max-in-flight-per-device phải là một số nguyên dương"},
		{[]string{"--max-in-flight-per-device", "0"}, "--max-in-flight-per-device phải là một số nguyên dương"},
		{[]string{"--max-in-flight", "-5"}, "--max-in-flight phải là một số nguyên dương"},
		{[]string{"--max-pushes", "0"}, "--max-pushes phải là một số nguyên dương"},
		{[]string{"--read-timeout", "-1s"}, "--read-timeout phải là một khoảng thời gian dương"},
		{[]string{"--write-timeout", "0s"}, "--write-timeout phải là một khoảng thời gian dương"},
		{[]string{"--enroll-per-minute", "0"}, "--enroll-per-minute phải là một số dương"},
		{[]string{"--max-in-flight-per-device", "40"}, "không được lớn hơn --max-in-flight (32)"},
		{[]string{"--max-in-flight", "8", "--max-pushes", "9"}, "--max-pushes (9) không được lớn hơn --max-in-flight (8)"},
		{[]string{"--addr", "127.0.0.1:99999"}, "cổng \"99999\" không hợp lệ"},
		{[]string{"--addr", "localhost"}, "cần dạng MÁY:CỔNG"},
		{[]string{"--addr", busy.Addr().String()}, "đang được một chương trình khác dùng"},
		{[]string{"--max-in-flight-per-device", "abc"}, `giá trị "abc" của --max-in-flight-per-device không hợp lệ: cần một số nguyên`},
		{[]string{"--read-timeout", "5"}, "cần một khoảng thời gian"},
		{[]string{"--no-such-option"}, "lệnh serve không có tham số --no-such-option"},
		{[]string{"--addr"}, "tham số --addr cần một giá trị"},
	} {
		dir := filepath.Join(t.TempDir(), "data")
		args := []string{"serve", "--data", dir}
		if tc.args[0] != "--addr" {
			args = append(args, "--addr", "127.0.0.1:0")
		}
		var out, errOut bytes.Buffer
		err := run(context.Background(), append(args, tc.args...), &out, &errOut)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Fatalf("%v: %v, want %q", tc.args, err, tc.want)
		}
		for _, english := range []string{"invalid", "Usage", "flag", "listen tcp"} {
			if strings.Contains(err.Error(), english) || strings.Contains(errOut.String(), english) {
				t.Fatalf("%v: English %q in %q / %q", tc.args, english, err, errOut.String())
			}
		}
		if out.Len() != 0 || errOut.Len() != 0 {
			t.Fatalf("%v: printed %q / %q", tc.args, out.String(), errOut.String())
		}
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Fatalf("%v: the data folder was made", tc.args)
		}
	}
}

// -h lists a command's flags in Vietnamese, not under Go's «Usage of».
func TestFlagHelpInVietnamese(t *testing.T) {
	var out bytes.Buffer
	fs, _ := flags("stats")
	fs.SetOutput(&out)
	if err := parseFlags(fs, []string{"-h"}); !errors.Is(err, flag.ErrHelp) {
		t.Fatal(err)
	}
	if s := out.String(); !strings.Contains(s, "Cách dùng: motcua-central stats") || !strings.Contains(s, "--data") || strings.Contains(s, "Usage") {
		t.Fatalf("help %q", s)
	}
}
