package localdb

import (
	"context"
	"database/sql"
	"fmt"
	"hash/fnv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"motcua/internal/sqlitex"
)

// Verifying the search indexes. FTS5 tables here are contentless: what was indexed cannot
// be read back as text, and asking the index about each dossier costs a query per dossier
// over doclists that every dossier shares (the unit's code). Instead the whole index is read
// once, term by term, through an fts5vocab table (term, document, column, position), and
// each document's tokens are summed into one hash; the expected hash of each dossier is made
// from its fold's search fields, tokenized the way unicode61 does. Any token removed, added
// or changed for a document changes its sum.

// ftsColumns are the search tables' columns, in order.
var ftsColumns = []string{"code", "name", "id_number", "phone", "procedure"}

// tokenHash is one token at a position of a column, as a 64-bit value to be summed.
func tokenHash(col int, pos int, tok string) uint64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%d\x00%d\x00%s", col, pos, tok)
	x := h.Sum64()
	// A mix, so that sums of similar tokens do not cancel out.
	x ^= x >> 31
	x *= 0x7fb5d329728ea185
	x ^= x >> 27
	return x
}

// indexSum is the expected sum of a document's tokens, from its five search fields.
func indexSum(f [5]string) uint64 {
	var sum uint64
	for col, text := range f {
		pos := 0
		for _, tok := range unicode61Tokens(text) {
			sum += tokenHash(col, pos, tok)
			pos++
		}
	}
	return sum
}

// unicode61Tokens splits text as FTS5's unicode61 tokenizer with remove_diacritics 2 does:
// runs of letters, digits and private-use characters, folded to lower case without marks.
func unicode61Tokens(text string) []string {
	var out []string
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			out = append(out, b.String())
			b.Reset()
		}
	}
	for _, r := range norm.NFD.String(text) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue // a diacritic: removed, the token goes on
		case unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Co, r):
			b.WriteRune(unicode.ToLower(r))
		default:
			flush()
		}
	}
	flush()
	return out
}

// indexSums reads one search table whole and sums each document's tokens. It uses a
// connection of its own: the vocabulary table lives in the connection's temp schema.
func (s *Store) indexSums(ctx context.Context, table string) (map[int64]uint64, error) {
	db, err := sql.Open("sqlite", sqlitex.DSN(s.path, false))
	if err != nil {
		return nil, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	vocab := "verify_" + table + "_v"
	if _, err := conn.ExecContext(ctx, `CREATE VIRTUAL TABLE temp.`+vocab+` USING fts5vocab(main, `+table+`, instance)`); err != nil {
		return nil, fmt.Errorf("verify %s: %w", table, err)
	}
	rows, err := conn.QueryContext(ctx, `SELECT term, doc, col, offset FROM temp.`+vocab)
	if err != nil {
		return nil, fmt.Errorf("verify %s: %w", table, err)
	}
	defer rows.Close()
	colIdx := map[string]int{}
	for i, c := range ftsColumns {
		colIdx[c] = i
	}
	sums := map[int64]uint64{}
	for rows.Next() {
		var term, col string
		var doc int64
		var off int
		if err := rows.Scan(&term, &doc, &col, &off); err != nil {
			return nil, err
		}
		sums[doc] += tokenHash(colIdx[col], off, term)
	}
	return sums, rows.Err()
}

// compareIndex reports the documents whose tokens differ from the expected ones, and the
// entries of documents that should not be there.
func (s *Store) compareIndex(ctx context.Context, r *FullVerify, table string, want map[int64]uint64, msg string) error {
	got, err := s.indexSums(ctx, table)
	if err != nil {
		return err
	}
	bad := map[int64]bool{}
	for rid, w := range want {
		if got[rid] != w {
			bad[rid] = true
		}
	}
	for rid := range got {
		if _, ok := want[rid]; !ok {
			bad[rid] = true
		}
	}
	for rid := range bad {
		var id string
		err := s.r.QueryRowContext(ctx, `SELECT id FROM dossiers WHERE rid = ?`, rid).Scan(&id)
		if err != nil && err != sql.ErrNoRows {
			return err
		}
		f := Finding{Kind: "index", Dossier: id, Msg: msg, rid: rid}
		if id == "" {
			f.Msg = fmt.Sprintf("Chỉ mục tìm kiếm có mục số %d không ứng với hồ sơ nào.", rid)
		}
		r.Findings = append(r.Findings, f)
	}
	return nil
}
