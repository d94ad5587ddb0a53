package peer

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	gosync "sync"
	"time"
	"unicode"
	"unicode/utf8"

	"motcua/domain"
	"motcua/localdb"
	appsync "motcua/sync"
	"motcua/sync/api"
)

// Result is what one exchange with one peer did.
type Result struct {
	Addr      string
	Device    string // the device that answered, by its key in the roster
	Name      string
	Received  int  // new events stored
	Refused   int  // events refused (kept aside, never applied)
	Offered   int  // events of this store sent to the peer
	Reachable bool // a TLS connection was made
	InStep    bool // everything the peer holds for this unit is here, and it took ours
	Self      bool // the address reaches this workstation itself: skipped, not a failure
	Err       error
}

const (
	// maxPages bounds one exchange: a peer that says "more" for ever is cut off.
	maxPages = 10000
	// maxRefusedKept bounds the refused events kept aside from one peer in one exchange
	// (and from one offer served): a peer in the roster that turns hostile cannot fill the
	// table. The exchange stops at the first page with a refused event anyway.
	maxRefusedKept = 100
	// maxServedIDs bounds the ids kept of what a peer served in one exchange, so as not to
	// offer them back to it (about 10 MB at most; beyond it they are offered, and the peer
	// deduplicates them).
	maxServedIDs = 100_000
	// maxOfferPages bounds what one exchange offers a peer; the rest goes next round.
	maxOfferPages = 20
	// dialTimeout and handshakeTimeout bound reaching a peer: on a LAN a handshake takes
	// milliseconds, and a host that accepts and never answers must not hold a round.
	dialTimeout      = 3 * time.Second
	handshakeTimeout = 5 * time.Second
)

// exchange takes from the peer at addr every event of the unit it holds that this store
// lacks, page by page, each page and the cursor after it in one transaction. The peer is
// identified by the TLS handshake before anything is asked: the cursor kept is per device,
// wherever it answers from.
func (n *Node) exchange(ctx context.Context, addr string) Result {
	res := Result{Addr: addr}
	cert, err := n.certificate()
	if err != nil {
		res.Err = err
		return res
	}
	var mu gosync.Mutex
	var who domain.RosterDevice
	cfg := tlsConfig(cert)
	cfg.ClientAuth = tls.NoClientCert
	cfg.VerifyConnection = func(cs tls.ConnectionState) error {
		d, err := identify(ctx, n.store, cs.PeerCertificates)
		if err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		if who.Device != "" && who.Device != d.Device {
			return refused("Địa chỉ %s đổi sang một máy khác giữa chừng; dừng lại.", addr)
		}
		who = d
		return nil
	}
	dialer := &tls.Dialer{NetDialer: &net.Dialer{Timeout: dialTimeout}, Config: cfg}
	hctx, cancel := context.WithTimeout(ctx, handshakeTimeout)
	first, err := dialer.DialContext(hctx, "tcp", addr)
	cancel()
	if errors.Is(err, errSelf) {
		res.Self, res.Device = true, n.store.Config().DeviceID
		return res
	}
	if err != nil {
		res.Err = dialError(addr, err)
		res.Reachable = !unreachable(err)
		return res
	}
	res.Reachable, res.Device, res.Name = true, who.Device, who.Name
	tr := &http.Transport{
		DialTLSContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			mu.Lock()
			c := first
			first = nil
			mu.Unlock()
			if c != nil {
				return c, nil
			}
			return dialer.DialContext(ctx, network, addr)
		},
		ResponseHeaderTimeout:  n.opt.RequestTimeout,
		MaxResponseHeaderBytes: maxHeaderBytes,
		// Peers speak plain JSON. Without this Go's client asks for gzip and inflates what
		// comes, so a peer's corrupt gzip read as a lost connection ("try again") instead
		// of garbage, and a small bomb cost inflating up to the reply cap.
		DisableCompression: true,
	}
	defer tr.CloseIdleConnections()
	defer func() {
		mu.Lock()
		if first != nil {
			first.Close()
		}
		mu.Unlock()
	}()
	hc := &http.Client{Transport: tr, Timeout: n.opt.RequestTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	// The ids the peer served in this exchange: it holds them, so they are not offered back.
	served := map[string]struct{}{}
	if err := n.pull(ctx, hc, addr, who.Device, served, &res); err != nil {
		res.Err = err
		return res
	}
	if err := n.offer(ctx, hc, addr, who.Device, served, &res); err != nil {
		res.Err = err
		return res
	}
	res.InStep = true
	return res
}

// pull takes every event of the unit the peer holds that this store lacks, page by page,
// each page and the cursor after it in one transaction.
func (n *Node) pull(ctx context.Context, hc *http.Client, addr, device string, served map[string]struct{}, res *Result) error {
	key := localdb.PeerCursorKey(device)
	cursor, err := n.store.SyncValue(ctx, key)
	if err != nil {
		return err
	}
	resynced := false
	for page := 0; ; page++ {
		if page >= maxPages {
			return staffErrorf("Máy ngang hàng %s gửi quá nhiều trang dữ liệu; dừng lại, sẽ thử lại sau.", addr)
		}
		var cr api.ChangesResponse
		status, err := n.get(ctx, hc, addr, cursor, &cr)
		if status == http.StatusGone && !resynced {
			n.log.Info("peer: cursor unknown there; reading from the start", "peer", addr)
			resynced, cursor = true, ""
			page--
			continue
		}
		if err != nil {
			return err
		}
		bad, err := n.apply(ctx, key, cursor, cr, res)
		if err != nil {
			return err
		}
		for _, e := range cr.Events {
			if len(served) >= maxServedIDs {
				break // past the bound they are offered back: deduplicated there, never lost
			}
			served[e.ID] = struct{}{}
		}
		if bad > 0 {
			// A peer that sends events that do not hold is not trusted further this round.
			return staffErrorf("Máy ngang hàng %s gửi %d sự kiện không tin được; ngừng trao đổi với máy này trong lượt này.", addr, bad)
		}
		if !cr.More {
			return nil
		}
		if cr.Cursor == cursor {
			return staffErrorf("Máy ngang hàng %s báo còn dữ liệu nhưng không gửi thêm; sẽ thử lại.", addr)
		}
		cursor = cr.Cursor
	}
}

// offer sends the peer, in bounded batches, the unit's events this store holds that it has
// not sent there yet (its own and those it learned; never the peer's own): a counter that
// only runs `sync --once`, and serves nothing, still shares its dossiers. The peer screens
// them like pulled ones. The cursor into this store is kept per peer device.
func (n *Node) offer(ctx context.Context, hc *http.Client, addr, device string, served map[string]struct{}, res *Result) error {
	key := localdb.PeerOfferedKey(device)
	cursor, err := n.store.SyncValue(ctx, key)
	if err != nil {
		return err
	}
	for range maxOfferPages {
		page, err := n.store.PeerChanges(ctx, cursor, device, n.opt.PageLimit, MaxPageBytes)
		if errors.Is(err, localdb.ErrPeerCursor) {
			// This store was restored since: offer everything again (the peer deduplicates).
			cursor = ""
			page, err = n.store.PeerChanges(ctx, cursor, device, n.opt.PageLimit, MaxPageBytes)
		}
		if err != nil {
			return err
		}
		if len(page.Events) == 0 {
			return nil
		}
		// Not what the peer itself served in this exchange (the events it relayed from the
		// others and the city): it holds them. Only a page with something left is sent.
		evs := page.Events[:0:0]
		for _, e := range page.Events {
			if _, ok := served[e.ID]; !ok {
				evs = append(evs, e)
			}
		}
		if len(evs) > 0 {
			var or OfferResponse
			if err := n.post(ctx, hc, addr, evs, &or); err != nil {
				return err
			}
		}
		res.Offered += len(evs)
		if err := n.store.SetSyncValue(ctx, key, page.Cursor); err != nil {
			return err
		}
		cursor = page.Cursor
		if !page.More {
			return nil
		}
	}
	return staffErrorf("Còn sự kiện chưa gửi cho máy ngang hàng %s; sẽ gửi tiếp ở lượt sau.", addr)
}

// get asks for one page. It returns the HTTP status (0 without an answer) and an error in
// plain Vietnamese for anything but a well-formed page.
func (n *Node) get(ctx context.Context, hc *http.Client, addr, cursor string, out *api.ChangesResponse) (int, error) {
	u := url.URL{Scheme: "https", Host: addr, Path: ChangesPath,
		RawQuery: url.Values{"since": {cursor}, "limit": {strconv.Itoa(n.opt.PageLimit)}}.Encode()}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return 0, err
	}
	status, body, err := n.do(hc, req, addr)
	if err != nil {
		return status, err
	}
	garbage := staffErrorf("Máy ngang hàng %s trả lời sai giao thức hoặc dữ liệu hỏng; không áp dụng gì.", addr)
	if err := json.Unmarshal(body, out); err != nil || (len(out.Events) > 0 && out.Cursor == "") || len(out.Events) > MaxPage ||
		len(out.Cursor) > maxCursorBytes || (out.More && len(out.Events) == 0) {
		return status, garbage
	}
	return status, nil
}

// post offers events to the peer.
func (n *Node) post(ctx context.Context, hc *http.Client, addr string, evs []domain.Event, out *OfferResponse) error {
	body, err := json.Marshal(OfferRequest{Events: evs})
	if err != nil {
		return err
	}
	u := url.URL{Scheme: "https", Host: addr, Path: EventsPath}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	_, reply, err := n.do(hc, req, addr)
	if err != nil {
		return err
	}
	if json.Unmarshal(reply, out) != nil || out.Received < 0 || out.Refused < 0 {
		return staffErrorf("Máy ngang hàng %s trả lời sai giao thức khi nhận sự kiện của máy này; sẽ thử lại.", addr)
	}
	return nil
}

// do makes one call and returns the status and the body of a 200 answer, or an error in
// plain Vietnamese (the peer's own words, sanitised and shortened, for a refusal).
func (n *Node) do(hc *http.Client, req *http.Request, addr string) (int, []byte, error) {
	resp, err := hc.Do(req)
	if err != nil {
		return 0, nil, dialError(addr, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxReplyBytes+1))
	garbage := staffErrorf("Máy ngang hàng %s trả lời sai giao thức hoặc dữ liệu hỏng; không áp dụng gì.", addr)
	if err != nil {
		return resp.StatusCode, nil, staffErrorf("Mất kết nối với máy ngang hàng %s giữa chừng; sẽ thử lại.", addr)
	}
	if len(body) > MaxReplyBytes || resp.Header.Get(api.Header) != api.HeaderValue {
		return resp.StatusCode, nil, garbage
	}
	if resp.StatusCode != http.StatusOK {
		var er api.ErrorResponse
		msg := ""
		if json.Unmarshal(body, &er) == nil {
			msg = Sanitise(er.Error.Message, maxPeerText)
		}
		if msg == "" {
			return resp.StatusCode, nil, garbage
		}
		if resp.StatusCode == http.StatusForbidden {
			return resp.StatusCode, nil, refused("Máy ngang hàng %s từ chối máy này: %s", addr, msg)
		}
		return resp.StatusCode, nil, staffErrorf("Máy ngang hàng %s: %s", addr, msg)
	}
	return resp.StatusCode, body, nil
}

// maxPeerText bounds the words of a peer shown or stored here (room for the longest refusal
// a peer of this version words, which says what its staff can do).
const maxPeerText = 240

// Sanitise makes text from elsewhere (a peer's error message) fit to show and store: one
// line, no markup or control characters, at most max characters.
func Sanitise(s string, max int) string {
	var b strings.Builder
	inTag, space, n := false, false, 0
	for _, r := range s {
		switch {
		case r == '<':
			inTag = true
			continue
		case r == '>' && inTag:
			inTag = false
			continue
		case inTag:
			continue
		case unicode.IsSpace(r) || unicode.IsControl(r) || r == utf8.RuneError:
			space = b.Len() > 0
			continue
		case !unicode.IsPrint(r):
			continue
		}
		if space {
			b.WriteByte(' ')
			n++
			space = false
		}
		if n >= max {
			return strings.TrimSpace(b.String()) + "…"
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// apply screens a page exactly like a pulled one and stores what holds, with the cursor,
// through the pull's own path. The asker's own events are dropped first: they are the
// asker's to push, and a well-behaved peer never serves them.
func (n *Node) apply(ctx context.Context, cursorKey, cursor string, cr api.ChangesResponse, res *Result) (int, error) {
	if len(cr.Events) == 0 && cr.Cursor == cursor {
		return 0, nil // nothing new: no write (a round every few seconds must not fsync for nothing)
	}
	got, kept, bad, err := screenAndApply(ctx, n.store, n.log, n.opt.Now(), n.opt.CityClient, n.opt.OnApplied, cr.Events,
		"Nhận từ máy ngang hàng "+res.Addr+": ", maxRefusedKept-res.Refused, cursorKey, cr.Cursor)
	if err != nil {
		return bad, err
	}
	res.Received += got
	res.Refused += kept
	return bad, nil
}

// screenAndApply screens events received from a peer (pulled, or offered to this one's
// server) exactly like pulled ones, and stores what holds through the pull's own path —
// never into the outbox. The receiver's own events are dropped first: they are its own to
// push. At most keep refused events are kept aside. It returns the events stored, the
// refused ones kept aside, and how many were refused in all. When something new was stored,
// applied (if set) is told the events that held.
func screenAndApply(ctx context.Context, store *localdb.Store, log *slog.Logger, now time.Time, city *http.Client,
	applied func([]domain.Event), in []domain.Event, why string, keep int, cursorKey, cursor string) (got, kept, bad int, err error) {
	me := store.Config()
	evs := in[:0:0]
	for _, e := range in {
		if e.Device != me.DeviceID {
			evs = append(evs, e)
		}
	}
	good, refused, err := appsync.Screen(ctx, store, evs, appsync.ScreenOptions{Now: now, Unit: me.UnitCode, Logger: log,
		FetchKeys: func(ctx context.Context) error {
			// A device enrolled since the last roster: ask the city, briefly and only if it
			// answers. Without its key the event is refused and kept aside until the city
			// brings it.
			kctx, cancel := context.WithTimeout(ctx, 3*time.Second)
			defer cancel()
			if err := appsync.RefreshKeys(kctx, store, city); err != nil {
				log.Debug("peer: keys not refreshed", "err", err)
			}
			return nil
		}})
	if err != nil {
		return 0, 0, 0, err
	}
	bad = len(refused)
	refused = refused[:min(len(refused), max(keep, 0))]
	for i := range refused {
		refused[i].Reason = why + refused[i].Reason
	}
	got, kept, err = store.ApplyPulledKept(ctx, good, refused, cursorKey, cursor)
	if err != nil {
		return 0, 0, bad, &appsync.Error{Class: appsync.ClassLocal, Op: "peer", Msg: "Không lưu được dữ liệu nhận từ máy ngang hàng", Err: err}
	}
	if got > 0 && applied != nil {
		applied(good)
	}
	return got, kept, bad, nil
}

// unreachable reports whether err means nothing answered at the address (as opposed to
// something that answered and could not be trusted or understood).
func unreachable(err error) bool {
	var re *RefusedError
	if errors.As(err, &re) {
		return false
	}
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Op == "dial" {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// dialError says in words why a peer could not be reached or was refused.
func dialError(addr string, err error) error {
	var re *RefusedError
	if errors.As(err, &re) {
		return err
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return staffErrorf("Không kết nối được với máy ngang hàng %s (hết thời gian chờ).", addr)
	}
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Op == "dial" {
		return staffErrorf("Không kết nối được với máy ngang hàng %s (máy tắt, sai địa chỉ hoặc bị tường lửa chặn).", addr)
	}
	var rh tls.RecordHeaderError
	if errors.As(err, &rh) {
		return staffErrorf("Địa chỉ %s không phải máy ngang hàng motcua (không trả lời bằng kết nối mã hóa); kiểm tra lại địa chỉ và cổng.", addr)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return staffErrorf("Địa chỉ %s đóng kết nối ngay; có thể không phải máy ngang hàng motcua, kiểm tra lại địa chỉ và cổng.", addr)
	}
	return staffErrorf("Không thiết lập được kết nối an toàn với máy ngang hàng %s; kiểm tra lại địa chỉ và cổng.", addr)
}
