package main

import (
	"context"
	"fmt"
	"net"
	"os/signal"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"

	"motcua/domain"
	"motcua/localdb"
	"motcua/sync/peer"
)

func init() {
	extraCommands = append(extraCommands,
		command{"peers", "máy ngang hàng trong mạng nội bộ: list | add ĐỊA_CHỈ | remove ĐỊA_CHỈ | config", cmdPeers},
		command{"peer-serve", "phục vụ và đồng bộ với các máy ngang hàng cùng đơn vị (chạy liên tục)", cmdPeerServe},
	)
}

func cmdPeers(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		return fmt.Errorf("cách dùng: %s peers list|add|remove|config --data THƯ_MỤC [ĐỊA_CHỈ]", prog)
	}
	sub, args := args[0], args[1:]
	fs := newFlags(e, "peers "+sub)
	data := dataFlag(fs)
	var listen, serve, mdns *string
	if sub == "config" {
		listen = fs.String("listen", "", "địa chỉ nghe của máy này cho máy ngang hàng, ví dụ :47470")
		serve = fs.String("serve", "", "on: phục vụ máy ngang hàng (mặc định); off: tắt")
		mdns = fs.String("mdns", "", "on: tự tìm máy ngang hàng bằng DNS-SD (mặc định); off: tắt")
	}
	s, err := parseAndOpen(ctx, fs, data, args)
	if err != nil {
		return err
	}
	defer s.Close()
	switch sub {
	case "list":
		return listPeers(ctx, e, s)
	case "add", "remove":
		if fs.NArg() != 1 {
			return fmt.Errorf("cách dùng: %s peers %s --data THƯ_MỤC ĐỊA_CHỈ (ví dụ 192.168.1.12:47470)", prog, sub)
		}
		if sub == "add" {
			addr, err := s.AddPeer(ctx, fs.Arg(0), localdb.PeerManual)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "Đã thêm máy ngang hàng %s.\n", addr)
			return nil
		}
		found, err := s.RemovePeer(ctx, fs.Arg(0))
		if err != nil {
			return err
		}
		if !found {
			return fmt.Errorf("không có máy ngang hàng %s trong danh sách", fs.Arg(0))
		}
		fmt.Fprintf(e.stdout, "Đã bỏ máy ngang hàng %s.\n", fs.Arg(0))
		return nil
	case "config":
		return configPeers(ctx, e, s, *listen, *serve, *mdns)
	}
	return fmt.Errorf("không có lệnh %s peers %s (list, add, remove, config)", prog, sub)
}

func listPeers(ctx context.Context, e *env, s *localdb.Store) error {
	ps, err := s.Peers(ctx)
	if err != nil {
		return err
	}
	listen, _ := s.SyncValue(ctx, localdb.SyncKeyPeerListen)
	serve, _ := s.SyncValue(ctx, localdb.SyncKeyPeerServe)
	if listen == "" {
		listen = localdb.DefaultPeerListen
	}
	if serve == "off" {
		fmt.Fprintln(e.stdout, "Máy này không phục vụ máy ngang hàng (đã tắt).")
	} else {
		fmt.Fprintf(e.stdout, "Máy này phục vụ máy ngang hàng tại %s khi ứng dụng mở.\n", listen)
	}
	if len(ps) == 0 {
		fmt.Fprintln(e.stdout, "Chưa có máy ngang hàng nào.")
		return nil
	}
	for _, p := range ps {
		src := "tự nhập"
		if p.Source == localdb.PeerMDNS {
			src = "tự tìm"
		}
		name := p.Name
		if name == "" {
			name = "chưa kết nối"
		}
		last := "chưa đồng bộ"
		if !p.LastExchange.IsZero() {
			last = "đồng bộ lần cuối " + p.LastExchange.In(domain.VN()).Format("15:04:05 02/01/2006")
		}
		fmt.Fprintf(e.stdout, "%s\t%s\t%s\t%s\tđã nhận %d sự kiện", p.Addr, src, name, last, p.Received)
		if p.LastError != "" {
			fmt.Fprintf(e.stdout, "\tlỗi: %s", p.LastError)
		}
		fmt.Fprintln(e.stdout)
	}
	return nil
}

func configPeers(ctx context.Context, e *env, s *localdb.Store, listen, serve, mdns string) error {
	set := func(key, v string) error {
		switch v {
		case "":
			return nil
		case "on":
			v = ""
		case "off":
		default:
			return fmt.Errorf("giá trị %q không hợp lệ: dùng on hoặc off", v)
		}
		return s.SetSyncValue(ctx, key, v)
	}
	if listen != "" {
		_, port, err := net.SplitHostPort(listen)
		if p, perr := strconv.Atoi(port); err != nil || perr != nil || p < 1 || p > 65535 {
			return fmt.Errorf("địa chỉ nghe %q không đúng dạng [máy]:cổng, ví dụ :47470", listen)
		}
		if err := s.SetSyncValue(ctx, localdb.SyncKeyPeerListen, listen); err != nil {
			return err
		}
	}
	if err := set(localdb.SyncKeyPeerServe, serve); err != nil {
		return err
	}
	if err := set(localdb.SyncKeyMDNS, mdns); err != nil {
		return err
	}
	return listPeers(ctx, e, s)
}

func cmdPeerServe(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "peer-serve")
	data := dataFlag(fs)
	listen := fs.String("listen", "", "địa chỉ nghe, ví dụ :47470 (mặc định: theo cài đặt)")
	mdns := fs.Bool("mdns", true, "tự quảng bá và tự tìm máy ngang hàng bằng DNS-SD")
	interval := fs.Duration("interval", 5*time.Second, "đồng bộ với các máy ngang hàng sau mỗi khoảng này")
	force := fs.Bool("force", false, "phục vụ dù quản trị đã tắt (peers config --serve off)")
	debug := fs.Bool("debug", false, "in cả nhật ký chi tiết ra màn hình (mặc định chỉ ghi vào tệp nhật ký)")
	s, err := parseAndOpen(ctx, fs, data, args)
	if err != nil {
		return err
	}
	defer s.Close()
	if v, err := s.SyncValue(ctx, localdb.SyncKeyPeerServe); err != nil {
		return err
	} else if v == "off" && !*force {
		return fmt.Errorf("máy này đã được tắt phục vụ máy ngang hàng (peers config --serve off); bật lại bằng «%s peers config --serve on», hoặc chạy %s peer-serve --force nếu thật sự cần", prog, prog)
	}
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGTERM)
	defer stop()
	// The console shows that it serves and why it stops; the exchanges' records go to the
	// data folder's log file as sync's do (and to standard error with --debug).
	logger, closeLog := commandLogger(*data, e.stderr, *debug)
	defer closeLog()
	on := true
	n := peer.New(s, peer.Options{Listen: *listen, Serve: &on, MDNS: mdns, Interval: *interval, MustServe: true, Logger: logger})
	var announced atomic.Bool
	n.Subscribe(func(st peer.Status) {
		if st.Serving && announced.CompareAndSwap(false, true) {
			fmt.Fprintf(e.stdout, "Đang phục vụ máy ngang hàng tại %s; nhấn Ctrl+C để dừng.\n", st.Addr)
		}
	})
	return n.Run(ctx)
}
