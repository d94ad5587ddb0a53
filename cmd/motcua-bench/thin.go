package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	gosync "sync"
	"sync/atomic"
	"time"

	"motcua/domain"
	"motcua/internal/delayproxy"
	"motcua/internal/fileutil"
	"motcua/localdb"
	appsync "motcua/sync"
	"motcua/sync/api"
	"motcua/sync/central"
)

// --- sync over a thin link ------------------------------------------------------------------

// thinWeek is a five-counter centre's week: about 700 dossiers a day over five days, five
// events each (intake, steps, hand-over, the visits they count).
const thinWeek = 17_500

// thinLink is a commune's 3G or satellite line: 256 kbit/s each way, 600 ms round trip
// (±15 ms of jitter), 1% of segments lost.
var thinLink = delayproxy.Link{Rate: 256_000 / 8, Latency: 300 * time.Millisecond, Jitter: 30 * time.Millisecond, Loss: 0.01, Seed: 2026}

// measureThin syncs through the link simulator (internal/delayproxy): a week's backlog of
// thinWeek events and b.opt.thinPages scanned pages pushed by one workstation, then the first
// sync of a new workstation of the unit (b.opt.thinUnit events to pull). It counts the bytes
// on the line and every event id in every push body, so anything sent twice shows.
func (b *bench) measureThin(ctx context.Context) error {
	b.logf("đường truyền giả lập: %d kbit/s, RTT %s, mất gói %.0f%%; tải máy: %s", thinLink.Rate*8/1000, 2*thinLink.Latency,
		thinLink.Loss*100, loadAvg())
	tmpl, err := b.backlogTemplate(ctx, thinWeek)
	if err != nil {
		return err
	}
	work, err := os.MkdirTemp(b.opt.cache, "thin-run-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	wsDir, srvDir := filepath.Join(work, "ws"), filepath.Join(work, "central")
	if err := copyWorkstation(tmpl, wsDir); err != nil {
		return err
	}
	srv, err := central.Open(ctx, central.Options{Dir: srvDir})
	if err != nil {
		return err
	}
	defer srv.Close()
	count := &pushCounter{seen: map[string]int{}}
	var pushEnd, firstPatch atomic.Int64
	var pushEndUp, pushEndDown atomic.Int64
	var proxy *delayproxy.Proxy
	srv.SetObserver(func(r *http.Request) {
		if r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/changes") && pushEnd.CompareAndSwap(0, time.Now().UnixNano()) {
			up, down := proxy.Bytes()
			pushEndUp.Store(up)
			pushEndDown.Store(down)
		}
		if r.Method == http.MethodPatch {
			firstPatch.CompareAndSwap(0, time.Now().UnixNano())
		}
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	hs := central.NewHTTPServer("", count.wrap(srv.Handler()), srv.Limits())
	go hs.Serve(ln)
	defer hs.Close()
	proxy, err = delayproxy.StartLink(ln.Addr().String(), thinLink)
	if err != nil {
		return err
	}
	defer proxy.Close()
	url := "http://" + proxy.Addr().String()

	ws, err := localdb.Open(ctx, wsDir, localdb.Options{})
	if err != nil {
		return err
	}
	defer ws.Close()
	cfg := ws.Config()
	code, _, err := srv.Central().IssueEnrollCode(ctx, cfg.UnitCode, cfg.UnitName, cfg.Slot)
	if err != nil {
		return err
	}
	if _, err := appsync.Enroll(ctx, ws, url, code, "Quầy đo"); err != nil {
		return err
	}
	scanLog = func(scanned, stored int64, n int) {
		if n > 0 {
			b.logf("  %d trang quét 300 dpi màu: %s mỗi trang khi quét, %s sau khi nén lại lúc tiếp nhận (%d dpi, xám, JPEG %d)", n,
				domain.FormatBytes(int(scanned)/n), domain.FormatBytes(int(stored)/n), localdb.ScanDPI, localdb.ScanQuality)
		}
	}
	pageBytes, err := addScans(ctx, ws, b.opt.thinPages)
	if err != nil {
		return err
	}
	events, err := ws.OutboxCount(ctx)
	if err != nil {
		return err
	}
	eng := appsync.New(ws, appsync.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	up0, down0 := proxy.Bytes()
	t0 := time.Now()
	rep, err := eng.SyncOnce(ctx)
	if err != nil {
		return err
	}
	end := time.Now()
	upAll, downAll := proxy.Bytes()
	if rep.Pushed != events {
		return fmt.Errorf("đã gửi %d sự kiện thay vì %d", rep.Pushed, events)
	}
	pushTook := time.Unix(0, pushEnd.Load()).Sub(t0)
	wire := float64(pushEndUp.Load()-up0+pushEndDown.Load()-down0) / float64(events)
	sent, unique := count.totals()
	b.logf("  tuần: %d sự kiện trong %s, %d byte lên + %d byte xuống; %d lượt gửi lại mất gói; %d sự kiện trong các yêu cầu, %d khác nhau",
		events, fmtDur(pushTook), pushEndUp.Load()-up0, pushEndDown.Load()-down0, proxy.Retransmits(), sent, unique)
	b.line(fmt.Sprintf("thin link: a week's %s events, 256 kbit/s, 600 ms RTT, 1%% loss", groupInt(events)),
		fmt.Sprintf("%s (%s events/s)", fmtDur(pushTook), groupInt(int(float64(events)/pushTook.Seconds()))), "≤ 60 s", pushTook <= time.Minute)
	b.line("thin link: wire bytes per pushed event (both ways, TCP payload)", fmt.Sprintf("%.0f B", wire), "≤ 100 B", wire <= 100)
	b.line("thin link: events sent again after acknowledgement", fmt.Sprintf("%d (%d sent, %d distinct)", sent-unique, sent, unique), "0", sent == unique)
	if b.opt.thinPages > 0 {
		filesStart := time.Unix(0, firstPatch.Load())
		filesTook := end.Sub(filesStart)
		perPage := filesTook / time.Duration(b.opt.thinPages)
		b.logf("  tệp: %d trang quét (%s mỗi trang) từ %s sau khi bắt đầu; %s", b.opt.thinPages, domain.FormatBytes(int(pageBytes)/b.opt.thinPages),
			fmtDur(filesStart.Sub(t0)), fmtDur(filesTook))
		b.line(fmt.Sprintf("thin link: %d scanned pages after the events", b.opt.thinPages),
			fmt.Sprintf("%s (%s a page, %s each; 1,000 pages ≈ %s); started after the events: %v", fmtDur(filesTook), fmtDur(perPage),
				domain.FormatBytes(int(pageBytes)/b.opt.thinPages), fmtDur(perPage*1000), filesStart.After(time.Unix(0, pushEnd.Load()))),
			"after the events", filesStart.After(time.Unix(0, pushEnd.Load())))
	}
	b.logf("  cả lượt: %s, %d byte lên, %d byte xuống", fmtDur(end.Sub(t0)), upAll-up0, downAll-down0)

	// A new workstation's first sync of the unit: its events come down the same line.
	if err := b.thinFirstSync(ctx, srv, proxy, url, tmpl, work); err != nil {
		return err
	}
	b.logf("tải máy sau khi đo: %s", loadAvg())
	return nil
}

// thinFirstSync enrolls a new workstation at slot 2 and pulls the unit's b.opt.thinUnit
// events through the link. When the unit should hold more than the week, another
// workstation's backlog is pushed to the city on loopback first.
func (b *bench) thinFirstSync(ctx context.Context, srv *central.Server, proxy *delayproxy.Proxy, url, tmpl, work string) error {
	held, err := srv.Central().Events(ctx)
	if err != nil {
		return err
	}
	if more := b.opt.thinUnit - len(held); more > 0 {
		if err := b.thinFill(ctx, srv, more, work); err != nil {
			return err
		}
	}
	// A new machine: an empty store, set up for the unit.
	ws, err := localdb.Open(ctx, filepath.Join(work, "new"), localdb.Options{})
	if err != nil {
		return err
	}
	defer ws.Close()
	tcfg, err := templateConfig(ctx, tmpl)
	if err != nil {
		return err
	}
	cfg := ws.Config()
	cfg.UnitCode, cfg.UnitName, cfg.Slot, cfg.ReturnPlace = tcfg.UnitCode, tcfg.UnitName, 2, tcfg.ReturnPlace
	if err := ws.UpdateConfig(ctx, benchAdmin, cfg); err != nil {
		return err
	}
	code, _, err := srv.Central().IssueEnrollCode(ctx, cfg.UnitCode, cfg.UnitName, 2)
	if err != nil {
		return err
	}
	if _, err := appsync.Enroll(ctx, ws, url, code, "Quầy mới"); err != nil {
		return err
	}
	eng := appsync.New(ws, appsync.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	up0, down0 := proxy.Bytes()
	t0 := time.Now()
	rep, err := eng.SyncOnce(ctx)
	if err != nil {
		return err
	}
	took := time.Since(t0)
	up, down := proxy.Bytes()
	per := float64(up-up0+down-down0) / float64(max(rep.Pulled, 1))
	b.line(fmt.Sprintf("thin link: new workstation's first sync, %s events", groupInt(rep.Pulled)),
		fmt.Sprintf("%s (%s events/s, %.0f wire B/event)", fmtDur(took), groupInt(int(float64(rep.Pulled)/took.Seconds())), per),
		"≤ 100 wire B/event", per <= 100)
	return nil
}

// thinFill pushes n more events of another workstation (slot 3) to the city on loopback.
func (b *bench) thinFill(ctx context.Context, srv *central.Server, n int, work string) error {
	tmpl, err := b.backlogTemplate(ctx, n)
	if err != nil {
		return err
	}
	dir := filepath.Join(work, "fill")
	if err := copyWorkstation(tmpl, dir); err != nil {
		return err
	}
	ws, err := localdb.Open(ctx, dir, localdb.Options{})
	if err != nil {
		return err
	}
	defer ws.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	hs := central.NewHTTPServer("", srv.Handler(), srv.Limits())
	go hs.Serve(ln)
	defer hs.Close()
	cfg := ws.Config()
	code, _, err := srv.Central().IssueEnrollCode(ctx, cfg.UnitCode, cfg.UnitName, 3)
	if err != nil {
		return err
	}
	if _, err := appsync.Enroll(ctx, ws, "http://"+ln.Addr().String(), code, "Quầy nạp"); err != nil {
		return err
	}
	b.logf("nạp thêm %d sự kiện cho đơn vị (qua loopback)", n)
	_, err = appsync.New(ws, appsync.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}).SyncOnce(ctx)
	return err
}

// templateConfig reads a template workstation's configuration.
func templateConfig(ctx context.Context, tmpl string) (localdb.Config, error) {
	dir, err := os.MkdirTemp(filepath.Dir(tmpl), "cfg-*")
	if err != nil {
		return localdb.Config{}, err
	}
	defer os.RemoveAll(dir)
	if err := copyWorkstation(tmpl, dir); err != nil {
		return localdb.Config{}, err
	}
	s, err := localdb.Open(ctx, dir, localdb.Options{})
	if err != nil {
		return localdb.Config{}, err
	}
	defer s.Close()
	return s.Config(), nil
}

func copyWorkstation(tmpl, dir string) error {
	if err := os.MkdirAll(filepath.Join(dir, "files"), 0o700); err != nil {
		return err
	}
	for _, name := range []string{localdb.DBFile, localdb.KeyFile} {
		if err := fileutil.CopyFile(filepath.Join(tmpl, name), filepath.Join(dir, name)); err != nil {
			return err
		}
	}
	return nil
}

// addScans stores n scanned pages (A4 at 150 dpi, grey JPEG, made up) and attaches each to
// a dossier of the store; it returns their total size.
func addScans(ctx context.Context, s *localdb.Store, n int) (int64, error) {
	if n <= 0 {
		return 0, nil
	}
	rows, err := s.Queue(ctx, localdb.QueueFilter{Statuses: openStatuses()}, 0, n)
	if err != nil {
		return 0, err
	}
	if len(rows) == 0 {
		return 0, fmt.Errorf("không có hồ sơ để đính kèm trang quét")
	}
	var total, scanned int64
	defer func() { scanLog(scanned, total, n) }()
	for i := range n {
		d, err := s.Get(ctx, rows[i%len(rows)].ID)
		if err != nil {
			return 0, err
		}
		if len(d.Documents) == 0 {
			return 0, fmt.Errorf("hồ sơ %s không có thành phần để đính kèm", d.Code)
		}
		page := scannedPage(uint64(i + 1))
		ref, err := s.StoreScan(ctx, bytes.NewReader(page), fmt.Sprintf("trang-%04d.jpg", i+1), d.ID, d.Documents[0].Code)
		if err != nil {
			return 0, err
		}
		scanned += int64(len(page))
		total += ref.Size
		if _, err := s.AttachFile(ctx, benchAdmin, d.ID, domain.FileAttachedPayload{File: ref, Document: d.Documents[0].Code, Digitized: true}); err != nil {
			return 0, err
		}
	}
	return total, nil
}

// scanLog is set by measureThin to report what intake made of the scans.
var scanLog = func(scanned, stored int64, n int) {}

// scannedPage draws a made-up A4 page as a counter's scanner gives it: 300 dpi, colour
// (RGB with the paper's slight tint), JPEG at quality 90 — about 40
// lines of "text": words of letter-like strokes.
func scannedPage(seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, 7))
	const w, h = 2480, 3508
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < len(img.Pix); i += 4 {
		v := uint8(236 + i/4/w*8/h) // the paper darkens a little down the page
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = v, v, v-5, 255
	}
	ink := color.RGBA{35, 35, 45, 255}
	for y := 300; y < h-300; y += 72 {
		x := 240
		for x < w-480 {
			letters := 2 + rng.IntN(7)
			for range letters {
				// A letter: one or two upright strokes, and a bar on top or at the foot.
				for s := 0; s <= rng.IntN(2); s++ {
					for yy := y + rng.IntN(8); yy < y+36; yy++ {
						for xx := x + s*12; xx < x+s*12+4; xx++ {
							img.SetRGBA(xx, yy, ink)
						}
					}
				}
				bar := y + []int{0, 17, 33}[rng.IntN(3)]
				for yy := bar; yy < bar+3; yy++ {
					for xx := x; xx < x+16; xx++ {
						img.SetRGBA(xx, yy, ink)
					}
				}
				x += 22
			}
			x += 26
		}
	}
	var out bytes.Buffer
	jpeg.Encode(&out, img, &jpeg.Options{Quality: 90})
	return out.Bytes()
}

// pushCounter counts the event ids of every push body the city receives.
type pushCounter struct {
	mu   gosync.Mutex
	seen map[string]int
	sent int
}

func (c *pushCounter) totals() (sent, unique int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sent, len(c.seen)
}

func (c *pushCounter) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/events") {
			raw, err := io.ReadAll(io.LimitReader(r.Body, 64<<20))
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(raw))
			body := raw
			if r.Header.Get("Content-Encoding") == "gzip" {
				if zr, err := gzip.NewReader(bytes.NewReader(raw)); err == nil {
					body, _ = io.ReadAll(zr)
				}
			}
			var ids []string
			if strings.HasPrefix(r.Header.Get("Content-Type"), api.ContentTypeCompact) {
				var p api.PushRequestC
				json.Unmarshal(body, &p)
				evs, _ := p.Events.Unpack()
				for _, e := range evs {
					ids = append(ids, e.ID)
				}
			} else {
				var p api.PushRequest
				json.Unmarshal(body, &p)
				for _, e := range p.Events {
					ids = append(ids, e.ID)
				}
			}
			c.mu.Lock()
			for _, id := range ids {
				c.seen[id]++
			}
			c.sent += len(ids)
			c.mu.Unlock()
		}
		h.ServeHTTP(w, r)
	})
}

// loadAvg is the machine's load (1, 5 and 15 minutes) from /proc/loadavg, where there is one.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "không rõ"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "không rõ"
	}
	return strings.Join(f[:3], " ")
}
