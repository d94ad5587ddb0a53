package domain

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"motcua/domain/calendar"
)

// TimeUnit says how a procedure's statutory processing time is counted. It is the
// calendar's unit type: the catalogue, ProcessingTime and calendar.Due share one enum.
type TimeUnit = calendar.Unit

const (
	// TimeWorkingDays counts working days (8 working hours each).
	TimeWorkingDays = calendar.UnitDays
	// TimeWorkingHours counts working hours.
	TimeWorkingHours = calendar.UnitHours
	// TimeSameDay: the result is due the same working day; received after the
	// cut-off (15:00 by default), it is due the next working day.
	TimeSameDay = calendar.UnitSameDay
	// TimeCalendarDays counts calendar days, weekends and holidays included (e.g.
	// marriage with a foreign element: 15 days, Law on Civil Status art. 38.2); when the
	// last day is a day off, the result is due on the next working day.
	TimeCalendarDays = calendar.UnitCalendarDays
)

// ProcessingTime is a procedure's statutory processing time (thời hạn giải quyết).
type ProcessingTime struct {
	Unit  TimeUnit `json:"unit"`
	Value float64  `json:"value,omitempty"` // days or hours; unused for same_day
	Note  string   `json:"note,omitempty"`  // e.g. "≤5 ngày làm việc nếu phải xác minh"
}

// FeeKind is the shape of a procedure's fee rule (phí, lệ phí).
type FeeKind string

const (
	FeeNone     FeeKind = "none"
	FeeFixed    FeeKind = "fixed"    // Amount per dossier
	FeePerCopy  FeeKind = "per_copy" // Amount per copy
	FeePerPage  FeeKind = "per_page" // Tiers per page of each copy, capped per copy
	FeeProvince FeeKind = "province" // set by the provincial council: Amount is the local rate, editable
)

// FeeTier charges PerPage đồng for pages FromPage..ToPage (ToPage 0 = no upper bound).
type FeeTier struct {
	FromPage int   `json:"from_page"`
	ToPage   int   `json:"to_page,omitempty"`
	PerPage  int64 `json:"per_page"`
}

// FeeRule computes what a citizen pays, in đồng.
type FeeRule struct {
	Kind       FeeKind   `json:"kind"`
	Name       string    `json:"name,omitempty"` // e.g. "Lệ phí chứng thực"
	Amount     int64     `json:"amount,omitempty"`
	Tiers      []FeeTier `json:"tiers,omitempty"`
	CapPerCopy int64     `json:"cap_per_copy,omitempty"`
	Note       string    `json:"note,omitempty"` // exemptions, e.g. "Miễn lệ phí nếu đăng ký đúng hạn"
}

// DocumentForm is the form in which a document is handed in.
type DocumentForm string

const (
	FormOriginal  DocumentForm = "original"  // bản chính
	FormCertified DocumentForm = "certified" // bản sao chứng thực
	FormPhoto     DocumentForm = "photo"     // bản photo / bản sao
)

// RequiredDocument is one component of a procedure's dossier (thành phần hồ sơ).
type RequiredDocument struct {
	Code     string       `json:"code,omitempty"`
	Name     string       `json:"name"`
	Form     DocumentForm `json:"form"`
	Count    int          `json:"count"`
	Optional bool         `json:"optional,omitempty"` // "nếu có", or only in some cases
	// KeepScan: the scan of this paper is kept exactly as scanned (a rule requires the
	// original image), never recompressed at intake (localdb.StoreScan).
	KeepScan bool `json:"keep_scan,omitempty"`
}

// Procedure is one administrative procedure (thủ tục hành chính) of the catalogue.
type Procedure struct {
	Code             string             `json:"code"` // mã TTHC on the national database, e.g. 1.001193
	Name             string             `json:"name"`
	FieldCode        string             `json:"field_code"`
	Field            string             `json:"field"` // lĩnh vực, e.g. Hộ tịch
	Time             ProcessingTime     `json:"time"`
	Fee              FeeRule            `json:"fee"`
	Documents        []RequiredDocument `json:"documents"`
	PresenceRequired bool               `json:"presence_required"`
	AssistAllowed    bool               `json:"assist_allowed"`        // may an official fill the forms in?
	AssistNote       string             `json:"assist_note,omitempty"` // why not, and what is allowed instead
	Declaration      string             `json:"declaration,omitempty"` // id of the declaration template, if any
	ResultType       string             `json:"result_type"`
	Popularity       int                `json:"popularity,omitempty"`  // ordering hint for pickers before local usage exists
	Unconfirmed      []string           `json:"unconfirmed,omitempty"` // JSON names of facts not confirmed from a published source
	Source           string             `json:"source,omitempty"`
}

// Catalogue is a versioned set of procedures.
type Catalogue struct {
	Version    string      `json:"version"`
	Published  string      `json:"published,omitempty"` // YYYY-MM-DD
	Note       string      `json:"note,omitempty"`
	Procedures []Procedure `json:"procedures"`

	byCode map[string]int
}

// ParseCatalogue decodes and validates a catalogue document.
func ParseCatalogue(data []byte) (*Catalogue, error) {
	var c Catalogue
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("catalogue: %w", err)
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

// Validate checks that every procedure is complete and codes are unique, and builds the index.
func (c *Catalogue) Validate() error {
	if strings.TrimSpace(c.Version) == "" {
		return fmt.Errorf("catalogue: missing version")
	}
	c.byCode = make(map[string]int, len(c.Procedures))
	for i, p := range c.Procedures {
		if err := p.Validate(); err != nil {
			return fmt.Errorf("catalogue %s: procedure %d (%s): %w", c.Version, i, p.Code, err)
		}
		if _, dup := c.byCode[p.Code]; dup {
			return fmt.Errorf("catalogue %s: duplicate procedure code %s", c.Version, p.Code)
		}
		c.byCode[p.Code] = i
	}
	return nil
}

// Lookup returns the procedure with the given code.
func (c *Catalogue) Lookup(code string) (Procedure, bool) {
	if c.byCode == nil {
		if err := c.Validate(); err != nil {
			return Procedure{}, false
		}
	}
	i, ok := c.byCode[strings.TrimSpace(code)]
	if !ok {
		return Procedure{}, false
	}
	return c.Procedures[i], true
}

// Fields lists the distinct fields (lĩnh vực) in catalogue order of first appearance.
func (c *Catalogue) Fields() []Field {
	seen := map[string]bool{}
	var out []Field
	for _, p := range c.Procedures {
		if !seen[p.FieldCode] {
			seen[p.FieldCode] = true
			out = append(out, Field{Code: p.FieldCode, Name: p.Field})
		}
	}
	return out
}

// Field is a lĩnh vực: the grouping used by reports.
type Field struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// ByPopularity returns the procedures ordered most popular first, then by name.
func (c *Catalogue) ByPopularity() []Procedure {
	out := append([]Procedure(nil), c.Procedures...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Popularity != out[j].Popularity {
			return out[i].Popularity > out[j].Popularity
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// Validate checks one procedure's data.
func (p Procedure) Validate() error {
	switch {
	case strings.TrimSpace(p.Code) == "":
		return fmt.Errorf("missing code")
	case strings.TrimSpace(p.Name) == "":
		return fmt.Errorf("missing name")
	case strings.TrimSpace(p.Field) == "" || strings.TrimSpace(p.FieldCode) == "":
		return fmt.Errorf("missing field")
	case strings.TrimSpace(p.ResultType) == "":
		return fmt.Errorf("missing result type")
	}
	switch p.Time.Unit {
	case TimeSameDay:
	case TimeWorkingDays, TimeWorkingHours, TimeCalendarDays:
		if p.Time.Value <= 0 {
			return fmt.Errorf("processing time must be positive")
		}
	default:
		return fmt.Errorf("unknown time unit %q", p.Time.Unit)
	}
	if err := p.Fee.Validate(); err != nil {
		return err
	}
	for i, d := range p.Documents {
		if strings.TrimSpace(d.Name) == "" {
			return fmt.Errorf("document %d: missing name", i)
		}
		switch d.Form {
		case FormOriginal, FormCertified, FormPhoto:
		default:
			return fmt.Errorf("document %d: unknown form %q", i, d.Form)
		}
		if d.Count < 1 {
			return fmt.Errorf("document %d: count must be at least 1", i)
		}
	}
	if !p.AssistAllowed && strings.TrimSpace(p.AssistNote) == "" {
		return fmt.Errorf("assisted filling not allowed but no reason given")
	}
	return nil
}
