// Package delayproxy is a TCP proxy on loopback that simulates a link: latency each way,
// jitter, a bandwidth cap shared by every connection in each direction, packet loss (as the
// stall TCP's retransmission causes) and, for fault tests, connections cut after a number of
// bytes. motcua-bench syncs through it to measure a commune's 3G or satellite line on one
// machine. It imports nothing of motcua.
//
// The model, per direction: the bytes read from one side are cut into segments of MSS bytes;
// each segment takes its turn on the shared line (size/Rate seconds, after the segments before
// it, of any connection), then travels Latency plus a random jitter in [0, Jitter). A segment
// is lost with probability Loss: it is sent again after a retransmission timeout (RTO: 200 ms
// plus a round trip, as Linux's minimum) and uses the line twice; TCP delivers in order, so
// the segments behind it on its connection wait too. The proxy reads no faster than the line
// drains (a queue of about QueueDelay), so senders feel back-pressure as on a real link.
package delayproxy

import (
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Link describes the simulated link. The zero value is loopback with nothing added.
type Link struct {
	Latency    time.Duration // one way
	Jitter     time.Duration // added to each segment's latency at random, in [0, Jitter)
	Rate       int64         // bytes per second each way, shared by all connections (0: unlimited)
	Loss       float64       // probability that a segment is lost and retransmitted
	CutAfter   int64         // cut each connection after this many bytes, both ways together (0: never)
	QueueDelay time.Duration // how far ahead of the line the proxy reads (default 200 ms)
	Seed       uint64        // for the jitter and the losses (0: a fixed seed)
}

// MSS is the size of a simulated segment.
const MSS = 1460

// Proxy forwards the connections it accepts to its target. Close stops accepting; the
// connections already open run until either side closes.
type Proxy struct {
	net.Listener
	target string
	link   Link
	up     line // client to server
	down   line // server to client

	mu  sync.Mutex
	rnd *rand.Rand

	upBytes, downBytes atomic.Int64
	retransmits, cuts  atomic.Int64
}

// line is one direction's shared bandwidth: when it is free next.
type line struct {
	mu   sync.Mutex
	free time.Time
}

// reserve takes the line for n bytes at rate and returns when they have been sent.
func (l *line) reserve(n int, rate int64) time.Time {
	now := time.Now()
	if rate <= 0 {
		return now
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	start := l.free
	if start.Before(now) {
		start = now
	}
	l.free = start.Add(time.Duration(float64(n) / float64(rate) * float64(time.Second)))
	return l.free
}

// Start listens on a free loopback port and forwards to target, each way delayed by delay
// (no other limit).
func Start(target string, delay time.Duration) (*Proxy, error) {
	return StartLink(target, Link{Latency: delay})
}

// StartLink listens on a free loopback port and forwards to target through the link l.
func StartLink(target string, l Link) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	if l.QueueDelay <= 0 {
		l.QueueDelay = 200 * time.Millisecond
	}
	seed := l.Seed
	if seed == 0 {
		seed = 19
	}
	p := &Proxy{Listener: ln, target: target, link: l, rnd: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
	go p.serve()
	return p, nil
}

// Bytes returns the bytes carried so far: client to server, and server to client.
func (p *Proxy) Bytes() (up, down int64) { return p.upBytes.Load(), p.downBytes.Load() }

// Retransmits is how many segments were lost and sent again.
func (p *Proxy) Retransmits() int64 { return p.retransmits.Load() }

// Cuts is how many connections were cut (Link.CutAfter).
func (p *Proxy) Cuts() int64 { return p.cuts.Load() }

// SetCutAfter changes Link.CutAfter for the connections accepted from now on.
func (p *Proxy) SetCutAfter(n int64) {
	p.mu.Lock()
	p.link.CutAfter = n
	p.mu.Unlock()
}

func (p *Proxy) float() float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.rnd.Float64()
}

func (p *Proxy) serve() {
	for {
		c, err := p.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		l := p.link
		p.mu.Unlock()
		go func() {
			defer c.Close()
			u, err := net.Dial("tcp", p.target)
			if err != nil {
				return
			}
			defer u.Close()
			conn := &connState{cutAfter: l.CutAfter, a: c, b: u}
			done := make(chan struct{})
			go func() {
				p.pipe(l, conn, u, c, &p.up, &p.upBytes)
				close(done)
			}()
			p.pipe(l, conn, c, u, &p.down, &p.downBytes)
			<-done
		}()
	}
}

// connState is one proxied connection: the bytes it carried, for CutAfter.
type connState struct {
	cutAfter int64
	carried  atomic.Int64
	cut      atomic.Bool
	a, b     net.Conn
}

// abort cuts both sides at once, with a reset (no orderly close): what a dropped link does.
func (c *connState) abort(cuts *atomic.Int64) {
	if !c.cut.CompareAndSwap(false, true) {
		return
	}
	cuts.Add(1)
	for _, x := range []net.Conn{c.a, c.b} {
		if tc, ok := x.(*net.TCPConn); ok {
			tc.SetLinger(0)
		}
		x.Close()
	}
}

// pipe copies from src to dst through the simulated line.
func (p *Proxy) pipe(l Link, conn *connState, dst, src net.Conn, ln *line, counter *atomic.Int64) {
	type segment struct {
		b  []byte
		at time.Time
	}
	rto := 200*time.Millisecond + 2*l.Latency
	ch := make(chan segment, 4096)
	go func() {
		defer close(ch)
		var last time.Time // in-order delivery on this connection
		buf := make([]byte, 64<<10)
		for {
			n, err := src.Read(buf)
			for off := 0; off < n; off += MSS {
				seg := append([]byte(nil), buf[off:min(off+MSS, n)]...)
				if conn.cutAfter > 0 && conn.carried.Add(int64(len(seg))) > conn.cutAfter {
					conn.abort(&p.cuts)
					return
				}
				sent := ln.reserve(len(seg), l.Rate)
				if l.Loss > 0 && p.float() < l.Loss {
					// Lost: sent again after the retransmission timeout, using the line again.
					p.retransmits.Add(1)
					sent = ln.reserve(len(seg), l.Rate).Add(rto)
				}
				at := sent.Add(l.Latency)
				if l.Jitter > 0 {
					at = at.Add(time.Duration(p.float() * float64(l.Jitter)))
				}
				if at.Before(last) {
					at = last
				}
				last = at
				counter.Add(int64(len(seg)))
				ch <- segment{seg, at}
				// Read no further ahead of the line than its queue: back-pressure.
				if ahead := time.Until(sent) - l.QueueDelay; ahead > 0 {
					time.Sleep(ahead)
				}
			}
			if err != nil {
				return
			}
		}
	}()
	for s := range ch {
		time.Sleep(time.Until(s.at))
		if _, err := dst.Write(s.b); err != nil {
			break
		}
	}
	for range ch {
	}
	if conn.cut.Load() {
		return
	}
	// Pass the end of the stream on (half-close), so a reply still in flight the other
	// way is delivered.
	if tc, ok := dst.(*net.TCPConn); ok {
		_ = tc.CloseWrite()
	} else {
		dst.Close()
	}
}
