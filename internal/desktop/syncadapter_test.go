package desktop

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"

	"motcua/domain"
	"motcua/localdb"
	appsync "motcua/sync"
	"motcua/ui"
)

// An enrollment that fails reaches the screens as a ui.StaffError with the sync package's
// plain Vietnamese — what the settings screen shows — and still carries the cause (for
// errors.Is and the log).
func TestEnrollFailureIsShownPlainly(t *testing.T) {
	ctx := context.Background()
	store, err := localdb.Open(ctx, t.TempDir(), localdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	engine := appsync.New(store, appsync.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	a := newSyncAdapter(engine, store, nil)
	// Nothing listens on port 1 of loopback: the connection is refused.
	err = a.Enroll(ctx, "http://127.0.0.1:1", "MA-DANG-KY", "Quầy 1", false)
	var re *ui.StaffError
	if !errors.As(err, &re) {
		t.Fatalf("Enroll: %v (%T), want a staff error", err, err)
	}
	var se *appsync.Error
	if !errors.As(err, &se) || re.Msg != appsync.Message(se) {
		t.Fatalf("shown %q, sync error %v", re.Msg, se)
	}
	if strings.Contains(re.Msg, "dial tcp") || !strings.Contains(err.Error(), "dial tcp") {
		t.Fatalf("shown %q; logged %q", re.Msg, err.Error())
	}
}

// Events stored by a LAN peer's exchange or a USB bundle's import (Engine.TellApplied, which
// the peer node's OnApplied and ImportBundle feed) reach the screens through the same
// OnPulled hook as a pull from the city.
func TestAppliedEventsReachTheScreensLikeAPull(t *testing.T) {
	ctx := context.Background()
	store, err := localdb.Open(ctx, t.TempDir(), localdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	engine := appsync.New(store, appsync.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	a := newSyncAdapter(engine, store, nil)
	var got []string
	var others bool
	a.OnPulled(func(dossiers []string, o bool) { got, others = append(got, dossiers...), others || o })
	engine.TellApplied([]domain.Event{{Stream: domain.StreamDossier, StreamID: "d1"}, {Stream: domain.StreamDossier, StreamID: "d1"},
		{Stream: domain.StreamDossier, StreamID: "d2"}, {Stream: domain.StreamVisit, StreamID: "v1"}})
	if strings.Join(got, ",") != "d1,d2" || !others {
		t.Fatalf("told %v, others %v", got, others)
	}
	got = nil
	engine.TellApplied(nil) // a bundle that brought nothing new
	if got != nil {
		t.Fatalf("nothing applied, told %v", got)
	}
}
