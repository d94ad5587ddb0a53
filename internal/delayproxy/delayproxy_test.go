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
