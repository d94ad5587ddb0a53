// Package api holds the wire types of motcua's sync protocol v1 (HTTP + JSON under
// /api/v1), shared by the client engine (package sync) and the reference server
// (package sync/central). It imports only domain.
package api

import (
	"encoding/json"
	"time"

	"motcua/domain"
)

// Prefix is the path prefix of every call.
const Prefix = "/api/v1"

// Header is set on every response of a real motcua server. A 2xx answer without it (a
// Wi-Fi login page, a proxy) is a network failure, not a success.
const (
	Header      = "X-Motcua-Api"
	HeaderValue = "1"
)

// MaxBatch is the largest number of events one push may carry.
const MaxBatch = 1000

// EnrollRequest asks to join a unit with a one-time code issued by the central admin.
// DeviceID is the workstation's own id (it already names the events it made offline).
//
// A workstation that already issued dossier codes is bound to its unit and slot (they are
// part of every code): it says so in UnitCode and Slot, and the server refuses a code for
// another unit or slot before using it up or touching the device. (Extension to v1: both
// fields are optional.)
//
// PublicKey is the workstation's Ed25519 public key (domain.EncodeKey): the city verifies
// every event the device pushes with it. Nonce is a random string the workstation makes for
// this enrollment and repeats on each retry: a code gives a token once, and only the holder
// of the nonce may ask again, briefly, when the first reply was lost.
type EnrollRequest struct {
	Code       string `json:"code"`
	DeviceName string `json:"device_name"`
	DeviceID   string `json:"device_id"`
	UnitCode   string `json:"unit_code,omitempty"`
	Slot       int    `json:"slot,omitempty"`
	PublicKey  string `json:"public_key"`
	Nonce      string `json:"nonce"`
}

// EnrollResponse gives the device its token and its place in the unit.
// CentralKey is the city's public key: the workstation pins it and verifies with it the
// events the city records and the device keys it vouches for.
type EnrollResponse struct {
	DeviceID   string `json:"device_id"`
	Token      string `json:"token"`
	UnitCode   string `json:"unit_code"`
	UnitName   string `json:"unit_name"`
	Slot       int    `json:"slot"`
	CentralKey string `json:"central_key"`
}

// RegisterKeyRequest is POST /devices/key: a device enrolled before events were signed
// registers its public key once, authenticated by its token. A device that already has a
// key cannot replace it (409) without an admin's revoke and a new enrollment.
type RegisterKeyRequest struct {
	PublicKey string `json:"public_key"`
}

// KeysResponse is GET /devices/keys: the city's public key and every key held by a device
// of the caller's unit, each signed by the city (domain.KeyRecord).
//
// Roster (extension) is the unit's active devices and their current keys, signed by the
// city: LAN peers admit each other by it, so a revoked device is dropped on the next sync.
type KeysResponse struct {
	CentralKey string             `json:"central_key"`
	Keys       []domain.KeyRecord `json:"keys"`
	Roster     *domain.Roster     `json:"roster,omitempty"`
}

// PushRequest carries up to MaxBatch events, and the head of the workstation's local event
// chain: the city keeps the latest head each device showed it and returns it, so a chain
// later recomputed on the workstation no longer matches what the city holds.
type PushRequest struct {
	Events []domain.Event `json:"events"`
	Head   *ChainHead     `json:"head,omitempty"`
}

// ChainHead is the last link of a workstation's event chain: the seq of its last event in
// its own store and that event's link (domain.ChainLink).
type ChainHead struct {
	Seq  int64     `json:"seq"`
	Link string    `json:"link"`
	Sig  string    `json:"sig,omitempty"` // the device's signature (domain.HeadMessage)
	At   time.Time `json:"at,omitzero"`   // when the device showed it (signed with it)
	// Events is how many events of this device the city holds (GET /devices/head only).
	Events int64 `json:"events,omitempty"`
}

// Per-event push results.
const (
	Accepted  = "accepted"  // stored now
	Duplicate = "duplicate" // already held with the same content: treat as accepted
	Rejected  = "rejected"  // invalid, or the id reused with other content: quarantine
)

// PushResult is the answer for one event.
type PushResult struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Reason string `json:"reason,omitempty"`
}

// PushResponse answers a push, one result per event, and the server's clock.
type PushResponse struct {
	Results    []PushResult `json:"results"`
	ServerTime time.Time    `json:"server_time"`
	Head       *ChainHead   `json:"head,omitempty"` // the head the city now holds for the device
	// Statuses answers a compact push (PushRequestC): one letter per event, in the order
	// sent (StatusAccepted, StatusDuplicate, StatusRejected); Results then holds only the
	// rejected events, with their reasons.
	Statuses string `json:"statuses,omitempty"`
}

// ChangesResponse is one page of events this device did not author, for its unit.
// Cursor is opaque; More says another page is waiting. 410 Gone means the cursor is
// unknown: start again from the beginning (full resync).
type ChangesResponse struct {
	Events     []domain.Event `json:"events"`
	Cursor     string         `json:"cursor"`
	More       bool           `json:"more"`
	ServerTime time.Time      `json:"server_time"`
}

// CatalogueResponse carries the procedure catalogue and working-calendar tables as the
// JSON documents the local store keeps (domain.Catalogue, calendar.YearTable). It is
// served with an ETag; If-None-Match gives 304 when nothing changed.
type CatalogueResponse struct {
	Version   string            `json:"version"`
	Catalogue json.RawMessage   `json:"catalogue"`
	Calendars []json.RawMessage `json:"calendars"`
}

// ErrorResponse is the body of every 4xx/5xx answer.
type ErrorResponse struct {
	Error ErrorBody `json:"error"`
}

// ErrorBody explains a failure; Message is Vietnamese, for the clerk.
type ErrorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// PingResponse answers GET /ping, the cheap probe a disconnected workstation sends before
// it tries a full sync. It needs no token. (Extension to the protocol table: a probe must
// not consume the rate limit or the database of a real call.)
type PingResponse struct {
	API        int       `json:"api"`
	ServerTime time.Time `json:"server_time"`
}

// StatsResponse is GET /stats.
type StatsResponse struct {
	Dossiers int            `json:"dossiers"`
	Events   int            `json:"events"`
	Files    int            `json:"files"`
	Devices  int            `json:"devices"`
	ByStatus map[string]int `json:"by_status"`
	ByUnit   map[string]int `json:"by_unit"`

	// Feedback (phản ánh, kiến nghị) by where each item stands now, for the city (or the
	// device's unit) and per unit.
	Feedback       FeedbackStats            `json:"feedback"`
	FeedbackByUnit map[string]FeedbackStats `json:"feedback_by_unit"`
	// Visits (citizens served at a counter), in all and per unit and kind.
	Visits       int            `json:"visits"`
	VisitsByUnit map[string]int `json:"visits_by_unit"`
	VisitsByKind map[string]int `json:"visits_by_kind"`
}

// FeedbackStats counts feedback items. Resolved includes the published ones (answered and
// then made public); InProgress is received or assigned, not yet answered.
type FeedbackStats struct {
	Received   int            `json:"received"`
	Resolved   int            `json:"resolved"`
	Published  int            `json:"published"`
	InProgress int            `json:"in_progress"`
	ByChannel  map[string]int `json:"by_channel,omitempty"`
}

// FeedbackItem is one feedback item in GET /feedback: the fold and the unit it belongs to.
type FeedbackItem struct {
	Unit string `json:"unit"`
	domain.Feedback
}

// FeedbackPage answers GET /feedback?unit=&status=&from=&to=&limit=&offset=: the items
// received in the period, newest first, and how many match in all.
type FeedbackPage struct {
	Items  []FeedbackItem `json:"items"`
	Total  int            `json:"total"`
	Offset int            `json:"offset"`
	Limit  int            `json:"limit"`
}

// AdminEventRequest records processing-side events at the city (forwarded, progress,
// result ready, refused, code assigned…) so that pull carries them to the counters.
// Authorised by the admin token. The server stamps id, device, unit, at and hlc.
type AdminEventRequest struct {
	DossierID string          `json:"dossier_id,omitempty"`
	Code      string          `json:"code,omitempty"` // alternative to DossierID
	Unit      string          `json:"unit,omitempty"` // with Code: the unit whose dossier it is
	Type      string          `json:"type"`
	Payload   json.RawMessage `json:"payload"`
	Actor     string          `json:"actor"`
}

// AdminEnrollCodeRequest is POST /admin/enroll-codes: the admin token asks for a one-time
// enrollment code for one workstation of a unit (what `motcua-central enroll-code` prints),
// so tools such as `motcua-central loadtest` can enroll workstations over the API.
type AdminEnrollCodeRequest struct {
	UnitCode string `json:"unit_code"`
	UnitName string `json:"unit_name"`
	Slot     int    `json:"slot"`
}

// AdminEnrollCodeResponse carries the code and when it stops being valid.
type AdminEnrollCodeResponse struct {
	Code      string    `json:"code"`
	ExpiresAt time.Time `json:"expires_at"`
}

// FileMetadata is the tus Upload-Metadata the client sends: the file's SHA-256 (the
// server verifies it when the upload completes), name and type.
const (
	MetaSHA256 = "sha256"
	MetaName   = "filename"
	MetaType   = "filetype"
)
