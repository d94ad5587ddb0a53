package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"motcua/internal/loadgen"
)

// loadtest simulates many workstations against a running server (internal/loadgen).
//
//	motcua-central loadtest --url http://127.0.0.1:8787 --admin-token-file F --scenario storm|morning
//	                        [--workstations 500] [--backlog 2000] [--duration 60s] [--time-factor 10]
//	                        [--server-pid PID] [--json]
func loadtest(ctx context.Context, args []string, out, errOut io.Writer) error {
	fs := newFlagSet("loadtest")
	url := fs.String("url", "http://127.0.0.1:8787", "địa chỉ máy chủ đang chạy")
	adminFile := fs.String("admin-token-file", "", "tệp chứa mã quản trị của máy chủ (mặc định: biến môi trường MOTCUA_ADMIN_TOKEN)")
	scenario := fs.String("scenario", loadgen.ScenarioMorning, "kịch bản: morning (buổi sáng: mỗi quầy tiếp nhận vài phút một hồ sơ) hoặc storm (mọi máy trạm cùng gửi tồn đọng sau khi mất mạng)")
	n := fs.Int("workstations", 50, "số máy trạm giả lập cùng lúc")
	perUnit := fs.Int("per-unit", 4, "số máy trạm mỗi đơn vị (1–9)")
	backlog := fs.Int("backlog", 2000, "storm: số sự kiện tồn đọng của mỗi máy trạm")
	batch := fs.Int("batch", 1000, "số sự kiện mỗi lần gửi")
	inFlight := fs.Int("in-flight", 4, "số lần gửi song song của mỗi máy trạm")
	duration := fs.Duration("duration", time.Minute, "morning: thời gian chạy (thời gian thực)")
	every := fs.Duration("intake-every", 3*time.Minute, "morning: trung bình mỗi quầy bao lâu tiếp nhận một hồ sơ")
	factor := fs.Float64("time-factor", 10, "morning: đồng hồ của các quầy chạy nhanh hơn bấy nhiêu lần")
	noPull := fs.Bool("no-pull", false, "không lấy thay đổi sau mỗi lần gửi")
	seed := fs.Uint64("seed", 1, "hạt giống ngẫu nhiên (khóa, mã thiết bị, hồ sơ)")
	tag := fs.String("run-tag", "", "phần đầu mã đơn vị của lần chạy (mặc định: ngẫu nhiên)")
	pid := fs.Int("server-pid", 0, "mã tiến trình của máy chủ (cùng máy): đo bộ nhớ thường trú từ /proc")
	asJSON := fs.Bool("json", false, "in kết quả dạng JSON")
	row := fs.String("row", "", "in thêm kết quả thành một dòng bảng Markdown, cột đầu là giá trị này (ví dụ sqlite)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	token := strings.TrimSpace(os.Getenv("MOTCUA_ADMIN_TOKEN"))
	if *adminFile != "" {
		b, err := os.ReadFile(*adminFile)
		if err != nil {
			return fmt.Errorf("không đọc được tệp mã quản trị: %w", err)
		}
		token = strings.TrimSpace(string(b))
	}
	if token == "" {
		return errors.New("cần mã quản trị của máy chủ (--admin-token-file hoặc MOTCUA_ADMIN_TOKEN) để cấp mã đăng ký cho các máy trạm giả lập")
	}
	rep, err := loadgen.Run(ctx, loadgen.Config{URL: *url, AdminToken: token, Scenario: *scenario, Workstations: *n, PerUnit: *perUnit,
		Backlog: *backlog, BatchSize: *batch, InFlight: *inFlight, Duration: *duration, IntakeEvery: *every, TimeFactor: *factor,
		NoPull: *noPull, Seed: *seed, RunTag: *tag, ServerPID: *pid, Progress: errOut})
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	rep.Print(out)
	if *row != "" {
		fmt.Fprintln(out, loadgen.RowHeader)
		fmt.Fprintln(out, rep.Row(*row))
	}
	return nil
}
