package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"motcua/internal/logging"

	appsync "motcua/sync"
	"motcua/sync/peer"
)

func init() {
	extraCommands = append(extraCommands,
		command{"enroll", "đăng ký máy trạm với hệ thống của thành phố bằng mã do quản trị thành phố cấp", cmdEnroll},
		command{"sync", "đồng bộ với hệ thống của thành phố (--once: một lượt rồi thoát)", cmdSync},
	)
}

// commandLogger is a headless command's logger: records at info and above to the data
// folder's log file, and with debug everything to stderr too.
func commandLogger(dataDir string, stderr io.Writer, debug bool) (*slog.Logger, func()) {
	var hs []slog.Handler
	closeLog := func() {}
	dir := filepath.Join(dataDir, "logs")
	os.MkdirAll(dir, 0o700)
	if rf, err := logging.OpenRotating(filepath.Join(dir, logging.FileName), logging.MaxBytes, logging.Keep); err == nil {
		hs = append(hs, slog.NewTextHandler(rf, &slog.HandlerOptions{Level: slog.LevelInfo}))
		closeLog = func() { rf.Close() }
	}
	if debug {
		hs = append(hs, slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	if len(hs) == 0 {
		return slog.New(slog.DiscardHandler), closeLog
	}
	return slog.New(slog.NewMultiHandler(hs...)), closeLog
}

func cmdEnroll(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "enroll")
	data := dataFlag(fs)
	server := fs.String("server", "", "địa chỉ máy chủ, ví dụ https://dongbo.haiphong.gov.vn (không ghi http:// thì dùng https://, trừ máy này)")
	allowHTTP := fs.Bool("allow-http", false, "cho phép kết nối http không mã hóa tới máy chủ trên máy khác (chỉ trong mạng nội bộ tin cậy)")
	code := fs.String("code", "", "mã đăng ký một lần")
	name := fs.String("name", "", "tên máy trạm (mặc định: tên máy tính)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *server == "" || *code == "" {
		return fmt.Errorf("thiếu --server hoặc --code")
	}
	if *name == "" {
		*name, _ = os.Hostname()
	}
	s, err := openExisting(ctx, *data)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := appsync.EnrollCommand(ctx, s, *server, *code, *name, e.stdout, appsync.AllowPlainHTTP(*allowHTTP)); err != nil {
		return err
	}
	if appsync.PlainHTTPRemote(s.Config().ServerURL) {
		fmt.Fprintln(e.stdout, "Cảnh báo: kết nối không mã hóa (http); hồ sơ đi qua mạng ở dạng đọc được. Hãy chuyển sang https khi máy chủ hỗ trợ.")
	}
	return nil
}

func cmdSync(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "sync")
	data := dataFlag(fs)
	once := fs.Bool("once", false, "một lượt rồi thoát: mã thoát 0 khi đã gửi hết và đã nhận đủ")
	debug := fs.Bool("debug", false, "in cả nhật ký chi tiết ra màn hình (mặc định chỉ ghi vào tệp nhật ký)")
	s, err := parseAndOpen(ctx, fs, data, args)
	if err != nil {
		return err
	}
	defer s.Close()
	// The report and status lines are what the clerk reads: the log records, with the
	// causes in the transport's words, go to the log file (and to standard error only with
	// --debug).
	logger, closeLog := commandLogger(*data, e.stderr, *debug)
	defer closeLog()
	prev := slog.Default()
	slog.SetDefault(logger)
	defer slog.SetDefault(prev)
	if *once {
		// With peers, the city and each peer in turn, reported per target (sync/peer).
		return peer.SyncOnceCommand(ctx, s, e.stdout, peer.CommandOptions{Node: peer.Options{Logger: logger}})
	}
	fmt.Fprintln(e.stdout, "Đang đồng bộ liên tục; nhấn Ctrl+C để dừng.")
	eng := appsync.New(s, appsync.Options{Logger: logger})
	eng.Subscribe(func(st appsync.Status) {
		if st.LastError != "" {
			fmt.Fprintln(e.stderr, st.LastError)
		}
	})
	return eng.Run(ctx)
}
