package localdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/google/uuid"

	"motcua/domain"
	"motcua/domain/calendar"
)

// Seeding makes realistic synthetic dossiers for demos and benchmarks: Vietnamese names,
// the catalogue's procedures weighted by how often counters see them, every status, spread
// over the working hours of the past days. Seeded dossiers are ordinary local dossiers made
// by this workstation: their events wait in the outbox like any other.

// SeedOptions control Seed.
type SeedOptions struct {
	Dossiers int
	Days     int    // spread over this many calendar days up to now (default 30)
	Seed     uint64 // random seed (default 1)
	Actors   []domain.Staff
	Progress func(done, total int)
	// SyncedBefore, when set, makes the events before it acknowledged by the central system
	// (a workstation that has synced all along); the others wait in the outbox.
	SyncedBefore time.Time
}

var (
	familyNames = []struct {
		name string
		w    int
	}{{"Nguyễn", 380}, {"Trần", 110}, {"Lê", 95}, {"Phạm", 70}, {"Hoàng", 30}, {"Huỳnh", 20}, {"Phan", 45}, {"Vũ", 25},
		{"Võ", 15}, {"Đặng", 20}, {"Bùi", 20}, {"Đỗ", 14}, {"Hồ", 13}, {"Ngô", 13}, {"Dương", 10}, {"Lý", 5}, {"Đinh", 6}, {"Trịnh", 5}}
	middleMale   = []string{"Văn", "Đức", "Hữu", "Minh", "Quang", "Công", "Thành", "Xuân", "Ngọc", "Đình", "Trọng", "Anh"}
	middleFemale = []string{"Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Minh", "Phương", "Hồng", "Bích", "Khánh", "Diệu"}
	givenMale    = []string{"An", "Bình", "Cường", "Dũng", "Đạt", "Giang", "Hải", "Hiếu", "Hoàng", "Hùng", "Khoa", "Long", "Mạnh", "Nam", "Phong", "Phúc", "Quân", "Sơn", "Thắng", "Tuấn", "Việt", "Vinh", "Khải", "Lâm", "Toàn"}
	givenFemale  = []string{"Anh", "Bích", "Chi", "Dung", "Đào", "Giang", "Hà", "Hạnh", "Hằng", "Hoa", "Hương", "Lan", "Linh", "Mai", "Ngân", "Nhung", "Oanh", "Phương", "Quyên", "Thảo", "Trang", "Tuyết", "Vân", "Yến", "Loan"}
	villages     = []string{"Thôn Đông", "Thôn Tây", "Thôn Nam", "Thôn Bắc", "Thôn Trung", "Thôn Hạ", "Thôn Thượng", "Khu phố 1", "Khu phố 2", "Khu phố 3", "Tổ dân phố Cầu Rào", "Tổ dân phố Đồng Hòa"}
	agencies     = []string{"Công chức Tư pháp - Hộ tịch", "Văn phòng HĐND và UBND xã", "Phòng Văn hóa - Xã hội", "Phòng Kinh tế", "Chủ tịch UBND xã"}
	provinces    = []string{"031", "031", "031", "030", "001", "034", "036", "022", "037", "079"}
)

type seeder struct {
	s     *Store
	rng   *rand.Rand
	cfg   Config
	cal   *calendar.Calendar
	procs []domain.Procedure
	cum   []int
	now   time.Time

	syncedBefore time.Time
}

// Seed adds opt.Dossiers synthetic dossiers and returns how many it made.
func (s *Store) Seed(ctx context.Context, opt SeedOptions) (int, error) {
	cfg := s.Config()
	if !cfg.Configured() {
		return 0, fmt.Errorf("seed: máy trạm chưa được cài đặt (chạy motcua init trước)")
	}
	if opt.Days <= 0 {
		opt.Days = 30
	}
	if opt.Seed == 0 {
		opt.Seed = 1
	}
	if len(opt.Actors) == 0 {
		opt.Actors = []domain.Staff{{Username: "admin", Role: domain.RoleAdmin}}
	}
	sd := &seeder{s: s, rng: rand.New(rand.NewPCG(opt.Seed, uint64(opt.Dossiers))), cfg: cfg, cal: s.Calendar(), now: s.now(),
		syncedBefore: opt.SyncedBefore}
	total := 0
	for _, p := range s.Catalogue().Procedures {
		w := p.Popularity
		if w <= 0 {
			w = 1
		}
		total += w
		sd.procs = append(sd.procs, p)
		sd.cum = append(sd.cum, total)
	}
	// Working days in the window, each with a number of dossiers (busier on Mondays).
	var days []time.Time
	start := sd.now.In(domain.VN()).AddDate(0, 0, -opt.Days+1)
	for d := time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, domain.VN()); !d.After(sd.now); d = d.AddDate(0, 0, 1) {
		if sd.cal.IsWorkingDay(d.Add(12 * time.Hour)) {
			days = append(days, d)
		}
	}
	if len(days) == 0 {
		return 0, fmt.Errorf("seed: không có ngày làm việc nào trong %d ngày gần nhất", opt.Days)
	}
	if opt.Dossiers > len(days)*domain.MaxPerSlotPerDay {
		return 0, fmt.Errorf("seed: %d hồ sơ trong %d ngày làm việc vượt quá %d hồ sơ/ngày của một máy trạm; hãy tăng --days lên ít nhất %d",
			opt.Dossiers, len(days), domain.MaxPerSlotPerDay, opt.Days*(opt.Dossiers/(len(days)*domain.MaxPerSlotPerDay)+1))
	}
	perDay := make([]int, len(days))
	for i := 0; i < opt.Dossiers; i++ {
		for {
			k := sd.rng.IntN(len(days))
			if perDay[k] < domain.MaxPerSlotPerDay {
				perDay[k]++
				break
			}
		}
	}
	first, err := s.dayCounters(ctx, days, cfg)
	if err != nil {
		return 0, err
	}
	// One goroutine makes the dossiers (histories, folds, documents: a third of the work)
	// while this one writes them.
	batch := min(2000, max(100, opt.Dossiers/10))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan *seedBatch, 2)
	genErr := make(chan error, 1)
	go func() {
		defer close(batches)
		genErr <- sd.generate(ctx, days, perDay, first, batch, opt.Actors, batches)
	}()
	made, err := s.writeSeed(ctx, batches, cfg, func(n int) {
		if opt.Progress != nil {
			opt.Progress(n, opt.Dossiers)
		}
	})
	cancel()
	for range batches {
		// drain, so the generator ends
	}
	if gerr := <-genErr; err == nil && gerr != nil && !errors.Is(gerr, context.Canceled) {
		err = gerr
	}
	if err != nil {
		return made, err
	}
	s.written()
	return made, nil
}

// A seed batch: whole days (or parts of one) and their dossiers, written in one transaction.
type seedBatch struct {
	days     []seedDay
	dossiers []seedDossier
}

// seedDay is a run of numbers of one day's numbering.
type seedDay struct {
	prefix string
	first  int // the first number used (the day had first-1 before)
	n      int
}

// seedDossier is what the seed writes for one dossier: what the use cases write for it.
type seedDossier struct {
	events []domain.Event // the dossier's, then the visits'
	visits []seedVisit
	row    []any     // the projection's columns (dossierRow, the one list project writes too)
	fts    [5]string // its search index entry
	open   bool      // still being worked on (also in the index of open dossiers)
	synced time.Time // events before this are acknowledged

	feedback string    // the id of a feedback item about it, or ""
	file     *seedFile // its scanned page, or nil
}

type seedVisit struct {
	id, staff, kind, dossierID string
	at                         int64
}

// dayCounters reads how many numbers each day has already issued.
func (s *Store) dayCounters(ctx context.Context, days []time.Time, cfg Config) (map[string]int, error) {
	out := map[string]int{}
	rows, err := s.r.QueryContext(ctx, `SELECT prefix, last FROM code_counters`)
	if err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	defer rows.Close()
	want := map[string]bool{}
	for _, d := range days {
		want[domain.DayPrefix(cfg.UnitCode, d, cfg.Slot)] = true
	}
	for rows.Next() {
		var p string
		var last int
		if err := rows.Scan(&p, &last); err != nil {
			return nil, err
		}
		if want[p] {
			out[p] = last
		}
	}
	return out, rows.Err()
}

// generate makes the dossiers day by day into batches of about size dossiers.
func (sd *seeder) generate(ctx context.Context, days []time.Time, perDay []int, issued map[string]int, size int,
	actors []domain.Staff, out chan<- *seedBatch) error {
	b := &seedBatch{}
	for i, day := range days {
		n := perDay[i]
		if n == 0 {
			continue
		}
		prefix := domain.DayPrefix(sd.cfg.UnitCode, day, sd.cfg.Slot)
		if issued[prefix]+n > domain.MaxPerSlotPerDay {
			return fmt.Errorf("seed: ngày %s đã hết số hồ sơ của máy trạm", day.Format("02/01/2006"))
		}
		ds, err := sd.makeDay(day, issued[prefix], n, actors)
		if err != nil {
			return err
		}
		// A day may straddle two batches: each part takes its run of numbers.
		for len(ds) > 0 {
			k := min(len(ds), size-len(b.dossiers))
			b.days = append(b.days, seedDay{prefix: prefix, first: issued[prefix] + 1, n: k})
			b.dossiers = append(b.dossiers, ds[:k]...)
			issued[prefix] += k
			ds = ds[k:]
			if len(b.dossiers) >= size {
				select {
				case out <- b:
				case <-ctx.Done():
					return ctx.Err()
				}
				b = &seedBatch{}
			}
		}
	}
	if len(b.dossiers) > 0 {
		select {
		case out <- b:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// makeDay makes n dossiers received on one day, numbered after the day's issued ones.
func (sd *seeder) makeDay(day time.Time, issued, n int, actors []domain.Staff) ([]seedDossier, error) {
	h := sd.cal.Hours()
	// Intake times across the working day, in order.
	times := make([]time.Time, n)
	for i := range times {
		var min int
		if sd.rng.IntN(9) < 5 {
			min = h.MorningStart + sd.rng.IntN(h.MorningEnd-h.MorningStart)
		} else {
			min = h.AfternoonStart + sd.rng.IntN(h.AfternoonEnd-h.AfternoonStart)
		}
		times[i] = day.Add(time.Duration(min)*time.Minute + time.Duration(sd.rng.IntN(60))*time.Second)
	}
	sortTimes(times)
	out := make([]seedDossier, 0, n)
	for i, at := range times {
		if at.After(sd.now) {
			at = sd.now.Add(-time.Duration(n-i) * time.Second)
		}
		code, err := domain.NewDossierCode(sd.cfg.UnitCode, day, sd.cfg.Slot, issued+i+1)
		if err != nil {
			return nil, err
		}
		evs, err := sd.history(code.String(), at, actors[sd.rng.IntN(len(actors))])
		if err != nil {
			return nil, err
		}
		// The story stops where now is: a step it would take later has not happened yet
		// (and an event dated in the future is refused by every receiver).
		for i := range evs {
			if evs[i].At.After(sd.now) {
				evs = evs[:i]
				break
			}
		}
		evs, scan, err := sd.addScan(evs, code.String())
		if err != nil {
			return nil, err
		}
		for i := range evs {
			sd.s.clock.Observe(evs[i].HLC)
			// As stored (milliseconds), so the document is what a refold would make.
			evs[i].At = time.UnixMilli(evs[i].At.UnixMilli()).UTC()
		}
		d := domain.Fold(evs)
		row, err := dossierRow(d, !evs[len(evs)-1].At.Before(sd.syncedBefore))
		if err != nil {
			return nil, err
		}
		sdo := seedDossier{events: evs, row: row, fts: searchFields(d), open: d.Status.Open(), synced: sd.syncedBefore}
		// Each intake and hand-over was a citizen served.
		for _, e := range evs {
			kind := ""
			switch e.Type {
			case domain.EvReceived:
				kind = domain.VisitIntake
			case domain.EvHandedOver:
				kind = domain.VisitHandOver
			default:
				continue
			}
			v, err := domain.NewEvent(uuid.Must(uuid.NewV7()).String(), domain.StreamVisit, uuid.Must(uuid.NewV7()).String(), domain.EvVisit,
				domain.VisitPayload{Kind: kind, DossierID: e.StreamID}, e.Actor, e.Device, e.Unit, e.At, e.HLC+1)
			if err != nil {
				return nil, err
			}
			sdo.events = append(sdo.events, v)
			sdo.visits = append(sdo.visits, seedVisit{id: v.StreamID, at: v.At.UnixMilli(), staff: v.Actor, kind: kind, dossierID: e.StreamID})
		}
		// Some citizens give feedback about their dossier (its events go last: no visit).
		var feedbackID string
		if sdo.events, feedbackID, err = sd.addFeedback(sdo.events, code.String(), d.Applicant); err != nil {
			return nil, err
		}
		sdo.feedback, sdo.file = feedbackID, scan
		for i := len(evs); i < len(sdo.events); i++ {
			if sdo.events[i].Stream == domain.StreamFeedback {
				sd.s.clock.Observe(sdo.events[i].HLC)
				sdo.events[i].At = time.UnixMilli(sdo.events[i].At.UnixMilli()).UTC()
			}
		}
		// Seeded events are this workstation's own: signed like any it makes (in the
		// producers, in parallel, off the writer's path).
		for i := range sdo.events {
			sd.s.sign(&sdo.events[i])
		}
		out = append(out, sdo)
	}
	return out, nil
}

const (
	seedEventSQL = `INSERT INTO events(id, stream, stream_id, type, v, payload, actor, device, unit, at, hlc, sig, link, local, sync_state, synced_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`
	seedFTSSQL   = `INSERT INTO dossier_fts(rowid, code, name, id_number, phone, procedure) VALUES (?, ?, ?, ?, ?, ?)`
	seedOpenSQL  = `INSERT INTO dossier_open_fts(rowid, code, name, id_number, phone, procedure) VALUES (?, ?, ?, ?, ?, ?)`
	seedVisitSQL = `INSERT INTO visits(id, at, staff, kind, dossier_id) VALUES (?, ?, ?, ?, ?)`
)

// writeSeed writes the batches, each in one transaction with its statements prepared once.
// While it runs the writer syncs the log only at checkpoints and keeps a large cache
// (synchronous=NORMAL: in WAL mode a power cut can lose the last transactions but not
// damage the database); the last transaction commits with synchronous=FULL again, which
// syncs the whole log, so what Seed returns is as durable as any intake.
func (s *Store) writeSeed(ctx context.Context, batches <-chan *seedBatch, cfg Config, progress func(int)) (made int, err error) {
	conn, err := s.w.Conn(ctx)
	if err != nil {
		return 0, fmt.Errorf("seed: %w", err)
	}
	defer conn.Close()
	for _, p := range []string{"PRAGMA synchronous = NORMAL", "PRAGMA cache_size = -262144", "PRAGMA wal_autocheckpoint = 8000"} {
		if _, err := conn.ExecContext(ctx, p); err != nil {
			return 0, fmt.Errorf("seed: %w", err)
		}
	}
	defer func() {
		// Back to the store's settings, on a context that is not cancelled; then a last
		// audited transaction with synchronous=FULL makes the seeded data durable.
		bg := context.WithoutCancel(ctx)
		for _, p := range []string{"PRAGMA synchronous = FULL", "PRAGMA cache_size = -2000", "PRAGMA wal_autocheckpoint = 1000"} {
			if _, perr := conn.ExecContext(bg, p); perr != nil && err == nil {
				err = fmt.Errorf("seed: %w", perr)
			}
		}
		if made > 0 {
			if aerr := s.seedTx(bg, conn, func(tx *sql.Tx) error {
				return s.audit(bg, tx, "seed", "seed", cfg.UnitCode, fmt.Sprintf("tổng cộng %d hồ sơ mẫu", made))
			}); aerr != nil && err == nil {
				err = aerr
			}
		}
		_, _ = conn.ExecContext(bg, "PRAGMA wal_checkpoint(TRUNCATE)")
	}()
	for b := range batches {
		if err := s.seedTx(ctx, conn, func(tx *sql.Tx) error { return s.writeBatch(ctx, tx, b, cfg) }); err != nil {
			return made, err
		}
		made += len(b.dossiers)
		progress(made)
	}
	if err := ctx.Err(); err != nil {
		return made, err
	}
	// Leave the search index merged, as the merger keeps a store that grew over years
	// (rather than have the app do it in the background after a seed).
	for more := true; more; {
		if err := s.seedTx(ctx, conn, func(tx *sql.Tx) (err error) {
			more, err = mergeSearchIndex(ctx, tx, 2000)
			return err
		}); err != nil {
			return made, err
		}
	}
	return made, nil
}

// seedTx is one immediate transaction on the seed's connection.
func (s *Store) seedTx(ctx context.Context, conn *sql.Conn, fn func(tx *sql.Tx) error) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	return nil
}

func (s *Store) writeBatch(ctx context.Context, tx *sql.Tx, b *seedBatch, cfg Config) error {
	for _, d := range b.days {
		var last int
		if err := tx.QueryRowContext(ctx, `INSERT INTO code_counters(prefix, last) VALUES (?, ?)
			ON CONFLICT(prefix) DO UPDATE SET last = last + ? RETURNING last`, d.prefix, d.n, d.n).Scan(&last); err != nil {
			return err
		}
		if last != d.first+d.n-1 {
			return fmt.Errorf("số hồ sơ của %s đã thay đổi trong lúc tạo dữ liệu mẫu", d.prefix)
		}
	}
	var stmts [5]*sql.Stmt
	for i, q := range []string{dossierInsertSQL, seedEventSQL, seedFTSSQL, seedVisitSQL, seedOpenSQL} {
		st, err := tx.PrepareContext(ctx, q)
		if err != nil {
			return err
		}
		defer st.Close()
		stmts[i] = st
	}
	insDossier, insEvent, insFTS, insVisit, insOpen := stmts[0], stmts[1], stmts[2], stmts[3], stmts[4]
	link, err := lastLink(ctx, tx)
	if err != nil {
		return err
	}
	for _, d := range b.dossiers {
		for _, e := range d.events {
			link = domain.ChainLink(link, e)
			state, syncedAt := SyncWaiting, any(nil)
			if e.At.Before(d.synced) {
				state, syncedAt = SyncAcked, e.At.Add(time.Minute).UnixMilli()
			}
			if _, err := insEvent.ExecContext(ctx, e.ID, e.Stream, e.StreamID, string(e.Type), e.Version, string(e.Payload), e.Actor, e.Device, e.Unit,
				e.At.UnixMilli(), int64(e.HLC), e.Sig, link, state, syncedAt); err != nil {
				return fmt.Errorf("insert event: %w", err)
			}
		}
		res, err := insDossier.ExecContext(ctx, d.row...)
		if err != nil {
			return fmt.Errorf("project %v: %w", d.row[0], err)
		}
		rid, err := res.LastInsertId()
		if err != nil {
			return err
		}
		f := d.fts
		if _, err := insFTS.ExecContext(ctx, rid, f[0], f[1], f[2], f[3], f[4]); err != nil {
			return fmt.Errorf("index %v: %w", d.row[0], err)
		}
		if d.open {
			if _, err := insOpen.ExecContext(ctx, rid, f[0], f[1], f[2], f[3], f[4]); err != nil {
				return fmt.Errorf("index %v: %w", d.row[0], err)
			}
		}
		for _, v := range d.visits {
			if _, err := insVisit.ExecContext(ctx, v.id, v.at, v.staff, v.kind, v.dossierID); err != nil {
				return err
			}
		}
		if err := s.writeSeedExtras(ctx, tx, d); err != nil {
			return err
		}
	}
	return s.audit(ctx, tx, "seed", "seed", cfg.UnitCode, fmt.Sprintf("%d hồ sơ mẫu", len(b.dossiers)))
}

func sortTimes(ts []time.Time) {
	for i := 1; i < len(ts); i++ {
		for j := i; j > 0 && ts[j].Before(ts[j-1]); j-- {
			ts[j], ts[j-1] = ts[j-1], ts[j]
		}
	}
}

func (sd *seeder) pick() domain.Procedure {
	x := sd.rng.IntN(sd.cum[len(sd.cum)-1])
	for i, c := range sd.cum {
		if x < c {
			return sd.procs[i]
		}
	}
	return sd.procs[len(sd.procs)-1]
}

func (sd *seeder) person() domain.Person {
	r := sd.rng
	x, fam := r.IntN(880), familyNames[0].name
	for _, f := range familyNames {
		if x < f.w {
			fam = f.name
			break
		}
		x -= f.w
	}
	female := r.IntN(2) == 0
	year := 1945 + r.IntN(62)
	var name, sex string
	sexDigit := 0
	if female {
		name = fam + " " + middleFemale[r.IntN(len(middleFemale))] + " " + givenFemale[r.IntN(len(givenFemale))]
		sex, sexDigit = "Nữ", 1
	} else {
		name = fam + " " + middleMale[r.IntN(len(middleMale))] + " " + givenMale[r.IntN(len(givenMale))]
		sex = "Nam"
	}
	if year >= 2000 {
		sexDigit += 2
	}
	id := fmt.Sprintf("%s%d%02d%06d", provinces[r.IntN(len(provinces))], sexDigit, year%100, r.IntN(1000000))
	prefixes := []string{"091", "098", "097", "086", "035", "036", "090", "093", "070", "088", "094", "083"}
	p := domain.Person{Name: name, IDNumber: id, Sex: sex,
		Birth:   fmt.Sprintf("%04d-%02d-%02d", year, 1+r.IntN(12), 1+r.IntN(28)),
		Address: fmt.Sprintf("Số %d, %s, %s", 1+r.IntN(200), villages[r.IntN(len(villages))], sd.place())}
	if r.IntN(10) < 8 {
		p.Phone = fmt.Sprintf("%s%07d", prefixes[r.IntN(len(prefixes))], r.IntN(10000000))
	}
	return p
}

func (sd *seeder) place() string {
	name := sd.cfg.UnitName
	for _, pre := range []string{"Trung tâm Phục vụ hành chính công ", "Trung tâm phục vụ hành chính công "} {
		if len(name) > len(pre) && name[:len(pre)] == pre {
			return name[len(pre):]
		}
	}
	return name
}

// history makes one dossier's events, from intake to wherever it has got to by now.
func (sd *seeder) history(code string, at time.Time, actor domain.Staff) ([]domain.Event, error) {
	r := sd.rng
	p := sd.pick()
	streamID := uuid.Must(uuid.NewV7()).String()
	var evs []domain.Event
	seq := 0
	add := func(t time.Time, typ domain.EventType, payload any) error {
		seq++
		e, err := domain.NewEvent(uuid.Must(uuid.NewV7()).String(), domain.StreamDossier, streamID, typ, payload,
			actor.Username, sd.cfg.DeviceID, sd.cfg.UnitCode, t, domain.MakeHLC(t.UnixMilli(), uint16(seq)))
		evs = append(evs, e)
		return err
	}
	applicant := sd.person()
	channel := domain.ChannelDirect
	switch x := r.IntN(100); {
	case x < 35:
		channel = domain.ChannelOnline
	case x < 42:
		channel = domain.ChannelPost
	}
	var docs []domain.DocumentItem
	for _, d := range p.Documents {
		if !d.Optional || r.IntN(3) == 0 {
			docs = append(docs, domain.DocumentItem{Code: d.Code, Name: d.Name, Form: d.Form, Count: d.Count, Digitized: r.IntN(10) < 7})
		}
	}
	copies, pages := 0, 0
	if p.Fee.NeedsCopies() {
		copies = 1 + r.IntN(4)
	}
	if p.Fee.NeedsPages() {
		pages = 1 + r.IntN(12)
	}
	due := p.Time.Due(sd.cal, at)
	if err := add(at, domain.EvReceived, domain.ReceivedPayload{
		Code: code, Procedure: domain.ProcedureRef{Code: p.Code, Name: p.Name, FieldCode: p.FieldCode, Field: p.Field,
			CatalogueVersion: sd.s.Catalogue().Version, Time: p.Time, ResultType: p.ResultType},
		Applicant: applicant, Subject: domain.SubjectCitizen, Channel: channel, Summary: p.Name, Documents: docs, Sets: 1,
		Copies: copies, Pages: pages, Fee: p.Fee.Compute(domain.FeeInput{Copies: copies, Pages: pages}), DueAt: due,
		Assisted: channel == domain.ChannelDirect && p.AssistAllowed && r.IntN(5) == 0, ReturnPlace: sd.cfg.ReturnPlace,
	}); err != nil {
		return nil, err
	}
	t := at
	step := func(d time.Duration) time.Time {
		t = t.Add(d)
		return t
	}
	// What became of it. Older dossiers are mostly finished; recent ones still open.
	outcome := r.IntN(100)
	if outcome < 3 {
		return evs, add(step(time.Duration(1+r.IntN(30))*time.Minute), domain.EvRefused, domain.ReasonPayload{Reason: "Hồ sơ không thuộc thẩm quyền giải quyết"})
	}
	if outcome < 5 {
		return evs, add(step(time.Duration(1+r.IntN(48))*time.Hour), domain.EvWithdrawn, domain.ReasonPayload{Reason: "Công dân xin rút hồ sơ"})
	}
	working := sd.cal.WorkingDuration(at, due)
	if working <= 0 {
		working = time.Hour
	}
	// Finishing fraction of the allowed time: most early or on time, some late.
	frac := 0.2 + r.Float64()*0.7
	if r.IntN(100) < 9 {
		frac = 1.1 + r.Float64()*1.5
	}
	if r.IntN(100) < 6 {
		reqAt := step(time.Duration(10+r.IntN(120)) * time.Minute)
		if reqAt.After(sd.now) {
			return evs, nil
		}
		if err := add(reqAt, domain.EvSupplementRequested, domain.SupplementRequestedPayload{
			Items:  []domain.SupplementItem{{Name: "Bản sao giấy tờ chứng minh nơi cư trú", Form: domain.FormCertified, Count: 1}},
			Reason: "Thiếu giấy tờ theo quy định", GuideName: actor.FullName}); err != nil {
			return nil, err
		}
		back := reqAt.Add(time.Duration(1+r.IntN(96)) * time.Hour)
		if back.After(sd.now) {
			return evs, nil
		}
		due = p.Time.Resumed(sd.cal, due, reqAt, back)
		t = back
		if err := add(back, domain.EvSupplementReceived, domain.SupplementReceivedPayload{NewDueAt: due}); err != nil {
			return nil, err
		}
	}
	if p.Time.Unit != domain.TimeSameDay {
		fw := step(time.Duration(5+r.IntN(60)) * time.Minute)
		if fw.After(sd.now) {
			return evs, nil
		}
		if err := add(fw, domain.EvForwarded, domain.StepPayload{Agency: agencies[r.IntN(len(agencies))]}); err != nil {
			return nil, err
		}
	}
	ready := sd.cal.AddWorkingDuration(at, time.Duration(float64(working)*frac))
	if !ready.After(t) {
		ready = t.Add(time.Minute)
	}
	if ready.After(sd.now) {
		return evs, nil
	}
	t = ready
	if err := add(ready, domain.EvResultReady, domain.ResultReadyPayload{Agency: "UBND xã", Result: p.ResultType, Electronic: r.IntN(10) < 6}); err != nil {
		return nil, err
	}
	// Citizens collect results during opening hours, within a few working days.
	back := sd.cal.AddWorkingDuration(ready, time.Duration(r.IntN(3*8*60))*time.Minute)
	if back.After(sd.now) || r.IntN(100) < 4 {
		return evs, nil
	}
	method := domain.HandOverCounter
	if channel == domain.ChannelOnline && r.IntN(2) == 0 {
		method = domain.HandOverElectronic
	} else if channel == domain.ChannelPost {
		method = domain.HandOverPost
	}
	return evs, add(back, domain.EvHandedOver, domain.HandedOverPayload{Recipient: domain.Person{Name: applicant.Name, IDNumber: applicant.IDNumber},
		Method: method, Documents: p.ResultType})
}
