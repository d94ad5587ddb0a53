package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"motcua/localdb"
	appsync "motcua/sync"
)

// cmdVerify is `motcua verify`: the whole store checked (localdb.VerifyAll), compared with
// the chain head the city holds when it can be asked, each finding in Vietnamese with the
// dossier's code; --json for scripts, --repair to rebuild projections from intact events.
func cmdVerify(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "verify")
	data := dataFlag(fs)
	asJSON := fs.Bool("json", false, "in kết quả dạng JSON (cho script)")
	repair := fs.Bool("repair", false, "dựng lại danh sách hồ sơ, chỉ mục tìm kiếm và bộ đếm từ các sự kiện (khi các sự kiện còn nguyên vẹn)")
	offline := fs.Bool("offline", false, "không hỏi máy chủ thành phố đầu chuỗi sự kiện đã xác nhận")
	s, err := parseAndOpen(ctx, fs, data, args)
	if err != nil {
		return err
	}
	defer s.Close()
	opt := localdb.VerifyOptions{Repair: *repair}
	cityNote := ""
	if !*offline {
		hctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		h, err := appsync.CityHead(hctx, s, nil)
		cancel()
		switch {
		case errors.Is(err, appsync.ErrNotEnrolled):
			cityNote = "Máy trạm chưa đăng ký với máy chủ thành phố: chỉ so với dữ liệu trên máy."
		case err != nil:
			// The staff's words; the transport's own (with the URL) go to the log file.
			logger, closeLog := commandLogger(*data, e.stderr, false)
			logger.Info("verify: city head not asked", "err", err)
			closeLog()
			cityNote = "Không hỏi được máy chủ thành phố (" + strings.TrimRight(appsync.Message(err), ".") + "): so với đầu chuỗi đã được xác nhận lần đồng bộ trước."
		case h == nil:
			cityNote = "Máy chủ thành phố chưa nhận sự kiện nào của máy trạm này."
		default:
			opt.CityHead = h
		}
	}
	if !*asJSON {
		opt.Progress = progressBar(e)
	}
	res, err := s.VerifyAll(ctx, opt)
	if !*asJSON {
		fmt.Fprint(e.stderr, "\r\033[K")
	}
	if err != nil {
		return err
	}
	if *asJSON {
		out := struct {
			OK           bool              `json:"ok"`
			Integrity    string            `json:"integrity"`
			AuditEntries int64             `json:"audit_entries"`
			Events       int64             `json:"events"`
			Dossiers     int64             `json:"dossiers"`
			Unsigned     int64             `json:"unsigned_before_signing"`
			CityCompared bool              `json:"city_compared"`
			Repaired     int               `json:"repaired"`
			Findings     []localdb.Finding `json:"findings"`
		}{res.OK(), res.Integrity, res.Entries, res.Events, res.Dossiers, res.Unsigned, res.CityCompared, res.Repaired, res.Findings}
		if out.Findings == nil {
			out.Findings = []localdb.Finding{}
		}
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		enc.Encode(out)
		if !res.OK() && res.Repaired == 0 {
			return exitError{code: 1, err: errors.New("kiểm tra không đạt")}
		}
		return nil
	}
	fmt.Fprintf(e.stdout, "integrity_check: %s\nNhật ký: %d mục\nSự kiện: %d (chuỗi và chữ ký đã kiểm tra", res.Integrity, res.Entries, res.Events)
	if res.Unsigned > 0 {
		fmt.Fprintf(e.stdout, "; %d sự kiện nhận về trước khi có chữ ký số, được bảo đảm bằng chuỗi", res.Unsigned)
	}
	fmt.Fprintf(e.stdout, ")\nHồ sơ tính lại từ sự kiện: %d\n", res.Dossiers)
	if res.CityCompared {
		fmt.Fprintln(e.stdout, "Đã so với đầu chuỗi mà máy chủ thành phố đang giữ.")
	} else if cityNote != "" {
		fmt.Fprintln(e.stdout, cityNote)
	}
	if res.OK() {
		fmt.Fprintln(e.stdout, "Kết quả: toàn vẹn")
		return nil
	}
	lines := make([]string, 0, len(res.Findings))
	for _, f := range res.Findings {
		line := progHints(f.Msg)
		if f.Dossier != "" {
			line = "hồ sơ " + f.Dossier + ": " + line
		}
		lines = append(lines, line)
	}
	if res.Repaired > 0 {
		fmt.Fprintf(e.stdout, "Đã dựng lại %d hồ sơ từ các sự kiện (các sự kiện còn nguyên vẹn). Những gì đã phát hiện:\n  %s\nHãy chạy lại %s verify để xác nhận.\n",
			res.Repaired, strings.Join(lines, "\n  "), prog)
		return nil
	}
	hint := ""
	switch {
	case res.EventsIntact():
		hint = "\nCác sự kiện còn nguyên vẹn: " + prog + " verify --repair dựng lại dữ liệu hồ sơ từ các sự kiện."
	default:
		hint = "\nChính các sự kiện đã bị sửa hoặc xóa: không tự sửa được. Hãy giữ nguyên máy, báo quản trị hệ thống và khôi phục từ bản sao lưu gần nhất còn toàn vẹn."
	}
	return fmt.Errorf("kiểm tra không đạt (%d vấn đề):\n  %s%s", len(res.Findings), strings.Join(lines, "\n  "), hint)
}

// progressBar draws one line on stderr: the stage, a bar and the count.
func progressBar(e *env) func(stage string, done, total int64) {
	last := time.Time{}
	return func(stage string, done, total int64) {
		if time.Since(last) < 200*time.Millisecond && done < total {
			return
		}
		last = time.Now()
		const width = 30
		filled := width
		if total > 0 {
			filled = int(min(done, total) * width / total)
		}
		fmt.Fprintf(e.stderr, "\r\033[K%s [%s%s] %d/%d", stage, strings.Repeat("█", filled), strings.Repeat("·", width-filled), done, total)
	}
}
