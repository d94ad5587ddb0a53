package query

import (
	"motcua/domain"
	"time"
)

// Dashboard is the day at a glance.
type Dashboard struct {
	Day  time.Time // 00:00 (Vietnam) of the day
	AsOf time.Time // when it was read

	Received   int // accepted at the counter today (online registrations not yet accepted do not count)
	HandedOver int // results handed back today
	Visits     int // citizens served today (intakes, hand-overs, guidance)
	DueToday   int // open and due today (QueueFilter.DueToday)
	Overdue    int // open and past due (QueueFilter.Overdue)

	// ByStatus counts the dossiers not finished: registered online (1), in the centre's
	// hands (2, 4, 5, 6) and results waiting at the counter (9).
	ByStatus map[domain.Status]int
	// OverdueRows are the overdue dossiers, the longest overdue first, up to the limit asked.
	OverdueRows []QueueRow
	// Staff is each staff member's load, the busiest first.
	Staff []StaffLoad

	Outbox      int // events waiting to be sent
	Quarantined int // events the central system refused
	Conflicts   int // dossiers with open conflicts
}

// Open is the number of dossiers in the centre's hands (statuses 2, 4, 5, 6).
func (d Dashboard) Open() int {
	n := 0
	for st, c := range d.ByStatus {
		if st.Open() {
			n += c
		}
	}
	return n
}

// StaffLoad is one staff member's share of the work.
type StaffLoad struct {
	Username   string
	Open       int // open dossiers (2, 4, 5, 6) they received
	Received   int // dossiers they received today
	HandedOver int // results they handed back today
	Visits     int // citizens they served today
}

// DashboardStatuses are the statuses the dashboard counts, in the order it shows them.
var DashboardStatuses = []domain.Status{domain.StatusRegistered, domain.StatusAccepted, domain.StatusProcessing,
	domain.StatusSupplement, domain.StatusAwaitingPayment, domain.StatusResultReady}
