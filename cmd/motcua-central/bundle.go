package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"motcua/sync/central"
)

// bundleCmd imports an island workstation's USB bundle, or writes the return bundle for it
// (docs/BUNDLES.md).
//
//	motcua-central bundle import --data DIR [--unit U] FILE
//	motcua-central bundle export --data DIR --unit U --device D --to FILE
func bundleCmd(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 || (args[0] != "import" && args[0] != "export") {
		return fmt.Errorf("cách dùng: motcua-central bundle import [--unit U] TỆP | motcua-central bundle export --unit U --device D --to TỆP")
	}
	sub := args[0]
	fs, data := flags("bundle " + sub)
	unit := fs.String("unit", "", "mã đơn vị (import: chỉ nhận gói của đơn vị này)")
	device := fs.String("device", "", "mã thiết bị của máy trạm nhận gói trả về (export)")
	to := fs.String("to", "", "tệp gói trả về sẽ ghi (export)")
	c, err := parseAndOpen(ctx, fs, data, args[1:])
	if err != nil {
		return err
	}
	defer c.Close()
	if sub == "import" {
		if fs.NArg() != 1 {
			return fmt.Errorf("cách dùng: motcua-central bundle import --data THƯ_MỤC [--unit U] TỆP")
		}
		f, err := os.Open(fs.Arg(0))
		if err != nil {
			return err
		}
		defer f.Close()
		rep, err := c.ImportBundle(ctx, f, central.BundleOptions{Unit: *unit})
		if err != nil {
			return err
		}
		rep.Print(out)
		return nil
	}
	if *unit == "" || *device == "" || *to == "" {
		return fmt.Errorf("thiếu --unit, --device hoặc --to")
	}
	rep, err := c.ExportBundle(ctx, *unit, *device, *to, nil)
	if err != nil {
		return err
	}
	rep.Print(out)
	return nil
}
