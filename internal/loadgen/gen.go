package loadgen

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/google/uuid"

	"motcua/assets"
	"motcua/domain"
)

// A workstation's identity and the dossiers it is working on, as its store would hold them.
type workstation struct {
	n      int // 0-based index in the run
	id     string
	key    ed25519.PrivateKey
	unit   string
	name   string // the unit's name
	slot   int
	token  string
	rng    *rand.Rand
	clock  *domain.Clock
	now    time.Time // the time the clock reads: the event being made
	actor  string
	day    string // VN date of the numbering in use (yymmdd)
	next   int    // next number of that day (1…999)
	open   []*dossier
	cursor string // the pull cursor

	failures int // calls failed in a row (the engine's backoff counts them); guarded by run.mu
}

// dossier is one of a workstation's dossiers and the step it has reached.
type dossier struct {
	id, code string
	step     int // index into lifecycle of the last event made
	supp     bool
}

// lifecycle is the path a counter's dossier takes, one event a step: received, sent on to
// the processing official, a step noted, the result back at the counter, handed over.
var lifecycle = []domain.EventType{domain.EvReceived, domain.EvForwarded, domain.EvProgress, domain.EvResultReady, domain.EvHandedOver}

// newWorkstation makes workstation n of a run: its key and device id follow from the seed,
// so a run can be repeated exactly.
func newWorkstation(seed uint64, runTag string, n, perUnit int) *workstation {
	h := sha256.Sum256(fmt.Appendf(nil, "motcua-loadgen/%d/%s/%d", seed, runTag, n))
	key := ed25519.NewKeyFromSeed(h[:])
	var u uuid.UUID
	copy(u[:], h[16:])
	u[6] = (u[6] & 0x0f) | 0x40 // version 4
	u[8] = (u[8] & 0x3f) | 0x80
	unit := n / perUnit
	ws := &workstation{n: n, id: u.String(), key: key,
		unit: fmt.Sprintf("%s.%02d.%02d.H31", runTag, unit/100, unit%100),
		name: fmt.Sprintf("UBND xã thử tải %d", unit+1), slot: n%perUnit + 1,
		rng:   rand.New(rand.NewPCG(seed, binary.BigEndian.Uint64(h[:8]))),
		actor: fmt.Sprintf("canbo%d", n%perUnit+1)}
	ws.clock = domain.NewClock(func() time.Time { return ws.now })
	return ws
}

// procedures of the seed catalogue, weighted by how often counters see them.
var (
	catalogue = func() *domain.Catalogue {
		c, err := domain.ParseCatalogue(assets.CatalogueJSON)
		if err != nil {
			panic(err) // embedded at build time; its own tests check it
		}
		return c
	}()
	procs, procCum = func() ([]domain.Procedure, []int) {
		var ps []domain.Procedure
		var cum []int
		total := 0
		for _, p := range catalogue.Procedures {
			total += max(p.Popularity, 1)
			ps, cum = append(ps, p), append(cum, total)
		}
		return ps, cum
	}()
)

var (
	familyNames = []string{"Nguyễn", "Nguyễn", "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương"}
	middleNames = []string{"Văn", "Thị", "Thị", "Đức", "Hữu", "Minh", "Ngọc", "Thu", "Thanh", "Quang", "Xuân"}
	givenNames  = []string{"An", "Bình", "Cường", "Dũng", "Giang", "Hải", "Hà", "Hạnh", "Hoa", "Hùng", "Lan", "Linh", "Mai", "Nam", "Phong", "Quân", "Sơn", "Thảo", "Trang", "Tuấn", "Vân", "Yến"}
	villages    = []string{"Thôn Đông", "Thôn Tây", "Thôn Trung", "Khu phố 1", "Khu phố 2", "Tổ dân phố Cầu Rào", "Tổ dân phố Đồng Hòa"}
	agencies    = []string{"Công chức Tư pháp - Hộ tịch", "Văn phòng HĐND và UBND xã", "Phòng Văn hóa - Xã hội", "Phòng Kinh tế"}
)

func (w *workstation) pick(xs []string) string { return xs[w.rng.IntN(len(xs))] }

func (w *workstation) person() domain.Person {
	return domain.Person{
		Name:     w.pick(familyNames) + " " + w.pick(middleNames) + " " + w.pick(givenNames),
		IDNumber: fmt.Sprintf("031%d%02d%06d", w.rng.IntN(4), 60+w.rng.IntN(45), w.rng.IntN(1000000)),
		Phone:    fmt.Sprintf("09%08d", w.rng.IntN(100000000)),
		Address:  w.pick(villages) + ", " + w.name,
	}
}

// code numbers a new dossier received at at: the unit's code, the day, the slot's numbers.
func (w *workstation) code(at time.Time) (string, error) {
	day := at.In(domain.VN()).Format("060102")
	if day != w.day {
		w.day, w.next = day, 1
	}
	if w.next > domain.MaxPerSlotPerDay {
		return "", fmt.Errorf("máy trạm %d đã cấp hết %d số trong ngày %s", w.n+1, domain.MaxPerSlotPerDay, day)
	}
	c, err := domain.NewDossierCode(w.unit, at, w.slot, w.next)
	if err != nil {
		return "", err
	}
	w.next++
	return c.String(), nil
}

// event makes and signs one event of a dossier.
func (w *workstation) event(sid string, typ domain.EventType, payload any, at time.Time) (domain.Event, error) {
	w.now = at
	e, err := domain.NewEvent(uuid.Must(uuid.NewV7()).String(), domain.StreamDossier, sid, typ, payload, w.actor, w.id, w.unit, at, w.clock.Now())
	if err != nil {
		return e, err
	}
	e.Sign(w.key, "")
	return e, nil
}

// intake receives a new dossier at at: a procedure of the catalogue, an applicant and the
// papers the procedure asks for.
func (w *workstation) intake(at time.Time) (domain.Event, error) {
	p := procs[0]
	k := w.rng.IntN(procCum[len(procCum)-1])
	for i, c := range procCum {
		if k < c {
			p = procs[i]
			break
		}
	}
	code, err := w.code(at)
	if err != nil {
		return domain.Event{}, err
	}
	docs := make([]domain.DocumentItem, 0, len(p.Documents))
	for _, d := range p.Documents {
		if d.Optional && w.rng.IntN(2) == 0 {
			continue
		}
		docs = append(docs, domain.DocumentItem{Code: d.Code, Name: d.Name, Form: d.Form, Count: max(d.Count, 1)})
	}
	applicant := w.person()
	summary := p.Name
	if len(summary) > 200 {
		summary = strings.ToValidUTF8(summary[:200], "")
	}
	payload := domain.ReceivedPayload{Code: code,
		Procedure: domain.ProcedureRef{Code: p.Code, Name: p.Name, FieldCode: p.FieldCode, Field: p.Field,
			CatalogueVersion: catalogue.Version, Time: p.Time, ResultType: p.ResultType},
		Applicant: applicant, Subject: domain.SubjectCitizen, Channel: domain.ChannelDirect,
		Summary: summary, Documents: docs, Sets: 1, Fee: p.Fee.Amount,
		DueAt: at.Add(time.Duration(1+w.rng.IntN(10)) * 24 * time.Hour)}
	sid := uuid.Must(uuid.NewV7()).String()
	e, err := w.event(sid, domain.EvReceived, payload, at)
	if err != nil {
		return e, err
	}
	w.open = append(w.open, &dossier{id: sid, code: code})
	return e, nil
}

// advance takes one open dossier a step further (a supplement round now and then); a
// dossier handed over leaves the list.
func (w *workstation) advance(at time.Time) (domain.Event, bool, error) {
	if len(w.open) == 0 {
		return domain.Event{}, false, nil
	}
	i := w.rng.IntN(len(w.open))
	d := w.open[i]
	var typ domain.EventType
	var payload any
	switch {
	case d.step == 0 && !d.supp && w.rng.IntN(10) == 0:
		d.supp = true
		typ, payload = domain.EvSupplementRequested, domain.SupplementRequestedPayload{
			Items:  []domain.SupplementItem{{Name: "Bản sao giấy tờ tùy thân", Form: domain.FormPhoto, Count: 1}},
			Reason: "Thiếu bản sao giấy tờ tùy thân của người nộp", GuideName: w.actor}
	case d.supp && d.step == 0:
		d.supp, d.step = false, -1 // back where it was; the next step forwards it
		typ, payload = domain.EvSupplementReceived, domain.SupplementReceivedPayload{NewDueAt: at.Add(5 * 24 * time.Hour)}
	default:
		if d.step < 0 {
			d.step = 0
		}
		d.step++
		typ = lifecycle[d.step]
		switch typ {
		case domain.EvForwarded:
			payload = domain.StepPayload{Agency: w.pick(agencies), Handler: w.pick(familyNames) + " " + w.pick(givenNames)}
		case domain.EvProgress:
			payload = domain.StepPayload{Agency: w.pick(agencies), Content: "Đã thẩm định hồ sơ, trình lãnh đạo ký"}
		case domain.EvResultReady:
			payload = domain.ResultReadyPayload{Agency: "UBND " + w.name, Result: "Kết quả giải quyết"}
		case domain.EvHandedOver:
			payload = domain.HandedOverPayload{Recipient: w.person(), Method: domain.HandOverCounter, Documents: "Kết quả giải quyết"}
			w.open = append(w.open[:i], w.open[i+1:]...)
		}
	}
	e, err := w.event(d.id, typ, payload, at)
	return e, true, err
}

// backlog makes the n events a workstation made during an outage, ending about now: new
// dossiers and the steps of those already open, in the mix a counter produces.
func (w *workstation) backlog(n int, end time.Time) ([]domain.Event, error) {
	out := make([]domain.Event, 0, n)
	span := 4 * time.Hour
	for len(out) < n {
		at := end.Add(-span + time.Duration(len(out))*span/time.Duration(n))
		var e domain.Event
		var err error
		ok := false
		if len(w.open) > 0 && w.rng.IntN(5) != 0 {
			e, ok, err = w.advance(at)
		}
		if !ok && err == nil {
			e, err = w.intake(at)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}
