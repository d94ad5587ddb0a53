package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"golang.org/x/term"

	"motcua/assets"
	"motcua/domain"
	"motcua/domain/calendar"
	"motcua/internal/datadir"
	"motcua/internal/version"
	"motcua/localdb"
	appsync "motcua/sync"
)

// command is one headless subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *env, args []string) error
}

// env is what a command reads and writes; tests give buffers.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

// exitError carries an exit status other than 1.
type exitError struct {
	code int
	err  error
}

func (e exitError) Error() string { return e.err.Error() }
func (e exitError) Unwrap() error { return e.err }

// allCommands lists the base commands and those other files of this package register in
// extraCommands (built on demand, so the order files' init functions run in does not matter).
func allCommands() []command {
	base := []command{
		{"init", "tạo dữ liệu cho máy trạm mới: mã đơn vị, số máy, tài khoản quản trị", cmdInit},
		{"seed", "tạo hồ sơ mẫu (trình diễn, đo hiệu năng)", cmdSeed},
		{"stats", "thống kê kho dữ liệu", cmdStats},
		{"holidays", "liệt kê ngày nghỉ, ngày làm bù của một năm", cmdHolidays},
		{"due", "tính thời hạn trả kết quả", cmdDue},
		{"verify", "kiểm tra toàn vẹn dữ liệu và chuỗi nhật ký", cmdVerify},
		{"repair-clocks", "cách ly sự kiện có thời điểm ngoài giới hạn và đưa đồng hồ về đúng", cmdRepairClocks},
		{"backup", "sao lưu dữ liệu", cmdBackup},
		{"restore", "khôi phục dữ liệu từ bản sao lưu", cmdRestore},
		{"version", "in phiên bản", func(_ context.Context, e *env, _ []string) error {
			fmt.Fprintln(e.stdout, "motcua", version.Version)
			return nil
		}},
	}
	return append(base, extraCommands...)
}

// extraCommands are added by other files of this package (sync, reports).
var extraCommands []command

// run is main without os.Exit, so tests can call it.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
			usage(stdout)
			return 0
		}
		return report(e, runGUI(ctx, e, args))
	}
	for _, c := range allCommands() {
		if c.name == args[0] {
			return report(e, c.run(ctx, e, args[1:]))
		}
	}
	if args[0] == "help" {
		usage(stdout)
		return 0
	}
	fmt.Fprintf(stderr, "motcua: không có lệnh %q\n\n", args[0])
	usage(stderr)
	return 2
}

func report(e *env, err error) int {
	if err == nil {
		return 0
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	// A sync error carries words written for staff; its Error() adds the cause for the log,
	// which would print the message twice here. A command stopped by Ctrl+C says so in
	// words, not Go's «context canceled».
	var se *appsync.Error
	switch {
	case errors.As(err, &se):
		fmt.Fprintln(e.stderr, "motcua:", progHints(endedMessage(se, appsync.Message(err))))
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		fmt.Fprintln(e.stderr, "motcua:", msgStopped)
	default:
		fmt.Fprintln(e.stderr, "motcua:", progHints(plainOSWords(err)))
	}
	var ee exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return 1
}

// prog is the program's name in hints that name a command (motcua verify …): as the clerk
// invoked it (invokedName); tests leave "motcua".
var prog = "motcua"

// invokedName is how the clerk ran the program: the path as typed when there is one
// (./bin/motcua, as the README shows), else the bare name found on PATH (not the
// resolved /usr/local/bin/motcua some systems pass).
func invokedName(arg0 string) string {
	if arg0 == "" {
		return "motcua"
	}
	if strings.ContainsRune(arg0, '/') || strings.ContainsRune(arg0, filepath.Separator) {
		return arg0
	}
	return filepath.Base(arg0)
}

// endedMessage is a sync error's message for a command that has ended: the engine's
// promise to try again by itself («sẽ tự thử lại», «sẽ thử lại sau 5 giây») would not be
// kept, so it becomes advice to run the command again (after the server's Retry-After).
func endedMessage(se *appsync.Error, msg string) string {
	bare := appsync.WithoutRetryPromise(msg)
	if bare == msg {
		return msg
	}
	after := "ít phút"
	switch d := se.RetryAfter; {
	case d >= time.Minute:
		after = fmt.Sprintf("%d phút", int(d.Round(time.Minute)/time.Minute))
	case d >= time.Second:
		after = fmt.Sprintf("%d giây", int(d.Round(time.Second)/time.Second))
	}
	return strings.TrimRight(bare, ".") + "; hãy chạy lại lệnh sau " + after
}

// progHints names the program as invoked in the hints the layers below write with the bare
// name («chạy motcua verify», «lệnh: motcua enroll --allow-http»): the same words serve the
// app's screens, and the clerk at a terminal can copy the command as shown. Only a mention
// of a command is rewritten (not «dữ liệu motcua», «motcua-central», nor a name already
// given with its path).
func progHints(s string) string {
	if prog == "motcua" || !strings.Contains(s, "motcua ") {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "motcua ")
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		word, _, _ := strings.Cut(s[i+len("motcua "):], " ")
		word = strings.TrimRight(word, "».,;:)")
		if (i == 0 || !isNameByte(s[i-1])) && isCommand(word) {
			b.WriteString(prog + " ")
		} else {
			b.WriteString("motcua ")
		}
		s = s[i+len("motcua "):]
	}
}

// isNameByte is a byte that would make "motcua" part of a longer name or path.
func isNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("/\\.-_", c) >= 0
}

func isCommand(name string) bool {
	for _, c := range allCommands() {
		if c.name == name {
			return true
		}
	}
	return false
}

// withProg names the program as invoked in a usage text written with "motcua ".
func withProg(s string) string { return strings.ReplaceAll(s, "motcua ", prog+" ") }

// msgStopped is what a command stopped midway (Ctrl+C) says; what it had done is kept.
const msgStopped = "lệnh đã dừng giữa chừng (Ctrl+C hoặc hết thời gian); những gì đã làm xong được giữ nguyên, hãy chạy lại khi cần"

// plainOSWords is err's text with the OS's own words about a file (English, «mkdir /x: no
// such file or directory»), which the layers below quote after their Vietnamese, replaced
// by plain words; the path is said once.
func plainOSWords(err error) string {
	msg := err.Error()
	replace := func(raw, path string, cause error) string {
		i := strings.Index(msg, raw)
		if i < 0 {
			return msg
		}
		words := plainOSError(cause)
		if !strings.Contains(msg[:i], path) {
			words = path + ": " + words
		}
		return msg[:i] + words + msg[i+len(raw):]
	}
	var pe *fs.PathError
	var le *os.LinkError
	switch {
	case errors.As(err, &pe):
		return replace(pe.Error(), pe.Path, pe.Err)
	case errors.As(err, &le):
		return replace(le.Error(), le.New, le.Err)
	}
	return msg
}

// plainOSError names the usual causes of a failed file operation in words.
func plainOSError(err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "không tồn tại (ổ USB đã cắm chưa?)"
	case errors.Is(err, fs.ErrPermission):
		return "không có quyền truy cập"
	case errors.Is(err, fs.ErrExist):
		return "đã có"
	case errors.Is(err, syscall.ENOSPC):
		return "ổ đĩa đã đầy"
	case errors.Is(err, syscall.EROFS):
		return "ổ đĩa chỉ cho đọc"
	case errors.Is(err, syscall.EISDIR):
		return "là một thư mục, không phải tệp"
	case errors.Is(err, syscall.ENOTDIR):
		return "một phần của đường dẫn không phải thư mục"
	}
	return "hệ điều hành báo lỗi khi đọc hoặc ghi"
}

// plainReadError says in words why a file or the standard input could not be read (the
// OS's words are English, with the path).
func plainReadError(err error) string {
	switch {
	case errors.Is(err, io.EOF):
		return "không có dữ liệu (đầu vào trống)"
	case errors.Is(err, os.ErrNotExist):
		return "tệp không tồn tại"
	case errors.Is(err, os.ErrPermission):
		return "không có quyền đọc"
	}
	var pe *os.PathError
	if errors.As(err, &pe) && errors.Is(pe.Err, syscall.EISDIR) {
		return "đó là một thư mục, không phải tệp"
	}
	return "lỗi đọc dữ liệu"
}

func usage(w io.Writer) {
	fmt.Fprintln(w, withProg("Cách dùng: motcua [--data THƯ_MỤC]      mở ứng dụng quầy một cửa"))
	fmt.Fprintln(w, withProg("           motcua <lệnh> [tham số]      chạy lệnh quản trị; motcua <lệnh> -h để xem tham số"))
	fmt.Fprintln(w, "\nCác lệnh:")
	names := allCommands()
	sort.Slice(names, func(i, j int) bool { return names[i].name < names[j].name })
	for _, c := range names {
		fmt.Fprintf(w, "  %-14s %s\n", c.name, c.summary)
	}
}

// DefaultDataDir is the OS's per-user application data folder that stays on this machine
// (see internal/datadir for why not the roaming one).
func DefaultDataDir() string { return datadir.Default() }

func dataFlag(fs *flag.FlagSet) *string {
	return fs.String("data", DefaultDataDir(), "thư mục dữ liệu")
}

func openStore(ctx context.Context, dir string) (*localdb.Store, error) {
	s, err := localdb.Open(ctx, dir, localdb.Options{})
	if err != nil && strings.HasPrefix(err.Error(), "open store: ") {
		// The store's own prefix is for the log; the clerk reads which folder, in words.
		return nil, wordedErr{fmt.Sprintf("không mở được thư mục dữ liệu %s: %s", dir, strings.TrimPrefix(err.Error(), "open store: ")), err}
	}
	return s, err
}

// wordedErr is a message for the clerk over the error it stands for.
type wordedErr struct {
	msg string
	err error
}

func (w wordedErr) Error() string { return w.msg }
func (w wordedErr) Unwrap() error { return w.err }

// openExisting opens a store that must already hold data (all commands but init).
func openExisting(ctx context.Context, dir string) (*localdb.Store, error) {
	if _, err := os.Stat(filepath.Join(dir, localdb.DBFile)); err != nil {
		return nil, fmt.Errorf("thư mục %s chưa có dữ liệu motcua (chạy %s init hoặc mở ứng dụng để cài đặt)", dir, prog)
	}
	return openStore(ctx, dir)
}

// parseAndOpen parses a command's flags, then opens the existing store in --data.
func parseAndOpen(ctx context.Context, fs *flag.FlagSet, data *string, args []string) (*localdb.Store, error) {
	if err := parseFlags(fs, args); err != nil {
		return nil, err
	}
	return openExisting(ctx, *data)
}

func cmdInit(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "init")
	data := dataFlag(fs)
	unitCode := fs.String("unit-code", "", "mã định danh đơn vị, ví dụ 000.00.06.H56")
	unitName := fs.String("unit-name", "", "tên đơn vị")
	slot := fs.Int("slot", 1, "số thứ tự máy trạm trong đơn vị (1–9)")
	adminUser := fs.String("admin", "admin", "tên đăng nhập của tài khoản quản trị")
	adminName := fs.String("admin-name", "Quản trị viên", "họ tên của quản trị viên")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	// Every input is checked before anything is made: a refused init leaves no half-made
	// data folder behind (device.key, files/, motcua.db).
	pre := localdb.DefaultConfig()
	pre.UnitCode, pre.UnitName, pre.Slot = *unitCode, *unitName, *slot
	if err := pre.Validate(); err != nil {
		return err
	}
	if strings.TrimSpace(*data) == "" {
		return exitError{2, fmt.Errorf("--data trống: hãy ghi thư mục dữ liệu sẽ tạo, ví dụ --data %s", DefaultDataDir())}
	}
	if fi, err := os.Stat(*data); err == nil && !fi.IsDir() {
		return fmt.Errorf("%s không phải là thư mục: hãy chọn một thư mục (trống hoặc chưa có) cho --data", *data)
	}
	if _, err := os.Stat(filepath.Join(*data, localdb.DBFile)); err == nil {
		s, err := openStore(ctx, *data)
		if err != nil {
			return err
		}
		n, err := s.StaffCount(ctx)
		s.Close()
		if err != nil {
			return err
		} else if n > 0 {
			return fmt.Errorf("thư mục %s đã được cài đặt (%d tài khoản); không cài đặt lại", *data, n)
		}
	}
	password, err := readPassword(e, "Mật khẩu cho tài khoản "+*adminUser+": ")
	if err != nil {
		return err
	}
	admin := domain.Staff{Username: *adminUser, FullName: *adminName, Role: domain.RoleAdmin}
	if err := domain.ValidateStaff(admin, password, true); err != nil {
		return err
	}
	undo := madeBy(*data)
	s, err := openStore(ctx, *data)
	if err != nil {
		undo()
		return err
	}
	ok := false
	defer func() {
		s.Close()
		if !ok {
			undo()
		}
	}()
	cfg := s.Config()
	cfg.UnitCode, cfg.UnitName, cfg.Slot = *unitCode, *unitName, *slot
	if cfg.ReturnPlace == "" {
		cfg.ReturnPlace = "Bộ phận tiếp nhận và trả kết quả, " + strings.TrimSpace(*unitName)
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	if err := s.UpdateConfig(ctx, admin, cfg); err != nil {
		return err
	}
	if err := s.CreateStaff(ctx, nil, admin, password); err != nil {
		return err
	}
	ok = true
	cfg = s.Config()
	fmt.Fprintf(e.stdout, "Đã cài đặt %s\n  Đơn vị:   %s (%s)\n  Máy trạm: số %d, mã thiết bị %s\n  Quản trị: %s\n",
		*data, cfg.UnitName, cfg.UnitCode, cfg.Slot, cfg.DeviceID, strings.ToLower(*adminUser))
	return nil
}

// madeBy notes what dir holds now and returns a function that removes what was added
// since: the whole folder if it did not exist, else only the entries that were not there
// (never a pre-existing folder's own content). init calls it when it fails midway.
func madeBy(dir string) func() {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		// Remove the missing parents too, up to the first one that existed.
		top := dir
		for p := filepath.Dir(dir); p != top; top, p = p, filepath.Dir(p) {
			if _, err := os.Stat(p); err == nil {
				break
			}
		}
		return func() { os.RemoveAll(top) }
	}
	if err != nil {
		return func() {}
	}
	had := map[string]bool{}
	for _, en := range entries {
		had[en.Name()] = true
	}
	return func() {
		now, _ := os.ReadDir(dir)
		for _, en := range now {
			if !had[en.Name()] {
				os.RemoveAll(filepath.Join(dir, en.Name()))
			}
		}
	}
}

// readPassword reads a password: without echo from a terminal, or the first line of stdin.
func readPassword(e *env, prompt string) (string, error) {
	if f, ok := e.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(e.stderr, prompt)
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(e.stderr)
		return string(b), err
	}
	line, err := bufio.NewReader(e.stdin).ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		return "", fmt.Errorf("không đọc được mật khẩu từ đầu vào chuẩn: %s", plainReadError(err))
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// maxSeedDossiers bounds motcua seed: the benchmark's store of a million dossiers, with room.
const maxSeedDossiers = 5_000_000

func cmdSeed(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "seed")
	data := dataFlag(fs)
	n := fs.Int("dossiers", 1000, "số hồ sơ mẫu")
	days := fs.Int("days", 30, "rải đều trong số ngày gần nhất")
	seed := fs.Uint64("seed", 1, "hạt giống ngẫu nhiên")
	s, err := parseAndOpen(ctx, fs, data, args)
	if err != nil {
		return err
	}
	defer s.Close()
	switch {
	case *n < 1 || *n > maxSeedDossiers:
		return fmt.Errorf("--dossiers phải từ 1 đến %s (đã cho %d); không tạo gì", domain.FormatNumber(maxSeedDossiers), *n)
	case *days < 1 || *days > 3660:
		return fmt.Errorf("--days phải từ 1 đến 3660 ngày (đã cho %d); không tạo gì", *days)
	}
	staff, err := s.ListStaff(ctx)
	if err != nil {
		return err
	}
	start := time.Now()
	last := time.Time{}
	made, err := s.Seed(ctx, localdb.SeedOptions{Dossiers: *n, Days: *days, Seed: *seed, Actors: staff,
		Progress: func(done, total int) {
			if time.Since(last) > time.Second || done == total {
				last = time.Now()
				fmt.Fprintf(e.stderr, "\r%d/%d hồ sơ (%.0f%%)", done, total, 100*float64(done)/float64(total))
			}
		}})
	fmt.Fprintln(e.stderr)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Đã tạo %d hồ sơ mẫu trong %s\n", made, time.Since(start).Round(time.Millisecond))
	return nil
}

func cmdStats(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "stats")
	data := dataFlag(fs)
	asJSON := fs.Bool("json", false, "in dạng JSON")
	s, err := parseAndOpen(ctx, fs, data, args)
	if err != nil {
		return err
	}
	defer s.Close()
	st, err := s.Stats(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(st)
	}
	fmt.Fprintf(e.stdout, "Hồ sơ: %d\n", st.Dossiers)
	for _, status := range domain.AllStatuses() {
		if n := st.ByStatus[fmt.Sprint(int(status))]; n > 0 {
			fmt.Fprintf(e.stdout, "  %2d %-38s %d\n", int(status), status.String(), n)
		}
	}
	fmt.Fprintf(e.stdout, "Sự kiện: %d, chờ đồng bộ: %d, bị giữ lại: %d\nSự kiện nhận về bị từ chối (đã cách ly): %d\nHồ sơ có xung đột: %d\nTệp: %d (chờ tải lên: %d)\n",
		st.Events, st.Outbox, st.Quarantined, st.Refused, st.Conflicts, st.Files, st.FilesWaiting)
	return nil
}

// defaultCalendar is the embedded official tables with the default working hours.
func defaultCalendar() (*calendar.Calendar, error) {
	var tables []calendar.YearTable
	for _, raw := range assets.CalendarTables() {
		t, err := calendar.ParseYearTable(raw)
		if err != nil {
			return nil, err
		}
		tables = append(tables, t)
	}
	return calendar.New(calendar.DefaultHours(), tables...), nil
}

// calendarFor uses the store's calendar when --data names an existing store.
func calendarFor(ctx context.Context, data string) (*calendar.Calendar, func(), error) {
	if data != "" {
		s, err := openExisting(ctx, data)
		if err != nil {
			return nil, nil, err
		}
		return s.Calendar(), func() { s.Close() }, nil
	}
	c, err := defaultCalendar()
	return c, func() {}, err
}

func cmdHolidays(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "holidays")
	year := fs.Int("year", time.Now().In(domain.VN()).Year(), "năm")
	data := fs.String("data", "", "dùng lịch của kho dữ liệu này (mặc định: lịch gốc)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *year < 1950 || *year > 2100 {
		return fmt.Errorf("năm phải từ 1950 đến 2100")
	}
	cal, done, err := calendarFor(ctx, *data)
	if err != nil {
		return err
	}
	defer done()
	for _, d := range cal.Days(*year) {
		fmt.Fprintf(e.stdout, "%s\t%s\t%s\n", d.Date, d.Kind, d.Name)
	}
	if t := cal.Table(*year); !t.Official {
		fmt.Fprintf(e.stderr, "Lưu ý: năm %d chưa có thông báo chính thức; danh sách tính theo Bộ luật Lao động.\n", *year)
	}
	return nil
}

func cmdDue(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "due")
	received := fs.String("received", "", "thời điểm tiếp nhận, YYYY-MM-DDTHH:MM (giờ Việt Nam)")
	sameDay := fs.Bool("same-day", false, "giải quyết trong ngày (quy tắc 15 giờ)")
	days := fs.Float64("days", 0, "số ngày làm việc")
	hours := fs.Float64("hours", 0, "số giờ làm việc")
	calDays := fs.Float64("calendar-days", 0, "số ngày theo lịch (kể cả ngày nghỉ)")
	data := fs.String("data", "", "dùng lịch và giờ làm việc của kho dữ liệu này")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	at, err := time.ParseInLocation("2006-01-02T15:04", *received, domain.VN())
	if err != nil {
		return fmt.Errorf("--received phải có dạng YYYY-MM-DDTHH:MM, ví dụ 2026-02-13T16:00")
	}
	chosen := 0
	var t domain.ProcessingTime
	if *sameDay {
		chosen++
		t = domain.ProcessingTime{Unit: domain.TimeSameDay}
	}
	if *days > 0 {
		chosen++
		t = domain.ProcessingTime{Unit: domain.TimeWorkingDays, Value: *days}
	}
	if *hours > 0 {
		chosen++
		t = domain.ProcessingTime{Unit: domain.TimeWorkingHours, Value: *hours}
	}
	if *calDays > 0 {
		chosen++
		t = domain.ProcessingTime{Unit: domain.TimeCalendarDays, Value: *calDays}
	}
	if chosen != 1 {
		return fmt.Errorf("chọn đúng một trong --same-day, --days N, --hours H, --calendar-days N")
	}
	cal, done, err := calendarFor(ctx, *data)
	if err != nil {
		return err
	}
	defer done()
	fmt.Fprintln(e.stdout, t.Due(cal, at).In(domain.VN()).Format("2006-01-02T15:04"))
	return nil
}

func cmdRepairClocks(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "repair-clocks")
	data := dataFlag(fs)
	s, err := parseAndOpen(ctx, fs, data, args)
	if err != nil {
		return err
	}
	defer s.Close()
	rep, err := s.RepairClocks(ctx)
	if err != nil {
		return err
	}
	rep.Print(e.stdout)
	return nil
}

func cmdBackup(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "backup")
	data := dataFlag(fs)
	to := fs.String("to", "", "thư mục chứa bản sao lưu, ví dụ ổ USB (mặc định: thư mục sao lưu trong Cài đặt)")
	encrypt := fs.Bool("encrypt", false, "mã hóa bằng một mật khẩu hỏi lúc này (hoặc đọc từ --passphrase-file); mặc định: mật khẩu sao lưu đã đặt")
	passFile := fs.String("passphrase-file", "", "tệp chứa mật khẩu sao lưu (dòng đầu tiên); lần sao lưu đầu tiên, mật khẩu này được lưu cho các lần sau")
	plain := fs.Bool("plain", false, "sao lưu KHÔNG mã hóa (không chống sửa đổi: không chứng minh được bản sao lưu chưa bị sửa)")
	s, err := parseAndOpen(ctx, fs, data, args)
	if err != nil {
		return err
	}
	defer s.Close()
	dir := *to
	if dir == "" {
		dir = s.Config().BackupDir
	}
	if dir == "" {
		return fmt.Errorf("thiếu --to THƯ_MỤC (chưa chọn thư mục sao lưu trong Cài đặt)")
	}
	opt, err := backupOptions(ctx, e, s, *plain, *encrypt, *passFile)
	if err != nil {
		return err
	}
	info, err := s.Backup(ctx, dir, opt)
	if err != nil {
		return err
	}
	how := "đã mã hóa, chống sửa đổi"
	if !info.Encrypted {
		how = "KHÔNG mã hóa"
	}
	fmt.Fprintf(e.stdout, "Đã sao lưu và kiểm tra %s (%d hồ sơ, %d tệp, %.1f MB, %s)\n",
		info.Dir, info.Manifest.Stats.Dossiers, info.Files, float64(info.Bytes)/(1<<20), how)
	if !info.Encrypted {
		fmt.Fprintln(e.stderr, "Cảnh báo: "+info.Manifest.Notice)
	}
	return nil
}

func cmdRestore(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "restore")
	from := fs.String("from", "", "thư mục bản sao lưu (motcua-YYYYMMDD-HHMMSS), hoặc thư mục chứa các bản sao lưu: dùng bản mới nhất")
	data := dataFlag(fs)
	passFile := fs.String("passphrase-file", "", "tệp chứa mật khẩu của bản sao lưu mã hóa (dòng đầu tiên)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *from == "" {
		return fmt.Errorf("thiếu --from THƯ_MỤC")
	}
	if _, err := os.Stat(filepath.Join(*data, localdb.DBFile)); err == nil {
		return fmt.Errorf("thư mục dữ liệu %s đã có dữ liệu; hãy khôi phục vào một thư mục trống hoặc đổi tên thư mục cũ trước", *data)
	}
	var err error
	if *from, err = chooseBackup(e, *from); err != nil {
		return err
	}
	m, err := localdb.ReadBackupManifest(*from)
	if err != nil {
		return err
	}
	pass := ""
	if m.Encrypted {
		if pass, err = passphrase(e, *passFile, "Mật khẩu sao lưu: "); err != nil {
			return err
		}
	}
	info, err := localdb.RestoreContext(ctx, *from, *data, pass)
	if err != nil {
		return err
	}
	st := info.Stats
	// The restore checks the copy quickly (SQLite, the audit log, the counts against the
	// manifest, the files); the whole proof is verify's, which takes minutes on a big store.
	fmt.Fprintf(e.stdout, "Đã khôi phục vào %s: %d hồ sơ, %d sự kiện (%d chờ đồng bộ), %d tệp; kiểm tra nhanh (tệp, nhật ký, số lượng): đạt.\nĐể kiểm tra toàn bộ chuỗi sự kiện, chữ ký và từng hồ sơ: %s verify --data %s\n",
		*data, st.Dossiers, st.Events, st.Outbox, st.Files, prog, *data)
	if !info.Manifest.TamperEvident {
		fmt.Fprintln(e.stderr, "Cảnh báo: "+info.Manifest.Notice)
	}
	if info.NeedsEnrollment {
		fmt.Fprintln(e.stdout, "Bản khôi phục không mang mã truy cập và khóa ký của máy trạm đã sao lưu: máy này chưa đồng bộ được; hãy đăng ký lại với hệ thống của thành phố (xin mã đăng ký mới) trước khi đồng bộ.")
	}
	if info.Verify.BrokenAt != 0 {
		fmt.Fprintf(e.stderr, "Cảnh báo: chuỗi nhật ký đã bị phá vỡ từ trước khi sao lưu (mục %d: %s)\n", info.Verify.BrokenAt, info.Verify.BrokenWhy)
	}
	return nil
}
