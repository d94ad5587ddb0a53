package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"motcua/domain"
	"motcua/internal/delayproxy"
	"motcua/internal/fileutil"
	"motcua/localdb"
	appsync "motcua/sync"
	"motcua/sync/central"
)

const benchBacklog = 100_000

// measurePush times the sync engine pushing a 100,000-event outbox to the reference central
// server (sync/central, in this process) over HTTP on loopback, then through a TCP proxy on
// loopback that delays every byte by 50 ms each way (100 ms more round trip). Each run
// starts from a copy of a cached workstation whose outbox holds the backlog, enrolled with
// a fresh server. The push ends when the engine asks for the server's changes (the pull
// that follows in the same pass).
func (b *bench) measurePush(ctx context.Context) error {
	tmpl, err := b.pushTemplate(ctx)
	if err != nil {
		return err
	}
	for _, c := range []struct {
		name    string
		latency time.Duration
		target  float64
	}{
		{"push 100k-event backlog, loopback", 0, 20000},
		{"push 100k-event backlog, +100 ms round trip", 100 * time.Millisecond, 5000},
	} {
		var rates []float64
		var last pushResult
		for run := 0; run < 3; run++ {
			r, err := b.pushOnce(ctx, tmpl, c.latency)
			if err != nil {
				return err
			}
			rates = append(rates, r.rate())
			last = r
		}
		slices.Sort(rates)
		med := rates[len(rates)/2]
		b.line(c.name, fmt.Sprintf("%s events/s median of %d (min %s; %d events in %s, %d requests)", groupInt(int(med)), len(rates),
			groupInt(int(rates[0])), last.events, fmtDur(last.took), last.requests),
			fmt.Sprintf("≥ %s events/s", groupInt(int(c.target))), med >= c.target)
	}
	return nil
}

type pushResult struct {
	events, requests int
	took             time.Duration
}

func (r pushResult) rate() float64 { return float64(r.events) / r.took.Seconds() }

// pushTemplate is a cached workstation (not enrolled) whose outbox holds exactly
// benchBacklog events: seeded dossiers, the excess acknowledged.
func (b *bench) pushTemplate(ctx context.Context) (string, error) {
	return b.backlogTemplate(ctx, benchBacklog)
}

// backlogTemplate is a cached workstation (not enrolled) whose outbox holds exactly n
// events.
func (b *bench) backlogTemplate(ctx context.Context, benchBacklog int) (string, error) {
	dir := filepath.Join(b.opt.cache, fmt.Sprintf("push-%d", benchBacklog))
	if _, err := os.Stat(filepath.Join(dir, "ready")); err == nil {
		return dir, nil
	}
	b.logf("tạo máy trạm mẫu với %d sự kiện chờ gửi: %s", benchBacklog, dir)
	if err := os.RemoveAll(dir); err != nil {
		return "", err
	}
	s, err := localdb.Open(ctx, dir, localdb.Options{})
	if err != nil {
		return "", err
	}
	defer s.Close()
	cfg := s.Config()
	cfg.UnitCode, cfg.UnitName, cfg.Slot, cfg.ReturnPlace = "000.00.06.H56", "Trung tâm Phục vụ hành chính công xã An Hưng", 1, "Bộ phận Một cửa"
	if err := s.UpdateConfig(ctx, benchAdmin, cfg); err != nil {
		return "", err
	}
	actors := []domain.Staff{benchStaff[0].st, benchStaff[1].st}
	for {
		n, err := s.OutboxCount(ctx)
		if err != nil {
			return "", err
		}
		if n >= benchBacklog {
			break
		}
		// About five events a dossier (intake, steps, hand-over, the visits they count).
		more := max(100, (benchBacklog-n)/5)
		if _, err := s.Seed(ctx, localdb.SeedOptions{Dossiers: more, Days: more/400 + 30, Seed: uint64(n + 1), Actors: actors}); err != nil {
			return "", err
		}
	}
	// Acknowledge what is beyond the backlog (the newest events).
	var after int64
	kept := 0
	for {
		evs, last, err := s.OutboxAfter(ctx, after, 1000)
		if err != nil {
			return "", err
		}
		if len(evs) == 0 {
			break
		}
		after = last
		var extra []string
		for _, e := range evs {
			if kept < benchBacklog {
				kept++
				continue
			}
			extra = append(extra, e.ID)
		}
		if len(extra) > 0 {
			if err := s.Ack(ctx, extra); err != nil {
				return "", err
			}
		}
	}
	if n, err := s.OutboxCount(ctx); err != nil || n != benchBacklog {
		return "", fmt.Errorf("máy trạm mẫu có %d sự kiện chờ gửi thay vì %d (%v)", n, benchBacklog, err)
	}
	if err := s.Close(); err != nil {
		return "", err
	}
	return dir, os.WriteFile(filepath.Join(dir, "ready"), nil, 0o644)
}

// pushOnce copies the template, enrolls it with a fresh server and times the push.
func (b *bench) pushOnce(ctx context.Context, tmpl string, latency time.Duration) (pushResult, error) {
	var res pushResult
	work, err := os.MkdirTemp(b.opt.cache, "push-run-*")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(work)
	wsDir, srvDir := filepath.Join(work, "ws"), filepath.Join(work, "central")
	if err := os.MkdirAll(filepath.Join(wsDir, "files"), 0o700); err != nil {
		return res, err
	}
	// The database and the key its events were signed with (beside it, never inside).
	for _, name := range []string{localdb.DBFile, localdb.KeyFile} {
		if err := fileutil.CopyFile(filepath.Join(tmpl, name), filepath.Join(wsDir, name)); err != nil {
			return res, err
		}
	}
	srv, err := central.Open(ctx, central.Options{Dir: srvDir})
	if err != nil {
		return res, err
	}
	defer srv.Close()
	var requests atomic.Int64
	var pushEnd atomic.Int64
	srv.SetObserver(func(r *http.Request) {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/events") {
			requests.Add(1)
		}
		if r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/changes") {
			pushEnd.CompareAndSwap(0, time.Now().UnixNano())
		}
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return res, err
	}
	hs := central.NewHTTPServer("", srv.Handler(), srv.Limits()) // the timeouts of motcua-central serve
	go hs.Serve(ln)
	defer hs.Close()
	addr := ln.Addr().String()
	if latency > 0 {
		p, err := delayproxy.Start(addr, latency/2)
		if err != nil {
			return res, err
		}
		defer p.Close()
		addr = p.Addr().String()
	}
	ws, err := localdb.Open(ctx, wsDir, localdb.Options{})
	if err != nil {
		return res, err
	}
	defer ws.Close()
	cfg := ws.Config()
	code, _, err := srv.Central().IssueEnrollCode(ctx, cfg.UnitCode, cfg.UnitName, cfg.Slot)
	if err != nil {
		return res, err
	}
	if _, err := appsync.Enroll(ctx, ws, "http://"+addr, code, "Quầy đo"); err != nil {
		return res, err
	}
	// The app's engine with its default options (batches of 1,000, 4 in flight).
	eng := appsync.New(ws, appsync.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	requests.Store(0)
	t0 := time.Now()
	rep, err := eng.SyncOnce(ctx)
	if err != nil {
		return res, err
	}
	end := time.Unix(0, pushEnd.Load())
	if pushEnd.Load() == 0 {
		end = time.Now()
	}
	res = pushResult{events: rep.Pushed, requests: int(requests.Load()), took: end.Sub(t0)}
	if rep.Pushed != benchBacklog {
		return res, fmt.Errorf("đã gửi %d sự kiện thay vì %d", rep.Pushed, benchBacklog)
	}
	b.logf("  push %v: %s events/s (%s)", latency, groupInt(int(res.rate())), fmtDur(res.took))
	return res, nil
}
