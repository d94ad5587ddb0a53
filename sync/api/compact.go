package api

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"motcua/domain"
)

// The compact encoding of a list of events (extension to protocol v1, negotiated). A batch
// of events repeats most of what each event carries: the field names, the device and the unit
// (every event of a push is the device's own), the stream kind and id (a dossier's events
// travel together), the type, the actor, the version, and a time that is almost the clock's.
// Columns writes each of them once per batch and gives each event only what is its own: its
// id, its payload, its signature, and small numbers. The events decoded are the same events:
// every field that Canonical covers comes back with the same value, so signatures verify
// (TestCompactRoundTripKeepsSignatures). Payloads travel as the JSON they are.
//
// A client sends a compact push with Content-Type ContentTypeCompact, and only to a server
// that listed "c1" in HeaderAccept; it asks for compact pages with Accept:
// ContentTypeCompact, and decodes what comes by its Content-Type (an older server answers
// plain JSON). Requests are gzip-compressed (Content-Encoding: gzip) only to a server that
// listed "gzip" in HeaderAccept; replies are compressed when the request's Accept-Encoding
// allows it (Go's HTTP client asks and inflates by itself).
const (
	ContentTypeCompact = "application/vnd.motcua.c1+json"
	// HeaderAccept is set on every reply of a server that takes compressed (gzip) and compact
	// (c1) request bodies on POST /events: "gzip, c1". An older server does not set it.
	HeaderAccept = "X-Motcua-Accept"
	// AcceptValue is what this version's server sends in HeaderAccept.
	AcceptValue = "gzip, c1"
)

// Accepts reports whether a HeaderAccept value lists token ("gzip", "c1").
func Accepts(header, token string) bool {
	for _, t := range strings.Split(header, ",") {
		if strings.EqualFold(strings.TrimSpace(t), token) {
			return true
		}
	}
	return false
}

// Columns is a list of events written column by column (see ContentTypeCompact). The
// dictionaries (Types, Actors, Devices, Units, SigBys, Streams) hold each distinct value once;
// the per-event columns index them. All per-event columns have one entry per event.
type Columns struct {
	Types   []string `json:"ty"`
	Actors  []string `json:"ac"`
	Devices []string `json:"dv"`
	Units   []string `json:"un"`
	SigBys  []string `json:"sb,omitempty"` // "" first when some events have none
	// Streams: the distinct (kind, id) pairs, as kind and id side by side.
	StreamKinds []string `json:"sk"`
	StreamIDs   []string `json:"si"`

	ID      []string          `json:"id,omitempty"` // omitted when every id is a UUID: IDs has them
	Stream  []int             `json:"s"`            // index in Streams
	Type    []int             `json:"t"`            // index in Types
	Version []int             `json:"v"`            // the payload's version
	Actor   []int             `json:"a"`            // index in Actors
	Device  []int             `json:"d,omitempty"`  // index in Devices; omitted: all the first
	Unit    []int             `json:"u,omitempty"`  // index in Units; omitted: all the first
	SigBy   []int             `json:"b,omitempty"`  // index in SigBys; omitted: no SigBy at all
	Wall    []int64           `json:"h"`            // the HLC's wall time (ms), each less the previous event's (the first: less 0)
	Logical []int             `json:"l"`            // the HLC's logical counter
	At      []int64           `json:"at"`           // Unix milliseconds minus the event's HLC wall time
	Payload []json.RawMessage `json:"p"`            // as JSON
	Sig     []string          `json:"g"`            // as the event carries it (base64)
	Nanos   map[int]int       `json:"ns,omitempty"` // sub-millisecond part of At, where an event has one
	Empty   []int             `json:"e,omitempty"`  // events without a payload at all (written null in Payload)
	// Values of payloads' top-level fields that are long enough to be worth it (a procedure,
	// its checklist of documents) are written once in Shared: the payloads listed in
	// SharedIn have such fields' keys prefixed with \u0001 and their value replaced by the
	// index in Shared. Unpack rebuilds the payload byte for byte (Pack checks it can).
	Shared   []json.RawMessage `json:"sv,omitempty"`
	SharedIn []int             `json:"sp,omitempty"`
	// When every event id (or every stream id) is a UUID written the usual way, it travels
	// as 16 bytes: IDs and Streams128 replace ID and StreamIDs.
	IDs        *UUIDs `json:"ib,omitempty"`
	Streams128 *UUIDs `json:"sib,omitempty"`
}

// UUIDs is a list of UUIDs: the first 8 bytes of each (time and counter in a UUIDv7), as the
// difference with the previous one's, and the last 8 (random) side by side in base64.
type UUIDs struct {
	High []int64 `json:"h"`
	Low  string  `json:"l"`
}

// packUUIDs writes ids as UUIDs, or returns nil if one of them is not a UUID in its usual
// lowercase form.
func packUUIDs(ids []string) *UUIDs {
	if len(ids) == 0 {
		return nil
	}
	u := &UUIDs{High: make([]int64, len(ids))}
	low := make([]byte, 0, 8*len(ids))
	var prev uint64
	for i, id := range ids {
		b, ok := parseUUID(id)
		if !ok {
			return nil
		}
		hi := binary.BigEndian.Uint64(b[:8])
		u.High[i] = int64(hi - prev)
		prev = hi
		low = append(low, b[8:]...)
	}
	u.Low = base64.RawStdEncoding.EncodeToString(low)
	return u
}

func (u *UUIDs) unpack(n int) ([]string, error) {
	low, err := base64.RawStdEncoding.DecodeString(u.Low)
	if err != nil || len(u.High) != n || len(low) != 8*n {
		return nil, errors.New("danh sách mã UUID không hợp lệ")
	}
	out := make([]string, n)
	var hi uint64
	var b [16]byte
	for i := range n {
		hi += uint64(u.High[i])
		binary.BigEndian.PutUint64(b[:8], hi)
		copy(b[8:], low[8*i:])
		out[i] = formatUUID(b)
	}
	return out, nil
}

func parseUUID(s string) ([16]byte, bool) {
	var b [16]byte
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return b, false
	}
	h := s[0:8] + s[9:13] + s[14:18] + s[19:23] + s[24:]
	if _, err := hex.Decode(b[:], []byte(h)); err != nil || formatUUID(b) != s {
		return b, false
	}
	return b, true
}

func formatUUID(b [16]byte) string {
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

type dict struct {
	vals []string
	idx  map[string]int
}

func (d *dict) add(s string) int {
	if i, ok := d.idx[s]; ok {
		return i
	}
	if d.idx == nil {
		d.idx = map[string]int{}
	}
	d.idx[s] = len(d.vals)
	d.vals = append(d.vals, s)
	return len(d.vals) - 1
}

// Pack writes events as columns.
func Pack(evs []domain.Event) Columns {
	n := len(evs)
	c := Columns{ID: make([]string, n), Stream: make([]int, n), Type: make([]int, n), Version: make([]int, n),
		Actor: make([]int, n), Device: make([]int, n), Unit: make([]int, n), SigBy: make([]int, n),
		Wall: make([]int64, n), Logical: make([]int, n), At: make([]int64, n), Payload: make([]json.RawMessage, n), Sig: make([]string, n)}
	var types, actors, devices, units, sigBys dict
	streams := map[[2]string]int{}
	shared := map[string]int{}
	var prev int64
	anyDevice, anyUnit, anySigBy := false, false, false
	for i, e := range evs {
		c.ID[i] = e.ID
		k := [2]string{e.Stream, e.StreamID}
		si, ok := streams[k]
		if !ok {
			si = len(c.StreamKinds)
			streams[k] = si
			c.StreamKinds = append(c.StreamKinds, e.Stream)
			c.StreamIDs = append(c.StreamIDs, e.StreamID)
		}
		c.Stream[i] = si
		c.Type[i] = types.add(string(e.Type))
		c.Version[i] = e.Version
		c.Actor[i] = actors.add(e.Actor)
		c.Device[i] = devices.add(e.Device)
		c.Unit[i] = units.add(e.Unit)
		c.SigBy[i] = sigBys.add(e.SigBy)
		anyDevice = anyDevice || c.Device[i] != 0
		anyUnit = anyUnit || c.Unit[i] != 0
		anySigBy = anySigBy || e.SigBy != ""
		wall := e.HLC.WallMillis()
		c.Wall[i] = wall - prev
		c.Logical[i] = int(e.HLC.Logical())
		prev = wall
		ms := e.At.UnixMilli()
		c.At[i] = ms - e.HLC.WallMillis()
		if ns := e.At.Nanosecond() % int(time.Millisecond); ns != 0 {
			if c.Nanos == nil {
				c.Nanos = map[int]int{}
			}
			c.Nanos[i] = ns
		}
		c.Payload[i] = e.Payload
		if p, ok := shareFields(e.Payload, shared, &c.Shared); ok {
			c.Payload[i] = p
			c.SharedIn = append(c.SharedIn, i)
		}
		if len(e.Payload) == 0 {
			c.Payload[i] = json.RawMessage("null")
			c.Empty = append(c.Empty, i)
		}
		c.Sig[i] = e.Sig
	}
	c.Types, c.Actors, c.Devices, c.Units, c.SigBys = types.vals, actors.vals, devices.vals, units.vals, sigBys.vals
	if u := packUUIDs(c.ID); u != nil {
		c.IDs, c.ID = u, nil
	}
	if u := packUUIDs(c.StreamIDs); u != nil {
		c.Streams128, c.StreamIDs = u, nil
	}
	if !anyDevice {
		c.Device = nil
	}
	if !anyUnit {
		c.Unit = nil
	}
	if !anySigBy {
		c.SigBy, c.SigBys = nil, nil
	}
	return c
}

// Len is the number of events.
func (c Columns) Len() int {
	if c.IDs != nil {
		return len(c.IDs.High)
	}
	return len(c.ID)
}

// Unpack reads the events back. Columns of unequal length or an index out of its
// dictionary are an error: the body is malformed.
func (c Columns) Unpack() ([]domain.Event, error) {
	return c.UnpackMax(MaxUnpacked)
}

// MaxUnpacked bounds the payload bytes a batch may unpack to when the caller gives no
// bound of its own (a pull page: the server bounds its pages far below this).
const MaxUnpacked = 64 << 20

// UnpackMax is Unpack refusing a batch whose payloads, once their shared values are put
// back, would take more than max bytes in all, or any one more than domain.MaxEventPayload:
// a small body that names one long shared value many times must not make the receiver
// build gigabytes before it checks a single event.
func (c Columns) UnpackMax(max int) ([]domain.Event, error) {
	if c.IDs != nil {
		if c.ID != nil {
			return nil, errors.New("lô sự kiện có hai cột mã")
		}
		ids, err := c.IDs.unpack(len(c.IDs.High))
		if err != nil {
			return nil, err
		}
		c.ID = ids
	}
	if c.Streams128 != nil {
		if c.StreamIDs != nil {
			return nil, errors.New("lô sự kiện có hai bảng luồng")
		}
		ids, err := c.Streams128.unpack(len(c.Streams128.High))
		if err != nil {
			return nil, err
		}
		c.StreamIDs = ids
	}
	n := len(c.ID)
	for _, l := range []int{len(c.Stream), len(c.Type), len(c.Version), len(c.Actor), len(c.Wall), len(c.Logical), len(c.At), len(c.Payload), len(c.Sig)} {
		if l != n {
			return nil, errors.New("các cột của lô sự kiện không cùng độ dài")
		}
	}
	for _, l := range []int{len(c.Device), len(c.Unit), len(c.SigBy)} {
		if l != 0 && l != n {
			return nil, errors.New("các cột của lô sự kiện không cùng độ dài")
		}
	}
	if len(c.StreamKinds) != len(c.StreamIDs) {
		return nil, errors.New("bảng luồng sự kiện không hợp lệ")
	}
	at := func(vals []string, col []int, i int, what string) (string, error) {
		j := 0
		if col != nil {
			j = col[i]
		}
		if j < 0 || j >= len(vals) {
			if col == nil && len(vals) == 0 && what == "sb" {
				return "", nil
			}
			return "", fmt.Errorf("chỉ số %d ngoài bảng %s", j, what)
		}
		return vals[j], nil
	}
	out := make([]domain.Event, n)
	var wall int64
	for i := range n {
		e := &out[i]
		e.ID = c.ID[i]
		s := c.Stream[i]
		if s < 0 || s >= len(c.StreamKinds) {
			return nil, fmt.Errorf("chỉ số %d ngoài bảng luồng", s)
		}
		e.Stream, e.StreamID = c.StreamKinds[s], c.StreamIDs[s]
		var typ string
		var err error
		if typ, err = at(c.Types, c.Type, i, "ty"); err != nil {
			return nil, err
		}
		e.Type = domain.EventType(typ)
		e.Version = c.Version[i]
		if e.Actor, err = at(c.Actors, c.Actor, i, "ac"); err != nil {
			return nil, err
		}
		if e.Device, err = at(c.Devices, c.Device, i, "dv"); err != nil {
			return nil, err
		}
		if e.Unit, err = at(c.Units, c.Unit, i, "un"); err != nil {
			return nil, err
		}
		if e.SigBy, err = at(c.SigBys, c.SigBy, i, "sb"); err != nil {
			return nil, err
		}
		wall += c.Wall[i]
		if c.Logical[i] < 0 || c.Logical[i] > 0xFFFF {
			return nil, fmt.Errorf("bộ đếm đồng hồ %d không hợp lệ", c.Logical[i])
		}
		e.HLC = domain.MakeHLC(wall, uint16(c.Logical[i]))
		e.At = time.UnixMilli(c.At[i] + e.HLC.WallMillis()).Add(time.Duration(c.Nanos[i])).UTC()
		e.Payload = c.Payload[i]
		e.Sig = c.Sig[i]
	}
	total := 0
	for i := range out {
		total += len(out[i].Payload)
	}
	for _, i := range c.SharedIn {
		if i < 0 || i >= n {
			return nil, fmt.Errorf("chỉ số %d ngoài lô", i)
		}
		before := len(out[i].Payload)
		p, err := unshareFields(out[i].Payload, c.Shared)
		if err != nil {
			return nil, err
		}
		out[i].Payload = p
		if total += len(p) - before; total > max {
			return nil, &TooLargeError{Size: total, Max: max}
		}
	}
	for _, i := range c.Empty {
		if i < 0 || i >= n {
			return nil, fmt.Errorf("chỉ số %d ngoài lô", i)
		}
		out[i].Payload = nil
	}
	return out, nil
}

// sharedMin is the shortest field value worth sharing.
const sharedMin = 32

// field is one top-level member of a JSON object: its key and its value, both as written.
type field struct {
	key []byte // with its quotes
	val []byte
}

// sharedMark starts the key of a shared field: the key's text is prefixed with \u0001.
const sharedMark = `"\u0001`

// splitObject reads a compact JSON object's top-level members in order, as written; ok is
// false for anything else (whitespace between tokens included). It only finds the bounds:
// whether the values are valid JSON is checked where events are checked.
func splitObject(p []byte) ([]field, bool) {
	if len(p) < 2 || p[0] != '{' || p[len(p)-1] != '}' {
		return nil, false
	}
	if len(p) == 2 {
		return nil, true
	}
	var fs []field
	i := 1
	for {
		if i >= len(p) || p[i] != '"' {
			return nil, false
		}
		j := skipString(p, i)
		if j < 0 || j >= len(p) || p[j] != ':' {
			return nil, false
		}
		end := skipValue(p, j+1)
		if end < 0 || end == j+1 {
			return nil, false
		}
		fs = append(fs, field{p[i:j], p[j+1 : end]})
		if end == len(p)-1 {
			return fs, true
		}
		if p[end] != ',' {
			return nil, false
		}
		i = end + 1
	}
}

// skipString returns the index just after the string that starts at p[i] ('"'), or -1.
func skipString(p []byte, i int) int {
	for k := i + 1; k < len(p); k++ {
		switch p[k] {
		case '\\':
			k++
		case '"':
			return k + 1
		}
	}
	return -1
}

// skipValue returns the index of the ',' or the object's final '}' that ends the value
// starting at p[i], or -1.
func skipValue(p []byte, i int) int {
	depth := 0
	for k := i; k < len(p); k++ {
		switch p[k] {
		case '"':
			n := skipString(p, k)
			if n < 0 {
				return -1
			}
			k = n - 1
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				if p[k] == '}' && k == len(p)-1 {
					return k
				}
				return -1
			}
			depth--
		case ',':
			if depth == 0 {
				return k
			}
		}
	}
	return -1
}

// joinObject writes members back as a compact object.
func joinObject(fs []field) []byte {
	n := 2
	for _, f := range fs {
		n += len(f.key) + len(f.val) + 2
	}
	b := make([]byte, 0, n)
	b = append(b, '{')
	for i, f := range fs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, f.key...)
		b = append(b, ':')
		b = append(b, f.val...)
	}
	return append(b, '}')
}

// shareFields replaces the long object, array and string values of a payload's top-level
// fields by their index in *vals (added there once). It gives up (ok false) unless the
// payload is a compact object that joinObject writes back byte for byte.
func shareFields(p json.RawMessage, idx map[string]int, vals *[]json.RawMessage) (json.RawMessage, bool) {
	if len(p) < sharedMin || p[0] != '{' {
		return nil, false
	}
	fs, ok := splitObject(p)
	if !ok {
		return nil, false
	}
	for _, f := range fs {
		if bytes.HasPrefix(f.key, []byte(sharedMark)) {
			return nil, false // a key unshareFields would misread
		}
	}
	changed := false
	for i, f := range fs {
		if len(f.val) < sharedMin || (f.val[0] != '{' && f.val[0] != '[' && f.val[0] != '"') {
			continue
		}
		j, ok := idx[string(f.val)]
		if !ok {
			j = len(*vals)
			idx[string(f.val)] = j
			*vals = append(*vals, f.val)
		}
		key := append([]byte(sharedMark), f.key[1:]...)
		fs[i] = field{key, []byte(strconv.Itoa(j))}
		changed = true
	}
	if !changed {
		return nil, false
	}
	return joinObject(fs), true
}

// unshareFields undoes shareFields.
func unshareFields(p json.RawMessage, vals []json.RawMessage) (json.RawMessage, error) {
	fs, ok := splitObject(p)
	if !ok {
		return nil, errors.New("nội dung sự kiện dùng chung không hợp lệ")
	}
	for i, f := range fs {
		if !bytes.HasPrefix(f.key, []byte(sharedMark)) {
			continue
		}
		j, err := strconv.Atoi(string(f.val))
		if err != nil || j < 0 || j >= len(vals) {
			return nil, fmt.Errorf("chỉ số %s ngoài bảng giá trị dùng chung", f.val)
		}
		fs[i] = field{append([]byte{'"'}, f.key[len(sharedMark):]...), vals[j]}
	}
	n := 2
	for _, f := range fs {
		n += len(f.key) + len(f.val) + 2
	}
	if n > domain.MaxEventPayload {
		return nil, fmt.Errorf("nội dung một sự kiện sau khi ghép các giá trị dùng chung dài %s, tối đa %s",
			domain.FormatBytes(n), domain.FormatBytes(domain.MaxEventPayload))
	}
	return joinObject(fs), nil
}

// PushRequestC is PushRequest in the compact encoding.
type PushRequestC struct {
	Events Columns    `json:"ev"`
	Head   *ChainHead `json:"head,omitempty"`
}

// ChangesResponseC is ChangesResponse in the compact encoding.
type ChangesResponseC struct {
	Events     Columns   `json:"ev"`
	Cursor     string    `json:"cursor"`
	More       bool      `json:"more"`
	ServerTime time.Time `json:"server_time"`
}

// Status letters of PushResponse.Statuses, one per event of a compact push, in its order.
const (
	StatusAccepted  = 'a'
	StatusDuplicate = 'd'
	StatusRejected  = 'r'
)

// CompactResults turns per-event results into the letters of PushResponse.Statuses and the
// results of the rejected events only (with their reasons).
func CompactResults(res []PushResult) (string, []PushResult) {
	var b strings.Builder
	var rejected []PushResult
	for _, r := range res {
		switch r.Status {
		case Accepted:
			b.WriteByte(StatusAccepted)
		case Duplicate:
			b.WriteByte(StatusDuplicate)
		default:
			b.WriteByte(StatusRejected)
			rejected = append(rejected, r)
		}
	}
	return b.String(), rejected
}

// TooLargeError is a batch that unpacks to more payload bytes than its receiver takes.
type TooLargeError struct{ Size, Max int }

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("các sự kiện của lô sau khi giải nén dài hơn %s, tối đa %s", domain.FormatBytes(e.Size), domain.FormatBytes(e.Max))
}
