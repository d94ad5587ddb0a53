package sync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"

	"motcua/domain"
	"motcua/sync/api"
)

// client is one server's API with one device token. Retrying is the engine's job (its own
// loop, with backoff that honours Retry-After), so resty's retry stays off.
type client struct {
	r       *resty.Client
	base    *url.URL
	token   string
	timeout time.Duration
	link    *link // what the engine learns of the server and the link (nil: nothing kept)
}

// defaultHTTPClient is shared by every engine without its own: connection reuse matters
// when batches are pipelined.
var defaultHTTPClient = &http.Client{Transport: &http.Transport{
	Proxy:                 http.ProxyFromEnvironment,
	DialContext:           (&net.Dialer{Timeout: 15 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
	MaxIdleConns:          32,
	MaxIdleConnsPerHost:   16,
	IdleConnTimeout:       90 * time.Second,
	TLSHandshakeTimeout:   15 * time.Second,
	ExpectContinueTimeout: time.Second,
	ForceAttemptHTTP2:     true,
}}

// NormaliseServerURL accepts "host:port" or a URL and returns the URL without a trailing
// slash or the API prefix. Without a scheme it means https://, except for this machine
// (loopback), where it means http://. Plain http:// to another machine carries every
// dossier readable, and lets whoever sits on the path change what the counters pull: it is
// refused unless allowPlainHTTP says an administrator chose it.
func NormaliseServerURL(s string, allowPlainHTTP bool) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", &Error{Class: ClassInvalid, Op: "enroll", Msg: "Vui lòng nhập địa chỉ máy chủ của thành phố."}
	}
	typed := s
	if !strings.Contains(s, "://") {
		s = "https://" + s
		if u, err := url.Parse(s); err == nil && isLoopback(u.Hostname()) {
			s = "http://" + typed
		}
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", &Error{Class: ClassInvalid, Op: "enroll", Msg: fmt.Sprintf("Địa chỉ máy chủ %q không hợp lệ (ví dụ: https://dongbo.haiphong.gov.vn).", typed)}
	}
	u.Path = strings.TrimSuffix(strings.TrimRight(u.Path, "/"), api.Prefix)
	u.RawQuery, u.Fragment = "", ""
	out := strings.TrimRight(u.String(), "/")
	if PlainHTTPRemote(out) && !allowPlainHTTP {
		return "", &Error{Class: ClassInvalid, Op: "enroll", Msg: fmt.Sprintf("Địa chỉ %s dùng http không mã hóa tới một máy khác: "+
			"hồ sơ đi qua mạng ở dạng đọc được và có thể bị sửa dọc đường. Hãy dùng https://; nếu quản trị hệ thống chấp nhận "+
			"mạng nội bộ này, hãy đánh dấu «Cho phép kết nối không mã hóa (http)» (lệnh: motcua enroll --allow-http).", out)}
	}
	return out, nil
}

// PlainHTTPRemote reports whether a server URL is plain http:// to another machine than
// this one: the sync panel warns while it is.
func PlainHTTPRemote(serverURL string) bool {
	u, err := url.Parse(serverURL)
	return err == nil && strings.EqualFold(u.Scheme, "http") && !isLoopback(u.Hostname())
}

// isLoopback: localhost, 127.0.0.0/8 or ::1 — traffic that never leaves this machine.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Bounds on what the workstation sends and accepts.
const (
	// MaxReplyBytes is the largest reply the workstation reads. The server's pages stop at
	// 4 MiB and one event at 64 KiB; a larger reply is a broken or hostile server, and is
	// not read on into memory.
	MaxReplyBytes = 16 << 20
	// MaxPushBytes is the largest push body the workstation sends; a batch over it goes in
	// halves. The server takes 8 MiB; an ordinary 1,000-event batch is about 1.5 MB.
	MaxPushBytes = 4 << 20
)

// pushBodyLimit is MaxPushBytes (tests lower it).
var pushBodyLimit = MaxPushBytes

func newClient(hc *http.Client, serverURL, token string, timeout time.Duration) (*client, error) {
	if hc == nil {
		hc = defaultHTTPClient
	}
	base, err := url.Parse(serverURL)
	if err != nil {
		return nil, &Error{Class: ClassInvalid, Msg: fmt.Sprintf("Địa chỉ máy chủ %q không hợp lệ.", serverURL), Err: err}
	}
	r := resty.NewWithClient(hc).SetRetryCount(0).SetDisableWarn(true).SetResponseBodyLimit(MaxReplyBytes).
		SetHeader("User-Agent", "motcua-sync/1").SetHeader("Accept", "application/json")
	if token != "" {
		r.SetAuthToken(token)
	}
	if timeout <= 0 {
		timeout = time.Minute
	}
	return &client{r: r, base: base, token: token, timeout: timeout}, nil
}

// url resolves an API path ("/events", "/changes?after=…"), a path that already carries
// the prefix (a relative tus Location) or an absolute URL (tusd's Location).
func (c *client) url(path string) string {
	if strings.Contains(path, "://") {
		return path
	}
	if !strings.HasPrefix(path, api.Prefix) {
		path = api.Prefix + path
	}
	return strings.TrimRight(c.base.String(), "/") + path
}

// reply is a classified success: a 2xx or 304 carrying the API header.
type reply struct {
	status   int
	header   http.Header
	body     []byte
	sent     time.Time
	received time.Time
}

// call performs one request and classifies the answer. Anything but a genuine 2xx/304 of
// this API comes back as *Error (or the context's error when the caller cancelled).
func (c *client) call(ctx context.Context, op, method, path string, body []byte, header map[string]string) (*reply, error) {
	rctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req := c.r.R().SetContext(rctx)
	for k, v := range header {
		if v != "" {
			req.SetHeader(k, v)
		}
	}
	if body != nil {
		if _, ok := header["Content-Type"]; !ok {
			req.SetHeader("Content-Type", "application/json")
		}
		req.SetBody(body)
	}
	sent := time.Now()
	resp, err := req.Execute(method, c.url(path))
	received := time.Now()
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err() // cancelled by the caller: not a failure
		}
		if errors.Is(err, resty.ErrResponseBodyTooLarge) {
			return nil, &Error{Class: ClassServer, Op: op, Err: err, Msg: fmt.Sprintf("Máy chủ trả lời quá lớn (hơn %s); máy trạm không nhận, sẽ thử lại sau",
				domain.FormatBytes(MaxReplyBytes))}
		}
		return nil, networkError(op, err)
	}
	status := resp.StatusCode()
	if resp.Header().Get(api.Header) != api.HeaderValue {
		// Not our server: a captive portal, a proxy's error page, a misconfigured URL.
		if status >= 500 {
			return nil, serverError(op, status, "")
		}
		return nil, &Error{Class: ClassNetwork, Op: op, Status: status, Msg: MsgCaptive}
	}
	msg := serverMessage(resp.Body())
	switch {
	case status >= 200 && status < 300, status == http.StatusNotModified:
		if c.link != nil {
			c.link.learn(c.base.String(), resp.Header().Get(api.HeaderAccept))
			if len(body) < 4<<10 && len(resp.Body()) < 4<<10 {
				c.link.observeRTT(received.Sub(sent))
			}
		}
		return &reply{status: status, header: resp.Header(), body: resp.Body(), sent: sent, received: received}, nil
	case status == http.StatusUnauthorized:
		return nil, &Error{Class: ClassAuth, Op: op, Status: status, Msg: MsgAuth}
	case status == http.StatusGone:
		return nil, &Error{Class: ClassGone, Op: op, Status: status, Msg: "Máy chủ yêu cầu đồng bộ lại từ đầu" + suffix(msg)}
	case status == http.StatusTooManyRequests:
		ra := retryAfter(resp.Header().Get("Retry-After"), received)
		return nil, &Error{Class: ClassServer, Op: op, Status: status, RetryAfter: ra,
			Msg: fmt.Sprintf("Máy chủ đang quá tải; sẽ thử lại sau %s", plainDuration(ra))}
	case status == http.StatusRequestTimeout || status >= 500:
		return nil, serverError(op, status, msg)
	default:
		if msg == "" {
			msg = http.StatusText(status)
		}
		return nil, &Error{Class: ClassInvalid, Op: op, Status: status, Msg: "Máy chủ từ chối yêu cầu: " + msg}
	}
}

func suffix(msg string) string {
	if msg == "" {
		return ""
	}
	return ": " + msg
}

func serverMessage(body []byte) string {
	var er api.ErrorResponse
	if json.Unmarshal(body, &er) == nil {
		return er.Error.Message
	}
	return ""
}

// retryAfter parses Retry-After: seconds or an HTTP date. Missing or bad: 0.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

func plainDuration(d time.Duration) string {
	switch {
	case d < time.Second:
		return "giây lát"
	case d < time.Minute:
		return fmt.Sprintf("%d giây", int(d.Round(time.Second)/time.Second))
	default:
		return fmt.Sprintf("%d phút", int(d.Round(time.Minute)/time.Minute))
	}
}

// decode parses a success body; a body that does not parse is a network failure (a
// truncated or garbled reply), never a success.
func decode(op string, r *reply, v any) error {
	if err := json.Unmarshal(r.body, v); err != nil {
		return &Error{Class: ClassNetwork, Op: op, Status: r.status, Msg: MsgBadReply, Err: err}
	}
	return nil
}

// isClass reports whether err is a sync error of class c.
func isClass(err error, c Class) bool {
	var se *Error
	return errors.As(err, &se) && se.Class == c
}
