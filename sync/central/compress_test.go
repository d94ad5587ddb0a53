package central

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"motcua/domain"
	"motcua/sync/api"
)

func gzipped(t *testing.T, b []byte) []byte {
	t.Helper()
	var z bytes.Buffer
	w := gzip.NewWriter(&z)
	w.Write(b)
	w.Close()
	return z.Bytes()
}

// plainClient is an older client: it asks for no compression and reads replies as they come.
func plainClient() *http.Client {
	return &http.Client{Transport: &http.Transport{DisableCompression: true}}
}

// A new server speaks to an old client as before (plain JSON both ways, results by id) and
// to a new one in gzip and the compact encoding; both store the same events, signatures
// intact, and the same events come back in either encoding of /changes.
func TestPushAndChangesEncodingsInteroperate(t *testing.T) {
	ctx := context.Background()
	f := newLimitedFixture(t, Limits{}, nil)
	dev, tok := f.device(1)
	other, otherTok := f.device(2)

	// Every reply says what the server takes.
	if r := f.call(http.MethodGet, "/ping", "", nil, nil); r.Header.Get(api.HeaderAccept) != api.AcceptValue {
		t.Fatalf("ping: %s = %q", api.HeaderAccept, r.Header.Get(api.HeaderAccept))
	}

	// An old client: plain JSON, no Accept-Encoding.
	old := []domain.Event{largeLegalEvent(t, dev, 1, 2000), largeLegalEvent(t, dev, 2, 2000)}
	raw, _ := json.Marshal(api.PushRequest{Events: old})
	req, _ := http.NewRequest(http.MethodPost, f.ts.URL+api.Prefix+"/events", bytes.NewReader(raw))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	resp, err := plainClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var pr api.PushResponse
	if resp.Header.Get("Content-Encoding") != "" {
		t.Fatalf("an old client got %q", resp.Header.Get("Content-Encoding"))
	}
	if err := json.NewDecoder(resp.Body).Decode(&pr); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("old push: %d %v", resp.StatusCode, err)
	}
	resp.Body.Close()
	if pr.Statuses != "" || len(pr.Results) != 2 || pr.Results[0].ID != old[0].ID || pr.Results[1].Status != api.Accepted {
		t.Fatalf("old push answered %+v", pr)
	}

	// A new client: compact, gzipped, and one event the server rejects (another device's).
	fresh := []domain.Event{largeLegalEvent(t, dev, 3, 2000), largeLegalEvent(t, other, 4, 100), largeLegalEvent(t, dev, 5, 2000), old[0]}
	raw, _ = json.Marshal(api.PushRequestC{Events: api.Pack(fresh)})
	r := f.call(http.MethodPost, "/events", tok, gzipped(t, raw), map[string]string{"Content-Type": api.ContentTypeCompact,
		"Content-Encoding": "gzip", "Accept-Encoding": "gzip"})
	if r.StatusCode != http.StatusOK || r.Header.Get("Content-Encoding") != "" {
		t.Fatalf("compact push: HTTP %d, %q (a reply this small goes as it is)", r.StatusCode, r.Header.Get("Content-Encoding"))
	}
	pr = api.PushResponse{}
	if err := json.NewDecoder(r.Body).Decode(&pr); err != nil {
		t.Fatal(err)
	}
	if pr.Statuses != "arad" || len(pr.Results) != 1 || pr.Results[0].ID != fresh[1].ID || !strings.Contains(pr.Results[0].Reason, other.ID) {
		t.Fatalf("compact push answered %+v", pr)
	}

	// What the city holds is exactly what was signed, whichever encoding brought it.
	held, _ := f.c.Events(ctx)
	byID := map[string]domain.Event{}
	for _, e := range held {
		byID[e.ID] = e
	}
	for _, e := range []domain.Event{old[0], old[1], fresh[0], fresh[2]} {
		got, ok := byID[e.ID]
		if !ok || !got.SameContent(e) || string(got.Canonical()) != string(e.Canonical()) || got.Sig != e.Sig {
			t.Fatalf("event %s stored as %+v", e.ID, got)
		}
	}
	if len(held) != 4 {
		t.Fatalf("the city holds %d events, want 4", len(held))
	}

	// /changes: plain JSON for an old client, compact when asked, gzipped when accepted.
	get := func(header map[string]string) (*http.Response, []byte) {
		req, _ := http.NewRequest(http.MethodGet, f.ts.URL+api.Prefix+"/changes?after=", nil)
		req.Header.Set("Authorization", "Bearer "+otherTok)
		for k, v := range header {
			req.Header.Set(k, v)
		}
		resp, err := plainClient().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var rd io.Reader = resp.Body
		if resp.Header.Get("Content-Encoding") == "gzip" {
			if rd, err = gzip.NewReader(resp.Body); err != nil {
				t.Fatal(err)
			}
		}
		b, _ := io.ReadAll(rd)
		return resp, b
	}
	resp, body := get(nil)
	var cr api.ChangesResponse
	if resp.Header.Get("Content-Encoding") != "" || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") || json.Unmarshal(body, &cr) != nil || len(cr.Events) != 4 {
		t.Fatalf("plain changes: %v %d events", resp.Header, len(cr.Events))
	}
	resp, body = get(map[string]string{"Accept": api.ContentTypeCompact + ", application/json", "Accept-Encoding": "gzip"})
	var cc api.ChangesResponseC
	if resp.Header.Get("Content-Encoding") != "gzip" || !strings.HasPrefix(resp.Header.Get("Content-Type"), api.ContentTypeCompact) || json.Unmarshal(body, &cc) != nil {
		t.Fatalf("compact changes: %v", resp.Header)
	}
	evs, err := cc.Events.Unpack()
	if err != nil || len(evs) != len(cr.Events) || cc.Cursor != cr.Cursor || cc.More != cr.More {
		t.Fatalf("compact page: %d events, %v", len(evs), err)
	}
	for i, e := range evs {
		if !e.SameContent(cr.Events[i]) || e.Sig != cr.Events[i].Sig || e.SigBy != cr.Events[i].SigBy || e.Verify(testPublicKey(e.Device)) != nil {
			t.Fatalf("event %d differs between the encodings", i)
		}
	}

	// An encoding the server does not know, and a broken gzip stream.
	r = f.call(http.MethodPost, "/events", tok, raw, map[string]string{"Content-Encoding": "br"})
	if r.StatusCode != http.StatusUnsupportedMediaType || !strings.Contains(errorMessage(t, r), "gzip") {
		t.Fatalf("br: HTTP %d", r.StatusCode)
	}
	r = f.call(http.MethodPost, "/events", tok, []byte("not gzip at all"), map[string]string{"Content-Encoding": "gzip"})
	if r.StatusCode != http.StatusBadRequest || !strings.Contains(errorMessage(t, r), "gzip") {
		t.Fatalf("broken gzip: HTTP %d", r.StatusCode)
	}
	// Malformed columns are refused whole with a reason.
	bad := api.Pack(fresh[:1])
	bad.Type = []int{7}
	raw, _ = json.Marshal(api.PushRequestC{Events: bad})
	r = f.call(http.MethodPost, "/events", tok, raw, map[string]string{"Content-Type": api.ContentTypeCompact})
	if r.StatusCode != http.StatusBadRequest || !strings.Contains(errorMessage(t, r), "không hợp lệ") {
		t.Fatalf("malformed columns: HTTP %d", r.StatusCode)
	}
}

// A zip bomb: a small gzipped body that inflates to 64 MiB. The server inflates no more
// than its push limit (8 MiB), answers 413 with a clear message, and its heap stays bounded.
func TestHostileZipBomb(t *testing.T) {
	f := newLimitedFixture(t, Limits{}, nil)
	dev, tok := f.device(1)
	var z bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&z, gzip.BestCompression)
	io.WriteString(zw, `{"events":[{"id":"`+uuid.Must(uuid.NewV7()).String()+`","device":"`+dev.ID+`","payload":{"summary":"`)
	io.Copy(zw, io.LimitReader(filler('a'), 64<<20))
	io.WriteString(zw, `"}}]}`)
	zw.Close()
	if z.Len() > 256<<10 {
		t.Fatalf("the bomb is %d bytes compressed", z.Len())
	}
	heap := watchHeap()
	for _, ct := range []string{"application/json", api.ContentTypeCompact} {
		req, _ := http.NewRequest(http.MethodPost, f.ts.URL+api.Prefix+"/events", bytes.NewReader(z.Bytes()))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", ct)
		req.Header.Set("Content-Encoding", "gzip")
		resp, err := f.ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Fatalf("%s zip bomb: HTTP %d", ct, resp.StatusCode)
		}
		if msg := errorMessage(t, resp); !strings.Contains(msg, "8,0 MiB") || !strings.Contains(msg, "giải nén") {
			t.Fatalf("%s zip bomb: %q", ct, msg)
		}
		resp.Body.Close()
	}
	heap.check(t, "zip bomb")
	if evs, _ := f.c.Events(context.Background()); len(evs) != 0 {
		t.Fatalf("the city stored %d events", len(evs))
	}
}

func testPublicKey(device string) ed25519.PublicKey {
	k, _ := testKeys.Load(device)
	return k.(ed25519.PrivateKey).Public().(ed25519.PublicKey)
}

// A compact push that names a long shared value many times: a body of 35 KiB (a small
// push, not even compressed) that would unpack to 12 MiB. The server refuses it (413) as
// it would a plain body of that size, without building it, and stores nothing.
func TestHostileCompactSharedValueBomb(t *testing.T) {
	f := newLimitedFixture(t, Limits{}, nil)
	_, tok := f.device(1)
	var payload strings.Builder
	payload.WriteByte('{')
	for i := range 10 {
		if i > 0 {
			payload.WriteByte(',')
		}
		fmt.Fprintf(&payload, `"\u0001k%d":0`, i)
	}
	payload.WriteByte('}')
	c := api.Columns{Types: []string{"dossier.received"}, Actors: []string{"x"}, Devices: []string{"d"}, Units: []string{"u"},
		StreamKinds: []string{"dossier"}, StreamIDs: []string{"s"},
		Shared: []json.RawMessage{json.RawMessage(`"` + strings.Repeat("A", 6<<10) + `"`)}}
	for i := range 200 {
		c.ID = append(c.ID, uuid.Must(uuid.NewV7()).String())
		c.Stream, c.Type, c.Version, c.Actor = append(c.Stream, 0), append(c.Type, 0), append(c.Version, 1), append(c.Actor, 0)
		c.Wall, c.Logical, c.At = append(c.Wall, 1), append(c.Logical, 0), append(c.At, 0)
		c.Payload, c.Sig = append(c.Payload, json.RawMessage(payload.String())), append(c.Sig, "")
		c.SharedIn = append(c.SharedIn, i)
	}
	body, err := json.Marshal(api.PushRequestC{Events: c})
	if err != nil {
		t.Fatal(err)
	}
	if len(body) > 128<<10 {
		t.Fatalf("the bomb is %d bytes", len(body))
	}
	heap := watchHeap()
	r := f.call(http.MethodPost, "/events", tok, body, map[string]string{"Content-Type": api.ContentTypeCompact})
	if r.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("shared-value bomb: HTTP %d", r.StatusCode)
	}
	if msg := errorMessage(t, r); !strings.Contains(msg, "8,0 MiB") {
		t.Fatalf("shared-value bomb: %q", msg)
	}
	heap.check(t, "shared-value bomb")
	if evs, _ := f.c.Events(context.Background()); len(evs) != 0 {
		t.Fatalf("the city stored %d events", len(evs))
	}
}
