package sync

import (
	"bytes"
	"compress/gzip"
	"context"
	gosync "sync"
	"time"

	"motcua/sync/api"
)

// link is what the engine knows of its server and of the link to it, kept across passes:
// which request encodings the server takes (api.HeaderAccept), the round trip, the
// throughput of the pushes and pulls so far, and the bytes one event costs on the wire. From
// these it sizes push batches and pull pages so that one request takes about a quarter of
// the request timeout whatever the link: on loopback, full batches; on a 256 kbit/s line,
// batches of a few hundred events, never one that cannot arrive before the timeout and would
// be retried forever.
type link struct {
	mu      gosync.Mutex
	server  string // the server the figures are about; another server starts afresh
	known   bool   // a reply of this server was seen (its HeaderAccept, or its absence)
	gzip    bool   // it takes gzipped request bodies
	compact bool   // it takes compact pushes (api.ContentTypeCompact)

	rtt       time.Duration // smallest round trip seen (a ping or small call)
	pushRate  float64       // bytes/s of push bodies as sent, including the server's work (EWMA)
	pushEvent float64       // bytes per pushed event, as sent (EWMA)
	rawRate   float64       // bytes/s of push bodies before compression (EWMA): how fast the whole path takes events
	pullRate  float64       // events/s of pulled pages, including the server's work (EWMA)
	batch     int           // the push batch size last chosen (0: none yet)
	page      int           // the pull page size last chosen (0: none yet)
}

// Bounds of the adaptive sizes.
const (
	minBatch     = 20
	firstBatch   = 100 // before any measure: small, so a thin link is measured quickly
	minPage      = 50
	firstPage    = 200
	ewmaWeight   = 0.3
	maxGrowth    = 4 // a batch or page grows at most fourfold from one to the next
	targetShare  = 4 // a request should take at most timeout/targetShare
	maxTargetDur = 15 * time.Second
)

// reset forgets what was learnt of another server (l.mu held).
func (l *link) reset(server string) {
	if l.server != server {
		l.server, l.known, l.gzip, l.compact = server, false, false, false
		l.rtt, l.pushRate, l.pushEvent, l.pullRate, l.batch, l.page = 0, 0, 0, 0, 0, 0
	}
}

// learn records what a reply of the server says about it.
func (l *link) learn(server, accept string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.reset(server)
	l.known = true
	l.gzip = api.Accepts(accept, "gzip")
	l.compact = api.Accepts(accept, "c1")
}

func (l *link) caps(server string) (known, gz, compact bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.reset(server)
	return l.known, l.gzip, l.compact
}

func (l *link) observeRTT(d time.Duration) {
	l.mu.Lock()
	if l.rtt == 0 || d < l.rtt {
		l.rtt = d
	}
	l.mu.Unlock()
}

func ewma(old, v float64) float64 {
	if old == 0 {
		return v
	}
	return old*(1-ewmaWeight) + v*ewmaWeight
}

// target is how long one request should take at most.
func target(timeout time.Duration) time.Duration { return min(timeout/targetShare, maxTargetDur) }

// pushed records one push: its body's bytes as sent, its events, and how long it took while
// inFlight requests shared the link.
func (l *link) pushed(bytes, raw, events int, took time.Duration, inFlight int) {
	if events == 0 || took <= 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	// Requests in flight together share the link: each saw 1/inFlight of it.
	l.pushRate = ewma(l.pushRate, float64(bytes)*float64(max(inFlight, 1))/took.Seconds())
	l.pushEvent = ewma(l.pushEvent, float64(bytes)/float64(events))
	l.rawRate = ewma(l.rawRate, float64(raw)*float64(max(inFlight, 1))/took.Seconds())
}

// Compressing pays on a wide-area link and costs on a local one: on loopback or a LAN the
// server's checks are the bottleneck, and gzip takes CPU (about 50 MB/s of JSON on one core)
// from the same machine. A path counts as local when its round trip is under localRTT and
// it takes more than slowPath bytes of JSON a second.
const (
	localRTT = 10 * time.Millisecond
	slowPath = 1 << 20
)

// worthCompressing reports whether push bodies should be gzipped: until the round trip is
// measured, on any wide-area round trip, and on any path that takes JSON slowly.
func (l *link) worthCompressing() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.rtt == 0 || l.rtt >= localRTT || (l.rawRate > 0 && l.rawRate < slowPath)
}

// failed shrinks the next batch and page after a request that did not come back (a cut
// link, a timeout): whatever the measures said, the link just did worse.
func (l *link) failed() {
	l.mu.Lock()
	l.batch = max(minBatch, l.batch/2)
	l.page = max(minPage, l.page/2)
	l.pushRate /= 2
	l.pullRate /= 2
	l.mu.Unlock()
}

// batchSize is the number of events of the next push, when inFlight of them share the link.
func (l *link) batchSize(max_ int, timeout time.Duration, inFlight int) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := firstBatch
	if l.pushRate > 0 && l.pushEvent > 0 {
		budget := target(timeout) - l.rtt
		n = int(budget.Seconds() * l.pushRate / float64(max(inFlight, 1)) / l.pushEvent)
		if l.batch > 0 {
			n = min(n, l.batch*maxGrowth)
		}
	} else if l.batch > 0 {
		n = l.batch
	}
	n = min(max(n, minBatch), max_)
	l.batch = n
	return n
}

// pulled records one page: its events and how long it took.
func (l *link) pulled(events int, took time.Duration) {
	if events < minPage/2 || took <= 0 {
		return // a short page (the end) says little about the rate
	}
	l.mu.Lock()
	l.pullRate = ewma(l.pullRate, float64(events)/took.Seconds())
	l.mu.Unlock()
}

// pageSize is the number of events to ask for in the next pull page.
func (l *link) pageSize(max_ int, timeout time.Duration) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := firstPage
	if l.pullRate > 0 {
		n = int((target(timeout) - l.rtt).Seconds() * l.pullRate)
		if l.page > 0 {
			n = min(n, l.page*maxGrowth)
		}
	} else if l.page > 0 {
		n = l.page
	}
	n = min(max(n, minPage), max_)
	l.page = n
	return n
}

// gzipBytes compresses a request body.
func gzipBytes(b []byte) []byte {
	var z bytes.Buffer
	z.Grow(len(b) / 4)
	w := gzipPool.Get().(*gzip.Writer)
	w.Reset(&z)
	w.Write(b)
	w.Close()
	gzipPool.Put(w)
	return z.Bytes()
}

var gzipPool = gosync.Pool{New: func() any { w, _ := gzip.NewWriterLevel(nil, gzip.DefaultCompression); return w }}

// progress is what the pass still has to send, for the status bar.
type progress struct {
	events    int
	files     int
	fileBytes int64
}

// assumedEventBytes is the cost of an event on the wire before the link measured one (the
// compact encoding, gzipped, in batches of a few hundred: docs/BENCHMARKS.md).
const assumedEventBytes = 130

// startProgress counts what this pass has to send.
func (e *Engine) startProgress(ctx context.Context) {
	var p progress
	if n, err := e.store.OutboxCount(ctx); err == nil {
		p.events = n
	}
	if fs, err := e.store.PendingFiles(ctx, 1000); err == nil {
		p.files = len(fs)
		for _, f := range fs {
			p.fileBytes += f.Size
		}
	}
	e.progMu.Lock()
	e.prog = p
	e.progMu.Unlock()
	e.showProgress()
}

// sentProgress counts events or a file sent, and shows what is left.
func (e *Engine) sentProgress(events int, file int64) {
	e.progMu.Lock()
	e.prog.events = max(0, e.prog.events-events)
	if file > 0 {
		e.prog.files = max(0, e.prog.files-1)
		e.prog.fileBytes = max(0, e.prog.fileBytes-file)
	}
	e.progMu.Unlock()
	e.showProgress()
}

// showProgress puts what is left, its bytes and the time it should take in the status.
func (e *Engine) showProgress() {
	e.progMu.Lock()
	p := e.prog
	e.progMu.Unlock()
	e.link.mu.Lock()
	per, rate := e.link.pushEvent, e.link.pushRate
	e.link.mu.Unlock()
	if per == 0 {
		per = assumedEventBytes
	}
	bytes := int64(float64(p.events)*per) + p.fileBytes
	var left time.Duration
	if rate > 0 {
		left = time.Duration(float64(bytes) / rate * float64(time.Second))
	}
	e.update(func(s *Status) {
		s.LeftEvents, s.LeftFiles, s.LeftBytes, s.LeftTime = p.events, p.files, bytes, left
	})
}
