package main

import (
	"context"
	"fmt"

	appsync "motcua/sync"
)

func init() {
	extraCommands = append(extraCommands,
		command{"bundle", "gói USB cho máy trạm không có mạng: bundle export --to TỆP | bundle import TỆP", cmdBundle})
}

// cmdBundle carries an island workstation's work to the city and back on a USB stick
// (docs/BUNDLES.md).
func cmdBundle(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || (args[0] != "export" && args[0] != "import") {
		return fmt.Errorf("cách dùng: motcua bundle export --data THƯ_MỤC --to TỆP | motcua bundle import --data THƯ_MỤC TỆP")
	}
	sub := args[0]
	fs := newFlags(e, "bundle "+sub)
	data := dataFlag(fs)
	to := fs.String("to", "", "tệp gói sẽ ghi (export)")
	s, err := parseAndOpen(ctx, fs, data, args[1:])
	if err != nil {
		return err
	}
	defer s.Close()
	if sub == "export" {
		if *to == "" {
			return fmt.Errorf("thiếu --to TỆP")
		}
		rep, err := appsync.ExportBundle(ctx, s, *to, nil)
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, rep.Message())
		fmt.Fprintf(e.stdout, "Tệp: %s (mã gói %s). Mang tệp này tới thành phố: motcua-central bundle import %s\n", *to, rep.ID, *to)
		return nil
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("cách dùng: motcua bundle import --data THƯ_MỤC TỆP")
	}
	rep, err := appsync.ImportBundle(ctx, s, fs.Arg(0), nil, nil)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, rep.Message())
	return nil
}
