package peer

import (
	"context"
	"io"
	"log"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/mdns"
	"github.com/miekg/dns"
	"golang.org/x/net/ipv4"

	"motcua/localdb"
)

// The records a workstation announces carry the service type, its port and addresses, and
// the unit code in the TXT record; reading them back gives the address to try. This runs
// on every machine: multicast is not needed to check what goes on the wire.
func TestAnnouncementRecords(t *testing.T) {
	const dev = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"
	svc, err := serviceFor(testUnit, dev, 47470, []net.IP{net.IPv4(192, 168, 1, 12)})
	if err != nil {
		t.Fatal(err)
	}
	// A browser asks for the service type; the answer names the instance, then its SRV,
	// TXT and A records (what mdns's own client assembles into a ServiceEntry).
	rrs := svc.Records(dns.Question{Name: Service + ".local.", Qtype: dns.TypePTR, Qclass: dns.ClassINET})
	entry := &mdns.ServiceEntry{}
	var ptr bool
	for _, rr := range rrs {
		switch r := rr.(type) {
		case *dns.PTR:
			ptr = r.Hdr.Name == Service+".local."
			entry.Name = r.Ptr
		case *dns.SRV:
			entry.Port = int(r.Port)
			entry.Host = r.Target
		case *dns.TXT:
			entry.InfoFields = r.Txt
		case *dns.A:
			entry.AddrV4 = r.A
		}
	}
	if !ptr {
		t.Fatalf("no PTR record for %s in %v", Service, rrs)
	}
	a, ok := parseEntry(entry)
	if !ok || a.Unit != testUnit || a.Device != dev || a.Addr != "192.168.1.12:47470" {
		t.Fatalf("read back %+v (%v) from %+v", a, ok, entry)
	}
	// What is not a motcua workstation's announcement is ignored.
	for name, e := range map[string]*mdns.ServiceEntry{
		"no version":  {InfoFields: []string{"unit=" + testUnit}, AddrV4: net.IPv4(10, 0, 0, 1), Port: 1},
		"no unit":     {InfoFields: []string{"v=1"}, AddrV4: net.IPv4(10, 0, 0, 1), Port: 1},
		"no address":  {InfoFields: []string{"v=1", "unit=" + testUnit}, Port: 1},
		"bad port":    {InfoFields: []string{"v=1", "unit=" + testUnit}, AddrV4: net.IPv4(10, 0, 0, 1), Port: 70000},
		"old version": {InfoFields: []string{"v=0", "unit=" + testUnit}, AddrV4: net.IPv4(10, 0, 0, 1), Port: 1},
	} {
		if a, ok := parseEntry(e); ok {
			t.Errorf("%s: read as %+v", name, a)
		}
	}
}

// Discovery by multicast on this machine, where it lets multicast through. The
// capability is checked first with a plain multicast packet: when it gets through,
// discovery must work; when it cannot, the test says so and skips (the records are covered
// above, typed addresses by every other test).
func TestDiscoveryByMulticast(t *testing.T) {
	lo := multicastIface(t)
	c := newCity(t)
	a := c.workstation(testUnit, 1)
	b := c.workstation(testUnit, 2)
	o := c.workstation(otherUnit, 1)
	var stops []func()
	for _, s := range []*station{b, o} {
		svc, err := serviceFor(s.store.Config().UnitCode, s.store.Config().DeviceID, mustPort(t, s.addr), []net.IP{net.IPv4(127, 0, 0, 1)})
		if err != nil {
			t.Fatal(err)
		}
		srv, err := mdns.NewServer(&mdns.Config{Zone: svc, Iface: lo, Logger: log.New(io.Discard, "", 0)})
		if err != nil {
			t.Fatalf("multicast works on %s but the announcer cannot start: %v", lo.Name, err)
		}
		stops = append(stops, func() { srv.Shutdown() })
	}
	defer func() {
		for _, f := range stops {
			f()
		}
	}()
	// Other test runs on this machine may announce too: look for b, and make sure the other
	// unit's workstation is not taken.
	var found []Announcement
	var mine *Announcement
	for i := 0; i < 3 && mine == nil; i++ {
		var err error
		found, err = Browse(context.Background(), testUnit, lo, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		for j := range found {
			if found[j].Addr == b.addr && found[j].Device == b.store.Config().DeviceID {
				mine = &found[j]
			}
		}
	}
	if mine == nil {
		t.Fatalf("found %+v, not %s at %s", found, b.name, b.addr)
	}
	for _, f := range found {
		if f.Addr == o.addr || f.Device == o.store.Config().DeviceID {
			t.Fatalf("another unit's workstation was taken: %+v", f)
		}
	}
	// Found is only an address to try: the handshake and the roster decide.
	if _, err := a.store.AddPeer(context.Background(), mine.Addr, localdb.PeerMDNS); err != nil {
		t.Fatal(err)
	}
	a.refreshKeys()
	b.refreshKeys()
	d := b.receive(1)
	if out, err := a.syncOnce(); err != nil || !a.has(d[0].ID) {
		t.Fatalf("exchange with the discovered peer: %v\n%s", err, out)
	}
}

func mustPort(t *testing.T, addr string) int {
	t.Helper()
	a, err := net.ResolveTCPAddr("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	return a.Port
}

// multicastIface returns an interface of this machine on which a multicast packet sent to
// the mDNS group comes back — loopback first, else another that is up (its multicast loop
// brings the packet back to this host; mDNS is link-local, it goes no further) — and skips
// the test, saying why, when there is none.
func multicastIface(t *testing.T) *net.Interface {
	t.Helper()
	ifs, err := net.Interfaces()
	if err != nil {
		t.Skipf("no interfaces to test multicast on: %v", err)
	}
	var cands []net.Interface
	for _, f := range ifs {
		if f.Flags&net.FlagUp != 0 && f.Flags&net.FlagLoopback != 0 {
			cands = append([]net.Interface{f}, cands...)
		} else if f.Flags&net.FlagUp != 0 && f.Flags&net.FlagMulticast != 0 {
			cands = append(cands, f)
		}
	}
	var why []string
	for i := range cands {
		if err := multicastComesBack(&cands[i]); err != nil {
			why = append(why, cands[i].Name+": "+err.Error())
			continue
		}
		return &cands[i]
	}
	t.Skipf("multicast does not work on this machine (%s): mDNS discovery is tested by its records only (TestAnnouncementRecords), peers by typed address", strings.Join(why, "; "))
	return nil
}

func multicastComesBack(ifc *net.Interface) error {
	group := &net.UDPAddr{IP: net.IPv4(224, 0, 0, 251), Port: 5353}
	l, err := net.ListenMulticastUDP("udp4", ifc, group)
	if err != nil {
		return err
	}
	defer l.Close()
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4zero})
	if err != nil {
		return err
	}
	defer conn.Close()
	p := ipv4.NewPacketConn(conn)
	if err := p.SetMulticastInterface(ifc); err != nil {
		return err
	}
	p.SetMulticastLoopback(true)
	if _, err := conn.WriteTo([]byte("motcua-probe"), group); err != nil {
		return err
	}
	l.SetReadDeadline(time.Now().Add(time.Second))
	buf := make([]byte, 64)
	for {
		n, _, err := l.ReadFromUDP(buf)
		if err != nil {
			return err
		}
		if string(buf[:n]) == "motcua-probe" {
			return nil
		}
	}
}
