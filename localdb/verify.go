package localdb

import (
	"context"
	"crypto/ed25519"
	"crypto/hmac"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sort"
	"strings"
	gosync "sync"

	"motcua/domain"
	"motcua/internal/sqlitex"
)

// VerifyAll is what `motcua verify` runs: everything Verify checks (SQLite's integrity, the
// audit chain, the stored files), then the event chain link by link, its seal against this
// workstation's key, the head the city acknowledged, every event's signature, and every
// dossier re-folded from its events and compared column by column with its projection, its
// search entries and the code counters. Each problem is a Finding in Vietnamese naming the
// dossier.

// Finding is one problem verify found.
type Finding struct {
	Kind    string `json:"kind"`              // integrity, audit, file, chain, seal, acked, signature, projection, missing, extra, index, counter
	Dossier string `json:"dossier,omitempty"` // the dossier's code (or id when it has none)
	Event   string `json:"event,omitempty"`
	Msg     string `json:"message"`

	rid int64 // a search-index entry's rowid (index findings)
}

// Finding kinds that mean the events themselves cannot be trusted: the projections cannot be
// rebuilt from them.
var eventKinds = map[string]bool{"integrity": true, "chain": true, "seal": true, "acked": true, "signature": true}

// FullVerify is the report of VerifyAll.
type FullVerify struct {
	VerifyResult
	Events       int64 `json:"events"`
	Dossiers     int64 `json:"dossiers"`
	Unsigned     int64 `json:"unsigned"`      // received before signing existed: chained, no signature to check
	CityCompared bool  `json:"city_compared"` // the chain was compared with the head the city holds
	Findings     []Finding
	Repaired     int `json:"repaired,omitempty"` // projections rebuilt by --repair
}

// OK reports whether nothing was found.
func (r FullVerify) OK() bool { return len(r.Findings) == 0 }

// EventsIntact reports whether the events themselves hold (so projections can be rebuilt).
func (r FullVerify) EventsIntact() bool {
	for _, f := range r.Findings {
		if eventKinds[f.Kind] {
			return false
		}
	}
	return true
}

// ChainRef is a chain head known from elsewhere (the city, a backup's manifest).
type ChainRef struct {
	Seq    int64
	Link   string
	Events int64 // how many of this device's events the city holds (0: not known)
}

// VerifyOptions tune VerifyAll.
type VerifyOptions struct {
	// Progress is called now and then with the stage (Vietnamese) and how far it got.
	Progress func(stage string, done, total int64)
	// CityHead is the head the city holds for this device, when it could be asked.
	CityHead *ChainRef
	// Repair rebuilds projections, search entries and counters from the events when the
	// events themselves are intact.
	Repair bool
}

// VerifyAll checks the whole store (see above).
func (s *Store) VerifyAll(ctx context.Context, opt VerifyOptions) (FullVerify, error) {
	progress := opt.Progress
	if progress == nil {
		progress = func(string, int64, int64) {}
	}
	var r FullVerify
	base, err := s.Verify(ctx)
	if err != nil {
		return r, err
	}
	r.VerifyResult = base
	if base.Integrity != "ok" {
		r.Findings = append(r.Findings, Finding{Kind: "integrity", Msg: "Tệp cơ sở dữ liệu bị hỏng: " + base.Integrity})
	}
	if base.BrokenAt != 0 {
		r.Findings = append(r.Findings, Finding{Kind: "audit", Msg: "Chuỗi nhật ký bị phá vỡ: " + base.BrokenWhy})
	}
	for _, f := range base.FilesMissing {
		r.Findings = append(r.Findings, Finding{Kind: "file", Msg: "Tệp bị mất hoặc bị sửa: " + f})
	}
	if err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM events`).Scan(&r.Events); err != nil {
		return r, fmt.Errorf("verify: %w", err)
	}
	if err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM dossiers`).Scan(&r.Dossiers); err != nil {
		return r, fmt.Errorf("verify: %w", err)
	}
	if err := s.verifyChain(ctx, &r, opt, progress); err != nil {
		return r, err
	}
	if err := s.verifySeal(ctx, &r, opt); err != nil {
		return r, err
	}
	if err := s.verifyProjections(ctx, &r, progress); err != nil {
		return r, err
	}
	if err := s.nameDossiers(ctx, r.Findings); err != nil {
		return r, err
	}
	if opt.Repair && r.EventsIntact() && !r.OK() {
		n, err := s.repairProjections(ctx, r.Findings, progress)
		if err != nil {
			return r, err
		}
		r.Repaired = n
		for _, f := range r.Findings {
			if f.Kind == "unsent" {
				m, err := s.requeueOwn(ctx)
				if err != nil {
					return r, err
				}
				r.Repaired += m
			}
		}
	}
	return r, nil
}

// verifyChain walks the events in stored order: each link must be the hash of the previous
// stored link and the event as it is now (an edited event fails at itself, a removed one at
// the next), and each signature must hold with its signer's key. Signatures are checked by
// a pool of workers: they are the expensive part.
func (s *Store) verifyChain(ctx context.Context, r *FullVerify, opt VerifyOptions, progress func(string, int64, int64)) error {
	keys, err := s.Keys(ctx)
	if err != nil {
		return err
	}
	me := s.Config().DeviceID
	// Each event's link is checked against the link stored before it, so events can be
	// checked in any order: the workers check link and signature from one encoding.
	type job struct {
		e          domain.Event
		seq        int64
		prev, link string
		sign       bool
		keys       []ed25519.PublicKey
	}
	jobs := make(chan job, 256)
	var mu gosync.Mutex
	var wg gosync.WaitGroup
	for range max(1, runtime.NumCPU()) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				msg := j.e.Canonical()
				if domain.ChainLinkOf(j.prev, msg) != j.link {
					mu.Lock()
					r.Findings = append(r.Findings, Finding{Kind: "chain", Dossier: j.e.StreamID, Event: j.e.ID,
						Msg: fmt.Sprintf("Chuỗi sự kiện bị phá vỡ tại sự kiện số %d (%s): sự kiện này đã bị sửa, hoặc sự kiện trước nó bị xóa.", j.seq, j.e.Type)})
					mu.Unlock()
				}
				if !j.sign {
					continue
				}
				if err := j.e.VerifyCanonical(msg, j.keys...); err != nil {
					msg := "Chữ ký số của sự kiện không đúng: " + err.Error()
					if errors.Is(err, domain.ErrUnknownKey) {
						msg = "Không có khóa công khai để kiểm tra chữ ký của sự kiện (máy " + j.e.Device + ")"
					}
					mu.Lock()
					r.Findings = append(r.Findings, Finding{Kind: "signature", Dossier: j.e.StreamID, Event: j.e.ID,
						Msg: fmt.Sprintf("%s (%s, sự kiện %s).", msg, j.e.Type, j.e.ID)})
					mu.Unlock()
				}
			}
		}()
	}
	defer func() { close(jobs); wg.Wait() }()
	var prev string
	var after, done int64
	var acked *ChainRef
	if raw, err := s.SyncValue(ctx, SyncKeyChainAcked); err == nil && raw != "" {
		var h struct {
			Seq  int64  `json:"seq"`
			Link string `json:"link"`
		}
		if json.Unmarshal([]byte(raw), &h) == nil {
			acked = &ChainRef{Seq: h.Seq, Link: h.Link}
		}
	}
	checkRef := func(ref *ChainRef, seq int64, link, who string) {
		if ref != nil && ref.Seq == seq && ref.Link != link {
			mu.Lock()
			r.Findings = append(r.Findings, Finding{Kind: "acked",
				Msg: fmt.Sprintf("Sự kiện số %d không còn như lúc %s xác nhận: chuỗi sự kiện đã bị tính lại hoặc sửa.", seq, who)})
			mu.Unlock()
		}
	}
	seen := map[string]bool{}
	for {
		rows, err := s.r.QueryContext(ctx, `SELECT `+eventColumns+`, seq, link, local FROM events WHERE seq > ? ORDER BY seq LIMIT 5000`, after)
		if err != nil {
			return fmt.Errorf("verify chain: %w", err)
		}
		n := 0
		for rows.Next() {
			var seq int64
			var link string
			var local bool
			e, err := sqlitex.ScanEvent(rows, &seq, &link, &local)
			if err != nil {
				rows.Close()
				return err
			}
			n++
			after = seq
			checkRef(acked, seq, link, "máy chủ thành phố")
			checkRef(opt.CityHead, seq, link, "máy chủ thành phố (hỏi trực tiếp)")
			if acked != nil && acked.Seq == seq {
				seen["acked"] = true
			}
			if opt.CityHead != nil && opt.CityHead.Seq == seq {
				seen["city"] = true
			}
			j := job{e: e, seq: seq, prev: prev, link: link, sign: true}
			prev = link
			switch {
			case e.Sig == "" && !local:
				r.Unsigned++ // received before the cut-over: its link vouches for it
				j.sign = false
			case e.Sig == "-":
				// Another device's event marked local (a restored copy): not ours to check.
				j.sign = false
			case e.Device == me && e.SigBy == "":
				j.keys = keys.Devices[me]
			default:
				j.keys = keys.For(e)
			}
			select {
			case jobs <- j:
			case <-ctx.Done():
				rows.Close()
				return ctx.Err()
			}
			done++
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		progress("Kiểm tra chuỗi sự kiện và chữ ký", done, r.Events)
		if n == 0 {
			break
		}
	}
	for _, ref := range []struct {
		h    *ChainRef
		key  string
		name string
	}{{acked, "acked", "máy chủ thành phố đã xác nhận"}, {opt.CityHead, "city", "máy chủ thành phố đang giữ"}} {
		if ref.h != nil && !seen[ref.key] {
			mu.Lock()
			r.Findings = append(r.Findings, Finding{Kind: "acked",
				Msg: fmt.Sprintf("Không còn sự kiện số %d mà %s: sự kiện đã bị xóa khỏi máy trạm.", ref.h.Seq, ref.name)})
			mu.Unlock()
		}
	}
	r.CityCompared = opt.CityHead != nil
	if h := opt.CityHead; h != nil && h.Events > 0 {
		// Events marked as held by the city that it does not have were hidden from the
		// outbox by hand (their sync state edited): they would never be sent.
		var acked int64
		if err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM events WHERE device = ? AND sync_state = 1`, me).Scan(&acked); err != nil {
			return err
		}
		if acked > h.Events {
			r.Findings = append(r.Findings, Finding{Kind: "unsent",
				Msg: fmt.Sprintf("%d sự kiện của máy này được ghi là đã gửi nhưng máy chủ thành phố không có (máy chủ giữ %d, máy ghi %d): trạng thái đồng bộ đã bị sửa. motcua verify --repair đưa mọi sự kiện của máy vào hàng đợi gửi lại; máy chủ bỏ qua những sự kiện đã có.", acked-h.Events, h.Events, acked)})
		}
	}
	return nil
}

// verifySeal checks that the last event and the last audit entry are the ones the last
// write sealed with this workstation's key.
func (s *Store) verifySeal(ctx context.Context, r *FullVerify, opt VerifyOptions) error {
	raw, err := s.SyncValue(ctx, SyncKeyChainSeal)
	if err != nil {
		return err
	}
	seq, link, err := eventHead(ctx, s.r)
	if err != nil {
		return err
	}
	var aseq int64
	var ahash string
	if err := s.r.QueryRowContext(ctx, `SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1`).Scan(&aseq, &ahash); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	add := func(msg string) { r.Findings = append(r.Findings, Finding{Kind: "seal", Msg: msg}) }
	if raw == "" {
		if seq > 0 || aseq > 0 {
			add("Thiếu dấu niêm phong của chuỗi sự kiện và nhật ký: dữ liệu đã bị sửa ngoài phần mềm.")
		}
		return nil
	}
	var se Seal
	if err := json.Unmarshal([]byte(raw), &se); err != nil {
		add("Dấu niêm phong của chuỗi sự kiện bị hỏng.")
		return nil
	}
	if se.Key != s.PublicKey() {
		add("Dấu niêm phong do khóa của một máy trạm khác tạo (dữ liệu được chép hoặc khôi phục từ máy khác): không xác nhận được chuỗi sự kiện. Hãy đăng ký lại máy trạm với thành phố.")
		return nil
	}
	if !hmac.Equal([]byte(se.MAC), []byte(s.sealMAC(se))) {
		add("Dấu niêm phong của chuỗi sự kiện không khớp: chuỗi đã bị tính lại hoặc sửa ngoài phần mềm.")
		return nil
	}
	if se.EventSeq != seq || se.EventLink != link {
		if se.EventSeq == seq {
			add(fmt.Sprintf("Sự kiện cuối cùng (số %d) không còn như lúc được niêm phong: sự kiện đã bị sửa, hoặc bị xóa rồi thay bằng sự kiện khác, ngoài phần mềm.", seq))
		} else {
			add(fmt.Sprintf("Sự kiện cuối cùng không phải sự kiện đã được niêm phong (số %d, nay là số %d): sự kiện đã bị xóa, thêm hoặc sửa ngoài phần mềm.", se.EventSeq, seq))
		}
	}
	if se.AuditSeq != aseq || se.AuditHash != ahash {
		add(fmt.Sprintf("Mục nhật ký cuối cùng không phải mục đã được niêm phong (số %d, nay là số %d): nhật ký đã bị xóa hoặc sửa.", se.AuditSeq, aseq))
	}
	return nil
}

// verifyProjections re-folds every dossier from its events (in stream order, one pass over
// the events index) and compares the projection row, the search entries and the code
// counters with what the fold gives.
func (s *Store) verifyProjections(ctx context.Context, r *FullVerify, progress func(string, int64, int64)) error {
	rowStmt, err := s.r.PrepareContext(ctx, `SELECT rid, `+dossierCols+` FROM dossiers WHERE id = ?`)
	if err != nil {
		return err
	}
	defer rowStmt.Close()
	wantAll, wantOpen := map[int64]uint64{}, map[int64]uint64{} // rid → the sum of its search tokens
	cfg := s.Config()
	highest := map[string]int{} // code day prefix → highest number issued
	var folded, done int64
	check := func(sid string, evs []domain.Event, states []int) error {
		d := domain.Fold(evs)
		if d.ID == "" {
			return nil // events of a dossier whose opening event has not arrived
		}
		folded++
		waiting, quarantined := false, false
		for _, st := range states {
			waiting = waiting || st == SyncWaiting
			quarantined = quarantined || st == SyncQuarantined
		}
		sync := 0
		switch {
		case quarantined:
			sync = 2
		case waiting:
			sync = 1
		}
		want, err := dossierRow(d, false)
		if err != nil {
			return err
		}
		want[syncCol] = sync // dossierRow leaves it to the caller
		got := make([]any, len(want))
		ptrs := make([]any, len(want)+1)
		var rid int64
		ptrs[0] = &rid
		for i := range got {
			ptrs[i+1] = &got[i]
		}
		err = rowStmt.QueryRowContext(ctx, sid).Scan(ptrs...)
		if errors.Is(err, sql.ErrNoRows) {
			r.Findings = append(r.Findings, Finding{Kind: "missing", Dossier: sid, Msg: "Hồ sơ có sự kiện nhưng không có trong danh sách hồ sơ (bảng hồ sơ đã bị xóa dòng)."})
			return nil
		}
		if err != nil {
			return err
		}
		if diff := diffRow(want, got); len(diff) > 0 {
			r.Findings = append(r.Findings, Finding{Kind: "projection", Dossier: sid,
				Msg: "Dữ liệu hồ sơ khác với kết quả tính lại từ các sự kiện: " + strings.Join(diff, "; ") + "."})
		}
		sum := indexSum(searchFields(d))
		wantAll[rid] = sum
		if d.Status.Open() {
			wantOpen[rid] = sum
		}
		// Only this workstation's own numbers: it counts nobody else's.
		if dc, err := domain.ParseDossierCode(d.Code); err == nil && dc.IssuedBy(cfg.UnitCode, cfg.Slot) {
			p := domain.DayPrefix(dc.Unit, dc.Date, dc.Slot)
			highest[p] = max(highest[p], dc.N)
		}
		return nil
	}
	// Page by streams: a set of stream ids, then their events in fold order.
	var after string
	for {
		var first, last string
		if err := s.r.QueryRowContext(ctx, `SELECT MIN(stream_id), MAX(stream_id) FROM (SELECT DISTINCT stream_id FROM events
			WHERE stream_id > ? AND stream = 'dossier' ORDER BY stream_id LIMIT 2000)`, after).Scan(&sqlNullString{&first}, &sqlNullString{&last}); err != nil {
			return fmt.Errorf("verify projections: %w", err)
		}
		if first == "" {
			break
		}
		rows, err := s.r.QueryContext(ctx, `SELECT `+eventColumns+`, sync_state FROM events WHERE stream_id BETWEEN ? AND ? AND stream = 'dossier'
			ORDER BY stream_id, hlc, device, id`, first, last)
		if err != nil {
			return fmt.Errorf("verify projections: %w", err)
		}
		var cur string
		var evs []domain.Event
		var states []int
		for rows.Next() {
			var st int
			e, err := sqlitex.ScanEvent(rows, &st)
			if err != nil {
				rows.Close()
				return err
			}
			if e.StreamID != cur {
				if cur != "" {
					if err := check(cur, evs, states); err != nil {
						rows.Close()
						return err
					}
				}
				cur, evs, states = e.StreamID, nil, nil
			}
			evs = append(evs, e)
			states = append(states, st)
			done++
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if cur != "" {
			if err := check(cur, evs, states); err != nil {
				return err
			}
		}
		progress("Tính lại hồ sơ từ sự kiện", done, r.Events)
		after = last
	}
	progress("Đối chiếu chỉ mục tìm kiếm", done, r.Events)
	if err := s.compareIndex(ctx, r, "dossier_fts", wantAll, "Chỉ mục tìm kiếm của hồ sơ bị thiếu hoặc bị sửa: tìm theo mã, tên, số giấy tờ hay điện thoại có thể không ra hồ sơ này."); err != nil {
		return err
	}
	if err := s.compareIndex(ctx, r, "dossier_open_fts", wantOpen, "Chỉ mục tìm kiếm hồ sơ đang xử lý thiếu hoặc sai cho hồ sơ này."); err != nil {
		return err
	}
	// Rows with no event behind them.
	rows, err := s.r.QueryContext(ctx, `SELECT id, code FROM dossiers d WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.stream_id = d.id)`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id, code string
		if err := rows.Scan(&id, &code); err != nil {
			rows.Close()
			return err
		}
		r.Findings = append(r.Findings, Finding{Kind: "extra", Dossier: id, Msg: fmt.Sprintf("Hồ sơ %s có trong danh sách nhưng không có sự kiện nào: dòng đã được thêm ngoài phần mềm.", code)})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	// The next number of a day must come after every code issued that day.
	prefixes := make([]string, 0, len(highest))
	for p := range highest {
		prefixes = append(prefixes, p)
	}
	sort.Strings(prefixes)
	for _, p := range prefixes {
		var last int
		err := s.r.QueryRowContext(ctx, `SELECT last FROM code_counters WHERE prefix = ?`, p).Scan(&last)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if last < highest[p] {
			r.Findings = append(r.Findings, Finding{Kind: "counter",
				Msg: fmt.Sprintf("Bộ đếm số hồ sơ %s đang ở %d nhưng đã cấp đến %d: hồ sơ tiếp nhận tiếp theo sẽ trùng mã.", p, last, highest[p])})
		}
	}
	r.Dossiers = folded
	return nil
}

// sqlNullString scans a possibly NULL text into a string ("" for NULL).
type sqlNullString struct{ s *string }

func (n *sqlNullString) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		*n.s = ""
	case string:
		*n.s = x
	case []byte:
		*n.s = string(x)
	default:
		return fmt.Errorf("unexpected %T", v)
	}
	return nil
}

// dossierCols are the projection's columns in dossierRow's order, for a SELECT.
var dossierCols = strings.Join(dossierColumns, ", ")

// syncCol is where the sync column stands in dossierRow's order.
var syncCol = slices.Index(dossierColumns, "sync")

// columnWords names the projection's columns for a clerk.
var columnWords = map[string]string{"code": "mã hồ sơ", "procedure_code": "mã thủ tục", "procedure_name": "tên thủ tục", "field_code": "lĩnh vực",
	"applicant": "người nộp", "id_number": "số giấy tờ", "phone": "điện thoại", "channel": "kênh nộp", "status": "trạng thái",
	"received_at": "ngày tiếp nhận", "due_at": "ngày hẹn trả", "result_at": "ngày có kết quả", "returned_at": "ngày trả", "closed_at": "ngày kết thúc",
	"received_by": "người tiếp nhận", "assisted": "hỗ trợ viết", "digitized": "số hóa", "e_result": "kết quả điện tử", "conflicts": "xung đột",
	"sync": "trạng thái đồng bộ", "last_hlc": "đồng hồ sự kiện cuối", "doc": "toàn bộ hồ sơ (JSON)"}

// diffRow names the columns whose stored value differs from the fold's.
func diffRow(want, got []any) []string {
	var out []string
	for i := range want {
		if shown(want[i]) != shown(got[i]) {
			name := dossierColumns[i]
			w := columnWords[name]
			if w == "" {
				w = name
			}
			if name == "doc" {
				out = append(out, w)
				continue
			}
			out = append(out, fmt.Sprintf("%s là %s, đúng ra là %s", w, shown(got[i]), shown(want[i])))
		}
	}
	return out
}

func shown(v any) string {
	switch x := v.(type) {
	case nil:
		return "(trống)"
	case bool:
		if x {
			return "1"
		}
		return "0"
	case []byte:
		return string(x)
	}
	return fmt.Sprint(v)
}

// nameDossiers replaces the dossier ids in findings by their codes (the clerk's name).
func (s *Store) nameDossiers(ctx context.Context, fs []Finding) error {
	for i := range fs {
		if fs[i].Dossier == "" || len(fs[i].Dossier) != 36 {
			continue
		}
		var code string
		err := s.r.QueryRowContext(ctx, `SELECT code FROM dossiers WHERE id = ?`, fs[i].Dossier).Scan(&code)
		if err == nil && code != "" {
			fs[i].Dossier = code
			continue
		}
		// No projection row: the code is in the opening event.
		evs, err := streamEvents(ctx, s.r, fs[i].Dossier)
		if err == nil {
			if d := domain.Fold(evs); d.Code != "" {
				fs[i].Dossier = d.Code
			}
		}
	}
	return nil
}

// requeueOwn puts every event this workstation made back in the outbox: the city takes
// the ones it lacks and answers "duplicate" for the rest.
func (s *Store) requeueOwn(ctx context.Context) (int, error) {
	n := 0
	err := s.tx(ctx, "verify requeue", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE events SET sync_state = 0, sync_reason = '' WHERE local = 1 AND device = ? AND sync_state = 1`, s.Config().DeviceID)
		if err != nil {
			return err
		}
		m, _ := res.RowsAffected()
		n = int(m)
		if _, err := tx.ExecContext(ctx, `UPDATE dossiers SET sync = 1 WHERE sync = 0 AND id IN (SELECT stream_id FROM events WHERE sync_state = 0)`); err != nil {
			return err
		}
		return s.audit(ctx, tx, "system", "verify.requeue", "events", fmt.Sprintf("%d sự kiện đưa lại vào hàng đợi gửi", n))
	})
	if err == nil {
		s.written()
	}
	return n, err
}

// deleteIndexed removes a document from both search tables where it is indexed (deleting
// a rowid a contentless table does not hold is not something to ask of FTS5).
func deleteIndexed(ctx context.Context, tx *sql.Tx, rid int64) error {
	for _, t := range []string{"dossier_fts", "dossier_open_fts"} {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+t+` WHERE rowid = ?`, rid).Scan(&n); err != nil {
			return fmt.Errorf("repair %s: %w", t, err)
		}
		if n > 0 {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+t+` WHERE rowid = ?`, rid); err != nil {
				return fmt.Errorf("repair %s: %w", t, err)
			}
		}
	}
	return nil
}

// repairProjections rebuilds, from the events, the projection and search entries of every
// dossier a finding names, removes rows with no events and brings code counters up to the
// codes issued. It returns how many dossiers it rebuilt.
func (s *Store) repairProjections(ctx context.Context, fs []Finding, progress func(string, int64, int64)) (int, error) {
	n := 0
	err := s.tx(ctx, "verify repair", func(tx *sql.Tx) error {
		n = 0
		ids := map[string]bool{}
		for _, f := range fs {
			switch f.Kind {
			case "projection", "missing", "index":
				id := f.Dossier
				if len(id) != 36 {
					if err := tx.QueryRowContext(ctx, `SELECT id FROM dossiers WHERE code = ?`, id).Scan(&id); err != nil {
						// A missing row is named by the code its events give.
						var sid string
						if err := tx.QueryRowContext(ctx, `SELECT stream_id FROM events WHERE stream = 'dossier' AND json_extract(payload, '$.code') = ? LIMIT 1`, f.Dossier).Scan(&sid); err != nil {
							continue
						}
						id = sid
					}
				}
				ids[id] = true
			}
		}
		for _, f := range fs {
			if f.Kind == "index" && f.Dossier == "" && f.rid != 0 {
				// Entries of a document no dossier has any more.
				if err := deleteIndexed(ctx, tx, f.rid); err != nil {
					return err
				}
				n++
			}
		}
		for id := range ids {
			// Clear the search entries first: a tampered index row is replaced, not merged.
			var rid int64
			if err := tx.QueryRowContext(ctx, `SELECT rid FROM dossiers WHERE id = ?`, id).Scan(&rid); err == nil {
				if err := deleteIndexed(ctx, tx, rid); err != nil {
					return err
				}
				// project's "was open" test reads the stored status: make it say closed,
				// so an open dossier is indexed afresh.
				tx.ExecContext(ctx, `UPDATE dossiers SET status = 10 WHERE rid = ?`, rid)
			}
			evs, err := streamEvents(ctx, tx, id)
			if err != nil {
				return err
			}
			d := domain.Fold(evs)
			if err := s.project(ctx, tx, d, false); err != nil {
				return err
			}
			if err := s.updateSyncFlag(ctx, tx, id); err != nil {
				return err
			}
			n++
			progress("Dựng lại hồ sơ", int64(n), int64(len(ids)))
		}
		rows, err := tx.QueryContext(ctx, `SELECT rid, id FROM dossiers d WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.stream_id = d.id)`)
		if err != nil {
			return err
		}
		type extra struct {
			rid int64
			id  string
		}
		var extras []extra
		for rows.Next() {
			var x extra
			if err := rows.Scan(&x.rid, &x.id); err != nil {
				rows.Close()
				return err
			}
			extras = append(extras, x)
		}
		rows.Close()
		for _, x := range extras {
			if err := s.dropDossier(ctx, tx, x.rid, x.id); err != nil {
				return err
			}
			n++
		}
		// Counters: at least the highest number this workstation issued for each day.
		cfg := s.Config()
		own := fmt.Sprintf("%s-______-%d___", cfg.UnitCode, cfg.Slot)
		if _, err := tx.ExecContext(ctx, `INSERT INTO code_counters(prefix, last)
			SELECT substr(code, 1, length(code) - 3), MAX(CAST(substr(code, -3) AS INTEGER)) FROM dossiers WHERE code LIKE ? GROUP BY 1
			ON CONFLICT(prefix) DO UPDATE SET last = MAX(last, excluded.last)`, own); err != nil {
			return err
		}
		return s.audit(ctx, tx, "system", "verify.repair", "dossiers", fmt.Sprintf("dựng lại %d hồ sơ từ sự kiện", n))
	})
	return n, err
}
