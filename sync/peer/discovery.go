package peer

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/mdns"

	"motcua/localdb"
)

// Discovery by DNS-SD over multicast DNS: each workstation announces _motcua._tcp with its
// unit code and device id in the TXT record, and browses for the others of its unit. What
// it finds is only an address to try: trust comes from the TLS handshake and the city's
// roster, so a forged announcement costs one refused connection. Many office networks
// block multicast; addresses typed in the settings work without it.

// Service is the DNS-SD service type.
const Service = "_motcua._tcp"

// Announcement is what a workstation says about itself on the LAN.
type Announcement struct {
	Unit   string
	Device string
	Addr   string // host:port
}

// txtRecord is the TXT record of an announcement.
func txtRecord(unit, device string) []string {
	return []string{"v=1", "unit=" + unit, "device=" + device}
}

// Service builds the DNS-SD service record set a workstation announces: the unit code in
// the TXT record, its addresses and the peer port.
func serviceFor(unit, device string, port int, ips []net.IP) (*mdns.MDNSService, error) {
	host, _ := hostLabel()
	instance := "motcua-" + strings.ReplaceAll(unit, ".", "-") + "-" + device[max(0, len(device)-8):]
	return mdns.NewMDNSService(instance, Service, "", host+".", port, ips, txtRecord(unit, device))
}

// hostLabel is a DNS-safe label for this machine.
func hostLabel() (string, error) {
	h, err := osHostname()
	if err != nil || h == "" {
		h = "motcua"
	}
	var b strings.Builder
	for _, r := range strings.ToLower(h) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "motcua", nil
	}
	return b.String(), err
}

// parseEntry reads a browsed entry back: its unit, device and address. ok is false for an
// entry that is not a motcua workstation's.
func parseEntry(e *mdns.ServiceEntry) (Announcement, bool) {
	var a Announcement
	v := ""
	for _, f := range e.InfoFields {
		k, val, _ := strings.Cut(f, "=")
		switch k {
		case "v":
			v = val
		case "unit":
			a.Unit = val
		case "device":
			a.Device = val
		}
	}
	ip := e.AddrV4
	if ip == nil {
		ip = e.AddrV6
	}
	if v != "1" || a.Unit == "" || ip == nil || e.Port <= 0 || e.Port > 65535 {
		return a, false
	}
	a.Addr = net.JoinHostPort(ip.String(), strconv.Itoa(e.Port))
	return a, true
}

// lanIPs are the addresses announced: the machine's non-loopback unicast addresses, or
// loopback when it has none (a test machine).
func lanIPs(bound net.IP) []net.IP {
	if bound != nil && !bound.IsUnspecified() {
		return []net.IP{bound}
	}
	var out []net.IP
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if ipn, ok := a.(*net.IPNet); ok && !ipn.IP.IsLoopback() && !ipn.IP.IsLinkLocalUnicast() && ipn.IP.To4() != nil {
			out = append(out, ipn.IP)
		}
	}
	if len(out) == 0 {
		out = []net.IP{net.IPv4(127, 0, 0, 1)}
	}
	return out
}

// announce starts answering DNS-SD queries for this workstation until stop is called.
func (n *Node) announce(addr net.Addr) (stop func(), err error) {
	ta, ok := addr.(*net.TCPAddr)
	if !ok {
		return nil, fmt.Errorf("not a TCP address: %v", addr)
	}
	cfg := n.store.Config()
	svc, err := serviceFor(cfg.UnitCode, cfg.DeviceID, ta.Port, lanIPs(ta.IP))
	if err != nil {
		return nil, err
	}
	srv, err := mdns.NewServer(&mdns.Config{Zone: svc, Logger: log.New(io.Discard, "", 0)})
	if err != nil {
		return nil, err
	}
	return func() { srv.Shutdown() }, nil
}

// browse looks for the unit's workstations for a couple of seconds and records those found.
func (n *Node) browse(ctx context.Context) {
	found, err := Browse(ctx, n.store.Config().UnitCode, nil, 2*time.Second)
	if err != nil {
		n.log.Debug("peer: DNS-SD browse unavailable", "err", err)
		return
	}
	me := n.store.Config().DeviceID
	for _, a := range found {
		if a.Device == me {
			continue
		}
		if _, err := n.store.AddPeer(ctx, a.Addr, localdb.PeerMDNS); err != nil {
			n.log.Warn("peer: cannot record a discovered peer", "addr", a.Addr, "err", err)
		}
	}
}

// Browse asks the LAN (or iface) for workstations of unit announcing _motcua._tcp.
func Browse(ctx context.Context, unit string, iface *net.Interface, wait time.Duration) ([]Announcement, error) {
	entries := make(chan *mdns.ServiceEntry, 64)
	p := mdns.DefaultParams(Service)
	p.Entries = entries
	p.Timeout = wait
	p.Interface = iface
	p.DisableIPv6 = true
	p.Logger = log.New(io.Discard, "", 0)
	done := make(chan error, 1)
	go func() {
		done <- mdns.QueryContext(ctx, p)
		close(entries)
	}()
	var out []Announcement
	seen := map[string]bool{}
	for e := range entries {
		if a, ok := parseEntry(e); ok && a.Unit == unit && !seen[a.Addr] {
			seen[a.Addr] = true
			out = append(out, a)
		}
	}
	return out, <-done
}

var osHostname = os.Hostname

func itoa(n int) string { return strconv.Itoa(n) }
