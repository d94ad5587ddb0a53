// Package bundle is the file format of the USB bundles that carry an island workstation's
// unacknowledged events and scans to the city, and the city's events for its unit back
// (issue 17, docs/BUNDLES.md). It writes and reads one bundle: a short plaintext preamble
// (what the file is and whom it is for, never trusted), then an age stream encrypted to the
// receiver's Ed25519 key (age's ssh-ed25519 recipient) holding a tar archive whose first
// entry is a header signed by the sender's Ed25519 key. The header names every other entry
// with its size and SHA-256, so the signature covers the whole bundle.
//
// Reading is bounded everywhere (header, events, entries, files, total bytes): a crafted
// file cannot make the reader hold or write more than the limits allow.
//
// It imports domain and sync/api only: the workstation (package sync, over localdb) and the
// city (sync/central) both use it; it never touches a store.
package bundle

import (
	"archive/tar"
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"filippo.io/age"
	"filippo.io/age/agessh"
	"golang.org/x/crypto/ssh"

	"motcua/domain"
	"motcua/sync/api"
)

// Format is the version of the bundle format this package writes and reads.
const Format = 1

// Kinds of bundle.
const (
	KindUp     = "up"     // workstation → city: its unacknowledged events and scans
	KindReturn = "return" // city → workstation: the unit's events, acknowledgements, keys
)

// Entry names inside the archive, in the order they are written.
const (
	entryHeader = "header.json"
	entrySig    = "header.sig"
	entryEvents = "events.jsonl"
	entryAcks   = "acks.json"
	entryKeys   = "keys.json"
	filesPrefix = "files/"
)

// sigContext separates a bundle header's signature from every other thing the same key signs
// (events, chain heads).
const sigContext = "motcua.bundle.v1\n"

// Preamble is the plaintext first line: what the file is and for whom. It is not signed and
// is never trusted; it lets a receiver say "this bundle is for another workstation" instead
// of "cannot decrypt", and it must agree with the signed header.
type Preamble struct {
	Bundle int    `json:"motcua_bundle"`
	Kind   string `json:"kind"`
	Unit   string `json:"unit"`
	Device string `json:"device"`
}

// Part is one entry of the archive after the header, as the signed header lists it.
type Part struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// FileInfo describes a scanned file carried in the bundle (its bytes are the part
// "files/<sha256>").
type FileInfo struct {
	SHA256 string `json:"sha256"`
	Name   string `json:"name"`
	Mime   string `json:"mime"`
	Size   int64  `json:"size"`
}

// Header is the signed description of a bundle.
type Header struct {
	Format  int       `json:"format"`
	Kind    string    `json:"kind"`
	ID      string    `json:"id"`     // unique per bundle: importing it twice is recognised
	Unit    string    `json:"unit"`   // the unit the bundle belongs to
	Device  string    `json:"device"` // up: the author workstation; return: the recipient
	Signer  string    `json:"signer"` // the device id, or domain.SignerCentral
	Created time.Time `json:"created"`
	// Head is, in an up bundle, the workstation's chain head signed by it (as a push shows
	// it); in a return bundle, the head the city now holds for the device.
	Head *api.ChainHead `json:"head,omitempty"`
	// Cursor is, in an up bundle, the workstation's pull cursor (what it already has of the
	// city); in a return bundle, the cursor after the events it carries.
	Cursor string `json:"cursor,omitempty"`
	From   string `json:"from,omitempty"` // return: the cursor the events start after
	More   bool   `json:"more,omitempty"` // return: more events wait at the city
	Events int    `json:"events"`
	Acks   int    `json:"acks,omitempty"`
	// Held is, in a return bundle, the SHA-256 of the scans the device's bundles brought that
	// the city now holds: the workstation stops offering them.
	Held  []string   `json:"held,omitempty"`
	Files []FileInfo `json:"files"`
	Parts []Part     `json:"parts"`
}

// Ack is the city's answer for one event of the device, carried back in a return bundle:
// api.Accepted or api.Duplicate (held: acknowledge) or api.Rejected (quarantine, with the
// reason).
type Ack = api.PushResult

// Contents is what a bundle carries besides its header.
type Contents struct {
	Events []domain.Event
	Acks   []Ack              // return only
	Keys   []domain.KeyRecord // return only: the unit's device keys, signed by the city
	Files  []File             // up only
}

// File is a scanned file: for writing, Open gives its bytes; after reading, Path is a
// temporary copy whose SHA-256 was checked.
type File struct {
	FileInfo
	Open func() (io.ReadCloser, error)
	Path string
}

// Limits bound what a reader accepts.
type Limits struct {
	Header    int64 // bytes of header.json
	Events    int   // events
	PartBytes int64 // bytes of events.jsonl, acks.json, keys.json each
	Files     int   // scanned files
	FileBytes int64 // bytes of one file
	Total     int64 // bytes of the whole archive
}

// DefaultLimits are generous for weeks of an island's work and small enough for any PC.
func DefaultLimits() Limits {
	return Limits{Header: 8 << 20, Events: 200_000, PartBytes: 512 << 20, Files: 20_000, FileBytes: 64 << 20, Total: 8 << 30}
}

// MaxEvents is how many events one bundle may carry (DefaultLimits().Events): a writer stops
// there and says more are waiting.
const MaxEvents = 200_000

// Errors a reader returns, with the clerk's message.
var (
	ErrNotBundle    = errors.New("tệp không phải gói đồng bộ motcua")
	ErrNotForUs     = errors.New("gói không được lập cho nơi nhận này (không giải mã được bằng khóa của máy này)")
	ErrDamaged      = errors.New("gói bị hỏng hoặc đã bị sửa đổi")
	ErrBadSignature = errors.New("chữ ký số của gói không hợp lệ: gói không do nơi gửi ghi trong gói lập ra, hoặc đã bị sửa đổi")
	ErrTooBig       = errors.New("gói vượt giới hạn kích thước cho phép")
)

// RecipientFor is the age recipient of an Ed25519 public key (the receiver's device or city
// key), through age's ssh-ed25519 recipient type.
func RecipientFor(pub ed25519.PublicKey) (age.Recipient, error) {
	sk, err := ssh.NewPublicKey(pub)
	if err != nil {
		return nil, err
	}
	return agessh.NewEd25519Recipient(sk)
}

// IdentityFor is the age identity of an Ed25519 private key.
func IdentityFor(key ed25519.PrivateKey) (age.Identity, error) {
	return agessh.NewEd25519Identity(key)
}

// Signer signs a header's message; the private key stays with its owner.
type Signer func(msg []byte) []byte

// KeySigner signs with an Ed25519 private key.
func KeySigner(key ed25519.PrivateKey) Signer {
	return func(msg []byte) []byte { return ed25519.Sign(key, msg) }
}

// Progress reports bytes done out of a total (total may grow while writing).
type Progress func(done, total int64)

// Write writes a bundle: h is completed with the counts and the parts' sizes and hashes,
// signed, and everything is encrypted to. A file whose bytes no longer hash to its name
// fails the write (the receiver would refuse the whole bundle).
func Write(w io.Writer, h Header, c Contents, sign Signer, to age.Recipient, progress Progress) (Header, error) {
	if progress == nil {
		progress = func(int64, int64) {}
	}
	h.Format = Format
	var events bytes.Buffer
	for _, e := range c.Events {
		b, err := json.Marshal(e)
		if err != nil {
			return h, fmt.Errorf("không ghi được sự kiện %s vào gói: %w", e.ID, err)
		}
		events.Write(b)
		events.WriteByte('\n')
	}
	h.Events = len(c.Events)
	parts := []struct {
		name string
		data []byte
	}{{entryEvents, events.Bytes()}}
	if h.Kind == KindReturn {
		acks, _ := json.Marshal(nonNil(c.Acks))
		keys, _ := json.Marshal(nonNil(c.Keys))
		parts = append(parts, struct {
			name string
			data []byte
		}{entryAcks, acks}, struct {
			name string
			data []byte
		}{entryKeys, keys})
		h.Acks = len(c.Acks)
	}
	h.Parts = h.Parts[:0]
	total := int64(0)
	for _, p := range parts {
		sum := sha256.Sum256(p.data)
		h.Parts = append(h.Parts, Part{Name: p.name, Size: int64(len(p.data)), SHA256: hex.EncodeToString(sum[:])})
		total += int64(len(p.data))
	}
	h.Files = make([]FileInfo, 0, len(c.Files))
	for _, f := range c.Files {
		h.Files = append(h.Files, f.FileInfo)
		h.Parts = append(h.Parts, Part{Name: filesPrefix + f.SHA256, Size: f.Size, SHA256: f.SHA256})
		total += f.Size
	}
	hb, err := json.Marshal(h)
	if err != nil {
		return h, err
	}
	sig := base64.RawStdEncoding.EncodeToString(sign(append([]byte(sigContext), hb...)))

	pre, _ := json.Marshal(Preamble{Bundle: Format, Kind: h.Kind, Unit: h.Unit, Device: h.Device})
	if _, err := w.Write(append(pre, '\n')); err != nil {
		return h, err
	}
	aw, err := age.Encrypt(w, to)
	if err != nil {
		return h, err
	}
	tw := tar.NewWriter(aw)
	mod := h.Created.Truncate(time.Second)
	entry := func(name string, size int64) error {
		return tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Size: size, Mode: 0o600, ModTime: mod, Format: tar.FormatPAX})
	}
	done := int64(0)
	for _, e := range []struct {
		name string
		data []byte
	}{{entryHeader, hb}, {entrySig, []byte(sig)}} {
		if err := entry(e.name, int64(len(e.data))); err != nil {
			return h, err
		}
		if _, err := tw.Write(e.data); err != nil {
			return h, err
		}
	}
	for _, p := range parts {
		if err := entry(p.name, int64(len(p.data))); err != nil {
			return h, err
		}
		if _, err := tw.Write(p.data); err != nil {
			return h, err
		}
		done += int64(len(p.data))
		progress(done, total)
	}
	for _, f := range c.Files {
		if err := entry(filesPrefix+f.SHA256, f.Size); err != nil {
			return h, err
		}
		rc, err := f.Open()
		if err != nil {
			return h, fmt.Errorf("không mở được tệp «%s» trên máy: %w", f.Name, err)
		}
		hs := sha256.New()
		n, err := io.Copy(io.MultiWriter(tw, hs), io.LimitReader(rc, f.Size+1))
		rc.Close()
		if err != nil {
			return h, fmt.Errorf("không đọc được tệp «%s»: %w", f.Name, err)
		}
		if n != f.Size || hex.EncodeToString(hs.Sum(nil)) != f.SHA256 {
			return h, fmt.Errorf("tệp «%s» trên máy đã bị hỏng (nội dung không khớp mã SHA-256); hãy quét lại và đính kèm lại", f.Name)
		}
		done += f.Size
		progress(done, total)
	}
	if err := tw.Close(); err != nil {
		return h, err
	}
	if err := aw.Close(); err != nil {
		return h, err
	}
	progress(total, total)
	return h, nil
}

func nonNil[T any](xs []T) []T {
	if xs == nil {
		return []T{}
	}
	return xs
}

// ReadPreamble reads the plaintext first line (at most 1 KiB) of a bundle.
func ReadPreamble(br *bufio.Reader) (Preamble, error) {
	var line []byte
	for len(line) <= 1024 {
		b, err := br.ReadByte()
		if err != nil {
			return Preamble{}, ErrNotBundle
		}
		if b == '\n' {
			var p Preamble
			if json.Unmarshal(line, &p) != nil || p.Bundle == 0 || (p.Kind != KindUp && p.Kind != KindReturn) {
				return Preamble{}, ErrNotBundle
			}
			if p.Bundle != Format {
				return p, fmt.Errorf("gói dùng định dạng phiên bản %d, phần mềm này đọc phiên bản %d; hãy cập nhật motcua", p.Bundle, Format)
			}
			return p, nil
		}
		line = append(line, b)
	}
	return Preamble{}, ErrNotBundle
}

// Opened is a bundle whose header was decrypted and parsed but whose signature is not
// checked yet: nothing in it is to be believed before Verify.
type Opened struct {
	Preamble Preamble
	Header   Header
	raw      []byte // header.json as signed
	sig      []byte
	tr       *tar.Reader
	lim      Limits
	read     int64
	verified bool
}

// Open reads the preamble, decrypts with id and reads the header and its signature.
func Open(r io.Reader, id age.Identity, lim Limits) (*Opened, error) {
	br := bufio.NewReader(r)
	pre, err := ReadPreamble(br)
	if err != nil {
		return nil, err
	}
	ar, err := age.Decrypt(br, id)
	if err != nil {
		var nomatch *age.NoIdentityMatchError
		if errors.As(err, &nomatch) {
			return nil, ErrNotForUs
		}
		return nil, fmt.Errorf("%w (%v)", ErrDamaged, err)
	}
	o := &Opened{Preamble: pre, tr: tar.NewReader(ar), lim: lim}
	if o.raw, err = o.entry(entryHeader, lim.Header); err != nil {
		return nil, err
	}
	sig, err := o.entry(entrySig, 256)
	if err != nil {
		return nil, err
	}
	if o.sig, err = base64.RawStdEncoding.DecodeString(string(sig)); err != nil {
		return nil, ErrBadSignature
	}
	if err := json.Unmarshal(o.raw, &o.Header); err != nil {
		return nil, fmt.Errorf("%w: phần đầu gói không đọc được", ErrDamaged)
	}
	h := o.Header
	if h.Format != Format || h.Kind != pre.Kind || h.Unit != pre.Unit || h.Device != pre.Device {
		return nil, fmt.Errorf("%w: dòng mở đầu không khớp với phần đầu đã ký", ErrDamaged)
	}
	return o, nil
}

// entry reads the next archive entry, which must be called name and hold at most max bytes.
func (o *Opened) entry(name string, max int64) ([]byte, error) {
	hdr, err := o.tr.Next()
	if err != nil {
		return nil, fmt.Errorf("%w: thiếu phần %s (%v)", ErrDamaged, name, err)
	}
	if hdr.Name != name || hdr.Typeflag != tar.TypeReg {
		return nil, fmt.Errorf("%w: gặp phần %q thay vì %s", ErrDamaged, hdr.Name, name)
	}
	if hdr.Size < 0 || hdr.Size > max {
		return nil, fmt.Errorf("%w: phần %s dài %d byte", ErrTooBig, name, hdr.Size)
	}
	if o.read += hdr.Size; o.read > o.lim.Total {
		return nil, ErrTooBig
	}
	b, err := io.ReadAll(io.LimitReader(o.tr, max+1))
	if err != nil {
		return nil, fmt.Errorf("%w: phần %s (%v)", ErrDamaged, name, err)
	}
	if int64(len(b)) != hdr.Size {
		return nil, fmt.Errorf("%w: phần %s bị cắt", ErrDamaged, name)
	}
	return b, nil
}

// Verify checks the header's signature with any of keys. The caller picks the keys from the
// header's signer (a device it trusts, or the pinned city key).
func (o *Opened) Verify(keys ...ed25519.PublicKey) error {
	msg := append([]byte(sigContext), o.raw...)
	for _, k := range keys {
		if len(k) == ed25519.PublicKeySize && ed25519.Verify(k, msg, o.sig) {
			o.verified = true
			return nil
		}
	}
	return ErrBadSignature
}

// ReadAll reads and checks every part the signed header lists, in order: sizes, SHA-256,
// counts and limits. Files are copied into dir (which the caller removes). Nothing is
// returned unless the whole bundle checks out.
func (o *Opened) ReadAll(dir string, progress Progress) (Contents, error) {
	if !o.verified {
		return Contents{}, ErrBadSignature
	}
	if progress == nil {
		progress = func(int64, int64) {}
	}
	h, lim := o.Header, o.lim
	if h.Events < 0 || h.Events > lim.Events || len(h.Files) > lim.Files {
		return Contents{}, ErrTooBig
	}
	want := []string{entryEvents}
	if h.Kind == KindReturn {
		want = append(want, entryAcks, entryKeys)
	}
	if len(h.Parts) != len(want)+len(h.Files) {
		return Contents{}, fmt.Errorf("%w: danh sách phần không khớp", ErrDamaged)
	}
	total := int64(0)
	for i, p := range h.Parts {
		if i < len(want) && p.Name != want[i] || i >= len(want) && p.Name != filesPrefix+h.Files[i-len(want)].SHA256 {
			return Contents{}, fmt.Errorf("%w: danh sách phần không khớp", ErrDamaged)
		}
		total += p.Size
	}
	var c Contents
	done := int64(0)
	for i, p := range h.Parts[:len(want)] {
		b, err := o.entry(p.Name, lim.PartBytes)
		if err != nil {
			return Contents{}, err
		}
		if err := checkPart(p, b); err != nil {
			return Contents{}, err
		}
		switch i {
		case 0:
			if c.Events, err = parseEvents(b, h.Events); err != nil {
				return Contents{}, err
			}
		case 1:
			if json.Unmarshal(b, &c.Acks) != nil || len(c.Acks) != h.Acks {
				return Contents{}, fmt.Errorf("%w: phần xác nhận không đọc được", ErrDamaged)
			}
		case 2:
			if json.Unmarshal(b, &c.Keys) != nil {
				return Contents{}, fmt.Errorf("%w: phần khóa không đọc được", ErrDamaged)
			}
		}
		done += p.Size
		progress(done, total)
	}
	seen := map[string]bool{}
	for i, fi := range h.Files {
		p := h.Parts[len(want)+i]
		if !validSHA(fi.SHA256) || seen[fi.SHA256] || fi.Size != p.Size || fi.Size <= 0 || fi.Size > lim.FileBytes {
			return Contents{}, fmt.Errorf("%w: tệp %q khai báo không hợp lệ", ErrDamaged, fi.Name)
		}
		seen[fi.SHA256] = true
		path, err := o.copyFile(dir, p)
		if err != nil {
			return Contents{}, err
		}
		c.Files = append(c.Files, File{FileInfo: fi, Path: path})
		done += p.Size
		progress(done, total)
	}
	if _, err := o.tr.Next(); err != io.EOF {
		return Contents{}, fmt.Errorf("%w: có phần thừa sau các phần đã ký", ErrDamaged)
	}
	return c, nil
}

func checkPart(p Part, b []byte) error {
	sum := sha256.Sum256(b)
	if int64(len(b)) != p.Size || hex.EncodeToString(sum[:]) != p.SHA256 {
		return fmt.Errorf("%w: phần %s không khớp mã SHA-256 đã ký", ErrDamaged, p.Name)
	}
	return nil
}

func parseEvents(b []byte, n int) ([]domain.Event, error) {
	out := make([]domain.Event, 0, n)
	for len(b) > 0 {
		line, rest, ok := bytes.Cut(b, []byte{'\n'})
		if !ok {
			return nil, fmt.Errorf("%w: dòng sự kiện cuối không kết thúc", ErrDamaged)
		}
		b = rest
		if len(out) == n {
			return nil, fmt.Errorf("%w: nhiều sự kiện hơn số đã ký", ErrDamaged)
		}
		var e domain.Event
		if err := json.Unmarshal(line, &e); err != nil {
			return nil, fmt.Errorf("%w: sự kiện thứ %d không đọc được", ErrDamaged, len(out)+1)
		}
		out = append(out, e)
	}
	if len(out) != n {
		return nil, fmt.Errorf("%w: số sự kiện không khớp với số đã ký", ErrDamaged)
	}
	return out, nil
}

func (o *Opened) copyFile(dir string, p Part) (string, error) {
	hdr, err := o.tr.Next()
	if err != nil {
		return "", fmt.Errorf("%w: thiếu tệp %s (%v)", ErrDamaged, p.Name, err)
	}
	if hdr.Name != p.Name || hdr.Typeflag != tar.TypeReg || hdr.Size != p.Size {
		return "", fmt.Errorf("%w: gặp phần %q thay vì %s", ErrDamaged, hdr.Name, p.Name)
	}
	if o.read += hdr.Size; o.read > o.lim.Total {
		return "", ErrTooBig
	}
	// The name is a checked hex digest: it cannot leave dir.
	path := filepath.Join(dir, strings.TrimPrefix(p.Name, filesPrefix))
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return "", err
	}
	hs := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, hs), io.LimitReader(o.tr, p.Size+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", fmt.Errorf("%w: tệp %s (%v)", ErrDamaged, p.Name, err)
	}
	if n != p.Size || hex.EncodeToString(hs.Sum(nil)) != p.SHA256 {
		return "", fmt.Errorf("%w: tệp %s không khớp mã SHA-256 đã ký", ErrDamaged, p.Name)
	}
	return path, nil
}

func validSHA(s string) bool {
	if len(s) != 64 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil && strings.ToLower(s) == s
}
