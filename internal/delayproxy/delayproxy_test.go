package delayproxy

import (
	"bufio"
	"io"
	"net"
	"testing"
	"time"
)

// An echo server behind the proxy: each round trip takes at least twice the delay, the
// bytes arrive whole and in order, and closing one side reaches the other.
func TestRoundTripIsDelayed(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_, _ = io.Copy(c, c)
			}()
		}
	}()
	const delay = 40 * time.Millisecond
	p, err := Start(ln.Addr().String(), delay)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	c, err := net.Dial("tcp", p.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := bufio.NewReader(c)
	for i := range 3 {
		line := []byte("dòng " + string(rune('0'+i)) + "\n")
		t0 := time.Now()
		if _, err := c.Write(line); err != nil {
			t.Fatal(err)
		}
		got, err := r.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if got != string(line) {
			t.Fatalf("echo %q, want %q", got, line)
		}
		if rtt := time.Since(t0); rtt < 2*delay {
			t.Fatalf("round trip %s, want at least %s", rtt, 2*delay)
		}
	}
	// Half-close: the echo server sees the end, closes, and we read EOF.
	if err := c.(*net.TCPConn).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	if _, err := r.ReadByte(); err != io.EOF {
		t.Fatalf("after closing: %v, want EOF", err)
	}
}

func echoServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_, _ = io.Copy(c, c)
			}()
		}
	}()
	return ln.Addr().String()
}

// echo sends n bytes through the proxy and reads them back.
func echo(t *testing.T, p *Proxy, n int) ([]byte, error) {
	t.Helper()
	c, err := net.Dial("tcp", p.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	data := make([]byte, n)
	for i := range data {
		data[i] = byte(i * 7)
	}
	go c.Write(data)
	got := make([]byte, n)
	_, err = io.ReadFull(c, got)
	for i := range got {
		if err == nil && got[i] != data[i] {
			t.Fatalf("byte %d changed", i)
		}
	}
	return got, err
}

// The bandwidth cap: 40 kB each way at 40 kB/s cannot take less than about a second; every
// byte arrives, in order, and is counted once each way. Losses stall but lose nothing.
func TestLinkCapsBandwidthAndRetransmits(t *testing.T) {
	p, err := StartLink(echoServer(t), Link{Latency: 5 * time.Millisecond, Jitter: 5 * time.Millisecond, Rate: 40_000, Loss: 0.2, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	t0 := time.Now()
	if _, err := echo(t, p, 40_000); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(t0); took < 900*time.Millisecond {
		t.Fatalf("40 kB at 40 kB/s took %s", took)
	}
	up, down := p.Bytes()
	if up != 40_000 || down != 40_000 {
		t.Fatalf("counted %d up, %d down", up, down)
	}
	if p.Retransmits() == 0 {
		t.Fatal("no segment lost at 20% loss")
	}
}

// CutAfter resets a connection once it carried that many bytes; later connections get the
// setting of their time.
func TestLinkCutsConnections(t *testing.T) {
	p, err := StartLink(echoServer(t), Link{CutAfter: 3000})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if _, err := echo(t, p, 10_000); err == nil {
		t.Fatal("10 kB went through a link cut after 3 kB")
	}
	if p.Cuts() != 1 {
		t.Fatalf("%d cuts", p.Cuts())
	}
	p.SetCutAfter(0)
	if _, err := echo(t, p, 10_000); err != nil {
		t.Fatal(err)
	}
}
