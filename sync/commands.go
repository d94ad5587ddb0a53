package sync

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"motcua/localdb"
)

// OnceAttempts is how many passes SyncOnceCommand makes before giving up on a failure that
// may clear by itself (a dropped connection, a busy server).
const OnceAttempts = 5

// SyncOnceCommand is `motcua sync --once`: it syncs until nothing is left to push and the
// pull is complete, retrying transient failures a few times with backoff. It returns nil only
// then; otherwise an error saying, in Vietnamese, what is left and why. Quarantined events are
// reported but do not fail the command: retrying cannot send them, a supervisor must act.
func SyncOnceCommand(ctx context.Context, store *localdb.Store, out io.Writer) error {
	return syncOnceCommand(ctx, store, out, Options{MinBackoff: time.Second, MaxBackoff: 15 * time.Second})
}

// SyncOnceCommandWith is SyncOnceCommand with an engine's options (its own HTTP client).
func SyncOnceCommandWith(ctx context.Context, store *localdb.Store, out io.Writer, opt Options) error {
	opt.MinBackoff, opt.MaxBackoff = cmp.Or(opt.MinBackoff, time.Second), cmp.Or(opt.MaxBackoff, 15*time.Second)
	return syncOnceCommand(ctx, store, out, opt)
}

func syncOnceCommand(ctx context.Context, store *localdb.Store, out io.Writer, opt Options) error {
	e := New(store, opt)
	var total Report
	var lastErr error
	for attempt := 1; attempt <= OnceAttempts; attempt++ {
		rep, err := e.SyncOnce(ctx)
		total.Pushed += rep.Pushed
		total.Quarantined += rep.Quarantined
		total.Pulled += rep.Pulled
		total.Uploaded += rep.Uploaded
		total.Resynced = total.Resynced || rep.Resynced
		total.Catalogue = total.Catalogue || rep.Catalogue
		total.Warnings = rep.Warnings
		if ctx.Err() != nil {
			return fmt.Errorf("Đồng bộ bị dừng giữa chừng; dữ liệu đã nhận được giữ nguyên, hãy chạy lại: %w", ctx.Err())
		}
		if err == nil {
			c, cerr := store.SyncCounts(ctx)
			if cerr != nil {
				return cerr
			}
			if c.Waiting == 0 && c.FilesWaiting == 0 {
				printReport(out, total, c, e.Status())
				return nil
			}
			if c.Waiting == 0 && len(rep.Warnings) > 0 {
				// Files that cannot be sent as they are: going round again will not help.
				printReport(out, total, c, e.Status())
				return fmt.Errorf("Còn %d tệp chưa gửi được: %s", c.FilesWaiting, strings.Join(rep.Warnings, "; "))
			}
			// Written meanwhile (the app is open): go round again.
			lastErr = fmt.Errorf("Còn %d sự kiện và %d tệp chưa gửi", c.Waiting, c.FilesWaiting)
			continue
		}
		lastErr = err
		if attempt == OnceAttempts || !isClassAny(err, ClassNetwork, ClassServer) {
			break
		}
		if rep.Progress() {
			attempt = 0 // moving forward: keep going
		}
		wait := e.wait(max(attempt, 1), err)
		fmt.Fprintf(out, "Lần thử chưa xong: %v — thử lại sau %s.\n", err, plainDuration(wait))
		select {
		case <-ctx.Done():
			return fmt.Errorf("Đồng bộ bị dừng giữa chừng; hãy chạy lại: %w", ctx.Err())
		case <-time.After(wait):
		}
	}
	c, _ := store.SyncCounts(context.WithoutCancel(ctx))
	printReport(out, total, c, e.Status())
	return fmt.Errorf("Đồng bộ chưa hoàn tất (còn %d sự kiện, %d tệp chưa gửi): %w", c.Waiting, c.FilesWaiting, lastErr)
}

func isClassAny(err error, cs ...Class) bool {
	var se *Error
	if !errors.As(err, &se) {
		return false
	}
	for _, c := range cs {
		if se.Class == c {
			return true
		}
	}
	return false
}

func printReport(out io.Writer, r Report, c localdb.SyncCounts, st Status) {
	fmt.Fprintf(out, "Đã gửi %d sự kiện, nhận %d sự kiện mới, tải lên %d tệp.\n", r.Pushed, r.Pulled, r.Uploaded)
	if r.Resynced {
		fmt.Fprintln(out, "Máy chủ yêu cầu đồng bộ lại từ đầu; đã nhận lại toàn bộ (không mất dữ liệu trên máy).")
	}
	if r.Catalogue {
		fmt.Fprintln(out, "Đã cập nhật danh mục thủ tục / lịch làm việc.")
	}
	if c.Quarantined > 0 {
		fmt.Fprintf(out, "Cảnh báo: %d sự kiện bị máy chủ từ chối đang chờ lãnh đạo xử lý (mục Giám sát › Đồng bộ).\n", c.Quarantined)
	}
	if st.SkewWarning != "" {
		fmt.Fprintln(out, "Cảnh báo:", st.SkewWarning)
	}
	for _, w := range r.Warnings {
		fmt.Fprintln(out, "Cảnh báo:", w)
	}
}
