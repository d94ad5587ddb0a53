package localdb

import (
	"context"
	"testing"
	"time"

	"motcua/domain"
)

func TestDashboardAgreesWithTheDossiers(t *testing.T) {
	ctx := context.Background()
	now := vnTime(2026, 3, 20, 15, 0)
	s, clk := newTestStore(t, now)
	if _, err := s.Seed(ctx, SeedOptions{Dossiers: 250, Days: 40, Actors: []domain.Staff{clerk, boss}}); err != nil {
		t.Fatal(err)
	}
	clk.Set(now)
	// Today at the counter: one more intake, a guidance visit.
	if _, err := s.Receive(ctx, clerk, birthIntake()); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordVisit(ctx, boss); err != nil {
		t.Fatal(err)
	}
	clk.Set(now.Add(time.Minute))
	dash, err := s.Dashboard(ctx, 20)
	if err != nil {
		t.Fatal(err)
	}

	// Expected figures, straight from the folded dossiers.
	day := vnTime(2026, 3, 20, 0, 0)
	today := func(t time.Time) bool { return !t.IsZero() && !t.Before(day) && t.Before(day.AddDate(0, 0, 1)) }
	asOf := dash.AsOf
	var received, handed, due, overdue int
	byStatus := map[domain.Status]int{}
	load := map[string]*StaffLoad{}
	get := func(who string) *StaffLoad {
		if load[who] == nil {
			load[who] = &StaffLoad{Username: who}
		}
		return load[who]
	}
	var late []domain.Dossier
	for _, d := range allDossiers(t, s) {
		l := get(d.ReceivedBy)
		if d.Status != domain.StatusRegistered && today(d.ReceivedAt) {
			received++
			l.Received++
		}
		if today(d.ReturnedAt) {
			handed++
			get(d.HandOver.By).HandedOver++
		}
		switch d.Status {
		case domain.StatusRegistered, domain.StatusResultReady:
			byStatus[d.Status]++
		}
		if d.Status.Open() {
			byStatus[d.Status]++
			l.Open++
			if today(d.DueAt) {
				due++
			}
			if !d.DueAt.IsZero() && d.DueAt.Before(asOf) {
				overdue++
				late = append(late, d)
			}
		}
	}
	if received < 2 || handed == 0 || overdue == 0 {
		t.Fatalf("the seed gives too little to check: received %d handed %d overdue %d", received, handed, overdue)
	}
	if dash.Received != received || dash.HandedOver != handed || dash.DueToday != due || dash.Overdue != overdue {
		t.Errorf("dashboard received %d handed %d due %d overdue %d; dossiers say %d %d %d %d",
			dash.Received, dash.HandedOver, dash.DueToday, dash.Overdue, received, handed, due, overdue)
	}
	for _, st := range DashboardStatuses {
		if dash.ByStatus[st] != byStatus[st] {
			t.Errorf("status %v: %d, want %d", st, dash.ByStatus[st], byStatus[st])
		}
	}
	visits, err := s.Visits(ctx, day, day.AddDate(0, 0, 1))
	if err != nil {
		t.Fatal(err)
	}
	nv := 0
	for _, v := range visits {
		nv += v.N
	}
	if dash.Visits != nv || nv < received+handed {
		t.Errorf("visits %d, store says %d (received %d, handed %d)", dash.Visits, nv, received, handed)
	}
	sum := StaffLoad{}
	for _, l := range dash.Staff {
		want := get(l.Username)
		if l.Open != want.Open || l.Received != want.Received || l.HandedOver != want.HandedOver {
			t.Errorf("%s: open %d received %d handed %d, want %+v", l.Username, l.Open, l.Received, l.HandedOver, *want)
		}
		sum.Open += l.Open
		sum.Received += l.Received
		sum.HandedOver += l.HandedOver
		sum.Visits += l.Visits
	}
	if sum.Open != dash.Open() || sum.Received != received || sum.HandedOver != handed || sum.Visits != nv {
		t.Errorf("staff sums %+v vs open %d received %d handed %d visits %d", sum, dash.Open(), received, handed, nv)
	}
	// The overdue rows: the longest overdue first.
	if len(dash.OverdueRows) != min(20, overdue) {
		t.Fatalf("%d overdue rows", len(dash.OverdueRows))
	}
	for i := 1; i < len(dash.OverdueRows); i++ {
		if dash.OverdueRows[i].DueAt.Before(dash.OverdueRows[i-1].DueAt) {
			t.Fatalf("overdue rows out of order at %d", i)
		}
	}
	oldest := late[0]
	for _, d := range late {
		if d.DueAt.Before(oldest.DueAt) {
			oldest = d
		}
	}
	if dash.OverdueRows[0].ID != oldest.ID {
		t.Errorf("first overdue %s, want %s", dash.OverdueRows[0].Code, oldest.Code)
	}
	st, _ := s.Stats(ctx)
	if dash.Outbox != st.Outbox || dash.Quarantined != st.Quarantined || dash.Conflicts != st.Conflicts {
		t.Errorf("sync %d %d %d vs stats %+v", dash.Outbox, dash.Quarantined, dash.Conflicts, st)
	}
}

func TestMonthlyIndicatorsEqualEachMonthsReport(t *testing.T) {
	ctx := context.Background()
	now := vnTime(2026, 3, 20, 15, 0)
	s, _ := newTestStore(t, now)
	if _, err := s.Seed(ctx, SeedOptions{Dossiers: 250, Days: 100, Actors: []domain.Staff{clerk}}); err != nil {
		t.Fatal(err)
	}
	got, err := s.MonthlyIndicators(ctx, now, 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 5 {
		t.Fatalf("%d months", len(got))
	}
	ds := allDossiers(t, s)
	for i, ind := range got {
		start := vnTime(2025, 11, 1, 0, 0).AddDate(0, i, 0)
		p, _ := domain.NewPeriod(start, start.AddDate(0, 1, -1))
		if ind.Period != p {
			t.Fatalf("month %d is %v, want %v", i, ind.Period, p)
		}
		want, err := s.Indicators(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		_, folded := domain.BuildReport(p, ds, domain.ReportOptions{})
		if ind != want || ind != folded {
			t.Errorf("%v: one pass %+v\nper month %+v\nfolded %+v", p, ind, want, folded)
		}
	}
	if got[4].Received == 0 || got[3].Resolved == 0 {
		t.Errorf("seeded months are empty: %+v", got)
	}
}
