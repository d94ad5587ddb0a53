package localdb

import (
	"bufio"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"

	"golang.org/x/crypto/argon2"
	"golang.org/x/text/unicode/norm"
)

// Encrypted backup files. Every file of an encrypted backup (the database and each stored
// document) is one stream:
//
//	header   magic "MOTCUA\x00E", version 1, KDF id 1 (argon2id), time, memory KiB, threads,
//	         16-byte salt, 32-byte key check, chunk size, 24-byte per-file salt   (95 bytes)
//	chunks   AES-256-GCM of up to chunkSize bytes each, with a 16-byte tag
//
// argon2id turns the passphrase and salt into 64 bytes: the master key and a check value
// kept in the header, which tells a wrong passphrase from a damaged file before anything is
// written. Each file gets its own key, HMAC-SHA256(master, per-file salt), so the nonce can
// be a plain counter (chunk index, and a flag on the last chunk, so a truncated file is
// caught). The whole header is the additional data of every chunk: changing any of it fails.
// Memory use is one chunk, whatever the file's size.

const (
	encMagic      = "MOTCUA\x00E"
	encVersion    = 1
	kdfArgon2id   = 1
	encHeaderSize = 8 + 1 + 1 + 4 + 4 + 1 + 16 + 32 + 4 + 24
	encChunkSize  = 64 << 10
	encExt        = ".enc"
	minPassphrase = 8
)

// ErrWrongPassphrase means the passphrase does not open this backup.
var ErrWrongPassphrase = errors.New("sai mật khẩu sao lưu: mật khẩu này không mở được bản sao lưu (kiểm tra chữ hoa, chữ thường và bộ gõ tiếng Việt)")

// ErrNeedPassphrase means the backup is encrypted and no passphrase was given.
var ErrNeedPassphrase = errors.New("bản sao lưu này được mã hóa: hãy nhập mật khẩu sao lưu")

// ErrBackupDamaged means a backup's bytes are not what was written: a bad USB drive, a
// copy cut short, or deliberate tampering.
var ErrBackupDamaged = errors.New("bản sao lưu bị hỏng hoặc đã bị sửa đổi")

// kdfParams are argon2id's cost parameters, stored in each header.
type kdfParams struct {
	Time      uint32
	MemoryKiB uint32
	Threads   uint8
}

// defaultKDF costs about a quarter of a second and 64 MB on an office PC, once per backup.
// Tests lower it (argon2 is slow under -race).
var defaultKDF = kdfParams{Time: 3, MemoryKiB: 64 << 10, Threads: 4}

// Limits on what a header may ask for, so a crafted file cannot exhaust the machine.
const (
	maxKDFTime   = 20
	maxKDFMemory = 1 << 20 // KiB: 1 GiB
)

// backupKey is a passphrase stretched with one salt and one set of parameters.
type backupKey struct {
	params kdfParams
	salt   [16]byte
	master [32]byte
	check  [32]byte
}

func deriveKey(passphrase string, p kdfParams, salt [16]byte) *backupKey {
	// NFC: Vietnamese input methods may type the same word as different code points.
	out := argon2.IDKey([]byte(norm.NFC.String(passphrase)), salt[:], p.Time, p.MemoryKiB, p.Threads, 64)
	k := &backupKey{params: p, salt: salt}
	copy(k.master[:], out[:32])
	copy(k.check[:], out[32:])
	return k
}

// newBackupKey stretches a passphrase with a fresh salt.
func newBackupKey(passphrase string) (*backupKey, error) {
	if err := checkNewPassphrase(passphrase); err != nil {
		return nil, err
	}
	var salt [16]byte
	if _, err := rand.Read(salt[:]); err != nil {
		return nil, err
	}
	return deriveKey(passphrase, defaultKDF, salt), nil
}

func checkNewPassphrase(p string) error {
	if n := len([]rune(norm.NFC.String(p))); n < minPassphrase {
		return fmt.Errorf("mật khẩu sao lưu phải có ít nhất %d ký tự (hiện có %d)", minPassphrase, n)
	}
	return nil
}

// keyring opens headers with one passphrase, stretching it once per distinct salt.
type keyring struct {
	passphrase string
	mu         sync.Mutex
	keys       map[[16]byte]*backupKey
}

func newKeyring(passphrase string, known ...*backupKey) *keyring {
	kr := &keyring{passphrase: passphrase, keys: map[[16]byte]*backupKey{}}
	for _, k := range known {
		kr.keys[k.salt] = k
	}
	return kr
}

func (kr *keyring) key(h encHeader) (*backupKey, error) {
	kr.mu.Lock()
	defer kr.mu.Unlock()
	k := kr.keys[h.salt]
	if k == nil || k.params != h.params {
		if kr.passphrase == "" {
			return nil, ErrNeedPassphrase
		}
		k = deriveKey(kr.passphrase, h.params, h.salt)
		kr.keys[h.salt] = k
	}
	if subtle.ConstantTimeCompare(k.check[:], h.check[:]) != 1 {
		return nil, ErrWrongPassphrase
	}
	return k, nil
}

type encHeader struct {
	params    kdfParams
	salt      [16]byte
	check     [32]byte
	chunkSize uint32
	fileSalt  [24]byte
	raw       []byte
}

func (k *backupKey) newHeader() (encHeader, error) {
	h := encHeader{params: k.params, salt: k.salt, check: k.check, chunkSize: encChunkSize}
	if _, err := rand.Read(h.fileSalt[:]); err != nil {
		return h, err
	}
	b := make([]byte, 0, encHeaderSize)
	b = append(b, encMagic...)
	b = append(b, encVersion, kdfArgon2id)
	b = binary.BigEndian.AppendUint32(b, h.params.Time)
	b = binary.BigEndian.AppendUint32(b, h.params.MemoryKiB)
	b = append(b, h.params.Threads)
	b = append(b, h.salt[:]...)
	b = append(b, h.check[:]...)
	b = binary.BigEndian.AppendUint32(b, h.chunkSize)
	b = append(b, h.fileSalt[:]...)
	h.raw = b
	return h, nil
}

func readHeader(r io.Reader) (encHeader, error) {
	var h encHeader
	b := make([]byte, encHeaderSize)
	if _, err := io.ReadFull(r, b); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return h, fmt.Errorf("%w: tệp quá ngắn, không phải tệp mã hóa của motcua", ErrBackupDamaged)
		}
		return h, err
	}
	if string(b[:8]) != encMagic {
		return h, fmt.Errorf("%w: không phải tệp mã hóa của motcua", ErrBackupDamaged)
	}
	if b[8] != encVersion || b[9] != kdfArgon2id {
		return h, fmt.Errorf("tệp sao lưu mã hóa dạng %d/%d: phiên bản motcua này không đọc được, hãy cập nhật phần mềm", b[8], b[9])
	}
	p := b[10:]
	h.params.Time = binary.BigEndian.Uint32(p[0:4])
	h.params.MemoryKiB = binary.BigEndian.Uint32(p[4:8])
	h.params.Threads = p[8]
	copy(h.salt[:], p[9:25])
	copy(h.check[:], p[25:57])
	h.chunkSize = binary.BigEndian.Uint32(p[57:61])
	copy(h.fileSalt[:], p[61:85])
	if h.params.Time == 0 || h.params.Time > maxKDFTime || h.params.MemoryKiB < 8 || h.params.MemoryKiB > maxKDFMemory ||
		h.params.Threads == 0 || h.chunkSize == 0 || h.chunkSize > 16<<20 {
		return h, fmt.Errorf("%w: tham số mã hóa không hợp lệ", ErrBackupDamaged)
	}
	h.raw = b
	return h, nil
}

func (k *backupKey) fileAEAD(h encHeader) (cipher.AEAD, error) {
	mac := hmac.New(sha256.New, k.master[:])
	mac.Write([]byte("motcua backup file key v1"))
	mac.Write(h.fileSalt[:])
	block, err := aes.NewCipher(mac.Sum(nil))
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

func chunkNonce(n [12]byte, i uint32, last bool) []byte {
	binary.BigEndian.PutUint32(n[7:11], i)
	if last {
		n[11] = 1
	}
	return n[:]
}

// encryptStream writes r to w encrypted with k and returns the plaintext length.
func encryptStream(w io.Writer, r io.Reader, k *backupKey) (int64, error) {
	h, err := k.newHeader()
	if err != nil {
		return 0, err
	}
	aead, err := k.fileAEAD(h)
	if err != nil {
		return 0, err
	}
	if _, err := w.Write(h.raw); err != nil {
		return 0, err
	}
	br := bufio.NewReaderSize(r, int(h.chunkSize))
	buf := make([]byte, h.chunkSize)
	out := make([]byte, 0, int(h.chunkSize)+aead.Overhead())
	var total int64
	for i := uint32(0); ; i++ {
		n, err := io.ReadFull(br, buf)
		if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
			return total, err
		}
		total += int64(n)
		// The chunk is the last one when nothing follows it (peek, so a file that ends on a
		// chunk boundary does not need an empty chunk after it).
		_, perr := br.Peek(1)
		last := perr != nil
		if last && !errors.Is(perr, io.EOF) {
			return total, perr
		}
		if i == ^uint32(0) {
			return total, errors.New("tệp quá lớn để mã hóa")
		}
		out = aead.Seal(out[:0], chunkNonce([12]byte{}, i, last), buf[:n], h.raw)
		if _, err := w.Write(out); err != nil {
			return total, err
		}
		if last {
			return total, nil
		}
	}
}

// decryptStream authenticates and decrypts r into w. Each chunk is written only after it
// authenticates; a caller that must write nothing on failure writes to a temporary file.
func decryptStream(w io.Writer, r io.Reader, kr *keyring) (int64, error) {
	h, err := readHeader(r)
	if err != nil {
		return 0, err
	}
	k, err := kr.key(h)
	if err != nil {
		return 0, err
	}
	aead, err := k.fileAEAD(h)
	if err != nil {
		return 0, err
	}
	size := int(h.chunkSize) + aead.Overhead()
	br := bufio.NewReaderSize(r, size+1)
	buf := make([]byte, size)
	plain := make([]byte, 0, h.chunkSize)
	var total int64
	for i := uint32(0); ; i++ {
		n, err := io.ReadFull(br, buf)
		if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
			return total, err
		}
		_, perr := br.Peek(1)
		last := perr != nil
		if last && !errors.Is(perr, io.EOF) {
			return total, perr
		}
		if n < aead.Overhead() {
			return total, fmt.Errorf("%w: tệp bị cắt ngắn", ErrBackupDamaged)
		}
		plain, err = aead.Open(plain[:0], chunkNonce([12]byte{}, i, last), buf[:n], h.raw)
		if err != nil {
			return total, fmt.Errorf("%w: phần %d không khớp mã xác thực", ErrBackupDamaged, i+1)
		}
		if _, err := w.Write(plain); err != nil {
			return total, err
		}
		total += int64(len(plain))
		if last {
			return total, nil
		}
	}
}
