package localdb

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	_ "modernc.org/sqlite"

	"motcua/domain"
)

// tamperStore makes a store with a few dossiers, closes it for a hand edit with SQL (as
// someone with the file would), and reopens it.
func tamperStore(t *testing.T, edit func(db *sql.DB, ids []string, codes []string)) (*Store, []string) {
	t.Helper()
	ctx := context.Background()
	s, _ := newTestStore(t, time.Now().Add(-time.Hour))
	var ids, codes []string
	for range 3 {
		d, err := s.Receive(ctx, clerk, birthIntake())
		if err != nil {
			t.Fatal(err)
		}
		ids, codes = append(ids, d.ID), append(codes, d.Code)
	}
	if res, err := s.VerifyAll(ctx, VerifyOptions{}); err != nil || !res.OK() {
		t.Fatalf("a fresh store does not verify: %+v %v", res.Findings, err)
	}
	dir := s.Dir()
	s.Close()
	db, err := sql.Open("sqlite", "file:"+dir+"/"+DBFile)
	if err != nil {
		t.Fatal(err)
	}
	edit(db, ids, codes)
	db.Close()
	s2, err := Open(ctx, dir, Options{LightPasswordHashing: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s2.Close() })
	return s2, codes
}

func mustExec(t *testing.T, db *sql.DB, q string, args ...any) {
	t.Helper()
	res, err := db.Exec(q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	if n, _ := res.RowsAffected(); n == 0 && !strings.HasPrefix(strings.TrimSpace(q), "INSERT") {
		t.Fatalf("%s: changed nothing", q)
	}
}

// One tampering case per line of issue 13: each is found, with the dossier named.
func TestVerifyDetectsTampering(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		edit   func(t *testing.T, db *sql.DB, ids, codes []string)
		kind   string
		victim int // the dossier a finding must name (-1: none in particular)
	}{
		{"status row", func(t *testing.T, db *sql.DB, ids, _ []string) {
			mustExec(t, db, `UPDATE dossiers SET status = 10 WHERE id = ?`, ids[1])
		}, "projection", 1},
		{"applicant in the row and its document", func(t *testing.T, db *sql.DB, ids, _ []string) {
			mustExec(t, db, `UPDATE dossiers SET applicant = 'Kẻ Giả Mạo', doc = json_set(doc, '$.applicant.name', 'Kẻ Giả Mạo') WHERE id = ?`, ids[0])
		}, "projection", 0},
		{"event payload", func(t *testing.T, db *sql.DB, ids, _ []string) {
			mustExec(t, db, `UPDATE events SET payload = json_set(payload, '$.applicant.id_number', '079099999999') WHERE stream_id = ? AND type = 'dossier.received'`, ids[2])
		}, "chain", 2},
		{"deleted event", func(t *testing.T, db *sql.DB, ids, _ []string) {
			mustExec(t, db, `DELETE FROM events WHERE stream_id = ? AND type = 'dossier.received'`, ids[1])
		}, "chain", -1},
		{"deleted last event", func(t *testing.T, db *sql.DB, _, _ []string) {
			mustExec(t, db, `DELETE FROM events WHERE seq = (SELECT MAX(seq) FROM events)`)
		}, "seal", -1},
		{"deleted last audit entry", func(t *testing.T, db *sql.DB, _, _ []string) {
			mustExec(t, db, `DELETE FROM audit WHERE seq = (SELECT MAX(seq) FROM audit)`)
		}, "seal", -1},
		{"recomputed chain", func(t *testing.T, db *sql.DB, ids, _ []string) {
			// Edit a payload and recompute every link after it, as the chain has no key:
			// only the seal (keyed outside the database) can tell.
			mustExec(t, db, `UPDATE events SET payload = json_set(payload, '$.applicant.name', 'Kẻ Giả Mạo') WHERE stream_id = ? AND type = 'dossier.received'`, ids[0])
			relink(t, db)
		}, "seal", -1},
		{"search index", func(t *testing.T, db *sql.DB, ids, _ []string) {
			var rid int64
			db.QueryRow(`SELECT rid FROM dossiers WHERE id = ?`, ids[2]).Scan(&rid)
			mustExec(t, db, `DELETE FROM dossier_fts WHERE rowid = ?`, rid)
		}, "index", 2},
		{"extra row", func(t *testing.T, db *sql.DB, _, _ []string) {
			mustExec(t, db, `INSERT INTO dossiers(id, code, procedure_code, procedure_name, field_code, applicant, channel, status, last_hlc, doc)
				SELECT '00000000-0000-7000-8000-000000000000', code || 'X', procedure_code, procedure_name, field_code, applicant, channel, status, last_hlc, doc FROM dossiers LIMIT 1`)
		}, "extra", -1},
		{"code counter", func(t *testing.T, db *sql.DB, _, _ []string) {
			mustExec(t, db, `UPDATE code_counters SET last = 0`)
		}, "counter", -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, codes := tamperStore(t, func(db *sql.DB, ids, codes []string) { tc.edit(t, db, ids, codes) })
			res, err := s.VerifyAll(ctx, VerifyOptions{})
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, f := range res.Findings {
				if f.Kind == tc.kind && (tc.victim < 0 || f.Dossier == codes[tc.victim]) {
					found = true
				}
			}
			if !found || res.OK() {
				t.Fatalf("not found (%s on %v); findings %+v", tc.kind, tc.victim, res.Findings)
			}
		})
	}
}

// relink recomputes the event chain the way an attacker with only the database could.
func relink(t *testing.T, db *sql.DB) {
	t.Helper()
	tx, _ := db.Begin()
	if err := rechainFrom(context.Background(), tx, 1); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

// verify --repair rebuilds projections, search entries and counters from intact events.
func TestVerifyRepairRebuildsProjections(t *testing.T) {
	ctx := context.Background()
	s, codes := tamperStore(t, func(db *sql.DB, ids, _ []string) {
		var rid int64
		db.QueryRow(`SELECT rid FROM dossiers WHERE id = ?`, ids[2]).Scan(&rid)
		mustExec(t, db, `UPDATE dossiers SET status = 10, applicant = 'X' WHERE id = ?`, ids[1])
		mustExec(t, db, `DELETE FROM dossier_fts WHERE rowid = ?`, rid)
		mustExec(t, db, `DELETE FROM dossiers WHERE id = ?`, ids[0])
		mustExec(t, db, `UPDATE code_counters SET last = 0`)
	})
	res, err := s.VerifyAll(ctx, VerifyOptions{Repair: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.OK() || !res.EventsIntact() || res.Repaired < 3 {
		t.Fatalf("repair %+v", res)
	}
	again, err := s.VerifyAll(ctx, VerifyOptions{})
	if err != nil || !again.OK() {
		t.Fatalf("after repair: %+v %v", again.Findings, err)
	}
	for _, c := range codes {
		rows, err := s.Search(ctx, c, 5)
		if err != nil || len(rows) != 1 {
			t.Fatalf("search %s after repair: %d %v", c, len(rows), err)
		}
	}
	// The next intake does not reuse a code.
	d, err := s.Receive(ctx, clerk, birthIntake())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range codes {
		if d.Code == c {
			t.Fatalf("code %s issued twice", c)
		}
	}
}

// Events that cannot be trusted are not a basis for a repair.
func TestVerifyRepairRefusesWhenEventsAreTampered(t *testing.T) {
	ctx := context.Background()
	s, _ := tamperStore(t, func(db *sql.DB, ids, _ []string) {
		mustExec(t, db, `UPDATE events SET payload = json_set(payload, '$.applicant.name', 'Kẻ Giả Mạo') WHERE stream_id = ? AND type = 'dossier.received'`, ids[0])
		mustExec(t, db, `UPDATE dossiers SET status = 10 WHERE id = ?`, ids[1])
	})
	res, err := s.VerifyAll(ctx, VerifyOptions{Repair: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.EventsIntact() || res.Repaired != 0 {
		t.Fatalf("repaired on tampered events: %+v", res)
	}
}

// A backup restored into another data folder (another machine: another key) verifies in
// full: its events were signed by the key it held, which the store remembers, and the
// restore resealed the chain with the new key after checking every link.
func TestRestoredElsewhereVerifies(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t, time.Now().Add(-time.Hour))
	for range 3 {
		if _, err := s.Receive(ctx, clerk, birthIntake()); err != nil {
			t.Fatal(err)
		}
	}
	info, err := s.Backup(ctx, t.TempDir(), BackupOptions{Passphrase: "mat-khau-sao-luu"})
	if err != nil {
		t.Fatal(err)
	}
	target := t.TempDir() + "/khac"
	if _, err := RestoreContext(ctx, info.Dir, target, "mat-khau-sao-luu"); err != nil {
		t.Fatal(err)
	}
	r, err := Open(ctx, target, Options{LightPasswordHashing: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.PublicKey() == s.PublicKey() {
		t.Fatal("the signing key travelled with the backup")
	}
	res, err := r.VerifyAll(ctx, VerifyOptions{})
	if err != nil || !res.OK() {
		t.Fatalf("restored store: %+v %v", res.Findings, err)
	}
}

// Someone who has the key file too can recompute the chain and reseal it; the head the city
// holds still tells.
func TestVerifyAgainstTheCitysHead(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t, time.Now().Add(-time.Hour))
	var ids []string
	for range 3 {
		d, err := s.Receive(ctx, clerk, birthIntake())
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, d.ID)
	}
	seq, link, err := s.ChainHead(ctx)
	if err != nil || seq == 0 {
		t.Fatal(seq, err)
	}
	city := &ChainRef{Seq: seq, Link: link}
	if res, err := s.VerifyAll(ctx, VerifyOptions{CityHead: city}); err != nil || !res.OK() || !res.CityCompared {
		t.Fatalf("before: %+v %v", res.Findings, err)
	}
	// Edit an event, relink everything after it and reseal with the device's own key.
	if _, err := s.w.ExecContext(ctx, `UPDATE events SET payload = json_set(payload, '$.applicant.name', 'Kẻ Giả Mạo') WHERE stream_id = ? AND type = 'dossier.received'`, ids[0]); err != nil {
		t.Fatal(err)
	}
	if err := s.tx(ctx, "attack", func(tx *sql.Tx) error {
		evs, err := streamEvents(ctx, tx, ids[0])
		if err != nil {
			return err
		}
		for _, e := range evs {
			s.sign(&e)
			if _, err := tx.ExecContext(ctx, `UPDATE events SET sig = ? WHERE id = ?`, e.Sig, e.ID); err != nil {
				return err
			}
		}
		if err := rechainFrom(ctx, tx, 1); err != nil {
			return err
		}
		if _, err := s.refold(ctx, tx, ids[0]); err != nil {
			return err
		}
		return s.audit(ctx, tx, "x", "x", "x", "x")
	}); err != nil {
		t.Fatal(err)
	}
	res, err := s.VerifyAll(ctx, VerifyOptions{})
	if err != nil || !res.OK() {
		t.Fatalf("with the key, the local checks are fooled (expected): %+v %v", res.Findings, err)
	}
	res, err = s.VerifyAll(ctx, VerifyOptions{CityHead: city})
	if err != nil || res.OK() || res.Findings[0].Kind != "acked" {
		t.Fatalf("the city's head did not tell: %+v %v", res.Findings, err)
	}
}

// Dossiers pulled from another workstation of the unit carry its numbers, not this one's:
// they are no reason to find this workstation's counters behind.
func TestVerifyCountsOnlyItsOwnNumbers(t *testing.T) {
	ctx := context.Background()
	s, clk := newTestStore(t, time.Now().Add(-time.Hour))
	if _, err := s.Receive(ctx, clerk, birthIntake()); err != nil {
		t.Fatal(err)
	}
	at := clk.Now()
	code, _ := domain.NewDossierCode(testCfg.UnitCode, at, 2, 7)
	in := birthIntake()
	p := domain.ReceivedPayload{Code: code.String(), Procedure: domain.ProcedureRef{Code: in.ProcedureCode, Name: "Khai sinh"},
		Applicant: domain.Person{Name: "Trần Văn Bình"}, DueAt: at.Add(8 * time.Hour), Sets: 1}
	e, _ := domain.NewEvent(uuid.Must(uuid.NewV7()).String(), domain.StreamDossier, uuid.Must(uuid.NewV7()).String(), domain.EvReceived,
		p, "binh", "0193a0b0-0000-7000-8000-000000000002", testCfg.UnitCode, at, domain.MakeHLC(at.UnixMilli(), 0))
	if _, err := s.ApplyRemote(ctx, []domain.Event{e}, "cursor", "c-1"); err != nil {
		t.Fatal(err)
	}
	res, err := s.VerifyAll(ctx, VerifyOptions{})
	if err != nil || !res.OK() || res.Unsigned != 1 {
		t.Fatalf("%+v %v (unsigned %d)", res.Findings, err, res.Unsigned)
	}
}
