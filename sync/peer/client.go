package peer

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	gosync "sync"
	"time"

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
	Reachable bool // a TLS connection was made
	InStep    bool // everything the peer holds for this unit is here
	Err       error
}

// maxPages bounds one exchange: a peer that says "more" for ever is cut off.
const maxPages = 10000

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
	dialer := &tls.Dialer{NetDialer: &net.Dialer{Timeout: 5 * time.Second}, Config: cfg}
	hctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	first, err := dialer.DialContext(hctx, "tcp", addr)
	cancel()
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

	key := localdb.PeerCursorKey(who.Device)
	cursor, err := n.store.SyncValue(ctx, key)
	if err != nil {
		res.Err = err
		return res
	}
	resynced := false
	for page := 0; ; page++ {
		if page >= maxPages {
			res.Err = fmt.Errorf("Máy ngang hàng %s gửi quá nhiều trang dữ liệu; dừng lại, sẽ thử lại sau.", addr)
			return res
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
			res.Err = err
			return res
		}
		if err := n.apply(ctx, key, cursor, cr, &res); err != nil {
			res.Err = err
			return res
		}
		if !cr.More {
			res.InStep = true
			return res
		}
		if cr.Cursor == cursor {
			res.Err = fmt.Errorf("Máy ngang hàng %s báo còn dữ liệu nhưng không gửi thêm; sẽ thử lại.", addr)
			return res
		}
		cursor = cr.Cursor
	}
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
	resp, err := hc.Do(req)
	if err != nil {
		return 0, dialError(addr, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxReplyBytes+1))
	garbage := fmt.Errorf("Máy ngang hàng %s trả lời sai giao thức hoặc dữ liệu hỏng; không áp dụng gì.", addr)
	if err != nil {
		return resp.StatusCode, fmt.Errorf("Mất kết nối với máy ngang hàng %s giữa chừng; sẽ thử lại.", addr)
	}
	if len(body) > MaxReplyBytes || resp.Header.Get(api.Header) != api.HeaderValue {
		return resp.StatusCode, garbage
	}
	if resp.StatusCode != http.StatusOK {
		var er api.ErrorResponse
		if json.Unmarshal(body, &er) != nil || er.Error.Message == "" {
			return resp.StatusCode, garbage
		}
		if resp.StatusCode == http.StatusForbidden {
			return resp.StatusCode, refused("Máy ngang hàng %s từ chối máy này: %s", addr, er.Error.Message)
		}
		return resp.StatusCode, fmt.Errorf("Máy ngang hàng %s: %s", addr, er.Error.Message)
	}
	if err := json.Unmarshal(body, out); err != nil || (len(out.Events) > 0 && out.Cursor == "") || len(out.Events) > MaxPage ||
		len(out.Cursor) > maxCursorBytes || (out.More && len(out.Events) == 0) {
		return resp.StatusCode, garbage
	}
	return resp.StatusCode, nil
}

// apply screens a page exactly like a pulled one and stores what holds, with the cursor,
// through the pull's own path. The asker's own events are dropped first: they are the
// asker's to push, and a well-behaved peer never serves them.
func (n *Node) apply(ctx context.Context, cursorKey, cursor string, cr api.ChangesResponse, res *Result) error {
	if len(cr.Events) == 0 && cr.Cursor == cursor {
		return nil // nothing new: no write (a round every few seconds must not fsync for nothing)
	}
	me := n.store.Config()
	evs := cr.Events[:0:0]
	for _, e := range cr.Events {
		if e.Device != me.DeviceID {
			evs = append(evs, e)
		}
	}
	good, bad, err := appsync.Screen(ctx, n.store, evs, appsync.ScreenOptions{Now: n.opt.Now(), Unit: me.UnitCode, Logger: n.log,
		FetchKeys: func(ctx context.Context) error {
			// A device enrolled since the last roster: ask the city, briefly and only if it
			// answers. Without its key the event is refused and kept aside until the city
			// brings it.
			kctx, cancel := context.WithTimeout(ctx, 3*time.Second)
			defer cancel()
			if err := appsync.RefreshKeys(kctx, n.store, n.opt.CityClient); err != nil {
				n.log.Debug("peer: keys not refreshed", "err", err)
			}
			return nil
		}})
	if err != nil {
		return err
	}
	for i := range bad {
		bad[i].Reason = "Nhận từ máy ngang hàng " + res.Addr + ": " + bad[i].Reason
	}
	got, err := n.store.ApplyPulled(ctx, good, bad, cursorKey, cr.Cursor)
	if err != nil {
		return fmt.Errorf("Không lưu được dữ liệu nhận từ máy ngang hàng: %w", err)
	}
	res.Received += got
	res.Refused += len(bad)
	return nil
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
		return fmt.Errorf("Không kết nối được với máy ngang hàng %s (hết thời gian chờ).", addr)
	}
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Op == "dial" {
		return fmt.Errorf("Không kết nối được với máy ngang hàng %s (máy tắt, sai địa chỉ hoặc bị tường lửa chặn).", addr)
	}
	return fmt.Errorf("Không thiết lập được kết nối an toàn với máy ngang hàng %s: %v", addr, err)
}
