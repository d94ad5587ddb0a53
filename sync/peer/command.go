package peer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"motcua/localdb"
	appsync "motcua/sync"
)

// CommandOptions tune SyncOnceCommand (tests give a client for the city and fast timeouts).
type CommandOptions struct {
	CityClient *http.Client
	// CityBackoff is the first wait before the city is tried again (0: a second; tests
	// shorten it). The waits double up to 15 times it.
	CityBackoff time.Duration
	Node        Options
}

// SyncOnceCommand is `motcua sync --once` on a workstation with peers: the city first (its
// roster decides which peers are admitted), then every known peer, reporting per target. It
// returns nil when every target that answered is in step: the city reached and drained (as
// appsync.SyncOnceCommand), each answering peer read to its end. A target that does not
// answer (the city link down, a counter switched off) is reported and does not fail the
// command, as long as one target answered; a peer that answered but was refused or sent
// something wrong fails it, with the reason. Without peers it is appsync.SyncOnceCommand.
func SyncOnceCommand(ctx context.Context, store *localdb.Store, out io.Writer, opt CommandOptions) error {
	peers, err := store.Peers(ctx)
	if err != nil {
		return err
	}
	if len(peers) == 0 {
		if err := syncOnceCity(ctx, store, out, opt.CityClient, opt.CityBackoff); err != nil {
			return err
		}
		// Keep the roster fresh for when peers are added (quietly: the city is in step).
		if err := appsync.RefreshKeys(ctx, store, opt.CityClient); err != nil {
			opt.logger().Info("peer: roster not refreshed", "err", err)
		}
		return nil
	}
	var problems []string
	reached := 0

	// The city: probe cheaply first, so a link that is down costs one probe before the
	// peers, not the full passes' retries. A failure that may clear by itself (no answer, a
	// 5xx or 429) is tried again after the peers' exchange — the time it took counts toward
	// the wait — with backoff, like the city-only command's passes, within
	// appsync.ProbeBudget. Staff read plain words; the causes go to the log.
	cityOpt := appsync.Options{HTTPClient: opt.CityClient, Logger: opt.Node.Logger,
		MinBackoff: opt.CityBackoff, MaxBackoff: 15 * opt.CityBackoff}
	city := func(perr error) {
		var se *appsync.Error
		switch {
		case perr != nil && errors.As(perr, &se) && se.Class == appsync.ClassNetwork:
			opt.logger().Info("sync: city unreachable", "err", perr)
			fmt.Fprintf(out, "  %s. Các sự kiện của máy này sẽ được gửi khi có mạng.\n", strings.TrimRight(strings.TrimSpace(appsync.Message(perr)), "."))
		case perr != nil:
			reached++
			opt.logger().Warn("sync: city refused", "err", perr)
			problems = append(problems, "máy chủ thành phố: "+appsync.Message(perr))
			fmt.Fprintln(out, " ", appsync.Message(perr))
		default:
			reached++
			var buf bytes.Buffer
			err := syncOnceCity(ctx, store, &buf, opt.CityClient, opt.CityBackoff)
			indent(out, buf.String())
			if err != nil {
				opt.logger().Warn("sync: city not in step", "err", err)
				problems = append(problems, "máy chủ thành phố: "+appsync.Message(err))
				fmt.Fprintln(out, " ", appsync.Message(err))
			} else {
				// The roster may have changed (a device revoked): fetch it (before the peers,
				// unless the city answered only when tried again after them).
				if err := appsync.RefreshKeys(ctx, store, opt.CityClient); err != nil {
					opt.logger().Warn("sync: roster not refreshed", "err", err)
					fmt.Fprintln(out, "  Chưa cập nhật được danh sách máy trạm của đơn vị:", appsync.Message(err))
				}
				fmt.Fprintln(out, "  Đã đồng bộ xong.")
			}
		}
	}
	fmt.Fprintln(out, "— Máy chủ thành phố:")
	pctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	perr := appsync.New(store, cityOpt).Probe(pctx)
	cancel()
	cityLater := perr != nil && ctx.Err() == nil && appsync.Retryable(perr)
	if cityLater {
		opt.logger().Info("sync: city probe failed, trying again after the peers", "err", perr)
		fmt.Fprintf(out, "  %s — sẽ thử lại sau khi đồng bộ với các máy ngang hàng.\n", strings.TrimRight(strings.TrimSpace(appsync.Message(perr)), "."))
	} else if ctx.Err() == nil {
		city(perr)
	}

	n := New(store, opt.Node)
	for _, r := range n.Round(ctx) {
		name := r.Addr
		if r.Name != "" {
			name += " (" + r.Name + ")"
		}
		fmt.Fprintf(out, "— Máy ngang hàng %s:\n", name)
		switch {
		case r.Err != nil && !r.Reachable:
			fmt.Fprintln(out, " ", Message(r.Err))
		case r.Err != nil:
			reached++
			problems = append(problems, Message(r.Err))
			fmt.Fprintf(out, "  Chưa đồng bộ xong (nhận %d sự kiện mới, gửi %d): %s\n", r.Received, r.Offered, Message(r.Err))
		default:
			reached++
			fmt.Fprintf(out, "  Đã đồng bộ xong: nhận %d sự kiện mới, gửi %d sự kiện của đơn vị.\n", r.Received, r.Offered)
		}
		if r.Refused > 0 {
			// Kept aside, never applied (said only when this round kept them).
			fmt.Fprintf(out, "  %d sự kiện nhận từ máy ngang hàng này không tin được, đã cách ly (mục Giám sát › Đồng bộ).\n", r.Refused)
		}
	}
	if cityLater && ctx.Err() == nil {
		fmt.Fprintln(out, "— Máy chủ thành phố (thử lại):")
		var buf bytes.Buffer
		perr := appsync.ProbeCommand(ctx, store, &buf, cityOpt)
		indent(out, buf.String())
		if ctx.Err() == nil {
			city(perr)
		}
	}
	if ctx.Err() != nil {
		return &appsync.Error{Msg: appsync.MsgStopped, Err: ctx.Err()}
	}
	if len(problems) > 0 {
		return fmt.Errorf("Đồng bộ chưa hoàn tất: %s", strings.Join(problems, "; "))
	}
	if reached == 0 {
		return errors.New("Không kết nối được với máy chủ thành phố hay máy ngang hàng nào")
	}
	c, err := store.SyncCounts(ctx)
	if err == nil && c.Waiting > 0 {
		fmt.Fprintf(out, "Còn %d sự kiện của máy này chờ gửi lên thành phố khi có mạng.\n", c.Waiting)
	}
	return nil
}

func (o CommandOptions) logger() *slog.Logger {
	if o.Node.Logger != nil {
		return o.Node.Logger
	}
	return slog.Default()
}

// syncOnceCity is the city's part (a variable, so tests may count the calls).
var syncOnceCity = func(ctx context.Context, store *localdb.Store, out io.Writer, hc *http.Client, backoff time.Duration) error {
	return appsync.SyncOnceCommandWith(ctx, store, out, appsync.Options{HTTPClient: hc, MinBackoff: backoff, MaxBackoff: 15 * backoff})
}

func indent(out io.Writer, s string) {
	for _, line := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		if line != "" {
			fmt.Fprintln(out, " ", line)
		}
	}
}
