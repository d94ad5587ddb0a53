package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"motcua/internal/logging"
	appsync "motcua/sync"
)

func init() {
	extraCommands = append(extraCommands,
		command{"bundle", "gói USB cho máy trạm không có mạng: bundle export --to TỆP | bundle import TỆP", cmdBundle})
}

const (
	bundleUsage       = "cách dùng: motcua bundle export --data THƯ_MỤC --to TỆP | motcua bundle import --data THƯ_MỤC TỆP"
	bundleHelp        = "Cách dùng: motcua bundle export --data THƯ_MỤC --to TỆP\n           motcua bundle import --data THƯ_MỤC TỆP\nXem tham số của từng lệnh: motcua bundle export -h, motcua bundle import -h"
	bundleExportUsage = "Cách dùng: motcua bundle export --data THƯ_MỤC --to TỆP\n  Ghi mọi việc thành phố chưa xác nhận (sự kiện, tệp quét) vào một tệp gói để mang tới thành phố.\n\nTham số:"
	bundleImportUsage = "Cách dùng: motcua bundle import --data THƯ_MỤC TỆP\n  Nhập gói thành phố trả về cho máy này.\n\nTham số:"
)

// cmdBundle carries an island workstation's work to the city and back on a USB stick
// (docs/BUNDLES.md). The clerk reads plain messages; the technical cause of a failure goes
// to the data folder's log (logs/motcua.log).
func cmdBundle(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help" || args[0] == "help") {
		fmt.Fprintln(e.stdout, withProg(bundleHelp))
		return nil
	}
	if len(args) == 0 || (args[0] != "export" && args[0] != "import") {
		return fmt.Errorf("%s", withProg(bundleUsage))
	}
	sub := args[0]
	fs := newFlags(e, "bundle "+sub)
	data := dataFlag(fs)
	var to *string
	if sub == "export" {
		to = fs.String("to", "", "tệp gói sẽ ghi, ví dụ E:\\goi-gui-thanh-pho.motcua")
		fs.Usage = func() { fmt.Fprintln(fs.Output(), withProg(bundleExportUsage)); printFlags(fs) }
	} else {
		fs.Usage = func() { fmt.Fprintln(fs.Output(), withProg(bundleImportUsage)); printFlags(fs) }
	}
	s, err := parseAndOpen(ctx, fs, data, args[1:])
	if err != nil {
		return err
	}
	defer s.Close()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if l, c, err := logging.FileLogger(*data, logging.FileName, slog.LevelInfo); err == nil {
		log = l.With("cmd", "bundle "+sub)
		defer c.Close()
	}
	if sub == "export" {
		if *to == "" {
			return fmt.Errorf("thiếu --to TỆP: tên tệp gói sẽ ghi")
		}
		rep, err := appsync.ExportBundle(ctx, s, *to, nil, log)
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, rep.Message())
		fmt.Fprintf(e.stdout, "Tệp: %s (mã gói %s). Mang tệp này tới thành phố: motcua-central bundle import %s\n", *to, rep.ID, *to)
		return nil
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("cách dùng: %s bundle import --data THƯ_MỤC TỆP", prog)
	}
	rep, err := appsync.ImportBundle(ctx, s, fs.Arg(0), nil, log)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, rep.Message())
	return nil
}
