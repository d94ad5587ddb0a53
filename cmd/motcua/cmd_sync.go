package main

import (
	"context"
	"fmt"
	"os"

	appsync "motcua/sync"
	"motcua/sync/peer"
)

func init() {
	extraCommands = append(extraCommands,
		command{"enroll", "đăng ký máy trạm với hệ thống của thành phố bằng mã do quản trị thành phố cấp", cmdEnroll},
		command{"sync", "đồng bộ với hệ thống của thành phố (--once: một lượt rồi thoát)", cmdSync},
	)
}

func cmdEnroll(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "enroll")
	data := dataFlag(fs)
	server := fs.String("server", "", "địa chỉ máy chủ, ví dụ https://dongbo.haiphong.gov.vn (không ghi http:// thì dùng https://, trừ máy này)")
	allowHTTP := fs.Bool("allow-http", false, "cho phép kết nối http không mã hóa tới máy chủ trên máy khác (chỉ trong mạng nội bộ tin cậy)")
	code := fs.String("code", "", "mã đăng ký một lần")
	name := fs.String("name", "", "tên máy trạm (mặc định: tên máy tính)")
	if err := fs.Parse(args); err != nil {
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
	s, err := parseAndOpen(ctx, fs, data, args)
	if err != nil {
		return err
	}
	defer s.Close()
	if *once {
		// With peers, the city and each peer in turn, reported per target (sync/peer).
		return peer.SyncOnceCommand(ctx, s, e.stdout, peer.CommandOptions{})
	}
	fmt.Fprintln(e.stdout, "Đang đồng bộ liên tục; nhấn Ctrl+C để dừng.")
	eng := appsync.New(s, appsync.Options{})
	eng.Subscribe(func(st appsync.Status) {
		if st.LastError != "" {
			fmt.Fprintln(e.stderr, st.LastError)
		}
	})
	return eng.Run(ctx)
}
