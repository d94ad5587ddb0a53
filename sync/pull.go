package sync

import (
	"context"
	"encoding/json"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"motcua/domain"
	"motcua/localdb"
	"motcua/sync/api"
)

// pull fetches the unit's changes page by page. Each page and the cursor after it are stored
// in one transaction (localdb.ApplyRemote), so the cursor never runs ahead of the data and a
// crash at any point resumes where the stored data ends. A 410 means the server does not know
// the cursor (its database was reset or restored): start again from the beginning — pulled
// events are deduplicated by id and local events are never touched, so nothing is lost.
func (e *Engine) pull(ctx context.Context, c *client, rep *Report) error {
	cursor, err := e.store.SyncValue(ctx, localdb.SyncKeyCursor)
	if err != nil {
		return localErr("pull", err)
	}
	// After a restore, the pulls from the start also bring back this device's own events.
	own, err := e.store.SyncValue(ctx, localdb.SyncKeyPullOwn)
	if err != nil {
		return localErr("pull", err)
	}
	// Events refused earlier (a tampering proxy, a key not yet known) get one more chance
	// each time the engine starts: the unit's changes are read again from the start (held
	// events are skipped by id), and what now checks out is applied.
	if !e.refetched.Swap(true) {
		if c, err := e.store.SyncCounts(ctx); err == nil && c.Refused > 0 {
			e.log.Info("sync: reading the unit's changes again for the refused events", "refused", c.Refused)
			cursor = ""
		}
	}
	for {
		// Pages sized from the link measured so far (link.go): a page that cannot arrive well
		// within the timeout would be cut and asked again from its start, forever. Each page
		// is committed with its cursor, so a cut page costs only itself.
		limit := e.link.pageSize(e.opt.PullLimit, c.timeout)
		q := "/changes?after=" + url.QueryEscape(cursor) + "&limit=" + strconv.Itoa(limit)
		if own != "" {
			q += "&own=1"
		}
		t0 := time.Now()
		// The compact encoding if the server has it; an older one answers plain JSON.
		r, err := c.call(ctx, "pull", http.MethodGet, q, nil, map[string]string{"Accept": api.ContentTypeCompact + ", application/json"})
		if err != nil && isClass(err, ClassNetwork) {
			e.link.failed()
		}
		if isClass(err, ClassGone) && !rep.Resynced {
			e.log.Warn("sync: server does not know the cursor; resyncing from the start", "cursor", cursor)
			rep.Resynced = true
			cursor = ""
			continue
		}
		if err != nil {
			return err
		}
		cr, err := decodeChanges(r)
		if err != nil {
			return err
		}
		e.link.pulled(len(cr.Events), time.Since(t0))
		e.observeClock(r, cr.ServerTime)
		if cr.Cursor == "" {
			return &Error{Class: ClassNetwork, Op: "pull", Msg: MsgBadReply}
		}
		good, refused, err := e.screen(ctx, c, cr.Events)
		if err != nil {
			return err
		}
		rep.Refused += len(refused)
		n, err := e.store.ApplyPulled(ctx, good, refused, localdb.SyncKeyCursor, cr.Cursor)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return &Error{Class: ClassLocal, Op: "pull", Msg: withCause("Không lưu được dữ liệu nhận từ máy chủ", err), Err: err}
		}
		rep.Pulled += n
		if n > 0 {
			e.tellPulled(good)
		}
		if !cr.More {
			if own != "" {
				if err := e.store.SetSyncValue(ctx, localdb.SyncKeyPullOwn, ""); err != nil {
					return localErr("pull", err)
				}
			}
			return nil
		}
		if cr.Cursor == cursor && len(cr.Events) == 0 {
			return &Error{Class: ClassServer, Op: "pull", Msg: "Máy chủ báo còn dữ liệu nhưng không gửi thêm; sẽ thử lại"}
		}
		cursor = cr.Cursor
	}
}

// decodeChanges reads a page of changes in the encoding the server chose (its Content-Type).
func decodeChanges(r *reply) (api.ChangesResponse, error) {
	if mt, _, _ := mime.ParseMediaType(r.header.Get("Content-Type")); mt == api.ContentTypeCompact {
		var c api.ChangesResponseC
		if err := decode("pull", r, &c); err != nil {
			return api.ChangesResponse{}, err
		}
		evs, err := c.Events.Unpack()
		if err != nil {
			return api.ChangesResponse{}, &Error{Class: ClassNetwork, Op: "pull", Status: r.status, Msg: MsgBadReply, Err: err}
		}
		return api.ChangesResponse{Events: evs, Cursor: c.Cursor, More: c.More, ServerTime: c.ServerTime}, nil
	}
	var cr api.ChangesResponse
	err := decode("pull", r, &cr)
	return cr, err
}

// catalogue fetches the procedure catalogue and calendar tables when they changed (ETag).
func (e *Engine) catalogue(ctx context.Context, c *client, rep *Report) error {
	tag, err := e.store.SyncValue(ctx, localdb.SyncKeyCatalogueETag)
	if err != nil {
		return localErr("catalogue", err)
	}
	r, err := c.call(ctx, "catalogue", http.MethodGet, "/catalogue", nil, map[string]string{"If-None-Match": tag})
	if err != nil {
		return err
	}
	if r.status == http.StatusNotModified {
		return nil
	}
	var cr api.CatalogueResponse
	if err := decode("catalogue", r, &cr); err != nil {
		return err
	}
	bad := func(what string, err error) error {
		return &Error{Class: ClassInvalid, Op: "catalogue", Msg: withCause(what+" nhận từ máy chủ không hợp lệ", err), Err: err}
	}
	if len(cr.Catalogue) > 0 {
		next, err := domain.ParseCatalogue(cr.Catalogue)
		if err != nil {
			return bad("Danh mục thủ tục", err)
		}
		// Skip an identical catalogue (the first sync usually finds the embedded seed).
		cur, _ := json.Marshal(e.store.Catalogue())
		nb, _ := json.Marshal(next)
		if string(cur) != string(nb) {
			if _, err := e.store.SetCatalogue(ctx, cr.Catalogue); err != nil {
				return bad("Danh mục thủ tục", err)
			}
			rep.Catalogue = true
		}
	}
	for _, raw := range cr.Calendars {
		if err := e.store.SetCalendarTable(ctx, raw); err != nil {
			return bad("Bảng lịch làm việc", err)
		}
		rep.Catalogue = true
	}
	if et := r.header.Get("ETag"); et != "" {
		if err := e.store.SetSyncValue(ctx, localdb.SyncKeyCatalogueETag, et); err != nil {
			return localErr("catalogue", err)
		}
	}
	return nil
}
