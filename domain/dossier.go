package domain

import (
	"encoding/json"
	"time"
)

// Channel is how a dossier reached the centre (KenhThucHien).
type Channel int

const (
	ChannelDirect Channel = 1 // trực tiếp
	ChannelOnline Channel = 2 // trực tuyến
	ChannelPost   Channel = 3 // qua bưu chính
)

func (c Channel) String() string {
	switch c {
	case ChannelDirect:
		return "Trực tiếp"
	case ChannelOnline:
		return "Trực tuyến"
	case ChannelPost:
		return "Bưu chính công ích"
	}
	return "Không rõ"
}

// SubjectKind is LoaiDoiTuong: who the dossier is for.
type SubjectKind int

const (
	SubjectCitizen  SubjectKind = 1
	SubjectBusiness SubjectKind = 2
	SubjectAgency   SubjectKind = 3
	SubjectOther    SubjectKind = 4
)

// Person is an applicant, a dossier owner or a recipient of the result.
type Person struct {
	Name     string `json:"name"`
	IDNumber string `json:"id_number,omitempty"`
	Birth    string `json:"birth,omitempty"` // YYYY-MM-DD
	Sex      string `json:"sex,omitempty"`   // "Nam" / "Nữ"
	Phone    string `json:"phone,omitempty"`
	Email    string `json:"email,omitempty"`
	Address  string `json:"address,omitempty"`
}

// ProcedureRef is the procedure a dossier was received under, frozen at intake.
type ProcedureRef struct {
	Code             string         `json:"code"`
	Name             string         `json:"name"`
	FieldCode        string         `json:"field_code"`
	Field            string         `json:"field"`
	CatalogueVersion string         `json:"catalogue_version"`
	Time             ProcessingTime `json:"time"`
	ResultType       string         `json:"result_type,omitempty"`
}

// FileRef is a stored file: content-addressed by SHA-256.
type FileRef struct {
	SHA256 string `json:"sha256"`
	Name   string `json:"name"`
	Mime   string `json:"mime"`
	Size   int64  `json:"size"`
	Pages  int    `json:"pages,omitempty"`
}

// ValidSHA256 reports whether s is a SHA-256 as the app writes it: 64 lowercase hex digits.
// A file's hash names its path on disk, so nothing else may pass for one.
func ValidSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// DocumentItem is one component of a received dossier.
type DocumentItem struct {
	Code      string       `json:"code,omitempty"`
	Name      string       `json:"name"`
	Form      DocumentForm `json:"form"`
	Count     int          `json:"count"`
	Digitized bool         `json:"digitized,omitempty"`
	Files     []FileRef    `json:"files,omitempty"`
}

// SupplementItem is one paper a citizen is asked to add (Mẫu 02).
type SupplementItem struct {
	Name  string       `json:"name"`
	Form  DocumentForm `json:"form"`
	Count int          `json:"count"`
}

// SupplementRound is one request for more papers and, once they arrive, its end.
type SupplementRound struct {
	RequestedAt time.Time        `json:"requested_at"`
	Items       []SupplementItem `json:"items"`
	Reason      string           `json:"reason"`
	GuideName   string           `json:"guide_name,omitempty"`
	GuidePhone  string           `json:"guide_phone,omitempty"`
	ReceivedAt  time.Time        `json:"received_at,omitempty"`
	DueBefore   time.Time        `json:"due_before"`
	DueAfter    time.Time        `json:"due_after,omitempty"`
}

// Reschedule is an apology with a new due date (Mẫu 04).
type Reschedule struct {
	At       time.Time `json:"at"`
	Number   string    `json:"number,omitempty"` // …/PXL
	Agency   string    `json:"agency,omitempty"` // the agency that caused the delay; the letter is issued in its name (2025)
	Reason   string    `json:"reason"`
	OldDueAt time.Time `json:"old_due_at"`
	NewDueAt time.Time `json:"new_due_at"`
	By       string    `json:"by"`
}

// Step is an entry of the processing trail: forwarding, progress, result received, used by
// the control slip (Mẫu 05) and the tracking book (Mẫu 06).
type Step struct {
	At      time.Time `json:"at"`
	Kind    EventType `json:"kind"`
	Agency  string    `json:"agency,omitempty"` // DonViXuLy / PhongBanXuLy
	Handler string    `json:"handler,omitempty"`
	Title   string    `json:"title,omitempty"`
	Content string    `json:"content,omitempty"`
	By      string    `json:"by"`
}

// HandOver is an entry of the electronic result-return book.
type HandOver struct {
	At         time.Time `json:"at"`
	By         string    `json:"by"`
	Recipient  Person    `json:"recipient"`
	Authorized bool      `json:"authorized,omitempty"` // an authorised person, not the applicant
	Authority  string    `json:"authority,omitempty"`  // the authorisation paper
	Method     string    `json:"method"`               // counter | post | electronic
	Documents  string    `json:"documents,omitempty"`  // what was returned
}

// Hand-over methods.
const (
	HandOverCounter    = "counter"
	HandOverPost       = "post"
	HandOverElectronic = "electronic"
)

// FormPrepared records a declaration an official filled in for the citizen.
type FormPrepared struct {
	At       time.Time `json:"at"`
	By       string    `json:"by"`
	Template string    `json:"template"`
}

// Conflict is an event kept but not applied because it broke a rule after events from
// elsewhere were merged. A supervisor resolves it with a new event.
type Conflict struct {
	EventID    string    `json:"event_id"`
	Type       EventType `json:"type"`
	At         time.Time `json:"at"`
	Actor      string    `json:"actor"`
	Device     string    `json:"device"`
	Code       string    `json:"code"`
	Msg        string    `json:"msg"`
	Resolved   bool      `json:"resolved,omitempty"`
	ResolvedBy string    `json:"resolved_by,omitempty"`
	Resolution string    `json:"resolution,omitempty"`
}

// Dossier is the fold of a dossier's events: what lists, forms and reports read.
type Dossier struct {
	ID          string         `json:"id"`
	Code        string         `json:"code"`
	Unit        string         `json:"unit"`
	Procedure   ProcedureRef   `json:"procedure"`
	Applicant   Person         `json:"applicant"`
	Owner       *Person        `json:"owner,omitempty"`
	Subject     SubjectKind    `json:"subject"`
	Channel     Channel        `json:"channel"`
	Summary     string         `json:"summary"`
	Documents   []DocumentItem `json:"documents"`
	Sets        int            `json:"sets"`
	Copies      int            `json:"copies,omitempty"`
	Pages       int            `json:"pages,omitempty"`
	Fee         int64          `json:"fee"`
	FeePaid     int64          `json:"fee_paid,omitempty"`
	Assisted    bool           `json:"assisted,omitempty"`
	ReturnPlace string         `json:"return_place,omitempty"`

	Status        Status    `json:"status"`
	PausedFrom    Status    `json:"paused_from,omitempty"` // status to go back to after a supplement
	RegisteredAt  time.Time `json:"registered_at,omitempty"`
	ReceivedAt    time.Time `json:"received_at,omitempty"`
	ReceivedBy    string    `json:"received_by,omitempty"`
	DueAt         time.Time `json:"due_at,omitempty"`
	OriginalDueAt time.Time `json:"original_due_at,omitempty"`
	ForwardedAt   time.Time `json:"forwarded_at,omitempty"`
	ResultAt      time.Time `json:"result_at,omitempty"` // result ready: end of processing
	ResultFrom    string    `json:"result_from,omitempty"`
	ReturnedAt    time.Time `json:"returned_at,omitempty"`
	ClosedAt      time.Time `json:"closed_at,omitempty"` // refused, withdrawn or stopped
	CloseReason   string    `json:"close_reason,omitempty"`
	EResult       bool      `json:"e_result,omitempty"`

	Supplements []SupplementRound `json:"supplements,omitempty"`
	Reschedules []Reschedule      `json:"reschedules,omitempty"`
	Steps       []Step            `json:"steps,omitempty"`
	HandOver    *HandOver         `json:"hand_over,omitempty"`
	Results     []FileRef         `json:"results,omitempty"` // electronic results
	Forms       []FormPrepared    `json:"forms,omitempty"`
	Conflicts   []Conflict        `json:"conflicts,omitempty"`

	Events    int       `json:"events"`
	LastHLC   HLC       `json:"last_hlc"`
	UpdatedAt time.Time `json:"updated_at"`

	resolvedIDs map[string]resolution
}

type resolution struct{ by, note string }

// Clone returns a deep copy, so a tentative Apply cannot touch the original.
func (d Dossier) Clone() Dossier {
	raw, err := json.Marshal(d)
	if err != nil {
		panic(err) // every field is plain data
	}
	var c Dossier
	if err := json.Unmarshal(raw, &c); err != nil {
		panic(err)
	}
	if d.resolvedIDs != nil {
		c.resolvedIDs = make(map[string]resolution, len(d.resolvedIDs))
		for k, v := range d.resolvedIDs {
			c.resolvedIDs[k] = v
		}
	}
	return c
}

// OpenConflicts returns the conflicts not yet resolved.
func (d Dossier) OpenConflicts() []Conflict {
	var out []Conflict
	for _, c := range d.Conflicts {
		if !c.Resolved {
			out = append(out, c)
		}
	}
	return out
}

// Paused reports whether the clock is stopped waiting for a supplement.
func (d Dossier) Paused() bool { return d.Status == StatusSupplement }

// DigitizedShare is the share of the dossier's components marked digitized (0..1).
func (d Dossier) DigitizedShare() float64 {
	if len(d.Documents) == 0 {
		return 0
	}
	n := 0
	for _, doc := range d.Documents {
		if doc.Digitized {
			n++
		}
	}
	return float64(n) / float64(len(d.Documents))
}

// FullyDigitized reports whether every component is digitized.
func (d Dossier) FullyDigitized() bool {
	return len(d.Documents) > 0 && d.DigitizedShare() == 1
}

// Owner or applicant: the person the dossier is for (ChuHoSo).
func (d Dossier) OwnerOrApplicant() Person {
	if d.Owner != nil && d.Owner.Name != "" {
		return *d.Owner
	}
	return d.Applicant
}
