package localdb

import (
	"context"
	"database/sql"
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
	sd := &seeder{s: s, rng: rand.New(rand.NewPCG(opt.Seed, uint64(opt.Dossiers))), cfg: cfg, cal: s.Calendar(), now: s.now()}
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
	made := 0
	const batch = 500
	type job struct {
		day time.Time
		n   int
	}
	var pending []job
	flush := func() error {
		if len(pending) == 0 {
			return nil
		}
		err := s.tx(ctx, "seed", func(tx *sql.Tx) error {
			for _, j := range pending {
				if err := sd.seedDay(ctx, tx, j.day, j.n, opt.Actors); err != nil {
					return err
				}
			}
			n := 0
			for _, j := range pending {
				n += j.n
			}
			return s.audit(ctx, tx, "seed", "seed", cfg.UnitCode, fmt.Sprintf("%d hồ sơ mẫu", n))
		})
		if err != nil {
			return err
		}
		for _, j := range pending {
			made += j.n
		}
		pending = pending[:0]
		if opt.Progress != nil {
			opt.Progress(made, opt.Dossiers)
		}
		return nil
	}
	inBatch := 0
	for i, d := range days {
		n := perDay[i]
		for n > 0 {
			k := min(n, batch-inBatch)
			pending = append(pending, job{day: d, n: k})
			n -= k
			inBatch += k
			if inBatch >= batch {
				if err := flush(); err != nil {
					return made, err
				}
				inBatch = 0
			}
		}
		if ctx.Err() != nil {
			return made, ctx.Err()
		}
	}
	if err := flush(); err != nil {
		return made, err
	}
	s.written()
	return made, nil
}

// seedDay makes n dossiers received on one day, numbered after what the day already has.
func (sd *seeder) seedDay(ctx context.Context, tx *sql.Tx, day time.Time, n int, actors []domain.Staff) error {
	prefix := domain.DayPrefix(sd.cfg.UnitCode, day, sd.cfg.Slot)
	var last int
	if err := tx.QueryRowContext(ctx, `INSERT INTO code_counters(prefix, last) VALUES (?, ?)
		ON CONFLICT(prefix) DO UPDATE SET last = last + ? RETURNING last`, prefix, n, n).Scan(&last); err != nil {
		return err
	}
	if last > domain.MaxPerSlotPerDay {
		return fmt.Errorf("seed: ngày %s đã hết số hồ sơ của máy trạm", day.Format("02/01/2006"))
	}
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
	for i, at := range times {
		if at.After(sd.now) {
			at = sd.now.Add(-time.Duration(n-i) * time.Second)
		}
		code, err := domain.NewDossierCode(sd.cfg.UnitCode, day, sd.cfg.Slot, last-n+i+1)
		if err != nil {
			return err
		}
		evs, err := sd.history(code.String(), at, actors[sd.rng.IntN(len(actors))])
		if err != nil {
			return err
		}
		for _, e := range evs {
			sd.s.clock.Observe(e.HLC)
			if _, err := insertEvent(ctx, tx, e, true); err != nil {
				return err
			}
		}
		if err := sd.s.project(ctx, tx, domain.Fold(evs), true); err != nil {
			return err
		}
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
				return err
			}
			if _, err := insertEvent(ctx, tx, v, true); err != nil {
				return err
			}
			if err := sd.s.projectVisit(ctx, tx, v); err != nil {
				return err
			}
		}
	}
	return nil
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
	due := sd.cal.Due(at, string(p.Time.Unit), p.Time.Value).Round(time.Minute)
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
		due = sd.cal.Paused(due, reqAt, back).Round(time.Minute)
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
