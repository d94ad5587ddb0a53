package peer

import (
	"cmp"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	gosync "sync"
	"time"

	"motcua/domain"
	"motcua/localdb"
	"motcua/sync/api"
)

// The peer protocol: one call, authenticated both ways by TLS.
//
//	GET  /peer/v1/changes?since=CURSOR&limit=N → api.ChangesResponse
//	POST /peer/v1/events  OfferRequest → OfferResponse
//
// The cursor is the serving store's own (localdb.PeerChanges); 410 means it is not known
// there (the peer's data was restored or replaced): start again from "" — events are
// deduplicated by id, so reading again costs time, never data.
const ChangesPath = "/peer/v1/changes"

// EventsPath is where a peer offers this workstation the unit's events it holds (a counter
// that does not serve pushes its dossiers this way). They are screened exactly like pulled
// ones and stored through the same path, never into the outbox.
const EventsPath = "/peer/v1/events"

// OfferRequest is the body of POST EventsPath: at most MaxPage events.
type OfferRequest struct {
	Events []domain.Event `json:"events"`
}

// OfferResponse says what the server did with an offer.
type OfferResponse struct {
	Received int `json:"received"` // new events stored
	Refused  int `json:"refused"`  // events that did not hold (kept aside, up to a bound)
}

// Bounds, in the spirit of the city server's (sync/central/limits.go).
const (
	MaxPage        = 1000     // events per page
	DefaultPage    = 500      // events per page when the asker does not say
	MaxPageBytes   = 4 << 20  // payload bytes per page, about
	MaxOfferBytes  = 16 << 20 // the most read of one offer
	MaxReplyBytes  = 16 << 20 // the most a client reads of one reply
	MaxInFlight    = 8        // requests served at once; more get 429
	maxCursorBytes = 64       // "seq:link-prefix"
	headerTimeout  = 10 * time.Second
	readTimeout    = 30 * time.Second // an offer of a page
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
	city  *http.Client
	slots chan struct{}
	onApp func([]domain.Event) // Options.OnApplied
	apply gosync.Mutex         // one offer stored at a time
}

func newHandler(store *localdb.Store, log *slog.Logger, now func() time.Time, city *http.Client, onApplied func([]domain.Event)) http.Handler {
	h := &handler{store: store, log: log, now: now, city: city, slots: make(chan struct{}, MaxInFlight), onApp: onApplied}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+ChangesPath, h.changes)
	mux.HandleFunc("POST "+EventsPath, h.events)
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
				msg := cmp.Or(re.ToPeer, re.Msg)
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

// events takes the unit's events a peer offers, screened like pulled ones.
func (h *handler) events(w http.ResponseWriter, r *http.Request) {
	var req OfferRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxOfferBytes))
	if err := dec.Decode(&req); err != nil || len(req.Events) > MaxPage {
		h.fail(w, http.StatusBadRequest, "body", "Dữ liệu gửi tới không đúng giao thức hoặc quá lớn; không áp dụng gì.")
		return
	}
	h.apply.Lock()
	defer h.apply.Unlock()
	from := asker(r)
	got, kept, bad, err := screenAndApply(r.Context(), h.store, h.log, h.now(), h.city, h.onApp, req.Events,
		"Máy ngang hàng "+short(from)+" gửi tới: ", maxRefusedKept, "", "")
	if err != nil {
		h.log.Error("peer: offered events", "from", from, "err", err)
		h.fail(w, http.StatusInternalServerError, "internal", "Máy ngang hàng gặp lỗi nội bộ; sẽ thử lại.")
		return
	}
	if bad > 0 {
		h.log.Warn("peer: offered events refused", "from", from, "refused", bad, "kept", kept)
		h.fail(w, http.StatusUnprocessableEntity, "refused_events",
			fmt.Sprintf("Máy này từ chối %d sự kiện không tin được trong số gửi tới (đã cách ly %d).", bad, kept))
		return
	}
	h.write(w, http.StatusOK, OfferResponse{Received: got})
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
		ReadTimeout:       readTimeout,
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
