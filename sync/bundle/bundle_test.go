package bundle

import (
	"archive/tar"
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
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
	"testing"
	"time"

	"filippo.io/age"

	"motcua/domain"
)

type party struct {
	pub  ed25519.PublicKey
	priv ed25519.PrivateKey
}

func newParty(t testing.TB) party {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return party{pub, priv}
}

func (p party) recipient(t testing.TB) age.Recipient {
	r, err := RecipientFor(p.pub)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (p party) identity(t testing.TB) age.Identity {
	id, err := IdentityFor(p.priv)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func sampleEvent(i int) domain.Event {
	return domain.Event{ID: "0190e5a0-0000-7000-8000-00000000000" + string(rune('0'+i%10)), Stream: "dossier",
		StreamID: "0190e5a0-0000-7000-8000-0000000000aa", Type: "dossier.forwarded", Version: 1,
		Payload: json.RawMessage(`{"agency":"Phòng Văn hóa - Xã hội"}`), Actor: "lan", Device: "dev", Unit: "000.00.06.H56",
		At: time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC), HLC: 1}
}

func write(t testing.TB, from, to party, h Header, c Contents) []byte {
	var buf bytes.Buffer
	if _, err := Write(&buf, h, c, KeySigner(from.priv), to.recipient(t), nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func upHeader() Header {
	return Header{Kind: KindUp, ID: "b1", Unit: "000.00.06.H56", Device: "dev", Signer: "dev", Created: time.Now()}
}

func TestRoundTrip(t *testing.T) {
	dev, city := newParty(t), newParty(t)
	scan := []byte("\xFF\xD8\xFF\xE0 một trang quét")
	c := Contents{Events: []domain.Event{sampleEvent(1), sampleEvent(2)},
		Files: []File{{FileInfo: FileInfo{SHA256: sum(scan), Name: "to-khai.jpg", Mime: "image/jpeg", Size: int64(len(scan))},
			Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(scan)), nil }}}}
	raw := write(t, dev, city, upHeader(), c)
	if !bytes.HasPrefix(raw, []byte(`{"motcua_bundle":1,"kind":"up"`)) {
		t.Fatalf("preamble %q", raw[:60])
	}
	o, err := Open(bytes.NewReader(raw), city.identity(t), DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := o.ReadAll(t.TempDir(), nil); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("contents read before the signature was checked: %v", err)
	}
	if err := o.Verify(newParty(t).pub); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("a stranger's key verified it: %v", err)
	}
	if err := o.Verify(dev.pub); err != nil {
		t.Fatal(err)
	}
	got, err := o.ReadAll(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Events) != 2 || got.Events[1].ID != c.Events[1].ID || len(got.Files) != 1 {
		t.Fatalf("read back %+v", got)
	}
	// Addressed to the city: the device itself cannot open it.
	if _, err := Open(bytes.NewReader(raw), dev.identity(t), DefaultLimits()); !errors.Is(err, ErrNotForUs) {
		t.Fatalf("opened by the wrong key: %v", err)
	}
}

func TestDamageIsRefused(t *testing.T) {
	dev, city := newParty(t), newParty(t)
	raw := write(t, dev, city, upHeader(), Contents{Events: []domain.Event{sampleEvent(1)}})
	for i := 0; i < len(raw); i += max(1, len(raw)/97) {
		bad := append([]byte(nil), raw...)
		bad[i] ^= 0x04
		o, err := Open(bytes.NewReader(bad), city.identity(t), DefaultLimits())
		if err == nil {
			if err = o.Verify(dev.pub); err == nil {
				_, err = o.ReadAll(t.TempDir(), nil)
			}
		}
		if err == nil {
			t.Fatalf("byte %d flipped: accepted", i)
		}
	}
	// The preamble is not signed, but must agree with the header.
	bad := bytes.Replace(raw, []byte(`"unit":"000.00.06.H56"`), []byte(`"unit":"000.00.07.H56"`), 1)
	if _, err := Open(bytes.NewReader(bad), city.identity(t), DefaultLimits()); !errors.Is(err, ErrDamaged) {
		t.Fatalf("preamble of another unit: %v", err)
	}
	if _, err := Open(strings.NewReader("PK\x03\x04 not a bundle"), city.identity(t), DefaultLimits()); !errors.Is(err, ErrNotBundle) {
		t.Fatalf("garbage: %v", err)
	}
}

// A bundle validly signed and encrypted by a hostile sender still cannot make the reader hold
// or write more than the limits: the sizes are checked before anything is read.
func TestLimits(t *testing.T) {
	dev, city := newParty(t), newParty(t)
	evs := make([]domain.Event, 5)
	for i := range evs {
		evs[i] = sampleEvent(i)
	}
	raw := write(t, dev, city, upHeader(), Contents{Events: evs})
	lim := DefaultLimits()
	lim.Events = 4
	o, err := Open(bytes.NewReader(raw), city.identity(t), lim)
	if err != nil {
		t.Fatal(err)
	}
	o.Verify(dev.pub)
	if _, err := o.ReadAll(t.TempDir(), nil); !errors.Is(err, ErrTooBig) {
		t.Fatalf("5 events under a limit of 4: %v", err)
	}
	lim = DefaultLimits()
	lim.PartBytes = 100
	o, _ = Open(bytes.NewReader(raw), city.identity(t), lim)
	o.Verify(dev.pub)
	if _, err := o.ReadAll(t.TempDir(), nil); !errors.Is(err, ErrTooBig) {
		t.Fatalf("events part over its cap: %v", err)
	}
	lim = DefaultLimits()
	lim.Header = 64
	if _, err := Open(bytes.NewReader(raw), city.identity(t), lim); !errors.Is(err, ErrTooBig) {
		t.Fatalf("header over its cap: %v", err)
	}
}

// A hand-made archive (signed, encrypted) that declares a huge entry, or carries an entry
// the header does not list, is refused without reading it.
func TestCraftedArchives(t *testing.T) {
	dev, city := newParty(t), newParty(t)
	craft := func(entries func(tw *tar.Writer, sig func(Header) (hb, s []byte))) []byte {
		var buf bytes.Buffer
		buf.WriteString(`{"motcua_bundle":1,"kind":"up","unit":"000.00.06.H56","device":"dev"}` + "\n")
		aw, _ := age.Encrypt(&buf, city.recipient(t))
		tw := tar.NewWriter(aw)
		entries(tw, func(h Header) ([]byte, []byte) {
			hb, _ := json.Marshal(h)
			return hb, []byte(b64(ed25519.Sign(dev.priv, append([]byte(sigContext), hb...))))
		})
		tw.Close()
		aw.Close()
		return buf.Bytes()
	}
	put := func(tw *tar.Writer, name string, b []byte, declared int64) {
		tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Size: declared, Mode: 0o600})
		tw.Write(b)
	}
	h := upHeader()
	h.Format = Format
	h.Events = 0
	h.Parts = []Part{{Name: entryEvents, Size: 0, SHA256: sum(nil)}}
	bomb := craft(func(tw *tar.Writer, sig func(Header) ([]byte, []byte)) {
		hb, s := sig(h)
		put(tw, entryHeader, hb, int64(len(hb)))
		put(tw, entrySig, s, int64(len(s)))
		tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: entryEvents, Size: 1 << 40, Mode: 0o600})
	})
	o, err := Open(bytes.NewReader(bomb), city.identity(t), DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	if err := o.Verify(dev.pub); err != nil {
		t.Fatal(err)
	}
	if _, err := o.ReadAll(t.TempDir(), nil); !errors.Is(err, ErrTooBig) {
		t.Fatalf("a 1 TiB entry: %v", err)
	}
	extra := craft(func(tw *tar.Writer, sig func(Header) ([]byte, []byte)) {
		hb, s := sig(h)
		put(tw, entryHeader, hb, int64(len(hb)))
		put(tw, entrySig, s, int64(len(s)))
		put(tw, entryEvents, nil, 0)
		put(tw, "../../etc/passwd", []byte("x"), 1)
	})
	o, _ = Open(bytes.NewReader(extra), city.identity(t), DefaultLimits())
	o.Verify(dev.pub)
	if _, err := o.ReadAll(t.TempDir(), nil); !errors.Is(err, ErrDamaged) {
		t.Fatalf("an entry the header does not list: %v", err)
	}
}

// FuzzOpen: whatever the bytes, reading a bundle fails cleanly or succeeds within the limits.
func FuzzOpen(f *testing.F) {
	dev, city := newParty(f), newParty(f)
	f.Add(write(f, dev, city, upHeader(), Contents{Events: []domain.Event{sampleEvent(1)}}))
	f.Add([]byte(`{"motcua_bundle":1,"kind":"return","unit":"u","device":"d"}` + "\n"))
	f.Add([]byte("age-encryption.org/v1\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		lim := DefaultLimits()
		lim.Total, lim.PartBytes, lim.FileBytes = 1<<20, 1<<20, 1<<20
		o, err := Open(bytes.NewReader(raw), city.identity(t), lim)
		if err != nil {
			return
		}
		if o.Verify(dev.pub) != nil {
			return
		}
		o.ReadAll(t.TempDir(), nil)
	})
}

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func b64(b []byte) string { return base64.RawStdEncoding.EncodeToString(b) }

// openAll reads a bundle as a receiver does: open, verify, read everything.
func openAll(t *testing.T, raw []byte, id age.Identity, signer ed25519.PublicKey) error {
	o, err := Open(bytes.NewReader(raw), id, DefaultLimits())
	if err == nil {
		if err = o.Verify(signer); err == nil {
			_, err = o.ReadAll(t.TempDir(), nil)
		}
	}
	return err
}

// A byte changed anywhere by a bad copy — the preamble, age's header (even the stanza that
// names the receiver's key), the payload — is diagnosed as a damaged file, never as "not for
// this receiver" or "not a bundle"; a file cut short anywhere too. The message is the
// clerk's, with no library text in it; the raw cause is kept for the log.
func TestDamageIsDiagnosed(t *testing.T) {
	dev, city := newParty(t), newParty(t)
	raw := write(t, dev, city, upHeader(), Contents{Events: []domain.Event{sampleEvent(1)}})
	nl := bytes.IndexByte(raw, '\n')
	version := bytes.Index(raw, []byte(`"motcua_bundle":1`)) + len(`"motcua_bundle":`)
	id := city.identity(t)
	check := func(what string, bad []byte) {
		t.Helper()
		err := openAll(t, bad, id, dev.pub)
		if err == nil {
			t.Fatalf("%s: accepted", what)
		}
		var be *Error
		if !errors.As(err, &be) || !errors.Is(err, ErrDamaged) || be.Msg != MsgDamaged {
			t.Fatalf("%s: %v (kind %v), want the damaged-file message", what, err, be)
		}
		if be.Cause == nil || Cause(err) == nil {
			t.Fatalf("%s: no cause kept for the log", what)
		}
	}
	toKey := bytes.Index(raw, []byte(`"to":`)) + 1
	// Every byte of the preamble and of age's header, then a sample of the payload.
	for i := 0; i < len(raw); i += map[bool]int{true: 1, false: 13}[i < nl+260] {
		if i == version {
			continue // "motcua_bundle":5 reads as a newer format: nothing tells it apart
		}
		if i == toKey || i == toKey+1 {
			continue // "po": an unknown field, the hint is lost; the bundle is whole and opens
		}
		bad := append([]byte(nil), raw...)
		bad[i] ^= 0x04
		where := "payload"
		switch {
		case i <= nl:
			where = "preamble"
		case i < nl+260:
			where = "age header"
		}
		check(fmt.Sprintf("byte %d (%s) flipped", i, where), bad)
	}
	for _, n := range []int{0, 1, nl / 2, nl, nl + 1, nl + 30, nl + 120, len(raw) / 2, len(raw) - 17, len(raw) - 1} {
		check(fmt.Sprintf("cut at %d of %d bytes", n, len(raw)), raw[:n])
	}
	// A stream of another receiver's bundle under this one's preamble is still "not for us"
	// when the preamble names another key, and so is a bundle without the hint.
	other := write(t, dev, newParty(t), upHeader(), Contents{})
	if err := openAll(t, other, city.identity(t), dev.pub); !errors.Is(err, ErrNotForUs) {
		t.Fatalf("another receiver's bundle: %v", err)
	}
	onl := bytes.IndexByte(other, '\n')
	noHint := append([]byte(`{"motcua_bundle":1,"kind":"up","unit":"000.00.06.H56","device":"dev"}`), other[onl:]...)
	if err := openAll(t, noHint, city.identity(t), dev.pub); !errors.Is(err, ErrNotForUs) {
		t.Fatalf("another receiver's bundle without the hint: %v", err)
	}
	if err := openAll(t, []byte("PK\x03\x04 a zip file\n"), city.identity(t), dev.pub); !errors.Is(err, ErrNotBundle) {
		t.Fatalf("a zip file: %v", err)
	}
}

// The files a clerk names: a missing one, a folder, a folder that does not exist to write in.
func TestFileMessages(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "khong-co.motcua")
	_, err := OpenFile(missing)
	if !errors.Is(err, ErrFile) || !strings.Contains(err.Error(), "không tìm thấy tệp gói «"+missing+"»") || strings.Contains(err.Error(), "no such file") {
		t.Fatalf("missing file: %v", err)
	}
	if !errors.Is(Cause(err), fs.ErrNotExist) {
		t.Fatalf("cause for the log: %v", Cause(err))
	}
	if _, err := OpenFile(dir); err == nil || !strings.Contains(err.Error(), "là một thư mục") {
		t.Fatalf("a folder: %v", err)
	}
	nowhere := filepath.Join(dir, "khong-co", "goi.motcua")
	err = WriteFile(nowhere, func(w io.Writer) error { _, err := w.Write([]byte("x")); return err })
	if !errors.Is(err, ErrFile) || !strings.Contains(err.Error(), "thư mục «"+filepath.Dir(nowhere)+"» không tồn tại") || strings.Contains(err.Error(), "no such file") {
		t.Fatalf("a folder that does not exist: %v", err)
	}
	if err := WriteFile(dir, func(io.Writer) error { return nil }); err == nil || !strings.Contains(err.Error(), "là một thư mục") {
		t.Fatalf("writing over a folder: %v", err)
	}
	ok := filepath.Join(dir, "goi.motcua")
	if err := WriteFile(ok, func(w io.Writer) error { _, err := w.Write([]byte("x")); return err }); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(ok); string(b) != "x" {
		t.Fatalf("written %q", b)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".motcua-bundle-*")); len(left) != 0 {
		t.Fatalf("temporary files left: %v", left)
	}
}

// A return bundle carries the roster in its signed header, and the reader gives it back.
func TestReturnCarriesRoster(t *testing.T) {
	dev, city := newParty(t), newParty(t)
	r := &domain.Roster{Unit: "000.00.06.H56", At: 1234, Devices: []domain.RosterDevice{{Device: "dev", PublicKey: domain.EncodeKey(dev.pub), Slot: 1, Name: "Quầy 1"}}}
	r.Sign(city.priv)
	h := Header{Kind: KindReturn, ID: "r1", Unit: "000.00.06.H56", Device: "dev", Signer: domain.SignerCentral, Created: time.Now()}
	raw := write(t, city, dev, h, Contents{Roster: r})
	o, err := Open(bytes.NewReader(raw), dev.identity(t), DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	if err := o.Verify(city.pub); err != nil {
		t.Fatal(err)
	}
	c, err := o.ReadAll(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Roster == nil || c.Roster.At != 1234 || len(c.Roster.Devices) != 1 || c.Roster.Verify(city.pub) != nil {
		t.Fatalf("roster read back: %+v", c.Roster)
	}
	// An up bundle never carries one.
	raw = write(t, dev, city, upHeader(), Contents{Roster: r})
	o, _ = Open(bytes.NewReader(raw), city.identity(t), DefaultLimits())
	if o.Header.Roster != nil {
		t.Fatal("an up bundle carried a roster")
	}
}
