package localdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"motcua/domain"
)

// OthersWithID lists the applicants on file with p's ID number who are not the same holder
// as p (domain.SameHolder: another name, or another birth date), latest first. A blank or
// malformed ID number finds nothing.
func (s *Store) OthersWithID(ctx context.Context, p domain.Person) ([]domain.OtherHolder, error) {
	id := strings.TrimSpace(p.IDNumber)
	if len(id) != 12 {
		return nil, nil
	}
	rows, err := s.r.QueryContext(ctx, `SELECT id, code, received_at, json_extract(doc, '$.applicant') FROM dossiers
		WHERE id_number = ? ORDER BY received_at DESC LIMIT 500`, id)
	if err != nil {
		return nil, fmt.Errorf("others with id: %w", err)
	}
	defer rows.Close()
	var out []domain.OtherHolder
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
		if domain.SameHolder(p, on) {
			continue
		}
		key := domain.HolderKey(on)
		if i, ok := seen[key]; ok {
			out[i].Dossiers++
			continue
		}
		seen[key] = len(out)
		o := domain.OtherHolder{Person: on, DossierID: dossierID, Code: code, Dossiers: 1}
		o.ReceivedAt = fromMS(received)
		out = append(out, o)
	}
	return out, rows.Err()
}
