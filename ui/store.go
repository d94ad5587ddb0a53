package ui

import (
	"context"
	"io"
	"time"

	"motcua/domain"
	"motcua/domain/calendar"
	"motcua/localdb"
)

// The screens depend on these small interfaces, never on the concrete store or the sync
// engine; *localdb.Store implements the store ones, cmd/motcua adapts the sync engine.

// Accounts signs staff in and manages their accounts.
type Accounts interface {
	StaffCount(ctx context.Context) (int, error)
	CreateStaff(ctx context.Context, actor *domain.Staff, st domain.Staff, password string) error
	Authenticate(ctx context.Context, username, password string) (domain.Staff, error)
	ListStaff(ctx context.Context) ([]domain.Staff, error)
	UpdateStaff(ctx context.Context, actor domain.Staff, st domain.Staff, newPassword string) error
	SignInLocks(ctx context.Context) (map[string]localdb.SignInState, error)
	UnlockSignIn(ctx context.Context, actor domain.Staff, username string) error
}

// Settings is the workstation's configuration and reference data.
type Settings interface {
	Config() localdb.Config
	UpdateConfig(ctx context.Context, actor domain.Staff, cfg localdb.Config) error
	Catalogue() *domain.Catalogue
	Calendar() *calendar.Calendar
	Now() time.Time
	Dir() string
}

// Dossiers reads and changes dossiers.
type Dossiers interface {
	Receive(ctx context.Context, actor domain.Staff, in domain.Intake) (domain.Dossier, error)
	Record(ctx context.Context, actor domain.Staff, id string, typ domain.EventType, payload any) (domain.Dossier, error)
	Get(ctx context.Context, id string) (domain.Dossier, error)
	ByCode(ctx context.Context, code string) (domain.Dossier, error)
	Queue(ctx context.Context, f localdb.QueueFilter, offset, limit int) ([]localdb.QueueRow, error)
	QueueCount(ctx context.Context, f localdb.QueueFilter) (int, error)
	QueueCountCapped(ctx context.Context, f localdb.QueueFilter) (n int, capped bool, err error)
	AcceptDue(d domain.Dossier, at time.Time) (time.Time, error)
	Search(ctx context.Context, text string, limit int) ([]localdb.QueueRow, error)
	Timeline(ctx context.Context, id string) ([]localdb.TimelineEntry, error)
	ProcedureUsage(ctx context.Context, since time.Time) (map[string]int, error)
	Stats(ctx context.Context) (localdb.Stats, error)
}

// Files stores scanned documents.
type Files interface {
	StoreFile(ctx context.Context, r io.Reader, name string) (domain.FileRef, error)
	AttachFile(ctx context.Context, actor domain.Staff, id string, p domain.FileAttachedPayload) (domain.Dossier, error)
	FilePath(sha string) string
}

// Register keeps the feedback register and the visit count.
type Register interface {
	RecordVisit(ctx context.Context, actor domain.Staff) error
	Visits(ctx context.Context, from, to time.Time) ([]localdb.VisitCount, error)
	ReceiveFeedback(ctx context.Context, actor domain.Staff, p domain.FeedbackReceivedPayload) (domain.Feedback, error)
	AssignFeedback(ctx context.Context, actor domain.Staff, id, to, note string) (domain.Feedback, error)
	ResolveFeedback(ctx context.Context, actor domain.Staff, id, answer string) (domain.Feedback, error)
	PublishFeedback(ctx context.Context, actor domain.Staff, id, where string) (domain.Feedback, error)
	ListFeedback(ctx context.Context, from, to time.Time, status domain.FeedbackStatus, limit int) ([]domain.Feedback, error)
	CountFeedback(ctx context.Context, from, to time.Time) (localdb.FeedbackCounts, error)
}

// Supervision is what the supervisor's dashboard, reports and sync panel read and do.
type Supervision interface {
	Dashboard(ctx context.Context, overdueLimit int) (localdb.Dashboard, error)
	Indicators(ctx context.Context, p domain.Period) (domain.Indicators, error)
	MonthlyIndicators(ctx context.Context, last time.Time, months int) ([]domain.Indicators, error)
	Report(ctx context.Context, p domain.Period, opt domain.ReportOptions, progress func(rows int)) (domain.II06a, domain.Indicators, error)
	TrackingBook(ctx context.Context, p domain.Period, progress func(done, total int)) ([]domain.TrackingEntry, error)
	ReturnBook(ctx context.Context, p domain.Period, progress func(done, total int)) ([]domain.ReturnEntry, error)
	Quarantined(ctx context.Context) ([]localdb.QuarantinedEvent, error)
	RefusedEvents(ctx context.Context) ([]localdb.Refused, error)
	ExportUnsent(ctx context.Context, w io.Writer) (int, error)
	Requeue(ctx context.Context, actor domain.Staff, id string) error
}

// Backups makes backups and keeps the passphrase that encrypts them (or the choice of
// plain backups).
type Backups interface {
	BackupNow(ctx context.Context, actor domain.Staff) (localdb.BackupInfo, error)
	SetBackupPassphrase(ctx context.Context, actor domain.Staff, passphrase string) error
	ChoosePlainBackups(ctx context.Context, actor domain.Staff) error
	BackupMode(ctx context.Context) (localdb.BackupMode, error)
}

// Store is everything the app reads and writes locally.
type Store interface {
	Backups
	Accounts
	Settings
	Dossiers
	Files
	Register
	Supervision
}

// SyncInfo is what the status bar and the sync panel show about reconciliation.
type SyncInfo struct {
	Enrolled     bool
	Online       bool
	Paused       bool // the server refused the device's token: re-enroll
	Syncing      bool
	Waiting      int // events waiting to be pushed
	FilesWaiting int
	Quarantined  int
	Refused      int // received events refused as untrustworthy (signature, clock, size)
	LastSuccess  time.Time
	LastError    string // plain Vietnamese
	Skew         time.Duration
	Server       string
	PlainHTTP    bool // the server is reached by unencrypted http on another machine
	Peers        PeersInfo
}

// Syncer is the sync engine as the UI sees it. It may be nil (no sync configured).
type Syncer interface {
	Info() SyncInfo
	OnChange(func())
	SyncNow()
	// Enroll joins the city's system; allowPlainHTTP is an administrator's choice to reach
	// a server on another machine by unencrypted http.
	Enroll(ctx context.Context, serverURL, code, deviceName string, allowPlainHTTP bool) error
}
