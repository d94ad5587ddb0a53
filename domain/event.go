package domain

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Stream kinds: what an event belongs to.
const (
	StreamDossier  = "dossier"
	StreamFeedback = "feedback"
	StreamVisit    = "visit"
)

// EventType names a change. The names are part of the sync protocol: never rename one.
type EventType string

// Dossier events.
const (
	EvRegisteredOnline    EventType = "dossier.registered_online"    // status 1, from the city's portal
	EvReceived            EventType = "dossier.received"             // accepted at the counter → 2
	EvAccepted            EventType = "dossier.accepted"             // an online registration accepted → 2
	EvSupplementRequested EventType = "dossier.supplement_requested" // Mẫu 02 → 5, clock paused
	EvSupplementReceived  EventType = "dossier.supplement_received"  // back to where it was, due date moved
	EvRefused             EventType = "dossier.refused"              // Mẫu 03 → 3
	EvWithdrawn           EventType = "dossier.withdrawn"            // → 7
	EvForwarded           EventType = "dossier.forwarded"            // sent to the processing unit → 4
	EvProgress            EventType = "dossier.progress_noted"       // a processing step (→ 4)
	EvPaymentRequested    EventType = "dossier.payment_requested"    // → 6
	EvPaymentRecorded     EventType = "dossier.payment_recorded"     // → 4
	EvStopped             EventType = "dossier.stopped"              // → 8
	EvResultReady         EventType = "dossier.result_ready"         // → 9
	EvRescheduled         EventType = "dossier.rescheduled"          // Mẫu 04: new due date with apology
	EvHandedOver          EventType = "dossier.handed_over"          // → 10, entry in the return book
	EvCorrected           EventType = "dossier.corrected"            // data corrected, status unchanged
	EvCodeAssigned        EventType = "dossier.code_assigned"        // the city assigns or replaces the code
	EvFileAttached        EventType = "dossier.file_attached"        // a scanned document or an e-result
	EvFormPrepared        EventType = "dossier.form_prepared"        // a declaration filled in for the citizen
	EvConflictResolved    EventType = "dossier.conflict_resolved"    // a supervisor's decision on a conflict
)

// Event is an immutable fact. ID is a UUIDv7 made where the event happened and is the
// idempotency key everywhere (outbox, server, pull).
type Event struct {
	ID       string          `json:"id"`
	Stream   string          `json:"stream"`
	StreamID string          `json:"stream_id"`
	Type     EventType       `json:"type"`
	Version  int             `json:"v"`
	Payload  json.RawMessage `json:"payload"`
	Actor    string          `json:"actor"`
	Device   string          `json:"device"`
	Unit     string          `json:"unit"`
	At       time.Time       `json:"at"`
	HLC      HLC             `json:"hlc"`
	// Sig is the Ed25519 signature over Canonical() (base64), made by the author device, or
	// by the city when SigBy is SignerCentral (see sign.go). Not part of the content.
	Sig   string `json:"sig,omitempty"`
	SigBy string `json:"sig_by,omitempty"`
}

// Before is the total order of the fold: (hlc, device, id).
func (e Event) Before(o Event) bool {
	if e.HLC != o.HLC {
		return e.HLC < o.HLC
	}
	if e.Device != o.Device {
		return e.Device < o.Device
	}
	return e.ID < o.ID
}

// SameContent reports whether two events with the same id carry the same fact. The server
// answers "duplicate" for a re-sent event and "rejected" for an id reused with other content.
// The signature is not content: the same fact may be attested by the city or its author.
func (e Event) SameContent(o Event) bool {
	return e.ID == o.ID && e.Stream == o.Stream && e.StreamID == o.StreamID && e.Type == o.Type &&
		e.Version == o.Version && e.Actor == o.Actor && e.Device == o.Device && e.Unit == o.Unit &&
		e.At.Equal(o.At) && e.HLC == o.HLC && jsonEqual(e.Payload, o.Payload)
}

func jsonEqual(a, b json.RawMessage) bool {
	if bytes.Equal(a, b) {
		return true
	}
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	ca, _ := json.Marshal(x)
	cb, _ := json.Marshal(y)
	return bytes.Equal(ca, cb)
}

// Check validates the envelope of an event (not its payload's business rules).
func (e Event) Check() error {
	switch {
	case len(e.ID) != 36:
		return fmt.Errorf("mã sự kiện %q không phải UUID", e.ID)
	case e.Stream != StreamDossier && e.Stream != StreamFeedback && e.Stream != StreamVisit && e.Stream != StreamHandoff:
		return fmt.Errorf("sự kiện %s: loại luồng %q không có", e.ID, e.Stream)
	case len(e.StreamID) != 36:
		return fmt.Errorf("sự kiện %s: mã luồng %q không phải UUID", e.ID, e.StreamID)
	case e.Type == "":
		return fmt.Errorf("sự kiện %s thiếu loại sự kiện", e.ID)
	case e.Device == "":
		return fmt.Errorf("sự kiện %s thiếu mã máy trạm", e.ID)
	case e.HLC <= 0:
		return fmt.Errorf("sự kiện %s thiếu hoặc sai đồng hồ sự kiện (hlc)", e.ID)
	case e.At.IsZero():
		return fmt.Errorf("sự kiện %s thiếu thời điểm", e.ID)
	case !json.Valid(e.Payload):
		return fmt.Errorf("nội dung của sự kiện %s không phải JSON", e.ID)
	}
	return nil
}

// CheckStream checks that an event's type belongs to its stream: a "dossier.…" event to a
// dossier stream, "feedback.…" to feedback, "visit.…" to a visit, "handoff.…" to a hand-off
// queue entry. A dossier event filed under
// a feedback stream would fold into nothing on one side and into a dossier on the other.
// The city refuses such a push and a workstation refuses such a pull.
func (e Event) CheckStream() error {
	if kind, _, dotted := strings.Cut(string(e.Type), "."); !dotted || kind != e.Stream {
		return fmt.Errorf("Loại sự kiện %s không thuộc luồng %s.", e.Type, e.Stream)
	}
	return nil
}

// SortEvents sorts events in fold order.
func SortEvents(evs []Event) {
	sort.Slice(evs, func(i, j int) bool { return evs[i].Before(evs[j]) })
}

// NewEvent builds an event with a JSON payload.
func NewEvent(id, stream, streamID string, typ EventType, payload any, actor, device, unit string, at time.Time, hlc HLC) (Event, error) {
	raw, err := json.Marshal(payload)
	if err != nil {
		return Event{}, fmt.Errorf("event %s: %w", typ, err)
	}
	// Stored and signed to the millisecond: the event made here is the event read back,
	// so a projection folded now equals one refolded later from the log.
	return Event{ID: id, Stream: stream, StreamID: streamID, Type: typ, Version: 1, Payload: raw,
		Actor: actor, Device: device, Unit: unit, At: at.UTC().Truncate(time.Millisecond), HLC: hlc}, nil
}
