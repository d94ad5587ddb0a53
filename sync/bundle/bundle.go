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
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
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
	// To is the receiver's key hint (KeyHint): a reader that cannot decrypt tells "for
	// another receiver" (a different hint) from "damaged" (its own hint) by it.
	To string `json:"to,omitempty"`
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
	Held []string `json:"held,omitempty"`
	// Roster is, in a return bundle, the unit's current roster of active devices as the
	// city's GET /devices/keys gives it, itself signed by the city: an island centre learns
	// new counters and revocations by USB (domain.Roster).
	Roster *domain.Roster `json:"roster,omitempty"`
	Files  []FileInfo     `json:"files"`
	Parts  []Part         `json:"parts"`
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
	Roster *domain.Roster     // return only: the unit's roster, signed by the city (in the header)
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

// Kinds of failure (errors.Is): a reader's and a writer's errors are *Error with one of
// these as Kind. Their text is the short reason; Error.Msg is the whole message for the
// clerk or operator.
var (
	ErrNotBundle    = errors.New("tệp không phải gói đồng bộ motcua")
	ErrFormat       = errors.New("gói dùng định dạng mới hơn phần mềm này")
	ErrNotForUs     = errors.New("gói không được lập cho nơi nhận này (không giải mã được bằng khóa của máy này)")
	ErrDamaged      = errors.New("gói bị hỏng hoặc đã bị sửa đổi")
	ErrBadSignature = errors.New("chữ ký số của gói không hợp lệ: gói không do nơi gửi ghi trong gói lập ra, hoặc đã bị sửa đổi")
	ErrTooBig       = errors.New("gói vượt giới hạn kích thước cho phép")
	ErrFile         = errors.New("không đọc hoặc ghi được tệp trên máy")
)

// Messages of the damaged kind. A file cut short or changed by the copy fails age's
// authentication (or its header): nothing tells the two apart, and the remedy is the same.
// Content that decrypts (age authenticated it) but does not match the signed header was
// written that way: altered or made by faulty software.
const (
	MsgDamaged = "tệp gói bị hỏng hoặc không đầy đủ (có thể chép chưa xong): hãy chép lại từ máy gửi"
	MsgAltered = "nội dung gói không khớp với phần đã ký (gói đã bị sửa đổi hoặc lập sai): hãy xin nơi gửi lập lại gói"
)

// Error is a bundle that could not be read or written. Msg is plain Vietnamese for the clerk
// or operator and never carries a Go or library error; Cause is the raw error for the log.
type Error struct {
	Kind  error  // ErrNotBundle, ErrDamaged, …
	Msg   string // the message shown
	Cause error  // the underlying error, for the log (nil when there is none)
	// Preamble is what the file says it is, when it could be read (never trusted: it only
	// words a refusal, e.g. "this is the return bundle of workstation X").
	Preamble Preamble
}

func (e *Error) Error() string { return e.Msg }

// Is makes errors.Is(err, ErrDamaged) and the like hold.
func (e *Error) Is(target error) bool { return target == e.Kind }

// Unwrap gives the raw cause.
func (e *Error) Unwrap() error { return e.Cause }

// Cause is the raw error behind a bundle error, for the log: nil when there is none or err
// is not one.
func Cause(err error) error {
	var be *Error
	if errors.As(err, &be) {
		return be.Cause
	}
	return nil
}

func fail(kind error, cause error, format string, args ...any) *Error {
	msg := kind.Error()
	if format != "" {
		msg = fmt.Sprintf(format, args...)
	}
	return &Error{Kind: kind, Msg: msg, Cause: cause}
}

// damaged is a file cut short or changed on the way (the stream does not decrypt).
func damaged(cause error) *Error { return fail(ErrDamaged, cause, MsgDamaged) }

// altered is content that decrypted but does not agree with the signed header.
func altered(cause error, detail string, args ...any) *Error {
	if cause == nil {
		cause = fmt.Errorf(detail, args...)
	}
	return fail(ErrDamaged, cause, MsgAltered)
}

// KeyHint is a short public fingerprint of a receiver's key (the first 8 bytes of its
// SHA-256, in hex), written in the preamble.
func KeyHint(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// recipient is an age recipient that knows the hint of its key.
type recipient struct {
	age.Recipient
	hint string
}

// identity is an age identity that knows the hint of its key.
type identity struct {
	age.Identity
	hint string
}

// RecipientFor is the age recipient of an Ed25519 public key (the receiver's device or city
// key), through age's ssh-ed25519 recipient type.
func RecipientFor(pub ed25519.PublicKey) (age.Recipient, error) {
	sk, err := ssh.NewPublicKey(pub)
	if err != nil {
		return nil, err
	}
	r, err := agessh.NewEd25519Recipient(sk)
	if err != nil {
		return nil, err
	}
	return &recipient{Recipient: r, hint: KeyHint(pub)}, nil
}

// IdentityFor is the age identity of an Ed25519 private key.
func IdentityFor(key ed25519.PrivateKey) (age.Identity, error) {
	id, err := agessh.NewEd25519Identity(key)
	if err != nil {
		return nil, err
	}
	return &identity{Identity: id, hint: KeyHint(key.Public().(ed25519.PublicKey))}, nil
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
	h.Roster = nil
	if h.Kind == KindReturn {
		h.Roster = c.Roster
	}
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

	p := Preamble{Bundle: Format, Kind: h.Kind, Unit: h.Unit, Device: h.Device}
	if r, ok := to.(*recipient); ok {
		p.To = r.hint
	}
	pre, _ := json.Marshal(p)
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
			return h, fail(ErrFile, err, "không mở được tệp quét «%s» trên máy (tệp đã bị xóa hoặc di chuyển?); hãy chạy motcua verify hoặc báo người quản trị", f.Name)
		}
		hs := sha256.New()
		n, err := io.Copy(io.MultiWriter(tw, hs), io.LimitReader(rc, f.Size+1))
		rc.Close()
		if err != nil {
			return h, err // the writer's or the scan's: WriteFile words it
		}
		if n != f.Size || hex.EncodeToString(hs.Sum(nil)) != f.SHA256 {
			return h, fail(ErrFile, nil, "tệp quét «%s» trên máy đã bị hỏng (nội dung không khớp mã SHA-256); hãy quét lại và đính kèm lại", f.Name)
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

// preambleStart is how every preamble begins (Write marshals Bundle first).
const preambleStart = `{"motcua_bundle":`

// ReadPreamble reads the plaintext first line (at most 1 KiB) of a bundle. A file that
// begins like a bundle but breaks off or does not parse is damaged, not "not a bundle".
func ReadPreamble(br *bufio.Reader) (Preamble, error) {
	var line []byte
	for len(line) <= 1024 {
		b, err := br.ReadByte()
		if err != nil {
			if len(line) == 0 || looksLikePreamble(line) {
				return Preamble{}, damaged(fmt.Errorf("preamble: %d bytes, then %w", len(line), err))
			}
			if !errors.Is(err, io.EOF) {
				return Preamble{}, fail(ErrFile, err, "không đọc được tệp gói (ổ USB có thể bị lỗi hoặc đã bị rút ra)")
			}
			return Preamble{}, fail(ErrNotBundle, nil, "")
		}
		if b == '\n' {
			var p Preamble
			if json.Unmarshal(line, &p) != nil || p.Bundle == 0 || (p.Kind != KindUp && p.Kind != KindReturn) {
				if looksLikePreamble(line) || nextIsAge(br) {
					return Preamble{}, damaged(fmt.Errorf("preamble does not parse: %q", line))
				}
				return Preamble{}, fail(ErrNotBundle, nil, "")
			}
			if p.Bundle != Format {
				e := fail(ErrFormat, nil, "gói dùng định dạng phiên bản %d, phần mềm này đọc phiên bản %d; hãy cập nhật motcua", p.Bundle, Format)
				e.Preamble = p
				return p, e
			}
			return p, nil
		}
		line = append(line, b)
	}
	return Preamble{}, fail(ErrNotBundle, nil, "")
}

// looksLikePreamble: the start of a preamble, cut short or with a byte changed.
func looksLikePreamble(line []byte) bool {
	n := min(len(line), len(preambleStart))
	return n > 0 && string(line[:n]) == preambleStart[:n] || bytes.Contains(line, []byte(`"motcua_bundle"`))
}

// nextIsAge: an age stream follows (the preamble before it was damaged).
func nextIsAge(br *bufio.Reader) bool {
	const intro = "age-encryption.org/"
	b, _ := br.Peek(len(intro))
	return string(b) == intro
}

// Opened is a bundle whose header was decrypted and parsed but whose signature is not
// checked yet: nothing in it is to be believed before Verify.
type Opened struct {
	Preamble Preamble
	Header   Header
	raw      []byte // header.json as signed
	sig      []byte
	tr       *tar.Reader
	stream   *streamReader
	lim      Limits
	read     int64
	verified bool
}

// streamReader remembers the decrypting stream's error, so that a failure the tar reader
// reports is told apart: the stream's (damaged or cut short) or the archive's (altered).
type streamReader struct {
	r   io.Reader
	err error
}

func (s *streamReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if err != nil && err != io.EOF && s.err == nil {
		s.err = err
	}
	return n, err
}

// readErr words an error met while reading the archive.
func (o *Opened) readErr(err error, what string) error {
	var be *Error
	if errors.As(err, &be) {
		return err
	}
	if o.stream.err != nil {
		return damaged(fmt.Errorf("%s: %w", what, o.stream.err))
	}
	// age authenticated every byte read: an archive that breaks off or does not parse was
	// written so.
	return altered(fmt.Errorf("%s: %w", what, err), "")
}

// Open reads the preamble, decrypts with id and reads the header and its signature.
func Open(r io.Reader, id age.Identity, lim Limits) (*Opened, error) {
	br := bufio.NewReader(r)
	pre, err := ReadPreamble(br)
	if err != nil {
		return nil, err
	}
	withPre := func(e *Error) error {
		e.Preamble = pre
		return e
	}
	ar, err := age.Decrypt(br, id)
	if err != nil {
		var nomatch *age.NoIdentityMatchError
		// Not our key — unless the preamble names our key: then the encryption header
		// itself was damaged on the way.
		if errors.As(err, &nomatch) && (pre.To == "" || pre.To != identityHint(id)) {
			return nil, withPre(fail(ErrNotForUs, err, ""))
		}
		return nil, withPre(damaged(err))
	}
	o := &Opened{Preamble: pre, stream: &streamReader{r: ar}, lim: lim}
	o.tr = tar.NewReader(o.stream)
	if o.raw, err = o.entry(entryHeader, lim.Header); err != nil {
		return nil, withBundlePre(err, pre)
	}
	sig, err := o.entry(entrySig, 256)
	if err != nil {
		return nil, withBundlePre(err, pre)
	}
	if o.sig, err = base64.RawStdEncoding.DecodeString(string(sig)); err != nil {
		return nil, withPre(fail(ErrBadSignature, err, ""))
	}
	if err := json.Unmarshal(o.raw, &o.Header); err != nil {
		return nil, withPre(altered(err, ""))
	}
	// The preamble travels outside the encryption: one that disagrees with what decrypted
	// was changed on the way, most likely by the copy.
	if hint := identityHint(id); pre.To != "" && hint != "" && pre.To != hint {
		return nil, withPre(damaged(fmt.Errorf("preamble names key %s, decrypted with key %s", pre.To, hint)))
	}
	h := o.Header
	if h.Format != Format || h.Kind != pre.Kind || h.Unit != pre.Unit || h.Device != pre.Device {
		return nil, withPre(damaged(fmt.Errorf("preamble %+v does not match the signed header (format %d, kind %s, unit %s, device %s)",
			pre, h.Format, h.Kind, h.Unit, h.Device)))
	}
	return o, nil
}

// Hinted gives an identity made elsewhere (by a store that keeps its private key to itself)
// the hint of its public key, so that Open can tell a damaged bundle from another
// receiver's.
func Hinted(id age.Identity, pub ed25519.PublicKey) age.Identity {
	if i, ok := id.(*identity); ok {
		id = i.Identity
	}
	return &identity{Identity: id, hint: KeyHint(pub)}
}

// identityHint is the key hint of an identity made by IdentityFor ("" otherwise).
func identityHint(id age.Identity) string {
	if i, ok := id.(*identity); ok {
		return i.hint
	}
	return ""
}

func withBundlePre(err error, pre Preamble) error {
	var be *Error
	if errors.As(err, &be) {
		be.Preamble = pre
	}
	return err
}

// entry reads the next archive entry, which must be called name and hold at most max bytes.
func (o *Opened) entry(name string, max int64) ([]byte, error) {
	hdr, err := o.tr.Next()
	if err != nil {
		return nil, o.readErr(err, "before "+name)
	}
	if hdr.Name != name || hdr.Typeflag != tar.TypeReg {
		return nil, altered(nil, "entry %q instead of %s", hdr.Name, name)
	}
	if hdr.Size < 0 || hdr.Size > max {
		return nil, fail(ErrTooBig, fmt.Errorf("entry %s of %d bytes (limit %d)", name, hdr.Size, max), "")
	}
	if o.read += hdr.Size; o.read > o.lim.Total {
		return nil, fail(ErrTooBig, fmt.Errorf("more than %d bytes in all", o.lim.Total), "")
	}
	b, err := io.ReadAll(io.LimitReader(o.tr, max+1))
	if err != nil {
		return nil, o.readErr(err, name)
	}
	if int64(len(b)) != hdr.Size {
		return nil, o.readErr(io.ErrUnexpectedEOF, name)
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
	return fail(ErrBadSignature, nil, "")
}

// ReadAll reads and checks every part the signed header lists, in order: sizes, SHA-256,
// counts and limits. Files are copied into dir (which the caller removes). Nothing is
// returned unless the whole bundle checks out.
func (o *Opened) ReadAll(dir string, progress Progress) (Contents, error) {
	if !o.verified {
		return Contents{}, fail(ErrBadSignature, errors.New("ReadAll before Verify"), "")
	}
	if progress == nil {
		progress = func(int64, int64) {}
	}
	h, lim := o.Header, o.lim
	if h.Events < 0 || h.Events > lim.Events || len(h.Files) > lim.Files {
		return Contents{}, fail(ErrTooBig, fmt.Errorf("%d events, %d files", h.Events, len(h.Files)), "")
	}
	want := []string{entryEvents}
	if h.Kind == KindReturn {
		want = append(want, entryAcks, entryKeys)
	}
	if len(h.Parts) != len(want)+len(h.Files) {
		return Contents{}, altered(nil, "%d parts listed, %d expected", len(h.Parts), len(want)+len(h.Files))
	}
	total := int64(0)
	for i, p := range h.Parts {
		if i < len(want) && p.Name != want[i] || i >= len(want) && p.Name != filesPrefix+h.Files[i-len(want)].SHA256 {
			return Contents{}, altered(nil, "part %d is %q", i, p.Name)
		}
		total += p.Size
	}
	var c Contents
	if h.Kind == KindReturn {
		c.Roster = h.Roster
	}
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
			if err := json.Unmarshal(b, &c.Acks); err != nil || len(c.Acks) != h.Acks {
				return Contents{}, altered(err, "%d acks, %d signed", len(c.Acks), h.Acks)
			}
		case 2:
			if err := json.Unmarshal(b, &c.Keys); err != nil {
				return Contents{}, altered(err, "")
			}
		}
		done += p.Size
		progress(done, total)
	}
	seen := map[string]bool{}
	for i, fi := range h.Files {
		p := h.Parts[len(want)+i]
		if !domain.ValidSHA256(fi.SHA256) || seen[fi.SHA256] || fi.Size != p.Size || fi.Size <= 0 || fi.Size > lim.FileBytes {
			return Contents{}, altered(nil, "file %q declared %+v", fi.Name, fi)
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
		if err != nil {
			return Contents{}, o.readErr(err, "after the signed parts")
		}
		return Contents{}, altered(nil, "an entry after the signed parts")
	}
	return c, nil
}

func checkPart(p Part, b []byte) error {
	sum := sha256.Sum256(b)
	if int64(len(b)) != p.Size || hex.EncodeToString(sum[:]) != p.SHA256 {
		return altered(nil, "part %s does not match its signed SHA-256", p.Name)
	}
	return nil
}

func parseEvents(b []byte, n int) ([]domain.Event, error) {
	out := make([]domain.Event, 0, n)
	for len(b) > 0 {
		line, rest, ok := bytes.Cut(b, []byte{'\n'})
		if !ok {
			return nil, altered(nil, "the last event line does not end")
		}
		b = rest
		if len(out) == n {
			return nil, altered(nil, "more events than the %d signed", n)
		}
		var e domain.Event
		if err := json.Unmarshal(line, &e); err != nil {
			return nil, altered(err, "")
		}
		out = append(out, e)
	}
	if len(out) != n {
		return nil, altered(nil, "%d events, %d signed", len(out), n)
	}
	return out, nil
}

func (o *Opened) copyFile(dir string, p Part) (string, error) {
	hdr, err := o.tr.Next()
	if err != nil {
		return "", o.readErr(err, "before "+p.Name)
	}
	if hdr.Name != p.Name || hdr.Typeflag != tar.TypeReg || hdr.Size != p.Size {
		return "", altered(nil, "entry %q instead of %s", hdr.Name, p.Name)
	}
	if o.read += hdr.Size; o.read > o.lim.Total {
		return "", fail(ErrTooBig, fmt.Errorf("more than %d bytes in all", o.lim.Total), "")
	}
	// The name is a checked hex digest: it cannot leave dir.
	path := filepath.Join(dir, strings.TrimPrefix(p.Name, filesPrefix))
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return "", fileErr(dir, err)
	}
	hs := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, hs), io.LimitReader(o.tr, p.Size+1))
	if cerr := f.Close(); err == nil && cerr != nil {
		return "", fileErr(dir, cerr)
	}
	if err != nil {
		if o.stream.err == nil && !errors.Is(err, io.ErrUnexpectedEOF) {
			return "", fileErr(dir, err) // writing the temporary copy
		}
		return "", o.readErr(err, p.Name)
	}
	if n != p.Size || hex.EncodeToString(hs.Sum(nil)) != p.SHA256 {
		return "", altered(nil, "file %s does not match its signed SHA-256", p.Name)
	}
	return path, nil
}

// OpenFile opens a bundle file to read, with a message for the clerk when it cannot: no such
// file, a folder, no permission.
func OpenFile(path string) (*os.File, error) {
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fail(ErrFile, err, "không tìm thấy tệp gói «%s»: hãy kiểm tra lại tên tệp và thư mục (ổ USB đã cắm chưa?)", path)
	case errors.Is(err, fs.ErrPermission):
		return nil, fail(ErrFile, err, "không có quyền đọc tệp gói «%s»", path)
	case err != nil:
		return nil, fail(ErrFile, err, "không đọc được tệp gói «%s» (ổ USB có thể bị lỗi hoặc đã bị rút ra)", path)
	case st.IsDir():
		return nil, fail(ErrFile, nil, "«%s» là một thư mục, không phải tệp gói: hãy chọn tệp .motcua trong thư mục đó", path)
	}
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrPermission) {
			return nil, fail(ErrFile, err, "không có quyền đọc tệp gói «%s»", path)
		}
		return nil, fail(ErrFile, err, "không đọc được tệp gói «%s» (ổ USB có thể bị lỗi hoặc đã bị rút ra)", path)
	}
	return f, nil
}

// WriteFile writes a bundle to path whole: through a temporary name in the same folder,
// synced, then renamed, so a bundle on the stick is complete or absent. A failure of the
// file system is worded for the clerk (a folder that does not exist, no permission, a full
// or read-only disk, a stick pulled out); write's own *Error passes through.
func WriteFile(path string, write func(io.Writer) error) error {
	dir := filepath.Dir(path)
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return fail(ErrFile, nil, "«%s» là một thư mục: hãy ghi rõ tên tệp gói cần tạo", path)
	}
	tmp, err := os.CreateTemp(dir, ".motcua-bundle-*")
	if err != nil {
		return fileErr(dir, err)
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return fileErr(dir, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fileErr(dir, err)
	}
	if err := tmp.Close(); err != nil {
		return fileErr(dir, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fileErr(dir, err)
	}
	return nil
}

// fileErr words a file system failure in dir; a *Error passes through.
func fileErr(dir string, err error) error {
	var be *Error
	if errors.As(err, &be) {
		return err
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fail(ErrFile, err, "thư mục «%s» không tồn tại (ổ USB đã cắm chưa?): hãy chọn một thư mục có sẵn", dir)
	case errors.Is(err, fs.ErrPermission):
		return fail(ErrFile, err, "không có quyền ghi vào thư mục «%s»: hãy chọn thư mục khác", dir)
	case errors.Is(err, syscall.ENOSPC):
		return fail(ErrFile, err, "ổ đĩa chứa thư mục «%s» đã đầy: hãy giải phóng chỗ trống hoặc dùng ổ USB khác", dir)
	case errors.Is(err, syscall.EROFS):
		return fail(ErrFile, err, "ổ đĩa chứa thư mục «%s» chỉ cho đọc (ổ USB bị khóa ghi?): hãy dùng ổ khác", dir)
	}
	return fail(ErrFile, err, "không ghi được tệp vào thư mục «%s» (ổ USB có thể bị lỗi hoặc đã bị rút ra)", dir)
}
