// Package delayproxy is a TCP proxy on loopback that delivers every chunk it reads a fixed
// delay after reading it: a link with that much latency each way and no limit on bandwidth.
// motcua-bench pushes through it to measure sync over a slow link. It imports nothing of
// motcua.
package delayproxy

import (
	"net"
	"time"
)

// Proxy forwards the connections it accepts to its target. Close stops accepting; the
// connections already open run until either side closes.
type Proxy struct {
	net.Listener
	target string
	delay  time.Duration
}

// Start listens on a free loopback port and forwards to target, each way delayed by delay.
func Start(target string, delay time.Duration) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{Listener: ln, target: target, delay: delay}
	go p.serve()
	return p, nil
}

func (p *Proxy) serve() {
	for {
		c, err := p.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			u, err := net.Dial("tcp", p.target)
			if err != nil {
				return
			}
			defer u.Close()
			done := make(chan struct{})
			go func() {
				p.pipe(u, c)
				close(done)
			}()
			p.pipe(c, u)
			<-done
		}()
	}
}

// pipe copies from src to dst, each chunk delayed. Reading goes on while earlier chunks
// wait, so the delay adds latency without throttling.
func (p *Proxy) pipe(dst, src net.Conn) {
	type chunk struct {
		b  []byte
		at time.Time
	}
	ch := make(chan chunk, 1024)
	go func() {
		defer close(ch)
		for {
			buf := make([]byte, 64<<10)
			n, err := src.Read(buf)
			if n > 0 {
				ch <- chunk{buf[:n], time.Now().Add(p.delay)}
			}
			if err != nil {
				return
			}
		}
	}()
	for c := range ch {
		time.Sleep(time.Until(c.at))
		if _, err := dst.Write(c.b); err != nil {
			break
		}
	}
	for range ch {
	}
	// Pass the end of the stream on (half-close), so a reply still in flight the other
	// way is delivered.
	if tc, ok := dst.(*net.TCPConn); ok {
		_ = tc.CloseWrite()
	} else {
		dst.Close()
	}
}
