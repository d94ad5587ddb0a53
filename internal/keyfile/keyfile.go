// Package keyfile keeps an Ed25519 private key in a file of its own (PKCS #8 PEM, mode
// 0600), made on first use. The key lives beside the database, never inside it, so a backup
// of the database (or a copy of it) carries no usable signing key. Where the OS can protect
// it (DPAPI on Windows, internal/secret) the PEM is sealed for the Windows account; a key
// written in clear by an older motcua is sealed the first time it is read.
//
// It imports the standard library and internal/secret.
package keyfile

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"motcua/internal/secret"
)

// LoadOrCreate reads the key at path, or makes one and writes it there (atomically: a
// temporary file fsynced and renamed) when there is none.
func LoadOrCreate(path string) (ed25519.PrivateKey, error) {
	k, err := Load(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return k, err
	}
	_, k, err = ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".key-*")
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return nil, err
	}
	sealed, err := secret.Protect(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	if err != nil {
		tmp.Close()
		return nil, err
	}
	if _, err := tmp.Write(sealed); err != nil {
		tmp.Close()
		return nil, err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return nil, err
	}
	if err := tmp.Close(); err != nil {
		return nil, err
	}
	// Link, not rename: if another process made the key meanwhile, keep theirs.
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return Load(path)
		}
		return nil, err
	}
	secret.SyncDir(filepath.Dir(path))
	return k, nil
}

// Load reads a key written by LoadOrCreate. A key kept in clear where the OS could seal it
// (written by an older motcua) is sealed now, best effort: it still loads if that fails.
func Load(path string) (ed25519.PrivateKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	raw, err := secret.Unprotect(data)
	if err != nil {
		return nil, fmt.Errorf("khóa ký %s: %w", path, err)
	}
	k, err := parse(path, raw)
	if err == nil && secret.OSProtected() && !secret.Sealed(data) {
		_ = secret.WriteFile(path, raw)
	}
	return k, err
}

func parse(path string, raw []byte) (ed25519.PrivateKey, error) {
	b, _ := pem.Decode(raw)
	if b == nil || b.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("khóa ký %s bị hỏng (không phải PEM)", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	if err != nil {
		return nil, fmt.Errorf("khóa ký %s bị hỏng: %w", path, err)
	}
	ek, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("khóa ký %s không phải khóa Ed25519", path)
	}
	return ek, nil
}
