package sync

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
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
			return staffError(MsgStopped, ctx.Err())
		}
		if err == nil {
			c, cerr := store.SyncCounts(ctx)
			if cerr != nil {
				return localErr("counts", cerr)
			}
			if c.Waiting == 0 && c.FilesWaiting == 0 {
				printReport(out, total, c, e.Status())
				return nil
			}
			if c.Waiting == 0 && len(rep.Warnings) > 0 {
				// Files that cannot be sent as they are: going round again will not help.
				printReport(out, total, c, e.Status())
				return staffError(fmt.Sprintf("Còn %d tệp chưa gửi được: %s", c.FilesWaiting, strings.Join(rep.Warnings, "; ")), nil)
			}
			// Written meanwhile (the app is open): go round again.
			lastErr = staffError(fmt.Sprintf("Còn %d sự kiện và %d tệp chưa gửi", c.Waiting, c.FilesWaiting), nil)
			continue
		}
		lastErr = err
		if attempt == OnceAttempts || !isClassAny(err, ClassNetwork, ClassServer) {
			break
		}
		if rep.Progress() {
			attempt = 0 // moving forward: keep going
		}
		if !e.retryAfter(ctx, out, attempt, e.wait(max(attempt, 1), err), err) {
			return staffError(MsgStopped, ctx.Err())
		}
	}
	if lastErr != nil {
		e.log.Warn("sync: sync --once gave up", "err", lastErr)
	}
	c, _ := store.SyncCounts(context.WithoutCancel(ctx))
	printReport(out, total, c, e.Status())
	return staffError(fmt.Sprintf("Đồng bộ chưa hoàn tất (còn %d sự kiện, %d tệp chưa gửi): %s", c.Waiting, c.FilesWaiting, Message(lastErr)), lastErr)
}

// MsgStopped is what staff are told of a command stopped midway (Ctrl+C).
const MsgStopped = "Đồng bộ bị dừng giữa chừng; dữ liệu đã nhận được giữ nguyên, hãy chạy lại"

// staffError is msg for staff (plain Vietnamese, whole) with cause kept for the log: the
// command line prints Message(err), which is msg alone, never the cause's own words (a
// transport's «dial tcp …: connection refused», with the server's address).
func staffError(msg string, cause error) *Error {
	se := &Error{Msg: msg, Err: cause}
	var ce *Error
	if errors.As(cause, &ce) {
		se.Class, se.Op, se.Status, se.RetryAfter = ce.Class, ce.Op, ce.Status, ce.RetryAfter
	}
	return se
}

// retryAfter logs err with its cause, tells out in the staff's words that the attempt will
// be made again after wait, and waits. It returns false if ctx ended first.
func (e *Engine) retryAfter(ctx context.Context, out io.Writer, attempt int, wait time.Duration, err error) bool {
	e.log.Info("sync: attempt failed, retrying", "attempt", attempt, "wait", wait, "err", err)
	fmt.Fprintf(out, "Lần thử chưa xong: %s — thử lại sau %s.\n", strings.TrimRight(WithoutRetryPromise(Message(err)), "."), plainDuration(wait))
	select {
	case <-ctx.Done():
		return false
	case <-time.After(wait):
		return true
	}
}

// ProbeBudget bounds the time ProbeCommand spends on a city that does not answer.
const ProbeBudget = 30 * time.Second

// ProbeCommand is the first look at the city of `motcua sync --once` on a workstation with
// LAN peers: GET /ping, retried like a pass of SyncOnceCommand (up to OnceAttempts times,
// with backoff) while the failure may clear by itself — a dropped connection, a busy or
// restarting server (5xx, 429) — telling out of each wait. It returns the last error, nil
// once the city answered.
func ProbeCommand(ctx context.Context, store *localdb.Store, out io.Writer, opt Options) error {
	opt.MinBackoff, opt.MaxBackoff = cmp.Or(opt.MinBackoff, time.Second), cmp.Or(opt.MaxBackoff, 15*time.Second)
	e := New(store, opt)
	// The peers wait for this: a city that does not answer costs at most ProbeBudget.
	deadline := time.Now().Add(ProbeBudget)
	for attempt := 1; ; attempt++ {
		pdl := time.Now().Add(15 * time.Second)
		if pdl.After(deadline) {
			pdl = deadline
		}
		pctx, cancel := context.WithDeadline(ctx, pdl)
		err := e.Probe(pctx)
		cancel()
		if err != nil && ctx.Err() != nil {
			return staffError(MsgStopped, ctx.Err())
		}
		if err == nil || attempt == OnceAttempts || !isClassAny(err, ClassNetwork, ClassServer) {
			return err
		}
		wait := e.wait(attempt, err)
		if time.Now().Add(wait).After(deadline) {
			return err
		}
		if !e.retryAfter(ctx, out, attempt, wait, err) {
			return staffError(MsgStopped, ctx.Err())
		}
	}
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

// retryPromise is how a staff message says the engine will try again by itself («; sẽ tự
// thử lại», «; sẽ thử lại sau 5 giây», «, sẽ thử lại sau»).
var retryPromise = regexp.MustCompile(`[;,] sẽ (?:tự )?thử lại(?: sau(?: giây lát| \d+ (?:giây|phút))?)?`)

// WithoutRetryPromise is msg without its promise to try again: for a line that says its own
// wait, and for a command that has ended and will not try again (sync --once, enroll).
func WithoutRetryPromise(msg string) string { return retryPromise.ReplaceAllString(msg, "") }
