package api

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"

	"motcua/domain"
)

// sharedBomb is a batch of n compact events whose payloads each name one shared value
// refs times: a body of about len(shared) + n·13·refs bytes that would unpack to
// n·refs·len(shared).
func sharedBomb(sharedLen, refs, n int) Columns {
	var p strings.Builder
	p.WriteByte('{')
	for i := range refs {
		if i > 0 {
			p.WriteByte(',')
		}
		p.WriteString(`"` + sharedMark[1:] + `k` + strconv.Itoa(i) + `":0`)
	}
	p.WriteByte('}')
	c := Columns{Types: []string{"dossier.received"}, Actors: []string{"x"}, Devices: []string{"d"}, Units: []string{"u"},
		StreamKinds: []string{"dossier"}, StreamIDs: []string{"s"},
		Shared: []json.RawMessage{json.RawMessage(`"` + strings.Repeat("A", sharedLen) + `"`)}}
	for i := range n {
		c.ID = append(c.ID, "e"+strconv.Itoa(i))
		c.Stream, c.Type, c.Version, c.Actor = append(c.Stream, 0), append(c.Type, 0), append(c.Version, 1), append(c.Actor, 0)
		c.Wall, c.Logical, c.At = append(c.Wall, 1), append(c.Logical, 0), append(c.At, 0)
		c.Payload, c.Sig = append(c.Payload, json.RawMessage(p.String())), append(c.Sig, "")
		c.SharedIn = append(c.SharedIn, i)
	}
	return c
}

// A payload that names a long shared value many times is refused before it is built:
// one event may not unpack past domain.MaxEventPayload.
func TestUnpackRefusesAnEventThatGrowsPastItsLimit(t *testing.T) {
	c := sharedBomb(8<<10, 2000, 1)
	body, _ := json.Marshal(PushRequestC{Events: c})
	evs, err := c.Unpack()
	if err == nil {
		t.Fatalf("a %d-byte body unpacked to a %d-byte payload (an event takes at most %d)", len(body), len(evs[0].Payload), domain.MaxEventPayload)
	}
	if !strings.Contains(err.Error(), "tối đa 64 KiB") {
		t.Fatalf("message: %v", err)
	}
}

// Events each within their limit may not add up past the receiver's bound.
func TestUnpackMaxBoundsTheWholeBatch(t *testing.T) {
	c := sharedBomb(6<<10, 10, 200) // 60 KiB an event, 12 MiB in all, from a body of ~33 KiB
	_, err := c.UnpackMax(8 << 20)
	var big *TooLargeError
	if !errors.As(err, &big) || big.Max != 8<<20 {
		t.Fatalf("200 events of 60 KiB under an 8 MiB bound: %v", err)
	}
	// The same batch is fine under a bound it fits in, and each event is whole.
	evs, err := c.UnpackMax(16 << 20)
	if err != nil || len(evs) != 200 || len(evs[199].Payload) < 60<<10 || !json.Valid(evs[199].Payload) {
		t.Fatalf("under 16 MiB: %d events, %v", len(evs), err)
	}
}
