package localdb

import (
	"bytes"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"

	"filippo.io/age"
	"golang.org/x/text/unicode/norm"
)

// Encrypted backups (format 2) use age (filippo.io/age), not crypto of our own:
//
//	key.age          the backup's age identity, encrypted with the admin's passphrase
//	                 (age's scrypt recipient: only the passphrase opens it)
//	motcua.db.age    the database, and files/ab/<sha>.age each document, encrypted to
//	                 that identity (age's standard hybrid recipient)
//	manifest.json    readable without the passphrase (to list backups)
//	manifest.mac     HMAC-SHA256 of manifest.json's bytes, keyed from the identity
//
// One scrypt per backup rather than one per file: a scrypt recipient costs a second and
// 256 MB by design, and a backup holds thousands of scans. The automatic backups keep the
// identity (and key.age as sealed at the time) in SecretsFile, so they run without the
// passphrase; whoever has only the backup needs the passphrase for everything.
//
// The manifest records the database's SHA-256, the row counts, the audit and event chain
// heads, and the number of documents; each document is named by its own SHA-256, which
// the database lists. Since the MAC cannot be made without the identity, a backup whose
// database was edited and re-encrypted (age recipients are public), with the manifest's
// checksums recomputed, is refused on restore and by verify-backup.

const (
	ageExt          = ".age"
	backupKeyFile   = "key.age"
	manifestMACFile = "manifest.mac"
	encryptionAge   = "age"
	macInfo         = "motcua backup manifest v2"
)

// scryptWorkFactor is the cost of key.age (2^18: about a second and 256 MB on an office
// PC, age's own default); maxScryptWorkFactor caps what a crafted key.age may ask for.
// Tests lower the first.
var (
	scryptWorkFactor    = 18
	maxScryptWorkFactor = 19
)

// backupSecret is what encrypts this workstation's backups: an age identity, and that
// identity sealed with the admin's passphrase (copied into each backup as key.age).
type backupSecret struct {
	Identity string `json:"identity"`
	Sealed   []byte `json:"sealed"`
}

// newBackupSecret makes a new identity and seals it with passphrase.
func newBackupSecret(passphrase string) (*backupSecret, error) {
	if err := checkNewPassphrase(passphrase); err != nil {
		return nil, err
	}
	id, err := age.GenerateHybridIdentity()
	if err != nil {
		return nil, err
	}
	r, err := age.NewScryptRecipient(norm.NFC.String(passphrase))
	if err != nil {
		return nil, err
	}
	r.SetWorkFactor(scryptWorkFactor)
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, r)
	if err != nil {
		return nil, err
	}
	if _, err := io.WriteString(w, id.String()); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	debug.FreeOSMemory() // scrypt's 256 MB, given back rather than kept as spare heap
	return &backupSecret{Identity: id.String(), Sealed: buf.Bytes()}, nil
}

func (b *backupSecret) identity() (*age.HybridIdentity, error) {
	id, err := age.ParseHybridIdentity(b.Identity)
	if err != nil {
		return nil, fmt.Errorf("khóa sao lưu đã lưu bị hỏng; hãy đặt lại mật khẩu sao lưu trong Cài đặt (%v)", err)
	}
	return id, nil
}

// openSealed opens a key.age with the passphrase.
func openSealed(sealed []byte, passphrase string) (*age.HybridIdentity, error) {
	if passphrase == "" {
		return nil, ErrNeedPassphrase
	}
	si, err := age.NewScryptIdentity(norm.NFC.String(passphrase))
	if err != nil {
		return nil, err
	}
	si.SetMaxWorkFactor(maxScryptWorkFactor)
	r, err := age.Decrypt(bytes.NewReader(sealed), si)
	defer debug.FreeOSMemory()
	var nomatch *age.NoIdentityMatchError
	if errors.As(err, &nomatch) {
		return nil, ErrWrongPassphrase
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %s không đọc được (%v)", ErrBackupDamaged, backupKeyFile, err)
	}
	b, err := io.ReadAll(io.LimitReader(r, 4<<10))
	if err != nil {
		return nil, fmt.Errorf("%w: %s không đọc được (%v)", ErrBackupDamaged, backupKeyFile, err)
	}
	id, err := age.ParseHybridIdentity(strings.TrimSpace(string(b)))
	if err != nil {
		return nil, fmt.Errorf("%w: %s không chứa khóa hợp lệ", ErrBackupDamaged, backupKeyFile)
	}
	return id, nil
}

// manifestMAC authenticates a manifest's exact bytes with a key derived from the identity.
func manifestMAC(id *age.HybridIdentity, manifest []byte) ([]byte, error) {
	key, err := hkdf.Key(sha256.New, []byte(id.String()), nil, macInfo, 32)
	if err != nil {
		return nil, err
	}
	m := hmac.New(sha256.New, key)
	m.Write(manifest)
	return m.Sum(nil), nil
}

func writeManifestMAC(dir string, id *age.HybridIdentity, manifest []byte) error {
	mac, err := manifestMAC(id, manifest)
	if err != nil {
		return err
	}
	_, err = writeFileSynced(filepath.Join(dir, manifestMACFile), func(w io.Writer) (int64, error) {
		n, err := io.WriteString(w, "hmac-sha256:"+hex.EncodeToString(mac)+"\n")
		return int64(n), err
	})
	return err
}

func checkManifestMAC(dir string, id *age.HybridIdentity, manifest []byte) error {
	raw, err := os.ReadFile(filepath.Join(dir, manifestMACFile))
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%w: thiếu %s", ErrBackupDamaged, manifestMACFile)
	}
	if err != nil {
		return err
	}
	got, err := hex.DecodeString(strings.TrimPrefix(strings.TrimSpace(string(raw)), "hmac-sha256:"))
	if err != nil {
		return fmt.Errorf("%w: %s không hợp lệ", ErrBackupDamaged, manifestMACFile)
	}
	want, err := manifestMAC(id, manifest)
	if err != nil {
		return err
	}
	if !hmac.Equal(got, want) {
		return fmt.Errorf("%w: bản kê (%s) không khớp mã xác thực: nội dung bản sao lưu đã bị thay đổi sau khi ghi", ErrBackupDamaged, manifestFile)
	}
	return nil
}

// sealer encrypts the files of one backup: with age to the backup's identity, or (a
// workstation whose stored key is of the first format) with that format's key.
type sealer struct {
	recipient age.Recipient
	legacy    *backupKey
}

func (s *sealer) ext() string {
	switch {
	case s == nil:
		return ""
	case s.recipient != nil:
		return ageExt
	default:
		return encExt
	}
}

func (s *sealer) seal(w io.Writer, r io.Reader) (int64, error) {
	if s.recipient == nil {
		return encryptStream(w, r, s.legacy)
	}
	aw, err := age.Encrypt(w, s.recipient)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(aw, r)
	if err != nil {
		return n, err
	}
	return n, aw.Close()
}

// backupAccess opens the encrypted files of one backup: the passphrase typed, and the
// keys already at hand (the writer's own, for the check after writing).
type backupAccess struct {
	passphrase string
	legacy     *keyring            // the first format: the passphrase stretched per salt
	id         *age.HybridIdentity // format 2: known, or found in key.age
}

func newAccess(passphrase string) *backupAccess {
	return &backupAccess{passphrase: passphrase, legacy: newKeyring(passphrase)}
}

// unlock finds the identity of a format-2 encrypted backup (from key.age and the
// passphrase, unless already known) and checks the manifest with it. For a plain backup it
// checks that nothing says it was encrypted (a key or a MAC left beside a manifest that
// claims to be plain is a backup stripped of its protection).
func (a *backupAccess) unlock(dir string, m BackupManifest, raw []byte) error {
	if m.Format < 2 {
		return nil
	}
	if !m.Encrypted {
		for _, f := range []string{backupKeyFile, manifestMACFile} {
			if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
				return fmt.Errorf("%w: bản kê ghi «không mã hóa» nhưng thư mục có %s", ErrBackupDamaged, f)
			}
		}
		return nil
	}
	if a.id == nil {
		sealed, err := os.ReadFile(filepath.Join(dir, backupKeyFile))
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("%w: thiếu %s", ErrBackupDamaged, backupKeyFile)
		}
		if err != nil {
			return err
		}
		if a.id, err = openSealed(sealed, a.passphrase); err != nil {
			return err
		}
	}
	return checkManifestMAC(dir, a.id, raw)
}

// open decrypts a backup file into w by its extension (.age, or .enc of the first format).
func (a *backupAccess) open(w io.Writer, r io.Reader, name string) (int64, error) {
	if strings.HasSuffix(name, encExt) {
		return decryptStream(w, r, a.legacy)
	}
	if a.id == nil {
		return 0, ErrNeedPassphrase
	}
	ar, err := age.Decrypt(r, a.id)
	if err != nil {
		return 0, fmt.Errorf("%w: %s không mở được (%v)", ErrBackupDamaged, filepath.Base(name), err)
	}
	n, err := io.Copy(w, ar)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			return n, err // the destination, not the backup
		}
		return n, fmt.Errorf("%w: %s không khớp mã xác thực (%v)", ErrBackupDamaged, filepath.Base(name), err)
	}
	return n, nil
}

func encryptedName(name string) bool {
	return strings.HasSuffix(name, encExt) || strings.HasSuffix(name, ageExt)
}

// LightBackupKeys makes the passphrase stretching of backups cheap (scrypt 2^10 instead of
// 2^18). Tests of other packages only, like Options.LightPasswordHashing: under the race
// detector the real cost is seconds per backup and per restore. The cost is written into
// each key.age, so such backups open normally. Call it before any backup is made.
func LightBackupKeys() { scryptWorkFactor = 10 }
