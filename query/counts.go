package query

import (
	"motcua/domain"
	"time"
)

// Stats are the store's counts.
type Stats struct {
	Dossiers     int            `json:"dossiers"`
	ByStatus     map[string]int `json:"by_status"`
	Events       int            `json:"events"`
	Outbox       int            `json:"outbox"`
	Quarantined  int            `json:"quarantined"`
	Refused      int            `json:"refused"` // received events refused (from the city, a peer or a bundle), kept aside
	Conflicts    int            `json:"conflicts"`
	Files        int            `json:"files"`
	FilesWaiting int            `json:"files_waiting"`
}

// VisitCount is visits per day and staff member.
type VisitCount struct {
	Day   string // YYYY-MM-DD, Vietnam time
	Staff string
	Kind  string
	N     int
}

// FeedbackCounts are the figures the city reports: received, resolved and published,
// resolved (answered, not yet published), in progress.
type FeedbackCounts struct {
	Received            int `json:"received"`
	ResolvedOrPublished int `json:"resolved_and_published"`
	Published           int `json:"published"`
	InProgress          int `json:"in_progress"`
}

// QuarantinedEvent is an event the central system refused, with its reason.
type QuarantinedEvent struct {
	Event  domain.Event
	Reason string
	At     time.Time
	Code   string // the dossier's code, for the supervisor
}

// Refused is a received event that could not be trusted, and why (Vietnamese).
type Refused struct {
	Event  domain.Event
	Reason string
	At     time.Time
}

// HandoffQueue is the hand-off queue as the counters see it: today's entries waiting and
// taken, and those of the last days that expired unclaimed or hold a conflict.
type HandoffQueue struct {
	Waiting   []domain.Handoff `json:"waiting"`   // today's, not claimed yet (oldest first)
	Claimed   []domain.Handoff `json:"claimed"`   // today's, taken by a counter (latest first)
	Expired   []domain.Handoff `json:"expired"`   // not claimed before the end of their day (latest first)
	Conflicts []domain.Handoff `json:"conflicts"` // claimed twice, or claimed after their day, on two workstations
}
