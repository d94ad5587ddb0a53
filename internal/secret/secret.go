// Package secret keeps small secrets (the device token, the signing key, the key of the
// automatic backups) at rest in files of their own beside the database, mode 0600, and
// protected by the operating system where it offers that: on Windows the bytes are sealed
// with DPAPI for the signed-in Windows account, so a copy of the disk (or of the data
// folder) read elsewhere does not open them; on other systems they are stored as they are
// and only the file mode protects them.
//
// It imports only the standard library and golang.org/x/sys/windows.
package secret

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// magic starts every blob sealed by the OS, so a reader tells it from a file written in
// clear (by an older motcua, or on a system without protection).
const magic = "motcua-sealed-v1\n"

// ErrOtherMachine means the bytes were sealed by the OS for another account or machine.
var ErrOtherMachine = errors.New("bí mật này được Windows khóa cho một tài khoản hoặc máy khác; không mở được ở đây")

// OSProtected reports whether Protect seals with the operating system on this platform.
func OSProtected() bool { return osProtected }

// Protect seals plain for this account on this machine where the OS can (see the package
// doc); elsewhere it returns plain unchanged.
func Protect(plain []byte) ([]byte, error) {
	if !osProtected {
		return bytes.Clone(plain), nil
	}
	sealed, err := protect(plain)
	if err != nil {
		return nil, fmt.Errorf("bảo vệ bí mật bằng hệ điều hành: %w", err)
	}
	return append([]byte(magic), sealed...), nil
}

// Unprotect opens what Protect returned. Bytes that were never sealed (a file written in
// clear) come back unchanged, so files from before the protection still open.
func Unprotect(data []byte) ([]byte, error) {
	rest, ok := bytes.CutPrefix(data, []byte(magic))
	if !ok {
		return bytes.Clone(data), nil
	}
	if !osProtected {
		return nil, ErrOtherMachine
	}
	plain, err := unprotect(rest)
	if err != nil {
		return nil, fmt.Errorf("%w (%v)", ErrOtherMachine, err)
	}
	return plain, nil
}

// Sealed reports whether data was sealed by the OS (rather than written in clear).
func Sealed(data []byte) bool { return bytes.HasPrefix(data, []byte(magic)) }

// WriteFile protects plain and writes it to path atomically (a temporary file in the same
// folder, mode 0600, fsynced, renamed over path).
func WriteFile(path string, plain []byte) error {
	data, err := Protect(plain)
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".secret-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	SyncDir(dir)
	return nil
}

// ReadFile reads a file written by WriteFile (or in clear) and unprotects it.
func ReadFile(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Unprotect(data)
}

// SyncDir fsyncs a folder so a rename in it survives a power cut (a no-op where folders
// cannot be opened for that).
func SyncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
