package query

import "time"

// BackupEntry is one backup folder in a listing.
type BackupEntry struct {
	Name      string
	Dir       string
	Time      time.Time
	Size      int64 // bytes on disk
	Encrypted bool
	// TamperEvident: an edit of this backup would be detected on restore (it is encrypted).
	// A plain backup cannot prove it was not edited.
	TamperEvident bool
	Kind          string // BackupDaily, BackupWeekly or BackupExtra
	Dossiers      int
	Version       string // the motcua that wrote it ("" for the first backup format)
	Problem       string // why its manifest cannot be read ("" when fine); such a backup is never kept by a rule
}

// BackupMode is how this workstation's backups are protected.
type BackupMode string

// Kinds of backup in a listing: which rule of the rotation keeps it.
const (
	BackupDaily  = "daily"
	BackupWeekly = "weekly"
	BackupExtra  = "extra" // kept by no rule: the next rotation deletes it
)

// How this workstation's backups are protected.
const (
	BackupEncrypted BackupMode = "age"    // encrypted with the passphrase set in Cài đặt
	BackupLegacy    BackupMode = "legacy" // encrypted, first format: set the passphrase again
	BackupPlain     BackupMode = "plain"  // an admin chose plain backups (not tamper-evident)
	BackupUnset     BackupMode = ""       // no choice yet: the first backup asks
)

// BackupDone is a backup just written and checked.
type BackupDone struct {
	Dir       string
	Encrypted bool
}

// RestoreStaged is a restore prepared beside the data folder, swapped in at the next start.
type RestoreStaged struct {
	Dir string // the staging folder
	// NeedsEnrollment: the restored data has no device token: enroll again before syncing.
	NeedsEnrollment bool
	KeptSecrets     bool // the device's key and token were carried over (same workstation)
}
