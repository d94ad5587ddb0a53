package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"motcua/sync/central"
)

// exportCmd writes the dossiers changed since a time, in the national portal's field names,
// one JSON object a line, for the province's integration platform.
//
//	motcua-central export dvcqg --data DIR [--since T] [--unit U] --to FILE
func exportCmd(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 || args[0] != "dvcqg" {
		return errors.New("dùng: motcua-central export dvcqg --data THƯ_MỤC [--since THỜI_ĐIỂM] [--unit MÃ_ĐƠN_VỊ] --to TỆP")
	}
	fs, data := flags("export dvcqg")
	since := fs.String("since", "", "chỉ các hồ sơ thay đổi từ thời điểm này (2026-12-06, 20261206080000 giờ Việt Nam, hoặc RFC 3339); trống: tất cả")
	unit := fs.String("unit", "", "mã đơn vị; trống: cả thành phố")
	to := fs.String("to", "", "tệp kết quả (JSON lines); - là đầu ra chuẩn")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if *to == "" {
		return errors.New("cần --to TỆP (hoặc --to - để in ra màn hình)")
	}
	t, err := central.ParseSince(*since)
	if err != nil {
		return err
	}
	c, err := openExisting(ctx, fs, *data)
	if err != nil {
		return err
	}
	defer c.Close()
	until := c.ExportUntil()
	if *to == "-" {
		_, err := c.ExportPortal(ctx, central.ExportFilter{Unit: *unit, Since: t}, out)
		return err
	}
	// Written beside the target and renamed at the end: a platform never reads half a file.
	tmp, err := os.CreateTemp(filepath.Dir(*to), ".export-*.jsonl")
	if err != nil {
		return fmt.Errorf("không ghi được %s: thư mục %s không có hoặc không ghi được", *to, filepath.Dir(*to))
	}
	defer os.Remove(tmp.Name())
	n, err := c.ExportPortal(ctx, central.ExportFilter{Unit: *unit, Since: t}, tmp)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), *to)
	}
	if err != nil {
		return fmt.Errorf("xuất hồ sơ: %w", err)
	}
	fmt.Fprintf(out, "Đã xuất %d hồ sơ vào %s. Lần xuất sau dùng --since %s\n", n, *to, until.Format(time.RFC3339))
	return nil
}
