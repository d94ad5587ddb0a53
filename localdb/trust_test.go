package localdb

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"motcua/domain"
)

// Every event this workstation makes is signed with its key; the key is a 0600 file beside
// the database, never inside it; events written before signing are signed on upgrade.
func TestEventsSignedWithTheDeviceKey(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t, vnTime(2026, 3, 2, 9, 0))
	d, err := s.Receive(ctx, clerk, birthIntake())
	if err != nil {
		t.Fatal(err)
	}
	pub, err := domain.ParseKey(s.PublicKey())
	if err != nil {
		t.Fatal(err)
	}
	out, _ := s.Outbox(ctx, 10)
	if len(out) < 2 {
		t.Fatalf("outbox %d", len(out))
	}
	for _, e := range out {
		if err := e.Verify(pub); err != nil {
			t.Fatalf("%s %s: %v", e.Type, e.ID, err)
		}
	}
	fi, err := os.Stat(filepath.Join(s.Dir(), KeyFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file %v %v", fi, err)
	}
	keyPEM, _ := os.ReadFile(filepath.Join(s.Dir(), KeyFile))
	db, _ := os.ReadFile(s.Path())
	if bytes.Contains(db, keyPEM[30:60]) {
		t.Fatal("the key is in the database")
	}
	// As an older version left it: unsigned, and the upgrade not yet run.
	if _, err := s.w.ExecContext(ctx, `UPDATE events SET sig = ''`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.w.ExecContext(ctx, `DELETE FROM settings WHERE key = ?`, upgradeSigned); err != nil {
		t.Fatal(err)
	}
	dir := s.Dir()
	s.Close()
	s2, err := Open(ctx, dir, Options{LightPasswordHashing: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if s2.PublicKey() != s.PublicKey() {
		t.Fatal("the key changed on reopen")
	}
	out, _ = s2.Outbox(ctx, 10)
	for _, e := range out {
		if err := e.Verify(pub); err != nil {
			t.Fatalf("after upgrade %s: %v", e.Type, err)
		}
	}
	if _, err := s2.Get(ctx, d.ID); err != nil {
		t.Fatal(err)
	}
}

// repair-clocks takes stored events with an impossible clock out of the log (into the
// refused events, with the reason), refolds what they touched and brings the clock back.
func TestRepairClocksOnTheWorkstation(t *testing.T) {
	ctx := context.Background()
	s, clk := newTestStore(t, time.Now())
	d, err := s.Receive(ctx, clerk, birthIntake())
	if err != nil {
		t.Fatal(err)
	}
	// Pulled from an older city that accepted anything: a refusal stamped at 2^63−1.
	poison, _ := domain.NewEvent(uuid.Must(uuid.NewV7()).String(), domain.StreamDossier, d.ID, domain.EvRefused,
		domain.ReasonPayload{Reason: "x"}, "mallory", "other-device", d.Unit, clk.Now(), domain.MaxHLC)
	if _, err := s.w.ExecContext(ctx, `INSERT INTO events(id, stream, stream_id, type, v, payload, actor, device, unit, at, hlc, local, sync_state)
		VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, 0, 1)`, poison.ID, poison.Stream, poison.StreamID, string(poison.Type), string(poison.Payload),
		poison.Actor, poison.Device, poison.Unit, poison.At.UnixMilli(), int64(poison.HLC)); err != nil {
		t.Fatal(err)
	}
	s.clock.Reset(domain.MaxHLC) // as the older version's clock followed it
	tx, _ := s.w.BeginTx(ctx, nil)
	if _, err := s.refold(ctx, tx, d.ID); err != nil {
		t.Fatal(err)
	}
	tx.Commit()
	if got, _ := s.Get(ctx, d.ID); got.Status != domain.StatusRefused {
		t.Fatalf("setup: status %v", got.Status)
	}
	rep, err := s.RepairClocks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Moved) != 1 || rep.Moved[0].Event.ID != poison.ID {
		t.Fatalf("repair %+v", rep)
	}
	if got, _ := s.Get(ctx, d.ID); got.Status != domain.StatusAccepted {
		t.Fatalf("after repair: status %v", got.Status)
	}
	if s.Clock().Last().Time().After(time.Now().Add(time.Minute)) {
		t.Fatalf("clock %v", s.Clock().Last())
	}
	if _, err := s.Record(ctx, clerk, d.ID, domain.EvForwarded, domain.StepPayload{Agency: "Tư pháp"}); err != nil {
		t.Fatalf("recording after repair: %v", err)
	}
	refused, _ := s.RefusedEvents(ctx)
	if len(refused) != 1 || !strings.Contains(refused[0].Reason, "vượt quá giờ hiện tại") {
		t.Fatalf("refused %+v", refused)
	}
	var out bytes.Buffer
	rep.Print(&out)
	if !strings.Contains(out.String(), "Đã cách ly 1 sự kiện") {
		t.Fatalf("report %q", out.String())
	}
	if c, _ := s.SyncCounts(ctx); c.Refused != 1 {
		t.Fatalf("counts %+v", c)
	}
}
