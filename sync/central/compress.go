package central

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"os"
	"strconv"
	"strings"
	gosync "sync"

	"motcua/sync/api"
)

// Compression of POST /events and GET /changes (docs/SERVER.md, «Nén»). Replies are gzipped
// when the request's Accept-Encoding allows it; request bodies may come gzipped
// (Content-Encoding: gzip) — every reply says so in api.HeaderAccept, and clients compress
// only after they saw it, so an older server is never sent what it cannot read.

// compressAfter: smaller replies go as they are (gzip's header and a round of CPU for
// nothing).
const compressAfter = 1 << 10

// inflate decompresses a gzipped request body as the handler reads it, and bounds what it
// inflates to limit: a small body that would inflate to gigabytes (a zip bomb) is cut at
// limit bytes of output, and decodeBody answers 413 — never more than limit is inflated, and
// the decoder holds at most what it parsed of that. The compressed bytes are bounded by
// capBody already. Another encoding than gzip or identity is refused (415).
func inflate(limit int64, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		switch enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding"))); enc {
		case "", "identity":
		case "gzip", "x-gzip":
			zr, err := gzip.NewReader(r.Body)
			if errors.Is(err, os.ErrDeadlineExceeded) {
				writeRawError(w, http.StatusRequestTimeout, "timeout", errSlowBody.Error())
				return
			}
			if err != nil {
				writeRawError(w, http.StatusBadRequest, "invalid", "Nội dung nén (gzip) của yêu cầu bị hỏng.")
				return
			}
			r.Body = &inflated{Reader: http.MaxBytesReader(w, zr, limit), under: r.Body}
			r.Header.Del("Content-Encoding")
			r.ContentLength = -1
		default:
			writeRawError(w, http.StatusUnsupportedMediaType, "encoding", "Máy chủ không nhận nội dung nén kiểu «"+enc+"»; chỉ nhận gzip.")
			return
		}
		h(w, r)
	}
}

type inflated struct {
	io.Reader
	under io.Closer
}

// Read reports a body that inflates past the limit as such (413, «sau khi giải nén»).
func (b *inflated) Read(p []byte) (int, error) {
	n, err := b.Reader.Read(p)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		err = &errTooLarge{limit: tooBig.Limit, inflated: true}
	}
	return n, err
}

func (b *inflated) Close() error { return b.under.Close() }

func writeRawError(w http.ResponseWriter, status int, code, msg string) {
	body, _ := json.Marshal(api.ErrorResponse{Error: api.ErrorBody{Code: code, Message: msg}})
	w.Header().Set(api.Header, api.HeaderValue)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

// isCompact reports whether a Content-Type is the compact encoding of events.
func isCompact(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && mt == api.ContentTypeCompact
}

// acceptsType reports whether an Accept header lists the media type mt (exactly: a
// wildcard does not count, since the compact encoding must be asked for).
func acceptsType(accept, mt string) bool {
	for _, part := range strings.Split(accept, ",") {
		t, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err == nil && t == mt {
			return true
		}
	}
	return false
}

// acceptsGzip reports whether the request's Accept-Encoding allows gzip (q=0 refuses it).
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(enc), "gzip") {
			continue
		}
		if q, ok := strings.CutPrefix(strings.ReplaceAll(params, " ", ""), "q="); ok {
			if f, err := strconv.ParseFloat(q, 64); err == nil && f == 0 {
				return false
			}
		}
		return true
	}
	return false
}

var gzipWriters = gosync.Pool{New: func() any { w, _ := gzip.NewWriterLevel(nil, gzip.DefaultCompression); return w }}

// writeCompressed answers with v as JSON (of Content-Type ct, default application/json),
// gzipped when the client accepts it and the body is worth it. It returns the size of the
// body before compression.
func (s *Server) writeCompressed(w http.ResponseWriter, r *http.Request, status int, v any, ct string) int {
	body, err := json.Marshal(v)
	if err != nil {
		s.writeError(w, http.StatusInternalServerError, "internal", "Lỗi máy chủ.")
		return 0
	}
	if ct == "" {
		ct = "application/json"
	}
	w.Header().Set("Content-Type", ct+"; charset=utf-8")
	w.Header().Add("Vary", "Accept-Encoding")
	if len(body) >= compressAfter && acceptsGzip(r) {
		var z bytes.Buffer
		zw := gzipWriters.Get().(*gzip.Writer)
		zw.Reset(&z)
		zw.Write(body)
		zw.Close()
		gzipWriters.Put(zw)
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Length", strconv.Itoa(z.Len()))
		w.WriteHeader(status)
		w.Write(z.Bytes())
		return len(body)
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
	return len(body)
}
