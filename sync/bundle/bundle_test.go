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
	"io"
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
