package central

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"

	"motcua/assets"
	"motcua/domain"
	"motcua/domain/calendar"
	"motcua/sync/api"
)

// The catalogue the counters use: procedures and yearly calendar tables. The server starts
// from the embedded seed; an operator replaces it (motcua-central catalogue). The ETag is a
// hash of the document, so any change reaches every counter on its next sync.

// Catalogue returns the current catalogue document and its ETag.
func (c *Central) Catalogue(ctx context.Context) ([]byte, string, error) {
	rev, err := c.db.meta(ctx, "catalogue.rev")
	if err != nil {
		return nil, "", err
	}
	c.catMu.Lock()
	defer c.catMu.Unlock()
	if c.catDoc != nil && c.catKey == rev {
		return c.catDoc, c.catTag, nil
	}
	cat, err := c.db.meta(ctx, "catalogue")
	if err != nil {
		return nil, "", err
	}
	rawCat := json.RawMessage(assets.CatalogueJSON)
	if cat != "" {
		rawCat = json.RawMessage(cat)
	}
	parsed, err := domain.ParseCatalogue(rawCat)
	if err != nil {
		return nil, "", fmt.Errorf("catalogue: %w", err)
	}
	var cals []json.RawMessage
	if s, err := c.db.meta(ctx, "calendars"); err != nil {
		return nil, "", err
	} else if s != "" {
		if err := json.Unmarshal([]byte(s), &cals); err != nil {
			return nil, "", fmt.Errorf("calendars: %w", err)
		}
	} else {
		for _, b := range assets.CalendarTables() {
			cals = append(cals, json.RawMessage(b))
		}
	}
	doc := api.CatalogueResponse{Catalogue: rawCat, Calendars: cals}
	body, err := json.Marshal(doc)
	if err != nil {
		return nil, "", err
	}
	sum := sha256.Sum256(body)
	doc.Version = parsed.Version + "+" + hex.EncodeToString(sum[:4])
	if body, err = json.Marshal(doc); err != nil {
		return nil, "", err
	}
	c.catKey, c.catDoc, c.catTag = rev, body, `"`+hex.EncodeToString(sum[:12])+`"`
	return c.catDoc, c.catTag, nil
}

// SetCatalogue replaces the procedure catalogue and, when calendars is not nil, the calendar
// tables (one calendar.YearTable document each). Both are validated first.
func (c *Central) SetCatalogue(ctx context.Context, catalogue []byte, calendars [][]byte) error {
	if catalogue != nil {
		if _, err := domain.ParseCatalogue(catalogue); err != nil {
			return invalid("Danh mục thủ tục không hợp lệ: " + err.Error())
		}
	}
	var cals []json.RawMessage
	if calendars != nil {
		byYear := map[int]json.RawMessage{}
		for _, raw := range calendars {
			t, err := calendar.ParseYearTable(raw)
			if err != nil {
				return invalid("Bảng lịch làm việc không hợp lệ: " + err.Error())
			}
			byYear[t.Year] = json.RawMessage(raw)
		}
		years := make([]int, 0, len(byYear))
		for y := range byYear {
			years = append(years, y)
		}
		sort.Ints(years)
		for _, y := range years {
			cals = append(cals, byYear[y])
		}
	}
	return c.db.tx(ctx, "set catalogue", func(tx *sql.Tx) error {
		if catalogue != nil {
			if err := putMeta(ctx, tx, "catalogue", string(catalogue)); err != nil {
				return err
			}
		}
		if calendars != nil {
			b, _ := json.Marshal(cals)
			if err := putMeta(ctx, tx, "calendars", string(b)); err != nil {
				return err
			}
		}
		// One step up, in one statement (two changes at once still give two revisions).
		_, err := tx.ExecContext(ctx, `INSERT INTO meta(key, value) VALUES ('catalogue.rev', '1')
			ON CONFLICT(key) DO UPDATE SET value = CAST(CAST(meta.value AS INTEGER) + 1 AS TEXT)`)
		return err
	})
}
