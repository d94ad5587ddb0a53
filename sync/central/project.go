package central

import (
	"context"
	"database/sql"
	"time"

	"motcua/domain"
	"motcua/internal/sqlitex"
)

// folder rebuilds dossier projections inside a write transaction.
type folder struct {
	c    *Central // statement cache (nil: prepare each time)
	tx   *sql.Tx
	load *sql.Stmt
	now  time.Time

	chunk int  // dossiers per statement (db.chunks)
	pow2  bool // the rest in power-of-two pieces (db.pieces)
}

func newFolder(ctx context.Context, tx *sql.Tx, now time.Time) (*folder, error) {
	load, err := tx.PrepareContext(ctx, `SELECT `+eventColumns+` FROM events WHERE stream_id = ? ORDER BY hlc, device, id`)
	if err != nil {
		return nil, err
	}
	return &folder{tx: tx, load: load, now: now, chunk: projectionChunk}, nil
}

func (f *folder) close() { f.load.Close() }

// fold folds every stored event of a stream.
func (f *folder) fold(ctx context.Context, streamID string) (domain.Dossier, error) {
	rows, err := f.load.QueryContext(ctx, streamID)
	if err != nil {
		return domain.Dossier{}, err
	}
	evs, err := sqlitex.ScanEvents(rows)
	if err != nil {
		return domain.Dossier{}, err
	}
	return domain.Fold(evs), nil
}

// refold folds every stored event of a dossier and writes the projection.
func (f *folder) refold(ctx context.Context, streamID string) error {
	d, err := f.fold(ctx, streamID)
	if err != nil {
		return err
	}
	return f.projectAll(ctx, []domain.Dossier{d})
}

const projectionColumns = 22

// projectAll writes dossiers' folds, many rows per statement.
func (f *folder) projectAll(ctx context.Context, ds []domain.Dossier) error {
	rows := make([][]any, 0, len(ds))
	for _, d := range ds {
		if d.ID == "" {
			// Events whose opening event has not arrived yet: nothing to project until it does.
			continue
		}
		p := portalFields(d)
		received := d.ReceivedAt
		if received.IsZero() {
			received = d.RegisteredAt
		}
		var refused time.Time
		if d.Status == domain.StatusRefused {
			refused = d.ClosedAt
		}
		rows = append(rows, []any{d.ID, d.Unit, d.Code, d.Procedure.Code, d.Procedure.Name, d.Procedure.FieldCode, d.Procedure.Field,
			int(d.Channel), p.owner, p.ownerID, int(d.Subject), int(d.Status), ms(received), ms(d.DueAt), ms(d.ReturnedAt),
			ms(d.ResultAt), ms(refused), p.agency, len(d.OpenConflicts()), d.Events, int64(d.LastHLC), f.now.UnixMilli()})
	}
	args := make([]any, 0, min(len(rows), f.chunk)*projectionColumns)
	return inPieces(rows, f.chunk, f.pow2, func(chunk [][]any) error {
		args = args[:0]
		for _, r := range chunk {
			args = append(args, r...)
		}
		query := upsertDossiersSQL(len(chunk))
		var err error
		if f.c != nil {
			_, err = f.c.exec(ctx, f.tx, query, args...)
		} else {
			_, err = f.tx.ExecContext(ctx, query, args...)
		}
		return err
	})
}
