package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"motcua/internal/logging"
	"motcua/sync/bundle"
	"motcua/sync/central"
)

// LogFile is the city's log of bundle failures in --data's logs/ folder: the technical cause
// the operator's message leaves out.
const LogFile = "motcua-central.log"

const (
	bundleHelp = `Cách dùng: motcua-central bundle import --data THƯ_MỤC [--unit U] TỆP
           motcua-central bundle export --data THƯ_MỤC --unit U --device D --to TỆP
Xem tham số của từng lệnh: motcua-central bundle import -h, motcua-central bundle export -h`
	bundleImportUsage = `Cách dùng: motcua-central bundle import --data THƯ_MỤC [--unit U] TỆP
  Nhập gói USB do một máy trạm không có mạng lập (sự kiện, tệp quét); nhập lại lần nữa không thay đổi gì.

Tham số:`
	bundleExportUsage = `Cách dùng: motcua-central bundle export --data THƯ_MỤC --unit U --device D --to TỆP
  Lập gói trả về cho máy trạm: sự kiện của đơn vị, xác nhận cho sự kiện của máy, khóa và danh sách máy trạm.

Tham số:`
)

// bundleCmd imports an island workstation's USB bundle, or writes the return bundle for it
// (docs/BUNDLES.md). Each subcommand has its own flags. The operator reads plain messages;
// the raw cause of a failure goes to --data's logs/motcua-central.log.
//
//	motcua-central bundle import --data DIR [--unit U] FILE
//	motcua-central bundle export --data DIR --unit U --device D --to FILE
func bundleCmd(ctx context.Context, args []string, out io.Writer) error {
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help" || args[0] == "help") {
		fmt.Fprintln(out, bundleHelp)
		return nil
	}
	if len(args) == 0 || (args[0] != "import" && args[0] != "export") {
		return fmt.Errorf("cách dùng: motcua-central bundle import [--unit U] TỆP | motcua-central bundle export --unit U --device D --to TỆP")
	}
	sub := args[0]
	fs, data := flags("bundle " + sub)
	fs.SetOutput(out)
	var unit, device, to *string
	if sub == "import" {
		unit = fs.String("unit", "", "mã đơn vị: chỉ nhận gói của đơn vị này (không bắt buộc)")
		fs.Usage = func() { fmt.Fprintln(out, bundleImportUsage); printFlags(fs) }
	} else {
		unit = fs.String("unit", "", "mã đơn vị của máy trạm nhận gói trả về")
		device = fs.String("device", "", "mã thiết bị của máy trạm nhận gói trả về (xem lệnh devices)")
		to = fs.String("to", "", "tệp gói trả về sẽ ghi")
		fs.Usage = func() { fmt.Fprintln(out, bundleExportUsage); printFlags(fs) }
	}
	c, err := parseAndOpen(ctx, fs, data, args[1:])
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	defer c.Close()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if l, cl, err := logging.FileLogger(*data, LogFile, slog.LevelInfo); err == nil {
		log = l.With("cmd", "bundle "+sub)
		defer cl.Close()
	}
	logged := func(err error, file string) error {
		if cause := central.BundleCause(err); cause != nil {
			log.Warn("bundle "+sub+" failed", "file", file, "msg", err.Error(), "cause", cause)
		}
		return err
	}
	if sub == "import" {
		if fs.NArg() != 1 {
			return fmt.Errorf("cách dùng: motcua-central bundle import --data THƯ_MỤC [--unit U] TỆP")
		}
		f, err := bundle.OpenFile(fs.Arg(0))
		if err != nil {
			return logged(fmt.Errorf("Không nhận gói: %w.", err), fs.Arg(0))
		}
		defer f.Close()
		rep, err := c.ImportBundle(ctx, f, central.BundleOptions{Unit: *unit})
		if err != nil {
			return logged(err, fs.Arg(0))
		}
		rep.Print(out)
		return nil
	}
	if *unit == "" || *device == "" || *to == "" {
		return fmt.Errorf("thiếu --unit, --device hoặc --to")
	}
	rep, err := c.ExportBundle(ctx, *unit, *device, *to, nil)
	if err != nil {
		return logged(err, *to)
	}
	rep.Print(out)
	return nil
}

// printFlags lists a command's flags in Vietnamese (flag.PrintDefaults words the default in
// English).
func printFlags(fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		fmt.Fprintf(fs.Output(), "  --%-8s %s", f.Name, f.Usage)
		if f.DefValue != "" {
			fmt.Fprintf(fs.Output(), " (mặc định: %s)", f.DefValue)
		}
		fmt.Fprintln(fs.Output())
	})
}
