package localdb

import (
	"context"
	"errors"
	"strings"
	"testing"

	"motcua/domain"
)

// A text the screens do not cap (a supplement's reason) but longer than the city takes in
// one event is refused when it is written, with the limit's message, not quarantined at
// the next sync.
func TestLocalEventsKeepTheEventLimits(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t, vnTime(2026, 3, 2, 9, 0))
	d, err := s.Receive(ctx, clerk, birthIntake())
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.RequestSupplement(ctx, clerk, d.ID, domain.SupplementRequestedPayload{
		Items: []domain.SupplementItem{{Name: "Bản sao", Form: domain.FormCertified}}, Reason: strings.Repeat("Thiếu giấy tờ. ", 1000)})
	var re *domain.RuleError
	if !errors.As(err, &re) || !errors.Is(err, domain.ErrInvalid) || !strings.Contains(re.Msg, "tối đa") {
		t.Fatalf("a 15 KB reason: %v", err)
	}
	if c, _ := s.SyncCounts(ctx); c.Waiting != 2 { // the intake and its visit
		t.Fatalf("%d events waiting", c.Waiting)
	}
}
