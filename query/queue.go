package query

import (
	"motcua/domain"
	"time"
)

// QueueFilter selects dossiers for the queue. Zero values select everything.
type QueueFilter struct {
	Statuses      []domain.Status
	FieldCode     string
	ProcedureCode string
	DueBefore     time.Time // due strictly before
	DueToday      bool      // open and due today (Vietnam time)
	Overdue       bool      // open and past due
	Staff         string    // received by
	Sync          int       // 0 any, 1 waiting to sync, 2 quarantined
	Conflicts     bool      // with open conflicts
	Text          string    // search text (code, ID number, phone, name without diacritics)
	// After pages by key: Queue returns the rows that come after this one (its offset then
	// counts from there). Scrolling page by page this way costs the same at any depth,
	// where an offset makes SQLite step over every row before it.
	After *QueueKey
}

// QueueKey is a row's place in the queue's order: by due date, dossiers without one last,
// then by when the dossier came into this store.
type QueueKey struct {
	Due time.Time // zero: no due date
	RID int64
}

// QueueRow is one line of the queue.
type QueueRow struct {
	ID            string
	Code          string
	Applicant     string
	IDNumber      string
	Phone         string
	ProcedureCode string
	ProcedureName string
	FieldCode     string
	Channel       domain.Channel
	Status        domain.Status
	ReceivedAt    time.Time
	DueAt         time.Time
	ReceivedBy    string
	Sync          int
	Conflicts     int
	Key           QueueKey // where the row stands in the queue (for QueueFilter.After)
}

// TextMatchCap bounds the work of a search by name: the queue considers at most this many
// dossiers matching the text, the most recent ones (a word as common as "nguyen" matches
// four in ten dossiers; sorting all of them by due date would take a second at a million,
// and each candidate costs about 5 µs to read).
// QueueCountCapped tells when a search went past it.
const TextMatchCap = 1000

// TimelineEntry is one event of a dossier as the detail screen shows it.
type TimelineEntry struct {
	Event     domain.Event
	Local     bool
	SyncState int
	Reason    string // why it was quarantined
	Conflict  *domain.Conflict
}

// Sync states of an event.
const (
	SyncWaiting     = 0
	SyncAcked       = 1
	SyncQuarantined = 2
)
