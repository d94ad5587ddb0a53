package central

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"motcua/sync/api"
)

// The errors http.ServeContent answers by itself on GET /files/{sha256} come out as every
// other error of the API: the right status, a Vietnamese JSON body, and for a 416 the
// Content-Range that names the file's length. A good range is still served as before.
func TestFileDownloadErrorsAreTheAPIs(t *testing.T) {
	f := newFixture(t)
	_, tok := f.device(1)
	data := bytes.Repeat([]byte("%PDF-1.4 bản chụp CCCD "), 500)
	sum := sha256.Sum256(data)
	sha := hex.EncodeToString(sum[:])
	r := f.call(http.MethodPost, "/files/", tok, nil, map[string]string{"Tus-Resumable": "1.0.0", "Upload-Length": strconv.Itoa(len(data)), "Upload-Metadata": tusMeta(sha)})
	path := strings.TrimPrefix(r.Header.Get("Location"), f.ts.URL+api.Prefix)
	if r := f.call(http.MethodPatch, path, tok, data, map[string]string{"Tus-Resumable": "1.0.0", "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"}); r.StatusCode != http.StatusNoContent {
		t.Fatalf("upload %d", r.StatusCode)
	}

	r = f.call(http.MethodGet, "/files/"+sha, tok, nil, map[string]string{"Range": "bytes=10-19"})
	if got, _ := io.ReadAll(r.Body); r.StatusCode != http.StatusPartialContent || !bytes.Equal(got, data[10:20]) ||
		r.Header.Get("Content-Range") != "bytes 10-19/"+strconv.Itoa(len(data)) {
		t.Fatalf("a good range: HTTP %d %q, %q", r.StatusCode, r.Header.Get("Content-Range"), got)
	}

	for _, c := range []struct {
		name, header, value string
		status              int
		code, contentRange  string
	}{
		{"past the end", "Range", "bytes=" + strconv.Itoa(len(data)+5) + "-", http.StatusRequestedRangeNotSatisfiable, "range_not_satisfiable", "bytes */" + strconv.Itoa(len(data))},
		{"an empty suffix", "Range", "bytes=-0", http.StatusRequestedRangeNotSatisfiable, "range_not_satisfiable", "bytes */" + strconv.Itoa(len(data))},
		{"malformed", "Range", "bytes=abc-def", http.StatusRequestedRangeNotSatisfiable, "range_not_satisfiable", ""},
		{"another file's tag", "If-Match", `"` + strings.Repeat("0", 64) + `"`, http.StatusPreconditionFailed, "precondition_failed", ""},
	} {
		r := f.call(http.MethodGet, "/files/"+sha, tok, nil, map[string]string{c.header: c.value})
		body, _ := io.ReadAll(r.Body)
		var e api.ErrorResponse
		if r.StatusCode != c.status || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") || json.Unmarshal(body, &e) != nil {
			t.Fatalf("%s: HTTP %d %s %q", c.name, r.StatusCode, r.Header.Get("Content-Type"), body)
		}
		if e.Error.Code != c.code || !strings.Contains(strings.ToLower(e.Error.Message), "tệp") || strings.Contains(string(body), "invalid range") {
			t.Fatalf("%s: %+v", c.name, e)
		}
		if r.Header.Get("Content-Range") != c.contentRange {
			t.Fatalf("%s: Content-Range %q", c.name, r.Header.Get("Content-Range"))
		}
		if r.Header.Get("Cache-Control") != "" || r.Header.Get("ETag") != "" {
			t.Fatalf("%s: an error cached as the file: %q %q", c.name, r.Header.Get("Cache-Control"), r.Header.Get("ETag"))
		}
	}
}
