package ui

// Reading ID cards with a USB QR scanner: the scanner types the card's payload into
// whatever field has the focus, then Enter.

import (
	"strings"
	"time"

	"fyne.io/fyne/v2/widget"

	"motcua/domain/citizen"
)

// scanBurst is the longest pause between two keystrokes of a USB scanner; people type
// slower.
const scanBurst = 250 * time.Millisecond

// scanWatch finds a scanned payload inside an entry's text. A scanner types the payload's
// first field (the 12-digit ID) before any '|' shows that it is a scan, at the cursor,
// possibly into text already there; when the first '|' arrives, the digits typed just
// before it in one quick burst are taken as the payload's start.
type scanWatch struct {
	now      func() time.Time
	hist     []keyState // recent texts without '|', newest last
	scanning bool
	before   string // the text before the scan
	start    int    // where the payload starts in the text
	tail     int    // bytes of the old text after the payload
}

type keyState struct {
	text string
	at   time.Time
}

// newScanWatch watches an entry that holds initial; now times the keystrokes.
func newScanWatch(initial string, now func() time.Time) *scanWatch {
	return &scanWatch{now: now, hist: []keyState{{text: initial}}, before: initial}
}

func (w *scanWatch) changed(text string) {
	now := w.now()
	if !strings.Contains(text, "|") {
		w.hist = append(w.hist, keyState{text, now})
		if len(w.hist) > 16 {
			w.hist = w.hist[len(w.hist)-16:]
		}
		w.scanning, w.before = false, text
		return
	}
	if w.scanning {
		return
	}
	w.scanning = true
	w.before, w.start, w.tail = scanStart(w.hist, text, now)
}

// split returns what the entry held before the scan and the payload.
func (w *scanWatch) split(text string) (before, payload string) {
	if !w.scanning || w.start > len(text)-w.tail {
		return w.before, text
	}
	return w.before, text[w.start : len(text)-w.tail]
}

// textDiff returns the length of the common prefix of a and b, and of their common suffix
// after it.
func textDiff(a, b string) (prefix, suffix int) {
	for prefix < len(a) && prefix < len(b) && a[prefix] == b[prefix] {
		prefix++
	}
	for suffix < len(a)-prefix && suffix < len(b)-prefix && a[len(a)-1-suffix] == b[len(b)-1-suffix] {
		suffix++
	}
	return prefix, suffix
}

// scanStart works out, when the first '|' makes text a scan, what the entry held before
// the scan and where the payload sits: hist are the entry's recent texts (newest last).
func scanStart(hist []keyState, text string, at time.Time) (before string, start, tail int) {
	prev := ""
	if len(hist) > 0 {
		prev = hist[len(hist)-1].text
	}
	p, sfx := textDiff(prev, text)
	if text[p:len(text)-sfx] != "|" {
		return prev, p, sfx // pasted at once
	}
	start, cur := p, len(hist)-1
	for k := 0; k < 12 && cur >= 1; k++ {
		a, b := hist[cur-1], hist[cur]
		i := start - 1 // the digit typed just before must sit right before the payload's rest
		if at.Sub(b.at) > scanBurst || i < 0 || i >= len(b.text) || len(b.text) != len(a.text)+1 ||
			b.text[i] < '0' || b.text[i] > '9' || b.text[:i]+b.text[i+1:] != a.text {
			break
		}
		start, at, cur = i, b.at, cur-1
	}
	before = hist[cur].text
	return before, start, len(before) - start
}

// watchScans makes an entry recognise a scanned ID-card payload (typed by a USB scanner,
// then Enter): the entry gets back what it had and onCard gets the payload. Otherwise
// onEdit follows the keystrokes (not those of a scan) and Enter runs onEnter.
func watchScans(e *widget.Entry, clock func() time.Time, onEdit, onEnter func(), onCard func(payload string)) {
	w := newScanWatch(e.Text, clock)
	e.OnChanged = func(text string) {
		w.changed(text)
		if onEdit != nil && !w.scanning { // the rest of a scan is not an answer
			onEdit()
		}
	}
	e.OnSubmitted = func(text string) {
		if citizen.LooksLikeCardScan(text) {
			before, payload := w.split(text)
			e.SetText(before)
			onCard(payload)
			return
		}
		if onEnter != nil {
			onEnter()
		}
	}
}

// readCard reads a scanned ID-card payload (the card's validity is judged on the app's clock).
func (u *UI) readCard(payload string) (citizen.CardQR, error) {
	return citizen.ParseCardQR(payload, u.now())
}
