package peer

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"motcua/domain"
	"motcua/localdb"
	"motcua/sync/api"
)

// exchangeWith runs one exchange of s with the peer at addr (the command's road, one peer).
func (s *station) exchangeWith(addr string) Result {
	s.t.Helper()
	return New(s.store, nodeOptions()).exchange(context.Background(), addr)
}

// nothingFrom checks that s holds none of the dossiers.
func nothingFrom(t *testing.T, s *station, ds []domain.Dossier) {
	t.Helper()
	for _, d := range ds {
		if s.has(d.ID) {
			t.Fatalf("%s applied dossier %s from a peer it must refuse", s.name, d.Code)
		}
	}
}

// cursorOf is the cursor s keeps for the peer device.
func cursorOf(t *testing.T, s *station, dev string) string {
	t.Helper()
	v, err := s.store.SyncValue(context.Background(), localdb.PeerCursorKey(dev))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// A workstation of another unit, one whose key the city never vouched for (enrolled after
// the roster was fetched), and one the city revoked: each is refused both ways with a
// message that says why, and nothing it holds is applied.
func TestPeersRefusedByTrust(t *testing.T) {
	ctx := context.Background()
	c := newCity(t)
	a := c.workstation(testUnit, 1)
	b := c.workstation(testUnit, 2)
	other := c.workstation(otherUnit, 1)
	for _, s := range []*station{a, b, other} {
		s.refreshKeys()
	}
	late := c.workstation(testUnit, 3) // not in a's roster yet
	late.refreshKeys()
	fromB, fromOther, fromLate := b.receive(1), other.receive(1), late.receive(1)

	t.Run("another unit", func(t *testing.T) {
		r := a.exchangeWith(other.addr)
		if r.Err == nil || !r.Reachable {
			t.Fatalf("exchange with another unit's workstation: %+v", r)
		}
		contains(t, "refusal", r.Err.Error(), "thuộc đơn vị "+otherUnit, "không phải đơn vị "+testUnit, "từ chối")
		nothingFrom(t, a, fromOther)
		// And the other way: a's server refuses the stranger in words.
		r = other.exchangeWith(a.addr)
		if r.Err == nil {
			t.Fatal("another unit's workstation was served")
		}
		contains(t, "refusal", r.Err.Error(), "thuộc đơn vị "+testUnit, "từ chối")
	})

	t.Run("unknown key", func(t *testing.T) {
		r := a.exchangeWith(late.addr)
		if r.Err == nil {
			t.Fatalf("exchange with a key the roster does not hold: %+v", r)
		}
		// The refusing side is told what to do about it: sync itself or import a bundle.
		contains(t, "refusal", r.Err.Error(), "không có trong danh sách máy trạm", "từ chối",
			"máy này chưa biết máy mới đó", "hãy đồng bộ máy này với thành phố", "gói USB", "rồi thử lại")
		nothingFrom(t, a, fromLate)
		// The late one, which knows a, asks a: a does not know it and says so, and the late
		// one's staff are told what they can do (wait for a to sync, or carry a bundle to it).
		r = late.exchangeWith(a.addr)
		if r.Err == nil {
			t.Fatal("a served a workstation it does not know")
		}
		contains(t, "refusal", r.Err.Error(), "từ chối máy này", "không có trong danh sách máy trạm",
			"Máy đó chưa biết máy này", "Hãy chờ máy đó đồng bộ với thành phố", "gói USB", "rồi thử lại")
		if strings.Contains(r.Err.Error(), "hãy đồng bộ máy này") {
			t.Errorf("the refused side is told the refusing side's remedy: %v", r.Err)
		}
		if r.Received != 0 {
			t.Errorf("the refused workstation received %d events", r.Received)
		}
		nothingFrom(t, a, fromLate)
		// Once a has the city's new roster, the late one is a peer like any other.
		a.refreshKeys()
		if r := a.exchangeWith(late.addr); r.Err != nil || !a.has(fromLate[0].ID) {
			t.Fatalf("after the roster was refreshed: %+v", r)
		}
	})

	t.Run("revoked", func(t *testing.T) {
		if r := a.exchangeWith(b.addr); r.Err != nil || !a.has(fromB[0].ID) {
			t.Fatalf("before the revoke: %+v", r)
		}
		more := b.receive(1)
		if err := c.c.Revoke(ctx, b.store.Config().DeviceID); err != nil {
			t.Fatal(err)
		}
		a.refreshKeys() // a's next city sync
		r := a.exchangeWith(b.addr)
		if r.Err == nil {
			t.Fatal("a revoked workstation was still a peer")
		}
		contains(t, "refusal", r.Err.Error(), "đã bị thành phố thu hồi", "từ chối")
		nothingFrom(t, a, more)
		// b (stolen, still running) asks a: refused too.
		r = b.exchangeWith(a.addr)
		if r.Err == nil {
			t.Fatal("a served a revoked workstation")
		}
		contains(t, "refusal", r.Err.Error(), "từ chối máy này", "thu hồi")
	})

	t.Run("an old roster replayed", func(t *testing.T) {
		// The roster from before the revoke, signed by the city, cannot bring b back.
		raw, _ := a.store.SyncValue(ctx, localdb.SyncKeyRoster)
		var cur domain.Roster
		json.Unmarshal([]byte(raw), &cur)
		old := cur
		old.At -= 1000
		old.Devices = append(old.Devices, domain.RosterDevice{Device: b.store.Config().DeviceID, PublicKey: b.store.PublicKey(), Slot: 2})
		if kept, _ := a.store.SaveRoster(ctx, old); kept {
			t.Fatal("an older roster replaced the newer one")
		}
		// And a roster not signed by the city is refused.
		forged := cur
		forged.At += 1000
		forged.Devices = append(forged.Devices, domain.RosterDevice{Device: b.store.Config().DeviceID, PublicKey: b.store.PublicKey(), Slot: 2})
		if kept, err := a.store.SaveRoster(ctx, forged); kept || err == nil {
			t.Fatal("a roster with a signature that does not hold was kept")
		}
	})
	if n := refusedCount(t, a); n != 0 {
		t.Fatalf("peers refused at the door left %d events aside", n)
	}
}

func refusedCount(t *testing.T, s *station) int {
	t.Helper()
	r, err := s.store.RefusedEvents(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return len(r)
}

// A man in the middle: one with his own key is refused at the handshake; a peer with a
// genuine key that edits an event it relays sees the event refused by its signature and
// kept aside, never applied; a peer serving garbage changes nothing.
func TestPeersThatLieOrBreak(t *testing.T) {
	ctx := context.Background()
	c := newCity(t)
	a := c.workstation(testUnit, 1)
	b := c.workstation(testUnit, 2)
	a.refreshKeys()
	b.refreshKeys()
	made := b.receive(2)
	bDev := b.store.Config().DeviceID

	t.Run("a proxy with its own key", func(t *testing.T) {
		// A TLS proxy between a and b, with a certificate of its own (it cannot have b's key).
		_, priv, _ := ed25519.GenerateKey(rand.Reader)
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: bDev, OrganizationalUnit: []string{testUnit}},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
		der, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, priv.Public(), priv)
		proxy := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusTeapot) // never reached: the handshake fails first
		}))
		proxy.TLS = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: priv}}}
		proxy.StartTLS()
		defer proxy.Close()
		r := a.exchangeWith(proxy.Listener.Addr().String())
		if r.Err == nil || !r.Reachable {
			t.Fatalf("a proxy with its own key: %+v", r)
		}
		contains(t, "refusal", r.Err.Error(), "không có trong danh sách máy trạm", "từ chối")
		nothingFrom(t, a, made)
	})

	t.Run("an edited event", func(t *testing.T) {
		real := b.node.Handler()
		addr := b.serveWith(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rec := httptest.NewRecorder()
			real.ServeHTTP(rec, r)
			var cr api.ChangesResponse
			if err := json.Unmarshal(rec.Body.Bytes(), &cr); err == nil {
				for i, e := range cr.Events {
					if e.StreamID == made[1].ID && e.Type == domain.EvReceived {
						cr.Events[i].Payload = json.RawMessage(strings.Replace(string(e.Payload), "Nguyễn Văn An", "Kẻ Giả Mạo", 1))
					}
				}
			}
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			w.WriteHeader(rec.Code)
			json.NewEncoder(w).Encode(cr)
		}))
		r := a.exchangeWith(addr)
		if r.Refused != 1 {
			t.Fatalf("the edited event was not refused: %+v", r)
		}
		if a.has(made[1].ID) {
			t.Fatal("the edited dossier was applied")
		}
		if !a.has(made[0].ID) {
			t.Fatal("the untouched dossier was not applied")
		}
		ref, _ := a.store.RefusedEvents(ctx)
		if len(ref) != 1 || ref[0].Event.StreamID != made[1].ID {
			t.Fatalf("refused events: %+v", ref)
		}
		contains(t, "reason", ref[0].Reason, "máy ngang hàng", "chữ ký số")
		// The command says so and does not call it in step.
		a.store.RemovePeer(ctx, b.addr)
		if _, err := a.store.AddPeer(ctx, addr, localdb.PeerManual); err != nil {
			t.Fatal(err)
		}
		a.store.SetSyncValue(ctx, localdb.PeerCursorKey(bDev), "") // read it all again
		var out bytes.Buffer
		err := SyncOnceCommand(ctx, a.store, &out, CommandOptions{Node: nodeOptions()})
		if err == nil {
			t.Fatalf("sync --once called a lying peer in step:\n%s", out.String())
		}
		// The forged copy is refused again but not stored again (the first is kept aside):
		// the report must not claim it was quarantined now.
		contains(t, "report", out.String()+err.Error(), "không tin được", "ngừng trao đổi")
		if strings.Contains(out.String(), "đã cách ly") {
			t.Fatalf("a forged copy already kept aside reported quarantined again:\n%s", out.String())
		}
		a.store.RemovePeer(ctx, addr)
		// The genuine event, from b itself, replaces the refused copy.
		a.store.SetSyncValue(ctx, localdb.PeerCursorKey(bDev), "")
		if r := a.exchangeWith(b.addr); r.Err != nil || !a.has(made[1].ID) {
			t.Fatalf("the genuine event after the forged one: %+v", r)
		}
		if n := refusedCount(t, a); n != 0 {
			t.Fatalf("%d refused events left after the genuine one arrived", n)
		}
	})

	more := b.receive(1)
	for name, serve := range map[string]http.HandlerFunc{
		"not JSON": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set(api.Header, api.HeaderValue)
			io.WriteString(w, "<html>Xin chào</html>")
		},
		"no protocol header": func(w http.ResponseWriter, r *http.Request) {
			b.node.Handler().ServeHTTP(&stripHeader{ResponseWriter: w}, r)
		},
		"events without a cursor": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set(api.Header, api.HeaderValue)
			json.NewEncoder(w).Encode(api.ChangesResponse{Events: []domain.Event{{ID: "x"}}})
		},
		"a cursor too long": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set(api.Header, api.HeaderValue)
			json.NewEncoder(w).Encode(api.ChangesResponse{Events: []domain.Event{}, Cursor: strings.Repeat("9", 10000)})
		},
		"more for ever, with nothing": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set(api.Header, api.HeaderValue)
			json.NewEncoder(w).Encode(api.ChangesResponse{Events: []domain.Event{}, Cursor: r.URL.Query().Get("since") + "1", More: true})
		},
		// Peers speak plain JSON: they never ask for gzip or the city's compact encoding,
		// so a reply in either is garbage, whether it is well formed or not.
		"gzip that is not gzip": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set(api.Header, api.HeaderValue)
			w.Header().Set("Content-Encoding", "gzip")
			io.WriteString(w, "\x1f\x8bnot gzip at all")
		},
		"a gzip bomb": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set(api.Header, api.HeaderValue)
			w.Header().Set("Content-Encoding", "gzip")
			zw := gzip.NewWriter(w)
			io.WriteString(zw, `{"events":[`)
			chunk := bytes.Repeat([]byte(" "), 1<<20)
			for i := 0; i < MaxReplyBytes>>20+4; i++ { // more than the reply cap, inflated
				zw.Write(chunk)
			}
			io.WriteString(zw, `],"cursor":"seq:1"}`)
			zw.Close()
		},
		"gzipped compact columns": func(w http.ResponseWriter, r *http.Request) {
			page, err := b.store.PeerChanges(context.Background(), "", "", 100, MaxPageBytes)
			if err != nil {
				t.Error(err)
			}
			evs := page.Events
			w.Header().Set(api.Header, api.HeaderValue)
			w.Header().Set("Content-Type", api.ContentTypeCompact)
			w.Header().Set("Content-Encoding", "gzip")
			zw := gzip.NewWriter(w)
			json.NewEncoder(zw).Encode(map[string]any{"events": api.Pack(evs), "cursor": "seq:1"})
			zw.Close()
		},
		"too big": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set(api.Header, api.HeaderValue)
			io.WriteString(w, `{"events":[`)
			chunk := bytes.Repeat([]byte(" "), 1<<20)
			for i := 0; i < MaxReplyBytes>>20+2; i++ {
				w.Write(chunk)
			}
		},
	} {
		t.Run("garbage: "+name, func(t *testing.T) {
			before := cursorOf(t, a, bDev)
			r := a.exchangeWith(b.serveWith(serve))
			if r.Err == nil || r.InStep {
				t.Fatalf("garbage accepted: %+v", r)
			}
			contains(t, "error", r.Err.Error(), "sai giao thức hoặc dữ liệu hỏng", "không áp dụng gì")
			nothingFrom(t, a, more)
			if after := cursorOf(t, a, bDev); after != before {
				t.Fatalf("the cursor moved on garbage: %q → %q", before, after)
			}
		})
	}
	if n := refusedCount(t, a); n != 0 {
		t.Fatalf("garbage left %d refused events", n)
	}
}

type stripHeader struct{ http.ResponseWriter }

func (s *stripHeader) WriteHeader(code int) {
	s.ResponseWriter.Header().Del(api.Header)
	s.ResponseWriter.WriteHeader(code)
}

func (s *stripHeader) Write(b []byte) (int, error) {
	s.ResponseWriter.Header().Del(api.Header)
	return s.ResponseWriter.Write(b)
}

// Nothing answering at an address is not a failure of the round when another target is in
// step; a round where nothing answers is.
func TestUnreachablePeers(t *testing.T) {
	c := newCity(t)
	a := c.workstation(testUnit, 1)
	a.refreshKeys()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := ln.Addr().String()
	ln.Close()
	a.addPeers(&station{addr: dead})
	out, err := a.syncOnce()
	if err != nil {
		t.Fatalf("the city in step, one peer switched off: %v\n%s", err, out)
	}
	contains(t, "report", out, "Đã đồng bộ xong", dead, "Không kết nối được với máy ngang hàng")
	c.stop()
	out, err = a.syncOnce()
	if err == nil {
		t.Fatalf("nothing answered and the command succeeded:\n%s", out)
	}
	contains(t, "error", err.Error(), "Không kết nối được với máy chủ thành phố hay máy ngang hàng nào")
	if errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
}

// Small pages, a cursor the peer no longer recognises (its data was restored), and a peer
// that answers from a new address: the exchange reads again from the start and ends in
// step, with nothing stored twice.
func TestPagesAndForeignCursor(t *testing.T) {
	ctx := context.Background()
	c := newCity(t)
	a := c.workstation(testUnit, 1)
	b := c.workstation(testUnit, 2)
	a.refreshKeys()
	b.refreshKeys()
	made := b.receive(3)
	opt := nodeOptions()
	opt.PageLimit = 1
	n := New(a.store, opt)
	r := n.exchange(ctx, b.addr)
	if r.Err != nil || !r.InStep || r.Received < 3 {
		t.Fatalf("page by page: %+v", r)
	}
	bDev := b.store.Config().DeviceID
	a.store.SetSyncValue(ctx, localdb.PeerCursorKey(bDev), "1:0123456789abcdef")
	more := b.receive(1)
	r = n.exchange(ctx, b.addr)
	if r.Err != nil || !r.InStep || r.Received == 0 {
		t.Fatalf("after a foreign cursor: %+v", r)
	}
	for _, d := range append(made, more...) {
		if !a.has(d.ID) {
			t.Fatalf("a lacks %s", d.Code)
		}
	}
	// The same peer at another address keeps its cursor: nothing is read again.
	b.serve()
	if r := n.exchange(ctx, b.addr); r.Err != nil || r.Received != 0 || r.Device != bDev {
		t.Fatalf("the same device at a new address: %+v", r)
	}
	a.verifyClean()
}

// Events of a workstation enrolled after this one's last roster, relayed by a peer: their
// author's key is asked of the city on the spot, and they are applied, not refused.
func TestRelayedEventsOfANewWorkstation(t *testing.T) {
	c := newCity(t)
	a := c.workstation(testUnit, 1)
	b := c.workstation(testUnit, 2)
	a.refreshKeys()
	n := c.workstation(testUnit, 3)
	n.refreshKeys()
	b.refreshKeys()
	d := n.receive(1)
	if r := b.exchangeWith(n.addr); r.Err != nil || !b.has(d[0].ID) {
		t.Fatalf("b from the new workstation: %+v", r)
	}
	r := a.exchangeWith(b.addr)
	if r.Err != nil || r.Refused != 0 || !a.has(d[0].ID) {
		t.Fatalf("a from b, the new workstation's events relayed: %+v", r)
	}
	a.verifyClean()
}
