package peer

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"motcua/domain"
	"motcua/localdb"
	"motcua/sync/api"
)

// The peer protocol: one call, authenticated both ways by TLS.
//
//	GET /peer/v1/changes?since=CURSOR&limit=N → api.ChangesResponse
//
// The cursor is the serving store's own (localdb.PeerChanges); 410 means it is not known
// there (the peer's data was restored or replaced): start again from "" — events are
// deduplicated by id, so reading again costs time, never data.
const ChangesPath = "/peer/v1/changes"

// Bounds, in the spirit of the city server's (sync/central/limits.go).
const (
	MaxPage        = 1000     // events per page
	DefaultPage    = 500      // events per page when the asker does not say
	MaxPageBytes   = 4 << 20  // payload bytes per page, about
	MaxReplyBytes  = 16 << 20 // the most a client reads of one reply
	MaxInFlight    = 8        // requests served at once; more get 429
	maxCursorBytes = 64       // "seq:link-prefix"
	headerTimeout  = 10 * time.Second
	writeTimeout   = 60 * time.Second
	idleTimeout    = 2 * time.Minute
	maxHeaderBytes = 16 << 10
)

// askerKey carries the device admitted by guard to the handlers.
type askerKey struct{}

func asker(r *http.Request) string {
	d, _ := r.Context().Value(askerKey{}).(string)
	return d
}

// handler serves the peer protocol for store.
type handler struct {
	store *localdb.Store
	log   *slog.Logger
	now   func() time.Time
	slots chan struct{}
}

func newHandler(store *localdb.Store, log *slog.Logger, now func() time.Time) http.Handler {
	h := &handler{store: store, log: log, now: now, slots: make(chan struct{}, MaxInFlight)}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+ChangesPath, h.changes)
	return h.guard(mux)
}

// guard bounds the work in flight and admits only the unit's active devices.
func (h *handler) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set(api.Header, api.HeaderValue)
		select {
		case h.slots <- struct{}{}:
			defer func() { <-h.slots }()
		default:
			w.Header().Set("Retry-After", "1")
			h.fail(w, http.StatusTooManyRequests, "busy", "Máy ngang hàng đang bận; sẽ thử lại.")
			return
		}
		if r.TLS == nil {
			h.fail(w, http.StatusForbidden, "tls", "Chỉ nhận kết nối mã hóa có chứng thư của máy trạm.")
			return
		}
		dev, err := identify(r.Context(), h.store, r.TLS.PeerCertificates)
		if err != nil {
			var re *RefusedError
			if errors.As(err, &re) {
				h.log.Warn("peer: refused", "remote", r.RemoteAddr, "reason", re.Msg)
				msg := re.Msg
				if err == errNoRoster {
					msg = "Máy đó chưa có danh sách máy trạm của đơn vị do thành phố cấp; máy đó cần đồng bộ với máy chủ thành phố một lần."
				}
				h.fail(w, http.StatusForbidden, "refused", msg)
				return
			}
			h.log.Error("peer: cannot check a peer", "err", err)
			h.fail(w, http.StatusInternalServerError, "internal", "Máy ngang hàng gặp lỗi nội bộ; sẽ thử lại.")
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), askerKey{}, dev.Device)))
	})
}

func (h *handler) changes(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	since := q.Get("since")
	if len(since) > maxCursorBytes {
		h.fail(w, http.StatusBadRequest, "cursor", "Con trỏ đồng bộ không hợp lệ.")
		return
	}
	limit := DefaultPage
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			h.fail(w, http.StatusBadRequest, "limit", "Số sự kiện mỗi trang không hợp lệ.")
			return
		}
		limit = min(n, MaxPage)
	}
	page, err := h.store.PeerChanges(r.Context(), since, asker(r), limit, MaxPageBytes)
	if errors.Is(err, localdb.ErrPeerCursor) {
		h.fail(w, http.StatusGone, "cursor_gone", "Máy ngang hàng không nhận ra con trỏ đồng bộ; đọc lại từ đầu.")
		return
	}
	if err != nil {
		h.log.Error("peer: changes", "err", err)
		h.fail(w, http.StatusInternalServerError, "internal", "Máy ngang hàng gặp lỗi nội bộ; sẽ thử lại.")
		return
	}
	if page.Events == nil {
		page.Events = []domain.Event{} // never null on the wire
	}
	h.write(w, http.StatusOK, api.ChangesResponse{Events: page.Events, Cursor: page.Cursor, More: page.More, ServerTime: h.now().UTC()})
}

func (h *handler) write(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func (h *handler) fail(w http.ResponseWriter, status int, code, msg string) {
	h.write(w, status, api.ErrorResponse{Error: api.ErrorBody{Code: code, Message: msg}})
}

// newHTTPServer wraps the handler with TLS and the timeouts that keep a slow or hostile
// peer from holding connections.
func newHTTPServer(hd http.Handler, cert tls.Certificate, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           hd,
		TLSConfig:         tlsConfig(cert),
		ReadHeaderTimeout: headerTimeout,
		ReadTimeout:       headerTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelDebug),
	}
}

// listenTLS opens addr and wraps it in the server's TLS configuration.
func listenTLS(addr string, srv *http.Server) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	return tls.NewListener(ln, srv.TLSConfig), nil
}
