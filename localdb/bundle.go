package localdb

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"strings"

	"filippo.io/age"
	"filippo.io/age/agessh"
)

// USB bundles on the workstation (docs/BUNDLES.md, package sync does the work): the store
// signs a bundle and opens one addressed to it with its device key, which never leaves it,
// and remembers which return bundles it imported and what it last exported. The bookkeeping
// lives in sync_state, so bundles need no migration of their own.

// Sync-state keys of bundles.
const (
	SyncKeyBundleExported = "bundle.exported"  // JSON summary of the last bundle exported
	syncKeyBundleImported = "bundle.imported." // + bundle id: JSON summary, when imported
)

// bundleContext separates a bundle's signature from everything else the device key signs
// (events are signed over their canonical encoding, heads over domain.HeadMessage); the
// message itself is built by package sync/bundle and starts with its own tag.
const bundleContext = "motcua.bundle."

// SignBundle signs a bundle header's message with this workstation's key. Only messages
// tagged for bundles are signed: the key never signs something that could pass for an
// event or a chain head.
func (s *Store) SignBundle(msg []byte) []byte {
	if !strings.HasPrefix(string(msg), bundleContext) {
		return nil
	}
	return ed25519.Sign(s.key, msg)
}

// BundleIdentity opens bundles encrypted to this workstation's key (age ssh-ed25519).
func (s *Store) BundleIdentity() (age.Identity, error) {
	return agessh.NewEd25519Identity(s.key)
}

// BundleImported returns the summary recorded when a return bundle was imported ("" if never).
func (s *Store) BundleImported(ctx context.Context, id string) (string, error) {
	return s.SyncValue(ctx, syncKeyBundleImported+id)
}

// RecordBundleImported records a return bundle as imported, with its summary.
func (s *Store) RecordBundleImported(ctx context.Context, id, summary string) error {
	return s.tx(ctx, "bundle import", func(tx *sql.Tx) error {
		if err := putSyncValue(ctx, tx, syncKeyBundleImported+id, summary); err != nil {
			return err
		}
		return s.audit(ctx, tx, "sync", "sync.bundle_import", id, summary)
	})
}

// MarkFilesHeld records files the city holds (a return bundle said so): they are no longer
// offered for upload.
func (s *Store) MarkFilesHeld(ctx context.Context, shas []string) (int, error) {
	n := 0
	err := s.tx(ctx, "files held", func(tx *sql.Tx) error {
		n = 0
		for _, sha := range shas {
			res, err := tx.ExecContext(ctx, `UPDATE files SET uploaded = 1 WHERE sha256 = ? AND uploaded = 0`, sha)
			if err != nil {
				return err
			}
			k, _ := res.RowsAffected()
			n += int(k)
		}
		return nil
	})
	return n, err
}
