package loadgen

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// memSampler reads a process's resident memory from /proc every 200 ms.
type memSampler struct {
	pid  int
	done chan struct{}
	wg   sync.WaitGroup
	peak int64
	last int64
}

func sampleMemory(pid int) *memSampler {
	m := &memSampler{pid: pid, done: make(chan struct{})}
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			if rss, _, err := ProcMemory(pid); err == nil {
				m.last, m.peak = rss, max(m.peak, rss)
			}
			select {
			case <-m.done:
				return
			case <-t.C:
			}
		}
	}()
	return m
}

// stop ends the sampling and returns the peak and last VmRSS and the kernel's VmHWM.
func (m *memSampler) stop() (peak, last, hwm int64) {
	close(m.done)
	m.wg.Wait()
	rss, hwm, err := ProcMemory(m.pid)
	if err == nil {
		m.last, m.peak = rss, max(m.peak, rss)
	}
	return m.peak, m.last, hwm
}

// ProcMemory reads VmRSS and VmHWM (bytes) of a process from /proc/PID/status (Linux).
func ProcMemory(pid int) (rss, hwm int64, err error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok || (k != "VmRSS" && k != "VmHWM") {
			continue
		}
		fields := strings.Fields(v)
		if len(fields) == 0 {
			continue
		}
		n, err := strconv.ParseInt(fields[0], 10, 64)
		if err != nil {
			continue
		}
		if k == "VmRSS" {
			rss = n << 10
		} else {
			hwm = n << 10
		}
	}
	if rss == 0 {
		return 0, 0, fmt.Errorf("/proc/%d/status: no VmRSS", pid)
	}
	return rss, hwm, sc.Err()
}
