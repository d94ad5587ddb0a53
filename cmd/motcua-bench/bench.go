package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"modernc.org/sqlite"

	"motcua/domain"
	"motcua/domain/citizen"
	"motcua/localdb"
)

// benchMeasures are the measures in the order they run; --only picks some.
var benchMeasures = []string{"intake", "search", "queue", "report", "verify", "push", "thin", "start", "memory"}

type benchOptions struct {
	dossiers  int
	cache     string
	samples   int
	only      map[string]bool
	fsync     bool          // measure intake with fsync and with fdatasync, in turn
	settle    time.Duration // how long after the queue shows its memory is read
	thinUnit  int           // events of the unit a new workstation pulls over the thin link
	thinPages int           // scanned pages sent after the week's events over the thin link
}

func cmdBench(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e)
	quick := fs.Bool("quick", false, "đo trên 100.000 hồ sơ (dưới hai phút khi kho đã có sẵn)")
	n := fs.Int("dossiers", 0, "số hồ sơ của kho đo (mặc định 1.000.000; --quick: 100.000)")
	cache := fs.String("cache", defaultBenchCache(), "thư mục giữ các kho đo giữa các lần chạy")
	samples := fs.Int("samples", 0, "số lần đo mỗi chỉ số độ trễ (mặc định 300; --quick: 150)")
	only := fs.String("only", "", "chỉ đo những mục này, cách nhau bởi dấu phẩy: "+strings.Join(benchMeasures, ","))
	cpuProfile := fs.String("cpuprofile", "", "ghi hồ sơ CPU (pprof) của các phép đo vào tệp này")
	fsyncToo := fs.Bool("compare-fsync", false, "đo tiếp nhận lần lượt với fsync và fdatasync để so sánh")
	settle := fs.Duration("settle", 5*time.Second, "đo bộ nhớ sau khi danh sách hồ sơ hiện ra được chừng này thời gian")
	thinUnit := fs.Int("thin-unit", thinWeek, "số sự kiện của đơn vị mà máy trạm mới nhận lần đầu qua đường truyền yếu (đầy đủ: 1000000)")
	thinPages := fs.Int("thin-pages", 10, "số trang quét gửi sau các sự kiện qua đường truyền yếu (tuần thật: 1000)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	opt := benchOptions{dossiers: *n, cache: *cache, samples: *samples, fsync: *fsyncToo, settle: *settle, thinUnit: *thinUnit, thinPages: *thinPages}
	if opt.dossiers <= 0 {
		opt.dossiers = 1_000_000
		if *quick {
			opt.dossiers = 100_000
		}
	}
	if opt.samples <= 0 {
		opt.samples = 300
		if *quick {
			opt.samples = 150
		}
	}
	if *only != "" {
		opt.only = map[string]bool{}
		for _, m := range strings.Split(*only, ",") {
			m = strings.TrimSpace(m)
			if !slices.Contains(benchMeasures, m) {
				return fmt.Errorf("--only: không có mục đo %q (có: %s)", m, strings.Join(benchMeasures, ", "))
			}
			opt.only[m] = true
		}
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	b := &bench{e: e, opt: opt, start: time.Now()}
	return b.run(ctx)
}

func defaultBenchCache() string {
	if d := os.Getenv("MOTCUA_BENCH_CACHE"); d != "" {
		return d
	}
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "motcua-bench")
	}
	return filepath.Join(os.TempDir(), "motcua-bench")
}

type bench struct {
	e     *env
	opt   benchOptions
	start time.Time

	dir    string             // the store's data folder
	store  *localdb.Store     // open while the store measures run
	offset atomic.Int64       // added to the store's clock (intakes on a day with numbers left)
	staff  []domain.Staff     // who received the seeded dossiers
	clerk  domain.Staff       // who takes the intakes
	rows   []localdb.QueueRow // sample dossiers for searches
	missed int
}

func (b *bench) want(m string) bool { return b.opt.only == nil || b.opt.only[m] }

// logf writes progress to stderr.
func (b *bench) logf(format string, args ...any) {
	fmt.Fprintf(b.e.stderr, "# "+format+"\n", args...)
}

// line prints one measure.
func (b *bench) line(name, measured, target string, ok bool) {
	verdict := "ok"
	if !ok {
		verdict = "MISS"
		b.missed++
	}
	fmt.Fprintf(b.e.stdout, "%s\t%s\t%s\t%s\n", name, measured, target, verdict)
}

func (b *bench) run(ctx context.Context) error {
	b.logf("motcua-bench: %d hồ sơ, %d CPU, %s/%s, %s", b.opt.dossiers, runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version())
	needStore := b.want("intake") || b.want("search") || b.want("queue") || b.want("report") || b.want("verify") || b.want("start") || b.want("memory")
	if needStore {
		if err := b.openStore(ctx); err != nil {
			return err
		}
	}
	steps := []struct {
		name string
		run  func(context.Context) error
	}{
		{"intake", b.measureIntake},
		{"search", b.measureSearch},
		{"queue", b.measureQueue},
		{"report", b.measureReport},
		{"verify", b.measureVerify},
		{"push", b.measurePush},
		{"thin", b.measureThin},
	}
	for _, st := range steps {
		if !b.want(st.name) {
			continue
		}
		if err := st.run(ctx); err != nil {
			b.closeStore()
			return fmt.Errorf("bench %s: %w", st.name, err)
		}
		if ctx.Err() != nil {
			b.closeStore()
			return ctx.Err()
		}
	}
	// The app opens the store itself.
	b.closeStore()
	if b.want("start") || b.want("memory") {
		if err := b.measureGUI(ctx); err != nil {
			return fmt.Errorf("bench gui: %w", err)
		}
	}
	b.logf("xong sau %s", time.Since(b.start).Round(time.Second))
	if b.missed > 0 {
		return exitError{code: 3, err: fmt.Errorf("%d chỉ số chưa đạt", b.missed)}
	}
	return nil
}

func (b *bench) closeStore() {
	if b.store != nil {
		b.store.Close()
		b.store = nil
	}
}

// Bench staff: two counter clerks and a supervisor receive the seeded dossiers; "bench" is
// the account the GUI measures sign in with (its password is set anew on each run).
var benchStaff = []struct {
	st   domain.Staff
	seed bool
}{
	{domain.Staff{Username: "lan", FullName: "Nguyễn Thị Lan", Role: domain.RoleCounter, Active: true}, true},
	{domain.Staff{Username: "hoa", FullName: "Trần Thị Hoa", Role: domain.RoleCounter, Active: true}, true},
	{domain.Staff{Username: "minh", FullName: "Lê Văn Minh", Role: domain.RoleSupervisor, Active: true}, true},
	{domain.Staff{Username: "bench", FullName: "Đo Hiệu Năng", Role: domain.RoleCounter, Active: true}, false},
}

var benchAdmin = domain.Staff{Username: "admin", FullName: "Quản trị viên", Role: domain.RoleAdmin, Active: true}

// benchMeta records how a cached store was made.
type benchMeta struct {
	Dossiers   int       `json:"dossiers"`
	Days       int       `json:"days"`
	Created    time.Time `json:"created"`
	SeedTime   string    `json:"seed_time"`
	SeedPerSec float64   `json:"seed_per_second"`
}

// openStore opens the cached store of the size asked, making (or completing) it first.
func (b *bench) openStore(ctx context.Context) error {
	b.dir = filepath.Join(b.opt.cache, fmt.Sprint(b.opt.dossiers))
	b.logf("kho đo: %s", b.dir)
	t0 := time.Now()
	s, err := localdb.Open(ctx, b.dir, localdb.Options{Now: func() time.Time { return time.Now().Add(time.Duration(b.offset.Load())) }})
	if err != nil {
		return err
	}
	b.store = s
	if d := time.Since(t0); d > time.Second {
		b.logf("mở kho (và nâng cấp lược đồ) mất %s", d.Round(100*time.Millisecond))
	}
	if err := b.prepareStore(ctx); err != nil {
		return err
	}
	st, err := s.Stats(ctx)
	if err != nil {
		return err
	}
	if missing := b.opt.dossiers - st.Dossiers; missing > 0 {
		days := b.opt.dossiers/600*7/5 + 14
		b.logf("tạo %d hồ sơ mẫu trải trên %d ngày (khoảng 600 hồ sơ mỗi ngày làm việc); lần đầu với 1.000.000 hồ sơ mất vài phút", missing, days)
		t0 := time.Now()
		last := time.Time{}
		made, err := s.Seed(ctx, localdb.SeedOptions{Dossiers: missing, Days: days, Seed: uint64(b.opt.dossiers), Actors: b.staff,
			SyncedBefore: time.Now().Add(-24 * time.Hour),
			Progress: func(done, total int) {
				if time.Since(last) > 10*time.Second || done == total {
					last = time.Now()
					b.logf("  %d/%d (%.0f hồ sơ/s)", done, total, float64(done)/time.Since(t0).Seconds())
				}
			}})
		if err != nil {
			return err
		}
		took := time.Since(t0)
		b.logf("đã tạo %d hồ sơ trong %s (%.0f hồ sơ/s)", made, took.Round(time.Second), float64(made)/took.Seconds())
		meta := benchMeta{Dossiers: b.opt.dossiers, Days: days, Created: time.Now(), SeedTime: took.Round(time.Second).String(),
			SeedPerSec: float64(made) / took.Seconds()}
		if raw, err := json.MarshalIndent(meta, "", "  "); err == nil {
			_ = os.WriteFile(filepath.Join(b.dir, "bench.json"), raw, 0o644)
		}
	}
	b.logf("SQLite commits with fdatasync: %v (--compare-fsync measures both)", sqlite.FdatasyncEnabled())
	if fi, err := os.Stat(s.Path()); err == nil {
		b.logf("kho: %d hồ sơ, %.1f GB", max(st.Dossiers, b.opt.dossiers), float64(fi.Size())/1e9)
	}
	return nil
}

// prepareStore configures a new store and its staff, and picks who does what.
func (b *bench) prepareStore(ctx context.Context) error {
	s := b.store
	if !s.Config().Configured() {
		cfg := s.Config()
		cfg.UnitCode, cfg.UnitName, cfg.Slot = "000.00.06.H56", "Trung tâm Phục vụ hành chính công xã An Hưng", 1
		cfg.ReturnPlace = "Bộ phận Một cửa xã An Hưng"
		if err := s.UpdateConfig(ctx, benchAdmin, cfg); err != nil {
			return err
		}
	}
	have, err := s.ListStaff(ctx)
	if err != nil {
		return err
	}
	if len(have) == 0 {
		if err := s.CreateStaff(ctx, nil, benchAdmin, benchPassword()); err != nil {
			return err
		}
	}
	for _, bs := range benchStaff {
		if !slices.ContainsFunc(have, func(st domain.Staff) bool { return st.Username == bs.st.Username }) {
			if err := s.CreateStaff(ctx, &benchAdmin, bs.st, benchPassword()); err != nil {
				return err
			}
		}
		if bs.seed {
			b.staff = append(b.staff, bs.st)
		}
	}
	b.clerk = benchStaff[0].st
	return nil
}

// benchPassword is a random password that passes the account rules.
func benchPassword() string {
	const letters = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	out := make([]byte, 20)
	for i := range out {
		out[i] = letters[rand.IntN(len(letters))]
	}
	return string(out[:16]) + "-A7x"
}

// latencies collects durations and summarises them.
type latencies []time.Duration

func (l latencies) sorted() latencies {
	s := slices.Clone(l)
	slices.Sort(s)
	return s
}

// pct is the p-th percentile (nearest rank).
func (l latencies) pct(p float64) time.Duration {
	s := l.sorted()
	if len(s) == 0 {
		return 0
	}
	k := int(float64(len(s))*p/100+0.999999) - 1
	return s[max(0, min(k, len(s)-1))]
}

// groupInt writes n with English thousands separators (the bench's lines are English).
func groupInt(n int) string { return english.Sprint(n) }

var english = message.NewPrinter(language.English)

func fmtDur(d time.Duration) string {
	switch {
	case d >= time.Second:
		return fmt.Sprintf("%.2f s", d.Seconds())
	case d >= 10*time.Millisecond:
		return fmt.Sprintf("%.0f ms", float64(d)/1e6)
	default:
		return fmt.Sprintf("%.2f ms", float64(d)/1e6)
	}
}

// latencyLine prints p50, p99 and the slowest against a p99 target.
func (b *bench) latencyLine(name string, l latencies, target time.Duration, extra string) {
	p50, p99 := l.pct(50), l.pct(99)
	m := fmt.Sprintf("p50 %s, p99 %s (n=%d, max %s%s)", fmtDur(p50), fmtDur(p99), len(l), fmtDur(l.pct(100)), extra)
	b.line(name, m, "p99 ≤ "+fmtDur(target), p99 <= target)
}

// timeN runs f n times and returns the durations.
func timeN(ctx context.Context, n int, f func(i int) error) (latencies, error) {
	out := make(latencies, 0, n)
	for i := 0; i < n; i++ {
		if ctx.Err() != nil {
			return out, ctx.Err()
		}
		t0 := time.Now()
		if err := f(i); err != nil {
			return out, err
		}
		out = append(out, time.Since(t0))
	}
	return out, nil
}

// --- intake -----------------------------------------------------------------------------

// measureIntake times Receive: validation, numbering, the events, the projection, the
// search index, the visit, the audit entry, and a durable commit (synchronous=FULL). The
// intakes are dated on coming working days (a workstation has 999 numbers a day), so the
// measure can run again and again on the same store.
func (b *bench) measureIntake(ctx context.Context) error {
	s := b.store
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	procs := b.intakeProcedures()
	if len(procs) == 0 {
		return errors.New("không có thủ tục nào trong danh mục nhận được hồ sơ mẫu")
	}
	day := nextWorkingDay(s, time.Now())
	b.setDay(day)
	defer b.offset.Store(0)
	receive := func() error {
		for tries := 0; ; tries++ {
			_, err := s.Receive(ctx, b.clerk, benchIntake(rng, procs))
			var re *domain.RuleError
			if errors.As(err, &re) && re.Code == "code.exhausted" && tries < 400 {
				day = nextWorkingDay(s, day)
				b.setDay(day)
				continue
			}
			return err
		}
	}
	// A few to warm up (the first touches cold pages of every index).
	for i := 0; i < 10; i++ {
		if err := receive(); err != nil {
			return err
		}
	}
	if !b.opt.fsync {
		l, err := timeN(ctx, b.opt.samples, func(int) error { return receive() })
		if err != nil {
			return err
		}
		b.latencyLine("intake commit (durable)", l, 10*time.Millisecond, "")
		return nil
	}
	// fsync against fdatasync, one intake each in turn (so neither gets the warmer caches).
	prev := sqlite.FdatasyncEnabled()
	defer sqlite.Fdatasync(prev)
	var withFsync, withFdatasync latencies
	for i := 0; i < 2*b.opt.samples; i++ {
		if _, err := sqlite.Fdatasync(i%2 == 1); err != nil {
			return err
		}
		t0 := time.Now()
		if err := receive(); err != nil {
			return err
		}
		if i%2 == 1 {
			withFdatasync = append(withFdatasync, time.Since(t0))
		} else {
			withFsync = append(withFsync, time.Since(t0))
		}
	}
	b.latencyLine("intake commit (durable), committing with fsync", withFsync, 10*time.Millisecond, "")
	b.latencyLine("intake commit (durable), committing with fdatasync", withFdatasync, 10*time.Millisecond, "")
	return nil
}

// setDay moves the store's clock to 8:00 on day plus the time since.
func (b *bench) setDay(day time.Time) {
	start := time.Now()
	at := time.Date(day.Year(), day.Month(), day.Day(), 8, 0, 0, 0, domain.VN())
	b.offset.Store(int64(at.Sub(start)))
}

func nextWorkingDay(s *localdb.Store, after time.Time) time.Time {
	d := after.In(domain.VN())
	d = time.Date(d.Year(), d.Month(), d.Day(), 12, 0, 0, 0, domain.VN())
	for {
		d = d.AddDate(0, 0, 1)
		if s.Calendar().IsWorkingDay(d) {
			return d
		}
	}
}

// intakeProcedures are the catalogue's procedures a plain intake (applicant, required
// documents) satisfies.
func (b *bench) intakeProcedures() []domain.Procedure {
	var out []domain.Procedure
	rng := rand.New(rand.NewPCG(1, 2))
	for _, p := range b.store.Catalogue().Procedures {
		in := benchIntake(rng, []domain.Procedure{p})
		if _, _, err := domain.PrepareIntake(in, b.store.Catalogue(), time.Now()); err == nil {
			out = append(out, p)
		}
	}
	return out
}

var (
	benchFamily        = []string{"Nguyễn", "Nguyễn", "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô"}
	benchMiddle        = []string{"Văn", "Thị", "Đức", "Hữu", "Minh", "Thu", "Ngọc", "Thanh"}
	benchPhonePrefixes = []string{"091", "098", "097", "086", "035", "036", "090", "093", "070", "088", "094", "083"}
	benchGiven         = []string{"An", "Bình", "Cường", "Dũng", "Hà", "Hạnh", "Hương", "Lan", "Linh", "Mai", "Nam", "Phong", "Quân", "Thảo", "Trang", "Tuấn"}
)

func benchIntake(rng *rand.Rand, procs []domain.Procedure) domain.Intake {
	p := procs[rng.IntN(len(procs))]
	var docs []domain.DocumentItem
	for _, d := range p.Documents {
		if !d.Optional && d.Code != "" {
			docs = append(docs, domain.DocumentItem{Code: d.Code})
		}
	}
	name := benchFamily[rng.IntN(len(benchFamily))] + " " + benchMiddle[rng.IntN(len(benchMiddle))] + " " + benchGiven[rng.IntN(len(benchGiven))]
	return domain.Intake{
		ProcedureCode: p.Code,
		Applicant: domain.Person{Name: name, IDNumber: fmt.Sprintf("0010%02d%06d", 60+rng.IntN(39), rng.IntN(1000000)),
			Phone:   benchPhonePrefixes[rng.IntN(len(benchPhonePrefixes))] + fmt.Sprintf("%07d", rng.IntN(10000000)),
			Address: "Thôn Đông, xã An Hưng, TP Hải Phòng"},
		Documents: docs,
		Summary:   p.Name,
		Copies:    1,
		Pages:     1,
	}
}

// --- search -------------------------------------------------------------------------------

// sampleRows finds n dossiers spread over the store, by code: the day's numbering is
// predictable, so a random day and number finds one without scanning anything.
func (b *bench) sampleRows(ctx context.Context, n int) ([]localdb.QueueRow, error) {
	if len(b.rows) >= n {
		return b.rows[:n], nil
	}
	cfg := b.store.Config()
	rng := rand.New(rand.NewPCG(uint64(b.opt.dossiers), 11))
	days := b.opt.dossiers/600*7/5 + 14
	today := time.Now().In(domain.VN())
	for tries := 0; len(b.rows) < n && tries < 50*n; tries++ {
		day := today.AddDate(0, 0, -rng.IntN(days))
		code, err := domain.NewDossierCode(cfg.UnitCode, day, cfg.Slot, 1+rng.IntN(600))
		if err != nil {
			return nil, err
		}
		rows, err := b.store.Search(ctx, code.String(), 1)
		if err != nil {
			return nil, err
		}
		if len(rows) == 1 && rows[0].Applicant != "" && rows[0].IDNumber != "" {
			b.rows = append(b.rows, rows[0])
		}
	}
	if len(b.rows) == 0 {
		return nil, errors.New("không tìm được hồ sơ mẫu nào theo mã")
	}
	return b.rows, nil
}

// measureSearch times Search (the hand-over screen's search, 20 results) by a dossier's
// code, its applicant's ID number and name typed without diacritics, each for sampled
// dossiers; and the queue's search box (the first page of the open dossiers matching a name).
func (b *bench) measureSearch(ctx context.Context) error {
	rows, err := b.sampleRows(ctx, b.opt.samples)
	if err != nil {
		return err
	}
	s := b.store
	type kind struct {
		name string
		text func(r localdb.QueueRow) string
	}
	var counts []int
	for _, k := range []kind{
		{"search by code", func(r localdb.QueueRow) string { return r.Code }},
		{"search by ID number", func(r localdb.QueueRow) string { return r.IDNumber }},
		{"search by name without diacritics", func(r localdb.QueueRow) string { return citizen.Fold(r.Applicant) }},
	} {
		counts = counts[:0]
		l, err := timeN(ctx, len(rows), func(i int) error {
			found, err := s.Search(ctx, k.text(rows[i]), 20)
			counts = append(counts, len(found))
			return err
		})
		if err != nil {
			return err
		}
		b.latencyLine(k.name, l, 20*time.Millisecond, fmt.Sprintf(", median %d found", median(counts)))
	}
	open := openStatuses()
	counts = counts[:0]
	l, err := timeN(ctx, len(rows), func(i int) error {
		found, err := s.Queue(ctx, localdb.QueueFilter{Text: citizen.Fold(rows[i].Applicant), Statuses: open}, 0, 50)
		counts = append(counts, len(found))
		return err
	})
	if err != nil {
		return err
	}
	b.latencyLine("search box of the queue (name, open dossiers)", l, 20*time.Millisecond, fmt.Sprintf(", median %d found", median(counts)))
	// The same over every status, with the count the screen shows (capped: informational).
	l, err = timeN(ctx, min(len(rows), 100), func(i int) error {
		_, _, err := s.QueueCountCapped(ctx, localdb.QueueFilter{Text: citizen.Fold(rows[i].Applicant)})
		return err
	})
	if err != nil {
		return err
	}
	b.logf("đếm kết quả tìm theo tên (mọi trạng thái, tối đa %d): p50 %s, p99 %s", localdb.TextMatchCap, fmtDur(l.pct(50)), fmtDur(l.pct(99)))
	return nil
}

func median(xs []int) int {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	sort.Ints(s)
	return s[len(s)/2]
}

func openStatuses() []domain.Status {
	var out []domain.Status
	for _, st := range domain.AllStatuses() {
		if st.Open() {
			out = append(out, st)
		}
	}
	return out
}

// --- queue --------------------------------------------------------------------------------

// measureQueue times one page (50 rows) of the queue sorted by due date, with the filters
// of the queue screen: what it opens on (dossiers being worked on), every status, one
// status with a staff member or a field, overdue, due today, waiting to sync; and scrolling
// down page after page.
func (b *bench) measureQueue(ctx context.Context) error {
	s := b.store
	rng := rand.New(rand.NewPCG(uint64(b.opt.dossiers), 13))
	fields := s.Catalogue().Fields()
	statuses := domain.AllStatuses()
	open := openStatuses()
	page := func(f func() localdb.QueueFilter) func(int) error {
		return func(int) error {
			rows, err := s.Queue(ctx, f(), 0, 50)
			if err == nil && len(rows) == 0 {
				return nil
			}
			return err
		}
	}
	cases := []struct {
		name string
		f    func() localdb.QueueFilter
	}{
		{"queue page: open dossiers (the screen's default)", func() localdb.QueueFilter { return localdb.QueueFilter{Statuses: open} }},
		{"queue page: every status", func() localdb.QueueFilter { return localdb.QueueFilter{} }},
		{"queue page: one status + staff", func() localdb.QueueFilter {
			return localdb.QueueFilter{Statuses: []domain.Status{statuses[1+rng.IntN(len(statuses)-1)]}, Staff: b.staff[rng.IntN(len(b.staff))].Username}
		}},
		{"queue page: one status + field", func() localdb.QueueFilter {
			return localdb.QueueFilter{Statuses: []domain.Status{statuses[1+rng.IntN(len(statuses)-1)]}, FieldCode: fields[rng.IntN(len(fields))].Code}
		}},
		{"queue page: open + mine", func() localdb.QueueFilter {
			return localdb.QueueFilter{Statuses: open, Staff: b.staff[rng.IntN(len(b.staff))].Username}
		}},
		{"queue page: overdue", func() localdb.QueueFilter { return localdb.QueueFilter{Overdue: true} }},
		{"queue page: due today", func() localdb.QueueFilter { return localdb.QueueFilter{DueToday: true} }},
		{"queue page: waiting to sync", func() localdb.QueueFilter { return localdb.QueueFilter{Sync: 1} }},
	}
	for _, c := range cases {
		l, err := timeN(ctx, b.opt.samples, page(c.f))
		if err != nil {
			return err
		}
		b.latencyLine(c.name, l, 10*time.Millisecond, "")
	}
	// Scrolling: each next page starts after the last row of the one before (what the
	// screen does as the table scrolls), 20 pages deep, over every status.
	var l latencies
	for round := 0; len(l) < b.opt.samples; round++ {
		var after *localdb.QueueKey
		for p := 0; p < 20 && len(l) < b.opt.samples; p++ {
			t0 := time.Now()
			rows, err := s.Queue(ctx, localdb.QueueFilter{After: after}, 0, 50)
			if err != nil {
				return err
			}
			l = append(l, time.Since(t0))
			if len(rows) == 0 {
				break
			}
			k := rows[len(rows)-1].Key
			after = &k
		}
	}
	b.latencyLine("queue page: scrolling, next page by key", l, 10*time.Millisecond, "")
	// Informational: a jump far down the list (by offset, as when the scroll bar is
	// dragged), and the counts the screen shows next to the list.
	jump, err := timeN(ctx, 50, func(int) error {
		_, err := s.Queue(ctx, localdb.QueueFilter{}, rng.IntN(max(1, b.opt.dossiers/10)), 50)
		return err
	})
	if err != nil {
		return err
	}
	b.logf("nhảy tới một trang bất kỳ trong 10%% đầu danh sách (OFFSET): p50 %s, p99 %s", fmtDur(jump.pct(50)), fmtDur(jump.pct(99)))
	for _, c := range []struct {
		name string
		f    localdb.QueueFilter
	}{{"đang xử lý", localdb.QueueFilter{Statuses: open}}, {"tất cả", localdb.QueueFilter{}}} {
		cl, err := timeN(ctx, 20, func(int) error { _, err := s.QueueCount(ctx, c.f); return err })
		if err != nil {
			return err
		}
		b.logf("đếm hồ sơ (%s, chạy nền cạnh trang đầu): p50 %s, p99 %s", c.name, fmtDur(cl.pct(50)), fmtDur(cl.pct(99)))
	}
	return nil
}

// --- report -------------------------------------------------------------------------------

// measureReport times Biểu II.06a of the last full month, five times.
func (b *bench) measureReport(ctx context.Context) error {
	now := time.Now().In(domain.VN())
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, domain.VN()).AddDate(0, -1, 0)
	last := first.AddDate(0, 1, -1)
	p, err := domain.ParsePeriod(first.Format("2006-01-02"), last.Format("2006-01-02"))
	if err != nil {
		return err
	}
	var rows int
	l, err := timeN(ctx, 5, func(int) error {
		_, _, err := b.store.Report(ctx, p, domain.ReportOptions{}, func(n int) { rows = n })
		return err
	})
	if err != nil {
		return err
	}
	worst := l.pct(100)
	b.line("monthly report (Biểu II.06a, "+first.Format("01/2006")+")", fmt.Sprintf("p50 %s, max %s (n=%d, %d+ rows read)", fmtDur(l.pct(50)), fmtDur(worst), len(l), rows),
		"≤ 1 s", worst <= time.Second)
	return nil
}

// measureVerify times `motcua verify` on the whole store: the chain link by link, every
// signature, every dossier re-folded and compared, the search indexes token by token.
func (b *bench) measureVerify(ctx context.Context) error {
	stages := map[string]time.Time{}
	var order []string
	start := time.Now()
	res, err := b.store.VerifyAll(ctx, localdb.VerifyOptions{Progress: func(stage string, _, _ int64) {
		if _, ok := stages[stage]; !ok {
			stages[stage] = time.Now()
			order = append(order, stage)
		}
	}})
	if err != nil {
		return err
	}
	took := time.Since(start)
	// Each stage runs from its first progress report to the next stage's.
	labels := append([]string{"integrity_check, nhật ký, tệp"}, order...)
	marks := []time.Time{start}
	for _, st := range order {
		marks = append(marks, stages[st])
	}
	marks = append(marks, start.Add(took))
	var parts []string
	for i, l := range labels {
		parts = append(parts, fmt.Sprintf("%s %s", l, fmtDur(marks[i+1].Sub(marks[i]))))
	}
	b.line("verify (whole store)", fmt.Sprintf("%s for %s events, %s dossiers, %d findings [%s]", fmtDur(took), groupInt(int(res.Events)),
		groupInt(int(res.Dossiers)), len(res.Findings), strings.Join(parts, "; ")), "≤ 10 min", took <= 10*time.Minute && res.OK())
	return nil
}
