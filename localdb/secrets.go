package localdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"motcua/internal/secret"
)

// Device secrets — the token the city gave at enrollment and the key that encrypts the
// automatic backups — live in SecretsFile beside the database (0600, sealed by the OS where
// it can: internal/secret), never inside it. A copy of the database (a backup, a file sent
// for support, a stolen USB drive) then carries nothing that lets it sync as this
// workstation or open its encrypted backups; a data folder restored elsewhere has no
// token and must be enrolled again.

// SecretsFile is the device's secrets inside the data folder (beside KeyFile).
const SecretsFile = "device.secret"

// deviceSecrets is SecretsFile's content. It names the device it belongs to: secrets left
// in a folder that now holds another device's database (restored over it) are ignored.
type deviceSecrets struct {
	DeviceID string        `json:"device_id"`
	Token    string        `json:"token,omitempty"`
	Backup   *backupSecret `json:"backup,omitempty"`
	// LegacyBackup is a backup key of the first encrypted format (an argon2id-stretched
	// passphrase), moved here from the settings table; automatic backups keep using it
	// until an admin sets the passphrase again.
	LegacyBackup *storedKey `json:"legacy_backup,omitempty"`
}

func (s *Store) secretsPath() string { return filepath.Join(s.dir, SecretsFile) }

// readSecrets reads this device's secrets (zero when there are none).
func (s *Store) readSecrets() (deviceSecrets, error) {
	return readSecretsFile(s.secretsPath(), s.Config().DeviceID)
}

func readSecretsFile(path, deviceID string) (deviceSecrets, error) {
	none := deviceSecrets{DeviceID: deviceID}
	raw, err := secret.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return none, nil
	}
	if err != nil {
		return none, fmt.Errorf("bí mật của máy trạm (%s): %w", path, err)
	}
	var sec deviceSecrets
	if err := json.Unmarshal(raw, &sec); err != nil {
		return none, fmt.Errorf("bí mật của máy trạm (%s) bị hỏng: %w", path, err)
	}
	if sec.DeviceID != deviceID {
		return none, nil
	}
	return sec, nil
}

// updateSecrets changes the secrets file: read (another process may have written it),
// change, write atomically.
func (s *Store) updateSecrets(change func(*deviceSecrets)) error {
	s.secMu.Lock()
	defer s.secMu.Unlock()
	sec, err := s.readSecrets()
	if err != nil {
		return err
	}
	change(&sec)
	raw, err := json.Marshal(sec)
	if err != nil {
		return err
	}
	if err := secret.WriteFile(s.secretsPath(), raw); err != nil {
		return fmt.Errorf("lưu bí mật của máy trạm: %w", err)
	}
	return nil
}

// token is the device token ("" before enrollment, or in a folder restored from another
// device's backup).
func (s *Store) token() (string, error) {
	sec, err := s.readSecrets()
	return sec.Token, err
}

// Secret rows the first releases kept in the database.
const legacyBackupKeySetting = "backup.key"

// moveSecretsOut is the upgrade step from the releases that kept the token in sync_state
// and the backup key in settings: both move to SecretsFile (or, in a store just restored
// from a backup, are dropped: they belong to the device the backup came from), and the
// rows are wiped so their bytes are gone from the file, not merely unlinked.
func (s *Store) moveSecretsOut(ctx context.Context, keep bool) error {
	var token, legacy string
	if err := s.w.QueryRowContext(ctx, `SELECT value FROM sync_state WHERE key = ?`, SyncKeyToken).Scan(&token); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("move secrets: %w", err)
	}
	legacy, err := s.getSetting(ctx, s.w, legacyBackupKeySetting)
	if err != nil {
		return fmt.Errorf("move secrets: %w", err)
	}
	if token == "" && legacy == "" {
		return nil
	}
	if keep {
		var sk *storedKey
		if legacy != "" {
			sk = new(storedKey)
			if err := json.Unmarshal([]byte(legacy), sk); err != nil {
				sk = nil // unreadable already: setting the passphrase again replaces it
			}
		}
		if err := s.updateSecrets(func(sec *deviceSecrets) {
			if sec.Token == "" {
				sec.Token = token
			}
			if sec.Backup == nil && sec.LegacyBackup == nil {
				sec.LegacyBackup = sk
			}
		}); err != nil {
			return err
		}
	}
	what := "moved to " + SecretsFile
	if !keep {
		what = "dropped (restored from a backup)"
	}
	return s.wipeSecretRows(ctx, func(tx *sql.Tx) error {
		return s.audit(ctx, tx, "system", "secrets.out_of_db", "device.token, backup.key", what)
	})
}

// wipeSecretRows deletes the secret rows and rebuilds the two small tables that held them
// with secure_delete on: dropping a table then overwrites its pages with zeros, so no copy
// of a secret survives in a page's free space (an update years ago may have left one
// there). A checkpoint then writes the zeroed pages into the database file and empties the
// log. This costs milliseconds, where a VACUUM of a 10 GB store would hold the start-up
// for minutes.
func (s *Store) wipeSecretRows(ctx context.Context, record func(tx *sql.Tx) error) error {
	conn, err := s.w.Conn(ctx)
	if err != nil {
		return fmt.Errorf("wipe secrets: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `PRAGMA secure_delete = ON`); err != nil {
		return fmt.Errorf("wipe secrets: %w", err)
	}
	defer conn.ExecContext(context.Background(), `PRAGMA secure_delete = OFF`)
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("wipe secrets: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM sync_state WHERE key = ?`, SyncKeyToken); err != nil {
		return fmt.Errorf("wipe secrets: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM settings WHERE key = ?`, legacyBackupKeySetting); err != nil {
		return fmt.Errorf("wipe secrets: %w", err)
	}
	for _, table := range []string{"sync_state", "settings"} {
		if err := rebuildTable(ctx, tx, table); err != nil {
			return fmt.Errorf("wipe secrets: %s: %w", table, err)
		}
	}
	if err := record(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("wipe secrets: %w", err)
	}
	if _, err := conn.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return fmt.Errorf("wipe secrets: %w", err)
	}
	return nil
}

// rebuildTable copies a table's rows aside, drops it (its pages are zeroed under
// secure_delete), and creates it again, with its indexes, from the schema's own SQL.
func rebuildTable(ctx context.Context, tx *sql.Tx, table string) error {
	var ddl string
	if err := tx.QueryRowContext(ctx, `SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?`, table).Scan(&ddl); err != nil {
		return err
	}
	var indexes []string
	rows, err := tx.QueryContext(ctx, `SELECT sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL`, table)
	if err != nil {
		return err
	}
	for rows.Next() {
		var q string
		if err := rows.Scan(&q); err != nil {
			rows.Close()
			return err
		}
		indexes = append(indexes, q)
	}
	rows.Close()
	stmts := []string{
		`CREATE TEMP TABLE wipe_copy AS SELECT * FROM main."` + table + `"`,
		`DROP TABLE main."` + table + `"`,
		ddl,
	}
	stmts = append(stmts, indexes...)
	stmts = append(stmts, `INSERT INTO main."`+table+`" SELECT * FROM temp.wipe_copy`, `DROP TABLE temp.wipe_copy`)
	for _, q := range stmts {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return nil
}
