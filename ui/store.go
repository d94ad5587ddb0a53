package ui

import (
	"context"
	"io"
	"time"

	"motcua/domain"
	"motcua/domain/calendar"
	"motcua/query"
)

// The screens depend on these small interfaces over domain and query types, never on the
// concrete store or the sync engine: *localdb.Store implements the store ones
// (localdb.BackupDesk the backups), internal/desktop adapts the sync engine. Each screen
// keeps the ones it uses (see the screens' store fields).

// Staff lists the staff accounts (to show full names).
type Staff interface {
	ListStaff(ctx context.Context) ([]domain.Staff, error)
}

// Accounts signs staff in and manages their accounts.
type Accounts interface {
	Staff
	StaffCount(ctx context.Context) (int, error)
	CreateStaff(ctx context.Context, actor *domain.Staff, st domain.Staff, password string) error
	Authenticate(ctx context.Context, username, password string) (domain.Staff, error)
	UpdateStaff(ctx context.Context, actor domain.Staff, st domain.Staff, newPassword string) error
	SignInLocks(ctx context.Context) (map[string]query.SignInState, error)
	UnlockSignIn(ctx context.Context, actor domain.Staff, username string) error
}

// Settings is the workstation's configuration and reference data.
type Settings interface {
	Config() query.Config
	UpdateConfig(ctx context.Context, actor domain.Staff, cfg query.Config) error
	Catalogue() *domain.Catalogue
	Calendar() *calendar.Calendar
	Dir() string
}

// Dossiers reads dossiers and receives new ones.
type Dossiers interface {
	Receive(ctx context.Context, actor domain.Staff, in domain.Intake) (domain.Dossier, error)
	Get(ctx context.Context, id string) (domain.Dossier, error)
	ByCode(ctx context.Context, code string) (domain.Dossier, error)
	Queue(ctx context.Context, f query.QueueFilter, offset, limit int) ([]query.QueueRow, error)
	QueueCount(ctx context.Context, f query.QueueFilter) (int, error)
	QueueCountCapped(ctx context.Context, f query.QueueFilter) (n int, capped bool, err error)
	AcceptDue(d domain.Dossier, at time.Time) (time.Time, error)
	Search(ctx context.Context, text string, limit int) ([]query.QueueRow, error)
	Timeline(ctx context.Context, id string) ([]query.TimelineEntry, error)
	ProcedureUsage(ctx context.Context, since time.Time) (map[string]int, error)
	Stats(ctx context.Context) (query.Stats, error)
	// OthersWithID: applicants on file under p's ID number with another name or birth date.
	OthersWithID(ctx context.Context, p domain.Person) ([]domain.OtherHolder, error)
}

// Actions records what staff do on an existing dossier: one typed method per action.
type Actions interface {
	Accept(ctx context.Context, actor domain.Staff, id string) (domain.Dossier, error)
	RequestSupplement(ctx context.Context, actor domain.Staff, id string, p domain.SupplementRequestedPayload) (domain.Dossier, error)
	ReceiveSupplement(ctx context.Context, actor domain.Staff, id, note string) (domain.Dossier, error)
	Refuse(ctx context.Context, actor domain.Staff, id, reason string) (domain.Dossier, error)
	Withdraw(ctx context.Context, actor domain.Staff, id, reason string) (domain.Dossier, error)
	Forward(ctx context.Context, actor domain.Staff, id, agency, note string) (domain.Dossier, error)
	ResultReady(ctx context.Context, actor domain.Staff, id string, p domain.ResultReadyPayload) (domain.Dossier, error)
	Postpone(ctx context.Context, actor domain.Staff, id string, p domain.RescheduledPayload) (domain.Dossier, error)
	Stop(ctx context.Context, actor domain.Staff, id, reason string) (domain.Dossier, error)
	HandOver(ctx context.Context, actor domain.Staff, id string, p domain.HandedOverPayload) (domain.Dossier, error)
	Correct(ctx context.Context, actor domain.Staff, id string, p domain.CorrectedPayload) (domain.Dossier, error)
	ResolveConflict(ctx context.Context, actor domain.Staff, id string, p domain.ConflictResolvedPayload) (domain.Dossier, error)
}

// Files stores scanned documents.
type Files interface {
	// StoreScan stores a scan of a dossier's paper (document: its checklist code; "" for
	// an e-result), recompressed to document quality unless the catalogue keeps it as scanned.
	StoreScan(ctx context.Context, r io.Reader, name, dossierID, document string) (domain.FileRef, error)
	AttachFile(ctx context.Context, actor domain.Staff, id string, p domain.FileAttachedPayload) (domain.Dossier, error)
	FilePath(sha string) string
}

// Register keeps the feedback register and the visit count.
type Register interface {
	RecordVisit(ctx context.Context, actor domain.Staff) error
	Visits(ctx context.Context, from, to time.Time) ([]query.VisitCount, error)
	ReceiveFeedback(ctx context.Context, actor domain.Staff, p domain.FeedbackReceivedPayload) (domain.Feedback, error)
	AssignFeedback(ctx context.Context, actor domain.Staff, id, to, note string) (domain.Feedback, error)
	ResolveFeedback(ctx context.Context, actor domain.Staff, id, answer string) (domain.Feedback, error)
	PublishFeedback(ctx context.Context, actor domain.Staff, id, where string) (domain.Feedback, error)
	ListFeedback(ctx context.Context, from, to time.Time, status domain.FeedbackStatus, limit int) ([]domain.Feedback, error)
	CountFeedback(ctx context.Context, from, to time.Time) (query.FeedbackCounts, error)
}

// Handoffs keeps the hand-off queue of prepared declarations (no-writing day across two
// desks): the helper puts a filled declaration in it, any counter of the unit claims it.
type Handoffs interface {
	PrepareHandoff(ctx context.Context, actor domain.Staff, p domain.HandoffPreparedPayload) (domain.Handoff, error)
	// ClaimHandoff takes an entry by its id (the slip's QR code) or its number as typed.
	ClaimHandoff(ctx context.Context, actor domain.Staff, ref string) (domain.Handoff, error)
	// ReleaseHandoff gives an entry taken here back to the queue (the intake was left).
	ReleaseHandoff(ctx context.Context, actor domain.Staff, id string) (domain.Handoff, error)
	Handoffs(ctx context.Context, now time.Time) (query.HandoffQueue, error)
}

// Supervision is what the supervisor's dashboard, reports and sync panel read and do.
type Supervision interface {
	Dashboard(ctx context.Context, overdueLimit int) (query.Dashboard, error)
	Indicators(ctx context.Context, p domain.Period) (domain.Indicators, error)
	MonthlyIndicators(ctx context.Context, last time.Time, months int) ([]domain.Indicators, error)
	Report(ctx context.Context, p domain.Period, opt domain.ReportOptions, progress func(rows int)) (domain.II06a, domain.Indicators, error)
	TrackingBook(ctx context.Context, p domain.Period, progress func(done, total int)) ([]domain.TrackingEntry, error)
	ReturnBook(ctx context.Context, p domain.Period, progress func(done, total int)) ([]domain.ReturnEntry, error)
	Quarantined(ctx context.Context) ([]query.QuarantinedEvent, error)
	RefusedEvents(ctx context.Context) ([]query.Refused, error)
	ExportUnsent(ctx context.Context, w io.Writer) (int, error)
	Requeue(ctx context.Context, actor domain.Staff, id string) error
}

// Backups makes backups, lists them, stages a restore, and keeps the passphrase that
// encrypts them (or the choice of plain backups).
type Backups interface {
	BackupNow(ctx context.Context, actor domain.Staff) (query.BackupDone, error)
	List(dir string) ([]query.BackupEntry, error)
	// Find resolves a folder chosen to restore from: a backup itself (list nil), or a folder
	// of backups (list newest first; one, the newest readable).
	Find(dir string) (one query.BackupEntry, list []query.BackupEntry, err error)
	StageRestore(ctx context.Context, from, passphrase string) (query.RestoreStaged, error)
	SetBackupPassphrase(ctx context.Context, actor domain.Staff, passphrase string) error
	ChoosePlainBackups(ctx context.Context, actor domain.Staff) error
	BackupMode(ctx context.Context) (query.BackupMode, error)
}

// What each screen reads and records: the screen keeps only this (its store field).
type (
	intakeStore interface {
		Settings
		Staff
		Dossiers
		Handoffs
	}
	assistStore interface {
		Settings
		Dossiers
		Handoffs
	}
	queueStore interface { // the queue, a dossier's detail and its actions
		Settings
		Staff
		Dossiers
		Actions
		Files
	}
	handOverStore interface {
		Settings
		Dossiers
		Actions
	}
	feedbackStore interface {
		Staff
		Register
	}
	supervisorStore interface { // today, targets, reports, conflicts
		Settings
		Staff
		Dossiers
		Actions
		Supervision
		Handoffs
	}
	settingsStore interface { // with its panels (report rules, sync, backups)
		Settings
		Accounts
		Supervision
	}
)

// Store is everything the app reads and writes locally but backups: the app holds it (the
// sign-in, the status bar and printing use it) and gives each screen the part it uses.
type Store interface {
	Accounts
	Settings
	Dossiers
	Actions
	Files
	Register
	Handoffs
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
	// While syncing: what is still to send (events, files), the bytes it takes on the line
	// and how long that should take at the measured rate (0: not known yet).
	LeftEvents  int
	LeftFiles   int
	LeftBytes   int64
	LeftTime    time.Duration
	LastSuccess time.Time
	LastError   string // plain Vietnamese
	Skew        time.Duration
	Server      string
	PlainHTTP   bool // the server is reached by unencrypted http on another machine
	Peers       PeersInfo
}

// Syncer is the sync engine as the UI sees it. It may be nil (no sync configured).
type Syncer interface {
	Info() SyncInfo
	// OnChange calls f after each change of Info, on any goroutine, until cancel is called.
	OnChange(f func()) (cancel func())
	SyncNow()
	// Enroll joins the city's system; allowPlainHTTP is an administrator's choice to reach
	// a server on another machine by unencrypted http.
	Enroll(ctx context.Context, serverURL, code, deviceName string, allowPlainHTTP bool) error
}
