package central

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"motcua/domain"
	"motcua/sync/api"
)

// Options configure a Server.
type Options struct {
	Dir        string // the data folder (see Config)
	DB         string // PostgreSQL connection string; empty: SQLite in Dir
	AdminToken string // POST /admin/events; also reads the city's view. Empty: admin calls refused.
	Now        func() time.Time
	NewID      func() string
	Logger     *slog.Logger
	Faults     FaultConfig
	// Latency is added to every reply (a slow link, for demos and benchmarks).
	Latency time.Duration
	// Limits bound bodies, pages, requests in flight and enrollment attempts (zero fields:
	// DefaultLimits). The timeouts among them apply to the http.Server NewHTTPServer builds.
	Limits Limits
	// UploadMaxAge: partial uploads not written to for this long are removed (at start,
	// then periodically). Zero: DefaultUploadMaxAge; negative: never.
	UploadMaxAge time.Duration
}

// Server serves sync protocol v1 over a Central.
type Server struct {
	c      *Central
	admin  string
	log    *slog.Logger
	faults *faults
	mux    *http.ServeMux

	limits           Limits
	slots            chan struct{} // one per request in flight
	perToken         *keyedSlots   // requests in flight per bearer token
	pushSlots        chan struct{} // one per push in flight
	pushPerToken     *keyedSlots   // pushes in flight per bearer token
	tokenless        chan struct{} // one per request without a token (and per enrollment) in flight
	tokenlessPerAddr *keyedSlots   // of them, per client address
	adminSlot        chan struct{} // the admin's own slot when every shared one is taken
	enrolls          *addrLimiter
	mem              *memReturner

	cleanStop, cleanDone chan struct{} // the loop removing abandoned uploads

	mu       sync.Mutex
	observer func(*http.Request)
	latency  time.Duration
}

// Open opens the city's database in opt.Dir and builds the server.
func Open(ctx context.Context, opt Options) (*Server, error) {
	c, err := OpenCentral(ctx, Config{Dir: opt.Dir, DB: opt.DB, Now: opt.Now, NewID: opt.NewID})
	if err != nil {
		return nil, err
	}
	l := opt.Limits.withDefaults()
	s := &Server{c: c, admin: opt.AdminToken, log: opt.Logger, latency: opt.Latency, faults: newFaults(opt.Faults),
		limits: l, slots: make(chan struct{}, l.InFlight), perToken: newKeyedSlots(l.InFlightPerDevice), pushSlots: make(chan struct{}, l.PushInFlight), pushPerToken: newKeyedSlots(l.PushInFlightPerDevice),
		tokenless: make(chan struct{}, l.TokenlessInFlight), tokenlessPerAddr: newKeyedSlots(l.TokenlessPerAddress), adminSlot: make(chan struct{}, 1), enrolls: newAddrLimiter(l.EnrollPerMinute, l.EnrollBurst, l.EnrollAddresses, time.Now),
		mem: &memReturner{after: l.FreeAfter, every: l.FreeEvery}}
	c.pageBytes = l.PageBytes
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if err := s.routes(); err != nil {
		c.Close()
		return nil, err
	}
	if opt.UploadMaxAge == 0 {
		opt.UploadMaxAge = DefaultUploadMaxAge
	}
	if opt.UploadMaxAge > 0 {
		s.cleanUploads(opt.UploadMaxAge)
		s.cleanStop, s.cleanDone = make(chan struct{}), make(chan struct{})
		go s.cleanLoop(opt.UploadMaxAge, s.cleanStop, s.cleanDone)
	}
	return s, nil
}

// Close stops the upload cleaner and closes the database.
func (s *Server) Close() error {
	if s.cleanStop != nil {
		close(s.cleanStop)
		<-s.cleanDone
		s.cleanStop = nil
	}
	return s.c.Close()
}

// Central gives the store and rules behind the server (tests, CLI).
func (s *Server) Central() *Central { return s.c }

// Limits are the limits the server applies (defaults filled in), for NewHTTPServer.
func (s *Server) Limits() Limits { return s.limits }

// Handler is the HTTP handler of the whole API.
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serve) }

// SetObserver registers a function called with every request before it is handled (tests
// count calls and look at headers). It must not read the body.
func (s *Server) SetObserver(f func(*http.Request)) {
	s.mu.Lock()
	s.observer = f
	s.mu.Unlock()
}

// SetLatency changes the delay added to every reply.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	s.latency = d
	s.mu.Unlock()
}

// SetFaults changes fault injection while the server runs.
func (s *Server) SetFaults(cfg FaultConfig) { s.faults.set(cfg) }

func (s *Server) routes() error {
	m := http.NewServeMux()
	p := api.Prefix
	m.HandleFunc("GET "+p+"/ping", s.handlePing)
	m.HandleFunc("POST "+p+"/enroll", s.limitEnroll(capBody(s.limits.EnrollBody, s.handleEnroll)))
	// The token is checked first: a made-up one must not take a push slot (nor wait there
	// for a gzip header that never comes).
	m.HandleFunc("POST "+p+"/events", capBody(s.limits.PushBody, s.device(func(w http.ResponseWriter, r *http.Request, dev Device) {
		s.limitPush(inflate(s.limits.PushBody, func(w http.ResponseWriter, r *http.Request) { s.handlePush(w, r, dev) }))(w, r)
	})))
	m.HandleFunc("GET "+p+"/changes", s.device(s.handleChanges))
	m.HandleFunc("GET "+p+"/catalogue", s.device(s.handleCatalogue))
	m.HandleFunc("GET "+p+"/devices/keys", s.device(s.handleKeys))
	m.HandleFunc("POST "+p+"/devices/key", s.device(s.handleRegisterKey))
	m.HandleFunc("GET "+p+"/devices/head", s.device(s.handleHead))
	m.HandleFunc("GET "+p+"/dossiers/{id}", s.viewer(s.handleDossier))
	m.HandleFunc("GET "+p+"/dossiers", s.viewer(s.handleDossiers))
	m.HandleFunc("GET "+p+"/stats", s.viewer(s.handleStats))
	m.HandleFunc("GET "+p+"/feedback", s.viewer(s.handleFeedback))
	m.HandleFunc("POST "+p+"/admin/events", capBody(s.limits.AdminBody, s.adminOnly(s.handleAdminEvent)))
	m.HandleFunc("POST "+p+"/admin/enroll-codes", capBody(s.limits.EnrollBody, s.adminOnly(s.handleAdminEnrollCode)))
	m.HandleFunc("GET "+p+"/export/dvcqg", s.viewer(s.handleExportPortal))
	files, err := s.newFilesHandler()
	if err != nil {
		return err
	}
	tus := s.device(func(w http.ResponseWriter, r *http.Request, _ Device) { files.ServeHTTP(w, r) })
	m.Handle(p+"/files/", tus)
	m.Handle(p+"/files", tus)
	m.HandleFunc("GET "+p+"/files/{sha}", s.fileDownload(tus)) // GET and HEAD; HEAD goes on to tus
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, http.StatusNotFound, "not_found", "Không có lệnh gọi này trong giao thức đồng bộ v1.")
	})
	s.mux = m
	return nil
}

// serve is the outermost layer: a slot among the requests in flight, latency, then faults,
// then the API header and the routes.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	obs, lat := s.observer, s.latency
	s.mu.Unlock()
	if obs != nil {
		obs(r)
	}
	release, ok := s.admit(w, r)
	if !ok {
		return
	}
	defer release()
	if r.ContentLength != 0 { // a body, or one of unknown length
		body := &countingBody{body: r.Body}
		r.Body = body
		defer func() { s.mem.note(body.n) }()
	}
	if lat > 0 {
		select {
		case <-time.After(lat):
		case <-r.Context().Done():
			return
		}
	}
	f := FaultNone
	if faultable(r) {
		f = s.faults.pick(r)
	}
	switch f {
	case FaultCaptivePortal:
		// A Wi-Fi login page: 200, HTML, and no API header.
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, `<!doctype html><html><body><h1>Đăng nhập Wi-Fi</h1><form>Mật khẩu: <input type=password></form></body></html>`)
		return
	case FaultServerError:
		w.Header().Set(api.Header, api.HeaderValue)
		s.writeError(w, http.StatusServiceUnavailable, "fault", "Máy chủ tạm thời gián đoạn (lỗi giả lập).")
		return
	case FaultTooMany:
		w.Header().Set(api.Header, api.HeaderValue)
		w.Header().Set("Retry-After", strconv.Itoa(int(s.faults.retryAfter()/time.Second)))
		s.writeError(w, http.StatusTooManyRequests, "rate_limited", "Máy chủ đang quá tải; hãy thử lại sau.")
		return
	case FaultSlow:
		// Handle the call, then hold the reply back. (Waiting before reading the body would
		// not notice a client that gives up: net/http watches the connection only after.)
		rec := &bufferedWriter{under: w, header: http.Header{}, status: http.StatusOK}
		rec.header.Set(api.Header, api.HeaderValue)
		s.mux.ServeHTTP(rec, r)
		select {
		case <-time.After(s.faults.slow()):
		case <-r.Context().Done():
			dropConnection(w)
			return
		}
		for k, v := range rec.header {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.status)
		w.Write(rec.body)
		return
	case FaultLostReply, FaultTruncated:
		// Handle the call for real (the commit happens), then break the reply.
		rec := &bufferedWriter{under: w, header: http.Header{}, status: http.StatusOK}
		rec.header.Set(api.Header, api.HeaderValue)
		s.mux.ServeHTTP(rec, r)
		if f == FaultTruncated && len(rec.body) > 1 {
			for k, v := range rec.header {
				w.Header()[k] = v
			}
			w.Header().Set("Content-Length", strconv.Itoa(len(rec.body)))
			w.WriteHeader(rec.status)
			w.Write(rec.body[:len(rec.body)/2])
			if fl, ok := w.(http.Flusher); ok {
				fl.Flush()
			}
		}
		dropConnection(w)
		return
	}
	w.Header().Set(api.Header, api.HeaderValue)
	w.Header().Set(api.HeaderAccept, api.AcceptValue)
	s.mux.ServeHTTP(w, r)
}

// dropConnection closes the client's connection without (the rest of) a reply.
func dropConnection(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

// bufferedWriter captures a reply so a fault can decide what reaches the client.
type bufferedWriter struct {
	under  http.ResponseWriter
	header http.Header
	status int
	wrote  bool
	body   []byte
}

func (b *bufferedWriter) Header() http.Header { return b.header }
func (b *bufferedWriter) WriteHeader(code int) {
	if !b.wrote {
		b.status, b.wrote = code, true
	}
}
func (b *bufferedWriter) Write(p []byte) (int, error) {
	b.wrote = true
	b.body = append(b.body, p...)
	return len(p), nil
}

// Unwrap lets http.ResponseController (used by tusd for deadlines) reach the connection.
func (b *bufferedWriter) Unwrap() http.ResponseWriter { return b.under }

func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "Bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// device authenticates a workstation's token.
func (s *Server) device(h func(http.ResponseWriter, *http.Request, Device)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		dev, err := s.c.Authenticate(r.Context(), bearer(r))
		if err != nil {
			if r.ContentLength != 0 {
				// Answered at once, its body unread (see turnAway).
				w.Header().Set("Connection", "close")
			}
			s.fail(w, r, err)
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), deviceKey{}, dev)), dev)
	}
}

func (s *Server) isAdmin(r *http.Request) bool {
	t := bearer(r)
	return s.admin != "" && t != "" && subtle.ConstantTimeCompare([]byte(t), []byte(s.admin)) == 1
}

func (s *Server) adminOnly(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.isAdmin(r) {
			s.writeError(w, http.StatusUnauthorized, "unauthorized", "Cần mã quản trị (admin token) để gọi lệnh này.")
			return
		}
		h(w, r)
	}
}

// viewer admits the admin token (everything) or a device token (its own unit only).
func (s *Server) viewer(h func(http.ResponseWriter, *http.Request, *Device)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.isAdmin(r) {
			h(w, r, nil)
			return
		}
		dev, err := s.c.Authenticate(r.Context(), bearer(r))
		if err != nil {
			s.fail(w, r, err)
			return
		}
		h(w, r, &dev)
	}
}

// writeJSON answers with v and returns the size of the body.
func (s *Server) writeJSON(w http.ResponseWriter, status int, v any) int {
	body, err := json.Marshal(v)
	if err != nil {
		s.writeError(w, http.StatusInternalServerError, "internal", "Lỗi máy chủ.")
		return 0
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
	return len(body)
}

func (s *Server) writeError(w http.ResponseWriter, status int, code, msg string) {
	s.writeJSON(w, status, api.ErrorResponse{Error: api.ErrorBody{Code: code, Message: msg}})
}

// fail maps an error to its HTTP answer.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	msg := err.Error()
	var re *domain.RuleError
	if errors.As(err, &re) {
		msg = re.Msg
	}
	var tooBig *errTooLarge
	switch {
	case errors.As(err, &tooBig):
		s.writeError(w, http.StatusRequestEntityTooLarge, "too_large", msg)
	case errors.Is(err, errSlowBody):
		s.writeError(w, http.StatusRequestTimeout, "timeout", msg)
	case errors.Is(err, errAuth):
		s.writeError(w, http.StatusUnauthorized, "unauthorized", "Thiết bị chưa được cấp quyền hoặc đã bị thu hồi; hãy đăng ký lại.")
	case errors.Is(err, errGone):
		s.writeError(w, http.StatusGone, "cursor_unknown", msg)
	case errors.Is(err, domain.ErrNotFound):
		s.writeError(w, http.StatusNotFound, "not_found", msg)
	case errors.Is(err, domain.ErrDenied):
		s.writeError(w, http.StatusForbidden, "denied", msg)
	case errors.Is(err, domain.ErrConflict):
		s.writeError(w, http.StatusConflict, "conflict", msg)
	case errors.Is(err, domain.ErrInvalid):
		s.writeError(w, http.StatusBadRequest, "invalid", msg)
	case errors.Is(err, context.Canceled):
		// The client went away.
	default:
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		s.writeError(w, http.StatusInternalServerError, "internal", "Lỗi máy chủ: "+msg)
	}
}

func (s *Server) handlePing(w http.ResponseWriter, r *http.Request) {
	s.writeJSON(w, http.StatusOK, api.PingResponse{API: 1, ServerTime: s.c.now().UTC()})
}

// maxBody bounds any request body; each route has its own, smaller cap (Limits).
const maxBody = 64 << 20

func decodeBody(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, maxBody))
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		var inflated *errTooLarge
		switch {
		case errors.As(err, &inflated):
			return inflated
		case errors.As(err, &tooBig):
			return &errTooLarge{limit: tooBig.Limit}
		case errors.Is(err, os.ErrDeadlineExceeded):
			return errSlowBody
		}
		return invalid("Nội dung yêu cầu không phải JSON hợp lệ: " + err.Error())
	}
	return nil
}

func (s *Server) handleEnroll(w http.ResponseWriter, r *http.Request) {
	var req api.EnrollRequest
	if err := decodeBody(r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	resp, err := s.c.Enroll(r.Context(), req)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.log.Info("device enrolled", "device", resp.DeviceID, "unit", resp.UnitCode, "slot", resp.Slot)
	s.writeJSON(w, http.StatusOK, resp)
}

func (s *Server) handlePush(w http.ResponseWriter, r *http.Request, dev Device) {
	var req api.PushRequest
	compact := isCompact(r.Header.Get("Content-Type"))
	if compact {
		// The compact encoding (api.Columns): the same events, written column by column.
		var c api.PushRequestC
		if err := decodeBody(r, &c); err != nil {
			s.fail(w, r, err)
			return
		}
		if c.Events.Len() > api.MaxBatch {
			s.writeError(w, http.StatusRequestEntityTooLarge, "too_many", fmt.Sprintf("Mỗi lần gửi tối đa %d sự kiện.", api.MaxBatch))
			return
		}
		// No more than a plain push could carry: the body limit bounds the payloads too.
		evs, err := c.Events.UnpackMax(int(s.limits.PushBody))
		var big *api.TooLargeError
		if errors.As(err, &big) {
			s.fail(w, r, &errTooLarge{limit: s.limits.PushBody, inflated: true})
			return
		}
		if err != nil {
			s.fail(w, r, invalid("Lô sự kiện gửi lên không hợp lệ: "+err.Error()))
			return
		}
		req = api.PushRequest{Events: evs, Head: c.Head}
	} else if err := decodeBody(r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	if len(req.Events) > api.MaxBatch {
		s.writeError(w, http.StatusRequestEntityTooLarge, "too_many", fmt.Sprintf("Mỗi lần gửi tối đa %d sự kiện.", api.MaxBatch))
		return
	}
	resp, err := s.c.Push(r.Context(), dev, req.Events)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if req.Head != nil {
		// The events are stored already: a head that does not check is left out of the
		// answer (and logged), never a reason to fail the push.
		if h, err := s.c.RecordHead(r.Context(), dev, *req.Head); err != nil {
			s.log.Warn("chain head refused", "device", dev.ID, "err", err)
		} else {
			resp.Head = &h
		}
	}
	if compact {
		resp.Statuses, resp.Results = api.CompactResults(resp.Results)
	}
	s.writeCompressed(w, r, http.StatusOK, resp, "")
}

func (s *Server) handleChanges(w http.ResponseWriter, r *http.Request, dev Device) {
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	resp, err := s.c.ChangesOwn(r.Context(), dev, r.URL.Query().Get("after"), limit, r.URL.Query().Get("own") == "1")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if acceptsType(r.Header.Get("Accept"), api.ContentTypeCompact) {
		s.mem.note(int64(s.writeCompressed(w, r, http.StatusOK, api.ChangesResponseC{Events: api.Pack(resp.Events),
			Cursor: resp.Cursor, More: resp.More, ServerTime: resp.ServerTime}, api.ContentTypeCompact)))
		return
	}
	s.mem.note(int64(s.writeCompressed(w, r, http.StatusOK, resp, "")))
}

func (s *Server) handleCatalogue(w http.ResponseWriter, r *http.Request, _ Device) {
	body, tag, err := s.c.Catalogue(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("ETag", tag)
	w.Header().Set("Cache-Control", "no-cache")
	if inm := r.Header.Get("If-None-Match"); inm != "" && etagMatch(inm, tag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}

func etagMatch(header, tag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == tag || t == "*" {
			return true
		}
	}
	return false
}

func (s *Server) handleDossier(w http.ResponseWriter, r *http.Request, dev *Device) {
	d, err := s.c.Dossier(r.Context(), r.PathValue("id"))
	if err == nil && dev != nil && d.Unit != dev.Unit {
		err = fmt.Errorf("hồ sơ %s: %w", r.PathValue("id"), domain.ErrNotFound)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if r.URL.Query().Get("format") == "dvcqg" {
		s.writeJSON(w, http.StatusOK, Portal(d))
		return
	}
	s.writeJSON(w, http.StatusOK, d)
}

func (s *Server) handleDossiers(w http.ResponseWriter, r *http.Request, dev *Device) {
	q := r.URL.Query()
	f := DossierFilter{Unit: q.Get("unit"), Code: q.Get("code")}
	f.Limit, _ = strconv.Atoi(q.Get("limit"))
	f.Limit = min(f.Limit, s.limits.DossiersLimit) // every dossier listed is folded from its events
	f.Offset, _ = strconv.Atoi(q.Get("offset"))
	if st, err := strconv.Atoi(q.Get("status")); err == nil {
		f.Status = domain.Status(st)
	}
	if dev != nil {
		if f.Unit != "" && f.Unit != dev.Unit {
			s.writeError(w, http.StatusForbidden, "denied", "Máy trạm chỉ xem được hồ sơ của đơn vị mình.")
			return
		}
		f.Unit = dev.Unit
	}
	ds, err := s.c.Dossiers(r.Context(), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if q.Get("format") == "dvcqg" {
		out := make([]PortalDossier, len(ds))
		for i, d := range ds {
			out[i] = Portal(d)
		}
		s.mem.note(int64(s.writeJSON(w, http.StatusOK, out)))
		return
	}
	s.mem.note(int64(s.writeJSON(w, http.StatusOK, ds)))
}

// handleStats shows the admin every unit's figures, and a device its own unit's only.
func (s *Server) handleStats(w http.ResponseWriter, r *http.Request, dev *Device) {
	var st api.StatsResponse
	var err error
	if dev != nil {
		st, err = s.c.UnitStats(r.Context(), dev.Unit)
	} else {
		st, err = s.c.Stats(r.Context())
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, st)
}

// handleAdminEnrollCode issues a one-time enrollment code, as `motcua-central enroll-code`.
func (s *Server) handleAdminEnrollCode(w http.ResponseWriter, r *http.Request) {
	var req api.AdminEnrollCodeRequest
	if err := decodeBody(r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	code, exp, err := s.c.IssueEnrollCode(r.Context(), req.UnitCode, req.UnitName, req.Slot)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.log.Info("enrollment code issued", "unit", strings.ToUpper(strings.TrimSpace(req.UnitCode)), "slot", req.Slot)
	s.writeJSON(w, http.StatusOK, api.AdminEnrollCodeResponse{Code: code, ExpiresAt: exp.UTC()})
}

// handleExportPortal streams, as JSON lines in the national portal's field names, the
// dossiers changed since ?since= (all without it), of ?unit= or the whole city (the admin
// token), or of the device's own unit. X-Motcua-Export-Until is the since of the next call.
func (s *Server) handleExportPortal(w http.ResponseWriter, r *http.Request, dev *Device) {
	q := r.URL.Query()
	since, err := ParseSince(q.Get("since"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f := ExportFilter{Unit: strings.ToUpper(strings.TrimSpace(q.Get("unit"))), Since: since}
	if dev != nil {
		if f.Unit != "" && f.Unit != dev.Unit {
			s.writeError(w, http.StatusForbidden, "denied", "Máy trạm chỉ xem được hồ sơ của đơn vị mình.")
			return
		}
		f.Unit = dev.Unit
	}
	until := s.c.ExportUntil()
	w.Header().Set("Content-Type", "application/x-ndjson; charset=utf-8")
	w.Header().Set("X-Motcua-Export-Until", until.Format(time.RFC3339Nano))
	w.WriteHeader(http.StatusOK)
	// The export may take longer than one write timeout: each chunk written extends it,
	// so only a client that stops reading is cut off.
	out := &deadlineWriter{w: w, rc: http.NewResponseController(w), every: s.limits.WriteTimeout}
	if n, err := s.c.ExportPortal(r.Context(), f, out); err != nil && r.Context().Err() == nil {
		// The status is sent already: the log says why the stream ended early.
		s.log.Error("export failed", "unit", f.Unit, "written", n, "err", err)
	}
}

// deadlineWriter extends the connection's write deadline before each write.
type deadlineWriter struct {
	w     io.Writer
	rc    *http.ResponseController
	every time.Duration
}

func (d *deadlineWriter) Write(p []byte) (int, error) {
	d.rc.SetWriteDeadline(time.Now().Add(d.every))
	n, err := d.w.Write(p)
	if err == nil {
		d.rc.Flush()
	}
	return n, err
}

// AdminEventResponse answers POST /admin/events.
type AdminEventResponse struct {
	Event   domain.Event   `json:"event"`
	Dossier domain.Dossier `json:"dossier"`
}

func (s *Server) handleAdminEvent(w http.ResponseWriter, r *http.Request) {
	var req api.AdminEventRequest
	if err := decodeBody(r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	e, d, err := s.c.Record(r.Context(), req)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.log.Info("event recorded", "dossier", d.Code, "type", e.Type, "actor", e.Actor)
	s.writeJSON(w, http.StatusOK, AdminEventResponse{Event: e, Dossier: d})
}
