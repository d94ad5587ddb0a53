package localdb

import "motcua/query"

// The shapes the screens read (the queue, the dashboard, the configuration, backups,
// sign-in refusals) live in motcua/query, so that ui needs no import of localdb. The
// names below keep this package's callers as they were.

type (
	Config           = query.Config
	ReportSettings   = query.ReportSettings
	ReceiptSettings  = query.ReceiptSettings
	Targets          = query.Targets
	QueueFilter      = query.QueueFilter
	QueueKey         = query.QueueKey
	QueueRow         = query.QueueRow
	TimelineEntry    = query.TimelineEntry
	Stats            = query.Stats
	VisitCount       = query.VisitCount
	FeedbackCounts   = query.FeedbackCounts
	QuarantinedEvent = query.QuarantinedEvent
	Refused          = query.Refused
	Dashboard        = query.Dashboard
	StaffLoad        = query.StaffLoad
	SignInState      = query.SignInState
	SignInError      = query.SignInError
	BackupEntry      = query.BackupEntry
	BackupMode       = query.BackupMode
)

// TextMatchCap: see query.TextMatchCap.
const TextMatchCap = query.TextMatchCap

// Sync states of an event.
const (
	SyncWaiting     = query.SyncWaiting
	SyncAcked       = query.SyncAcked
	SyncQuarantined = query.SyncQuarantined
)

// Kinds of backup in a listing.
const (
	BackupDaily  = query.BackupDaily
	BackupWeekly = query.BackupWeekly
	BackupExtra  = query.BackupExtra
)

// How backups are protected.
const (
	BackupEncrypted = query.BackupEncrypted
	BackupLegacy    = query.BackupLegacy
	BackupPlain     = query.BackupPlain
	BackupUnset     = query.BackupUnset
)

var (
	ErrTooNew         = query.ErrTooNew
	ErrBadLogin       = query.ErrBadLogin
	DashboardStatuses = query.DashboardStatuses
)
