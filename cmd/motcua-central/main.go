// Command motcua-central is the reference central server of motcua's sync protocol v1: the
// "city system" for development, demos and tests. It only wires flags to package
// sync/central.
//
//	motcua-central serve --addr 127.0.0.1:8787 --data DIR [--db postgres://…] [--tls-cert F --tls-key F] [--admin-token-file F]
//	                     [--memory-limit 1GiB] [--max-in-flight N] [--read-timeout D] [--write-timeout D]
//	                     [--enroll-per-minute N] [--upload-max-age D] [--fault-rate F] [--faults LIST] [--latency D]
//	motcua-central enroll-code --data DIR --unit-code CODE --unit-name NAME --slot N
//	motcua-central record --data DIR --code CODE --type dossier.forwarded --payload '{"agency":"…"}' [--actor NAME]
//	motcua-central catalogue --data DIR [--file catalogue.json] [--calendar 2027.json]…
//	motcua-central devices --data DIR
//	motcua-central revoke --data DIR --device ID
//	motcua-central stats --data DIR
//	motcua-central report --data DIR --from 2026-11-01 --to 2026-11-30 [--unit CODE]
//	motcua-central rebuild --data DIR
//	motcua-central repair-clocks --data DIR
//	motcua-central bundle import --data DIR [--unit U] FILE | bundle export --data DIR --unit U --device D --to FILE
//	motcua-central export dvcqg --data DIR [--since T] [--unit U] --to FILE
//	motcua-central loadtest --url URL --admin-token-file F --scenario morning|storm [--workstations N] [--server-pid PID]
//
// Every command but loadtest takes --db postgres://… (or MOTCUA_CENTRAL_DB) to keep the
// city's records in PostgreSQL instead of SQLite in --data (docs/SERVER.md).
package main

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"motcua/domain"
	"motcua/sync/api"
	"motcua/sync/central"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		return // -h: the command printed its flags
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "motcua-central:", err)
		os.Exit(1)
	}
}

const usage = `motcua-central: máy chủ trung tâm tham chiếu của giao thức đồng bộ motcua v1

  serve        chạy máy chủ (--addr, --data, --db, --tls-cert, --tls-key, --admin-token-file, --memory-limit,
               --max-in-flight, --read-timeout, --write-timeout, --enroll-per-minute, --upload-max-age,
               --fault-rate, --faults, --latency); giới hạn: docs/SERVER.md
  enroll-code  cấp mã đăng ký một lần cho một máy trạm (--unit-code, --unit-name, --slot)
  record       ghi một sự kiện xử lý tại thành phố (--code, --type, --payload, --actor)
  catalogue    thay danh mục thủ tục / bảng lịch (--file, --calendar)
  devices      liệt kê máy trạm đã đăng ký
  revoke       thu hồi quyền của một máy trạm (--device)
  stats        số liệu tổng hợp (JSON)
  report       số liệu của thành phố trong một kỳ: phản ánh, kiến nghị, lượt tiếp đón, hồ sơ
               theo từng trung tâm (--from, --to, --unit)
  rebuild      dựng lại số liệu phản ánh, lượt tiếp đón và quyền đọc tệp từ các sự kiện đã lưu
  repair-clocks  cách ly các sự kiện có thời điểm ngoài giới hạn (quá xa trong tương lai
               hoặc trước 2020) và đưa đồng hồ máy chủ về đúng
  bundle       gói USB của máy trạm không có mạng: import [--unit] TỆP; export --unit --device --to
  export       xuất hồ sơ theo trường của Cổng DVC quốc gia, mỗi dòng một hồ sơ (JSON lines):
               export dvcqg [--since] [--unit] --to TỆP
  loadtest     giả lập nhiều máy trạm gửi và lấy dữ liệu với một máy chủ đang chạy (--url,
               --admin-token-file, --scenario morning|storm, --workstations, --server-pid); docs/BENCHMARKS.md
`

func run(ctx context.Context, args []string, out, errOut io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(out, usage)
		return nil
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return serve(ctx, rest, out, errOut)
	case "enroll-code":
		return enrollCode(ctx, rest, out)
	case "record":
		return record(ctx, rest, out)
	case "catalogue":
		return catalogue(ctx, rest, out)
	case "devices":
		return devices(ctx, rest, out)
	case "revoke":
		return revoke(ctx, rest, out)
	case "stats":
		return stats(ctx, rest, out)
	case "repair-clocks":
		return repairClocks(ctx, rest, out)
	case "report":
		return report(ctx, rest, out)
	case "rebuild":
		return rebuild(ctx, rest, out)
	case "bundle":
		return bundleCmd(ctx, rest, out)
	case "export":
		return exportCmd(ctx, rest, out)
	case "loadtest":
		return loadtest(ctx, rest, out, errOut)
	}
	return fmt.Errorf("lệnh không rõ %q\n%s", cmd, usage)
}

// DBEnv is the environment variable that gives --db's default: a city's PostgreSQL
// connection string kept out of the command line (ps shows it, with any password in it).
const DBEnv = "MOTCUA_CENTRAL_DB"

// flags makes a command's flag set with --data and --db, which every command has.
func flags(name string) (*flag.FlagSet, *string) {
	fs := newFlagSet(name)
	data := fs.String("data", "central-data", "thư mục dữ liệu của máy chủ (khóa ký của máy chủ, tệp đính kèm, và cơ sở dữ liệu SQLite khi không có --db)")
	fs.String("db", os.Getenv(DBEnv), "chuỗi kết nối PostgreSQL cho dữ liệu của thành phố, ví dụ postgres://motcua@db.tp/motcua?sslmode=verify-full (mặc định: biến môi trường "+DBEnv+"; trống: SQLite trong --data)")
	return fs, data
}

// dbFlag is the --db a parsed flag set holds.
func dbFlag(fs *flag.FlagSet) string { return fs.Lookup("db").Value.String() }

// parseAndOpen parses a command's flags, then opens the server's store: --db, or SQLite in --data.
func parseAndOpen(ctx context.Context, fs *flag.FlagSet, data *string, args []string) (*central.Central, error) {
	if err := parseFlags(fs, args); err != nil {
		return nil, err
	}
	return central.OpenCentral(ctx, central.Config{Dir: *data, DB: dbFlag(fs)})
}

// openExisting opens the store for a command that only reads or rebuilds what is there
// (report, rebuild, export): a mistyped --data must not make an empty city that reports
// zeros.
func openExisting(ctx context.Context, fs *flag.FlagSet, data string) (*central.Central, error) {
	if dbFlag(fs) == "" {
		if _, err := os.Stat(filepath.Join(data, central.DBFile)); err != nil {
			return nil, fmt.Errorf("thư mục %s không có dữ liệu của máy chủ (không thấy %s): kiểm tra --data, hoặc dùng --db cho PostgreSQL", data, central.DBFile)
		}
	}
	return central.OpenCentral(ctx, central.Config{Dir: data, DB: dbFlag(fs)})
}

func serve(ctx context.Context, args []string, out, errOut io.Writer) error {
	fs, data := flags("serve")
	addr := fs.String("addr", "127.0.0.1:8787", "địa chỉ lắng nghe")
	rate := fs.Float64("fault-rate", 0, "tỉ lệ lệnh gọi bị lỗi giả lập (0..1)")
	kinds := fs.String("faults", "", "các loại lỗi giả lập: 5xx,lost,truncated,slow,429,captive (mặc định: tất cả)")
	latency := fs.Duration("latency", 0, "độ trễ thêm vào mỗi câu trả lời")
	slow := fs.Duration("slow", 2*time.Second, "độ trễ của lỗi 'slow'")
	admin := fs.String("admin-token", "", "mã quản trị (hiện rõ trong ps: nên dùng --admin-token-file hoặc biến môi trường MOTCUA_ADMIN_TOKEN)")
	adminFile := fs.String("admin-token-file", "", "tệp chứa mã quản trị cho POST /api/v1/admin/events (mặc định: MOTCUA_ADMIN_TOKEN, hoặc tự sinh)")
	certFile := fs.String("tls-cert", "", "chứng chỉ TLS (PEM, kèm chuỗi chứng chỉ trung gian): phục vụ HTTPS")
	keyFile := fs.String("tls-key", "", "khóa riêng của chứng chỉ TLS (PEM)")
	memLimit := fs.String("memory-limit", "1GiB", "giới hạn mềm bộ nhớ của tiến trình (ví dụ 512MiB, 2GiB; off: không giới hạn)")
	def := central.DefaultLimits()
	inFlight := fs.Int("max-in-flight", def.InFlight, "số yêu cầu được xử lý cùng lúc; quá số này trả 429")
	perDevice := fs.Int("max-in-flight-per-device", def.InFlightPerDevice, "trong số đó, số yêu cầu của một máy trạm (một mã truy cập; mã quản trị tính riêng) được xử lý cùng lúc; quá số này trả 429")
	pushes := fs.Int("max-pushes", def.PushInFlight, "trong số đó, số lần gửi sự kiện (POST /events) được xử lý cùng lúc; quá số này trả 429")
	readTimeout := fs.Duration("read-timeout", def.ReadTimeout, "thời gian tối đa để nhận xong một yêu cầu")
	writeTimeout := fs.Duration("write-timeout", def.WriteTimeout, "thời gian tối đa từ khi nhận xong tiêu đề tới khi gửi xong câu trả lời")
	enrollRate := fs.Float64("enroll-per-minute", def.EnrollPerMinute, "số lần thử đăng ký mỗi phút từ một địa chỉ")
	uploadAge := fs.Duration("upload-max-age", central.DefaultUploadMaxAge, "xóa các tệp tải lên dở dang không được gửi tiếp quá thời gian này (0: không bao giờ xóa)")
	pprofAddr := fs.String("pprof", "", "địa chỉ riêng (nên là 127.0.0.1:PORT) phục vụ hồ sơ hiệu năng Go /debug/pprof/ để đo đạc; trống: tắt")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	// Bad limits are refused before anything is made or printed (an admin token, a data
	// folder): a zero or negative one would quietly mean the default, a share larger than
	// the whole no bound at all.
	for _, l := range []struct {
		name string
		v    int
	}{{"max-in-flight", *inFlight}, {"max-in-flight-per-device", *perDevice}, {"max-pushes", *pushes}} {
		if l.v <= 0 {
			return fmt.Errorf("--%s phải là một số nguyên dương (đang là %d)", l.name, l.v)
		}
	}
	if *perDevice > *inFlight {
		return fmt.Errorf("--max-in-flight-per-device (%d) không được lớn hơn --max-in-flight (%d): phần của một máy trạm nằm trong tổng số", *perDevice, *inFlight)
	}
	if *pushes > *inFlight {
		return fmt.Errorf("--max-pushes (%d) không được lớn hơn --max-in-flight (%d): các lần gửi nằm trong tổng số", *pushes, *inFlight)
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"read-timeout", *readTimeout}, {"write-timeout", *writeTimeout}} {
		if d.v <= 0 {
			return fmt.Errorf("--%s phải là một khoảng thời gian dương, ví dụ 60s (đang là %v)", d.name, d.v)
		}
	}
	if !(*enrollRate > 0) || math.IsInf(*enrollRate, 0) {
		return fmt.Errorf("--enroll-per-minute phải là một số dương (đang là %v)", *enrollRate)
	}
	if err := checkAddr(*addr); err != nil {
		return err
	}
	if *pprofAddr != "" {
		stopProf, err := servePprof(*pprofAddr, errOut)
		if err != nil {
			return err
		}
		defer stopProf()
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	token, err := adminToken(*admin, set["admin-token"], *adminFile, errOut)
	if err != nil {
		return err
	}
	*admin = token
	var tlsCfg *tls.Config
	if *certFile != "" || *keyFile != "" {
		if tlsCfg, err = central.LoadTLS(*certFile, *keyFile); err != nil {
			return err
		}
	}
	if set["memory-limit"] || os.Getenv("GOMEMLIMIT") == "" {
		n, err := parseSize(*memLimit)
		if err != nil {
			return err
		}
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(n))
	}
	fk, err := central.ParseFaults(*kinds)
	if err != nil {
		return err
	}
	maxAge := *uploadAge
	switch {
	case maxAge < 0:
		return errors.New("--upload-max-age không được âm")
	case maxAge == 0:
		maxAge = -1 // never
	}
	if *rate < 0 || *rate > 1 {
		return errors.New("--fault-rate phải từ 0 đến 1")
	}
	// Listen before a token is made and printed: an address in use fails with nothing made.
	ln, err := listen(*addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	if *admin == "" {
		b := make([]byte, 18)
		rand.Read(b)
		*admin = base64.RawURLEncoding.EncodeToString(b)
		fmt.Fprintf(out, "Mã quản trị (admin token) của lần chạy này: %s\n", *admin)
	}
	log := slog.New(slog.NewTextHandler(errOut, nil))
	limits := central.Limits{InFlight: *inFlight, InFlightPerDevice: *perDevice, PushInFlight: *pushes, ReadTimeout: *readTimeout, WriteTimeout: *writeTimeout, EnrollPerMinute: *enrollRate}
	srv, err := central.Open(ctx, central.Options{Dir: *data, DB: dbFlag(fs), AdminToken: *admin, Logger: log, Latency: *latency,
		Faults: central.FaultConfig{Rate: *rate, Kinds: fk, Slow: *slow}, Limits: limits, UploadMaxAge: maxAge})
	if err != nil {
		return err
	}
	defer srv.Close()
	if dups := srv.Central().DuplicateCodes; len(dups) > 0 {
		fmt.Fprintf(errOut, "Cảnh báo: dữ liệu cũ có %d mã hồ sơ dùng cho hai hồ sơ của cùng một đơn vị (%s); máy chủ vẫn chạy và không nhận thêm mã trùng. Hãy cấp mã mới cho một hồ sơ của mỗi cặp: motcua-central record --dossier <mã định danh hồ sơ> --type dossier.code_assigned --payload '{\"code\":\"<mã mới>\"}'.\n",
			len(dups), strings.Join(dups, "; "))
	}
	hs := central.NewHTTPServer(*addr, srv.Handler(), srv.Limits())
	hs.ErrorLog = slog.NewLogLogger(log.Handler(), slog.LevelWarn)
	scheme := "http"
	if tlsCfg != nil {
		scheme, hs.TLSConfig = "https", tlsCfg
	}
	store := central.DescribeDB(*data, dbFlag(fs))
	log.Info("motcua-central serving", "addr", scheme+"://"+ln.Addr().String(), "data", *data, "store", store, "fault_rate", *rate, "latency", *latency)
	fmt.Fprintf(out, "Máy chủ đồng bộ đang chạy tại %s://%s (dữ liệu: %s; %s)\n", scheme, ln.Addr(), *data, store)
	errc := make(chan error, 1)
	go func() {
		if tlsCfg != nil {
			errc <- hs.ServeTLS(ln, "", "")
			return
		}
		errc <- hs.Serve(ln)
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return hs.Shutdown(sctx)
}

// checkAddr refuses a listen address that cannot be one (no port, a port over 65535).
func checkAddr(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--addr %q không phải địa chỉ lắng nghe: cần dạng MÁY:CỔNG, ví dụ 127.0.0.1:8787 hoặc :8787", addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("--addr %q: cổng %q không hợp lệ (cần một số từ 0 đến 65535)", addr, port)
	}
	return nil
}

// listen opens the server's address, saying in words why it cannot.
func listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	switch {
	case err == nil:
		return ln, nil
	case errors.Is(err, syscall.EADDRINUSE):
		return nil, fmt.Errorf("địa chỉ %s đang được một chương trình khác dùng (một máy chủ khác đang chạy?); hãy chọn --addr khác", addr)
	case errors.Is(err, syscall.EACCES):
		return nil, fmt.Errorf("không có quyền lắng nghe tại %s (cổng dưới 1024 cần quyền quản trị); hãy chọn cổng khác", addr)
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		return nil, fmt.Errorf("máy này không có địa chỉ %s; hãy kiểm tra --addr", addr)
	}
	return nil, fmt.Errorf("không lắng nghe được tại %s: %w", addr, err)
}

// adminToken picks the admin token: from --admin-token-file, else --admin-token (with a
// warning: a command line is visible to every user of the machine), else the environment
// variable MOTCUA_ADMIN_TOKEN, else "" (serve then makes one for this run).
func adminToken(flagValue string, flagSet bool, file string, errOut io.Writer) (string, error) {
	tok, err := pickAdminToken(flagValue, flagSet, file, errOut)
	if err == nil && tok != "" && len(tok) < minAdminToken {
		err = fmt.Errorf("mã quản trị quá ngắn (%d ký tự): cần ít nhất %d ký tự ngẫu nhiên, ví dụ: head -c 24 /dev/urandom | base64", len(tok), minAdminToken)
	}
	if err == nil && file != "" {
		if fi, serr := os.Stat(file); serr == nil && fi.Mode().Perm()&0o077 != 0 {
			fmt.Fprintf(errOut, "Cảnh báo: tệp mã quản trị %s có quyền %v, người dùng khác trên máy đọc được; hãy chmod 600.\n", file, fi.Mode().Perm())
		}
	}
	return tok, err
}

// minAdminToken is the shortest admin token accepted: it opens the city's records.
const minAdminToken = 16

func pickAdminToken(flagValue string, flagSet bool, file string, errOut io.Writer) (string, error) {
	switch {
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("không đọc được tệp mã quản trị: %w", err)
		}
		tok := strings.TrimSpace(string(b))
		if tok == "" {
			return "", fmt.Errorf("tệp mã quản trị %s trống", file)
		}
		return tok, nil
	case flagSet && flagValue != "":
		fmt.Fprintln(errOut, "Cảnh báo: mã quản trị ghi trên dòng lệnh (--admin-token) hiện rõ với mọi người dùng máy này (lệnh ps); hãy dùng --admin-token-file hoặc biến môi trường MOTCUA_ADMIN_TOKEN.")
		return flagValue, nil
	}
	return strings.TrimSpace(os.Getenv("MOTCUA_ADMIN_TOKEN")), nil
}

// parseSize reads a memory size: bytes, or a number with KiB/MiB/GiB (or K/M/G, KB/MB/GB,
// all powers of 1024); "off" or 0 is no limit.
func parseSize(s string) (int64, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	if t == "OFF" || t == "0" {
		return math.MaxInt64, nil
	}
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"GIB", 1 << 30}, {"MIB", 1 << 20}, {"KIB", 1 << 10}, {"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}, {"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}, {"B", 1}} {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseFloat(t, 64)
	if err != nil || n <= 0 || n*float64(mult) > math.MaxInt64/2 {
		return 0, fmt.Errorf("--memory-limit %q không hợp lệ (ví dụ: 512MiB, 1GiB, off)", s)
	}
	return int64(n * float64(mult)), nil
}

func enrollCode(ctx context.Context, args []string, out io.Writer) error {
	fs, data := flags("enroll-code")
	unit := fs.String("unit-code", "", "mã định danh đơn vị, ví dụ 000.00.06.H56")
	name := fs.String("unit-name", "", "tên đơn vị")
	slot := fs.Int("slot", 0, "số máy trạm trong đơn vị (1–9)")
	c, err := parseAndOpen(ctx, fs, data, args)
	if err != nil {
		return err
	}
	defer c.Close()
	code, exp, err := c.IssueEnrollCode(ctx, *unit, *name, *slot)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, code)
	fmt.Fprintf(out, "(mã dùng một lần cho máy số %d của %s, hết hạn %s)\n", *slot, strings.ToUpper(*unit),
		exp.In(domain.VN()).Format("15:04 02/01/2006"))
	return nil
}

func record(ctx context.Context, args []string, out io.Writer) error {
	fs, data := flags("record")
	code := fs.String("code", "", "mã hồ sơ")
	unit := fs.String("unit", "", "mã đơn vị của hồ sơ (khi cùng một mã hồ sơ có ở nhiều đơn vị)")
	id := fs.String("dossier", "", "mã định danh (UUID) hồ sơ, thay cho --code")
	typ := fs.String("type", "", "loại sự kiện, ví dụ dossier.forwarded, dossier.result_ready, dossier.refused")
	payload := fs.String("payload", "{}", "nội dung sự kiện (JSON)")
	actor := fs.String("actor", "tp.operator", "người ghi nhận")
	c, err := parseAndOpen(ctx, fs, data, args)
	if err != nil {
		return err
	}
	defer c.Close()
	e, d, err := c.Record(ctx, api.AdminEventRequest{DossierID: *id, Code: *code, Unit: *unit, Type: *typ, Payload: json.RawMessage(*payload), Actor: *actor})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Đã ghi %s (%s) cho hồ sơ %s; trạng thái: %s\n", e.Type, e.ID, d.Code, d.Status)
	for _, cf := range d.OpenConflicts() {
		fmt.Fprintf(out, "  xung đột: %s — %s\n", cf.Type, cf.Msg)
	}
	return nil
}

func repairClocks(ctx context.Context, args []string, out io.Writer) error {
	fs, data := flags("repair-clocks")
	c, err := parseAndOpen(ctx, fs, data, args)
	if err != nil {
		return err
	}
	defer c.Close()
	rep, err := c.RepairClocks(ctx)
	if err != nil {
		return err
	}
	rep.Print(out)
	return nil
}

func catalogue(ctx context.Context, args []string, out io.Writer) error {
	fs, data := flags("catalogue")
	file := fs.String("file", "", "tệp danh mục thủ tục (JSON, domain.Catalogue)")
	var cals multi
	fs.Var(&cals, "calendar", "tệp bảng lịch làm việc một năm (JSON); lặp lại cho nhiều năm")
	c, err := parseAndOpen(ctx, fs, data, args)
	if err != nil {
		return err
	}
	defer c.Close()
	if *file == "" && len(cals) == 0 {
		doc, tag, err := c.Catalogue(ctx)
		if err != nil {
			return err
		}
		var resp api.CatalogueResponse
		json.Unmarshal(doc, &resp)
		fmt.Fprintf(out, "Danh mục đang phục vụ: phiên bản %s, ETag %s, %d bảng lịch\n", resp.Version, tag, len(resp.Calendars))
		return nil
	}
	var catRaw []byte
	if *file != "" {
		if catRaw, err = os.ReadFile(*file); err != nil {
			return err
		}
	}
	var calRaw [][]byte
	for _, f := range cals {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		calRaw = append(calRaw, b)
	}
	if err := c.SetCatalogue(ctx, catRaw, calRaw); err != nil {
		return err
	}
	_, tag, err := c.Catalogue(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Đã thay danh mục; ETag mới %s. Các máy trạm nhận ở lần đồng bộ tới.\n", tag)
	return nil
}

type multi []string

func (m *multi) String() string     { return strings.Join(*m, ",") }
func (m *multi) Set(v string) error { *m = append(*m, v); return nil }

func devices(ctx context.Context, args []string, out io.Writer) error {
	fs, data := flags("devices")
	c, err := parseAndOpen(ctx, fs, data, args)
	if err != nil {
		return err
	}
	defer c.Close()
	ds, err := c.Devices(ctx)
	if err != nil {
		return err
	}
	for _, d := range ds {
		state := "đang hoạt động"
		if !d.Active {
			state = "đã thu hồi"
		}
		fmt.Fprintf(out, "%s  %s  máy %d  %s  (%s)\n", d.ID, d.Unit, d.Slot, d.Name, state)
	}
	return nil
}

func revoke(ctx context.Context, args []string, out io.Writer) error {
	fs, data := flags("revoke")
	dev := fs.String("device", "", "mã thiết bị")
	c, err := parseAndOpen(ctx, fs, data, args)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Revoke(ctx, *dev); err != nil {
		return err
	}
	fmt.Fprintf(out, "Đã thu hồi thiết bị %s; máy đó phải đăng ký lại.\n", *dev)
	return nil
}

func stats(ctx context.Context, args []string, out io.Writer) error {
	fs, data := flags("stats")
	c, err := parseAndOpen(ctx, fs, data, args)
	if err != nil {
		return err
	}
	defer c.Close()
	st, err := c.Stats(ctx)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(st)
}

// report prints the city's figures for a period (dates in Vietnam time, both inclusive).
func report(ctx context.Context, args []string, out io.Writer) error {
	fs, data := flags("report")
	from := fs.String("from", "", "ngày đầu kỳ (YYYY-MM-DD)")
	to := fs.String("to", "", "ngày cuối kỳ (YYYY-MM-DD, tính cả ngày này)")
	unit := fs.String("unit", "", "chỉ một đơn vị (mã định danh)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	lo, err := time.ParseInLocation("2006-01-02", *from, domain.VN())
	if err != nil {
		return fmt.Errorf("--from phải là một ngày dạng YYYY-MM-DD, ví dụ 2026-11-01")
	}
	hi, err := time.ParseInLocation("2006-01-02", *to, domain.VN())
	if err != nil {
		return fmt.Errorf("--to phải là một ngày dạng YYYY-MM-DD, ví dụ 2026-11-30")
	}
	if hi.Before(lo) {
		return fmt.Errorf("--to (%s) phải sau hoặc bằng --from (%s)", *to, *from)
	}
	c, err := openExisting(ctx, fs, *data)
	if err != nil {
		return err
	}
	defer c.Close()
	rep, err := c.Report(ctx, lo, hi.AddDate(0, 0, 1), *unit)
	if err != nil {
		return err
	}
	rep.Print(out)
	return nil
}

// rebuild rebuilds the feedback, visit and file-access projections from the stored events.
func rebuild(ctx context.Context, args []string, out io.Writer) error {
	fs, data := flags("rebuild")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("rebuild không nhận thêm tham số: %s", strings.Join(fs.Args(), " "))
	}
	c, err := openExisting(ctx, fs, *data)
	if err != nil {
		return err
	}
	defer c.Close()
	rep, err := c.RebuildStreams(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Đã dựng lại từ các sự kiện đã lưu: %d phản ánh, kiến nghị; %d lượt tiếp đón.\n",
		rep.Feedback, rep.Visits)
	return nil

}

// servePprof serves Go's profiles (/debug/pprof/) on their own listener, apart from the API:
// for measuring the server under load (docs/BENCHMARKS.md). Keep it on loopback.
func servePprof(addr string, errOut io.Writer) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--pprof: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	fmt.Fprintf(errOut, "Hồ sơ hiệu năng: http://%s/debug/pprof/\n", ln.Addr())
	return func() { hs.Close() }, nil
}
