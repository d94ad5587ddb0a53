package peer

import (
	"context"
	"errors"
	"strings"
	"testing"

	"motcua/domain"
)

// The hand-off queue crosses the LAN with the city down: an entry the helper's desk
// prepared reaches the counter through the peers, the counter's claim comes back to the
// desk, and a second claim there is refused.
func TestHandoffBetweenPeersWithoutTheCity(t *testing.T) {
	ctx := context.Background()
	c := newCity(t)
	desk, counter := c.workstation(testUnit, 1), c.workstation(testUnit, 2)
	for _, s := range []*station{desk, counter} {
		s.refreshKeys()
	}
	desk.addPeers(counter)
	counter.addPeers(desk)
	c.stop()

	helper := domain.Staff{Username: "hoa", FullName: "Trần Thị Hoa", Role: domain.RoleHelper, Active: true}
	e, err := desk.store.PrepareHandoff(ctx, helper, domain.HandoffPreparedPayload{Procedure: domain.ProcedureRef{Code: "1.001193"},
		Applicant: domain.Person{Name: "Nguyễn Văn An", IDNumber: "001099012345"}})
	if err != nil {
		t.Fatal(err)
	}
	if out, err := counter.syncOnce(); err != nil {
		t.Fatalf("counter: %v\n%s", err, out)
	}
	got, err := counter.store.ClaimHandoff(ctx, clerk, e.Number)
	if err != nil {
		t.Fatalf("the counter cannot take the desk's entry: %v", err)
	}
	if got.Applicant.Name != "Nguyễn Văn An" || got.Procedure.Code != "1.001193" {
		t.Fatalf("entry %+v", got)
	}
	if out, err := desk.syncOnce(); err != nil {
		t.Fatalf("desk: %v\n%s", err, out)
	}
	other := domain.Staff{Username: "nam", FullName: "Phạm Văn Nam", Role: domain.RoleCounter, Active: true}
	if _, err := desk.store.ClaimHandoff(ctx, other, e.ID); !errors.Is(err, domain.ErrConflict) || !strings.Contains(err.Error(), "đã được "+clerk.Username+" nhận") {
		t.Fatalf("second claim on the desk: %v", err)
	}
}
