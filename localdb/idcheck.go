package localdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"motcua/domain"
	"motcua/domain/citizen"
)

// SameIDOther is someone already on file as a dossier's applicant under an ID number, with
// another name or another birth date than the person being entered: either a typing error
// (in one of the two) or two people claiming one number. The clerk decides.
type SameIDOther struct {
	Person     domain.Person // as on file (the latest dossier that names them so)
	DossierID  string
	Code       string
	ReceivedAt time.Time
	Dossiers   int // dossiers on file naming this person so under the number
}

// OthersWithID lists the applicants on file with p's ID number whose name (compared as
// written, ignoring case, spacing and Unicode form) or birth date (when both are known)
// differ from p's, latest first. A blank or malformed ID number finds nothing.
func (s *Store) OthersWithID(ctx context.Context, p domain.Person) ([]SameIDOther, error) {
	id := strings.TrimSpace(p.IDNumber)
	if len(id) != 12 {
		return nil, nil
	}
	birth := birthKey(p.Birth)
	name := nameKey(p.Name)
	rows, err := s.r.QueryContext(ctx, `SELECT id, code, received_at, json_extract(doc, '$.applicant') FROM dossiers
		WHERE id_number = ? ORDER BY received_at DESC LIMIT 500`, id)
	if err != nil {
		return nil, fmt.Errorf("others with id: %w", err)
	}
	defer rows.Close()
	var out []SameIDOther
	seen := map[string]int{}
	for rows.Next() {
		var dossierID, code, applicant string
		var received sql.NullInt64
		if err := rows.Scan(&dossierID, &code, &received, &applicant); err != nil {
			return nil, fmt.Errorf("others with id: %w", err)
		}
		var on domain.Person
		if err := json.Unmarshal([]byte(applicant), &on); err != nil {
			return nil, fmt.Errorf("others with id %s: %w", code, err)
		}
		onName, onBirth := nameKey(on.Name), birthKey(on.Birth)
		sameName := onName == name
		sameBirth := onBirth == "" || birth == "" || onBirth == birth
		if sameName && sameBirth {
			continue
		}
		key := onName + "|" + onBirth
		if i, ok := seen[key]; ok {
			out[i].Dossiers++
			continue
		}
		seen[key] = len(out)
		o := SameIDOther{Person: on, DossierID: dossierID, Code: code, Dossiers: 1}
		o.ReceivedAt = fromMS(received)
		out = append(out, o)
	}
	return out, rows.Err()
}

// nameKey compares names as written: "nguyễn  văn AN" is "Nguyễn Văn An", but "Nguyễn Văn Ân" is
// another name.
func nameKey(s string) string {
	return strings.ToLower(citizen.NormaliseName(s))
}

// birthKey is a birth date as YYYY-MM-DD, however it was typed ("" when unknown or unreadable).
func birthKey(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	t, err := domain.ParseDate(s)
	if err != nil {
		return ""
	}
	return t.Format("2006-01-02")
}
