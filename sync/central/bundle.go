package central

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"motcua/domain"
	"motcua/sync/api"
	"motcua/sync/bundle"
)

// USB bundles at the city (docs/BUNDLES.md). An island workstation that cannot reach the
// server carries its unacknowledged events and scans here as one file; the city applies them
// through Push — the very checks of POST /events (envelope, limits, clock, signature, code),
// idempotent by event id — stores the scans as a finished upload would, and later writes a
// return bundle with the unit's events since the device's cursor and the answers for the
// device's own events.

// BundleImport says what importing one bundle did.
type BundleImport struct {
	ID         string
	Device     string
	Unit       string
	Created    time.Time
	Already    bool      // imported before: nothing changed
	ImportedAt time.Time // when (the first time, if Already)
	Events     int
	Accepted   int
	Duplicate  int
	Rejected   []api.PushResult
	Files      int // files carried
	HeadErr    string
}

// Print writes the report for the operator, in Vietnamese.
func (r BundleImport) Print(w io.Writer) {
	if r.Already {
		fmt.Fprintf(w, "Gói %s của máy trạm %s (đơn vị %s) đã được nhập lúc %s; lần nhập này không thay đổi gì.\n",
			r.ID, r.Device, r.Unit, r.ImportedAt.In(domain.VN()).Format("15:04 02/01/2006"))
		return
	}
	fmt.Fprintf(w, "Đã nhập gói %s của máy trạm %s (đơn vị %s, lập lúc %s): %d sự kiện — %d mới, %d đã có, %d bị từ chối; %d tệp.\n",
		r.ID, r.Device, r.Unit, r.Created.In(domain.VN()).Format("15:04 02/01/2006"), r.Events, r.Accepted, r.Duplicate, len(r.Rejected), r.Files)
	for _, x := range r.Rejected {
		fmt.Fprintf(w, "  từ chối %s: %s\n", x.ID, x.Reason)
	}
	if r.HeadErr != "" {
		fmt.Fprintf(w, "  đầu chuỗi sự kiện của máy trạm không được ghi nhận: %s\n", r.HeadErr)
	}
}

// BundleOptions narrow an import.
type BundleOptions struct {
	Unit     string          // when set, a bundle of another unit is refused
	Progress bundle.Progress // bytes read
}

// bundleRefused is a refusal of an import the operator reads (Vietnamese), changing nothing.
func bundleRefused(format string, args ...any) error {
	return &domain.RuleError{Code: "bundle.refused", Kind: domain.ErrInvalid, Msg: "Không nhận gói: " + fmt.Sprintf(format, args...)}
}

// exportRefused is a return bundle the city will not write (Vietnamese), changing nothing.
func exportRefused(format string, args ...any) error {
	return &domain.RuleError{Code: "bundle.export_refused", Kind: domain.ErrInvalid, Msg: "Không lập gói trả về: " + fmt.Sprintf(format, args...)}
}

// bundleError is a refusal or failure the operator reads, with the raw cause kept for the
// log (BundleCause): a domain.RuleError to callers, the bundle.Error under it.
type bundleError struct {
	rule  *domain.RuleError
	cause error
}

func (e *bundleError) Error() string   { return e.rule.Msg }
func (e *bundleError) Unwrap() []error { return []error{e.rule, e.cause} }

// BundleCause is the raw cause behind a bundle refusal or failure, for the log (nil when
// there is none).
func BundleCause(err error) error { return bundle.Cause(err) }

// bundleReadErr words a format error for the operator; the raw cause stays inside for the
// log (BundleCause).
func bundleReadErr(err error) error {
	var be *bundle.Error
	if !errors.As(err, &be) {
		return err
	}
	msg := be.Msg
	if errors.Is(err, bundle.ErrNotForUs) {
		switch pre := be.Preamble; {
		case pre.Kind == bundle.KindReturn:
			msg = fmt.Sprintf("đây là gói trả về dành cho máy trạm %s của đơn vị %s, không phải gói máy trạm gửi lên thành phố", pre.Device, pre.Unit)
		default:
			msg = "gói không được mã hóa cho máy chủ thành phố này (có thể là gói của thành phố khác, hoặc lập trước khi máy chủ đổi khóa)"
		}
	}
	return &bundleError{rule: &domain.RuleError{Code: "bundle.refused", Kind: domain.ErrInvalid, Msg: "Không nhận gói: " + msg + "."}, cause: err}
}

func (c *Central) deviceByID(ctx context.Context, id string) (Device, string, bool, error) {
	var d Device
	var key string
	err := c.db.r.QueryRowContext(ctx, `SELECT id, name, unit, slot, active, public_key FROM devices WHERE id = ?`, id).
		Scan(&d.ID, &d.Name, &d.Unit, &d.Slot, &d.Active, &key)
	if errors.Is(err, sql.ErrNoRows) {
		return d, "", false, nil
	}
	return d, key, err == nil, err
}

// ImportBundle verifies and applies an up bundle: it must be encrypted to the city, signed by
// an enrolled, active device of the unit it names, and every event goes through Push. A
// bundle imported before is recognised by its id and changes nothing; a refused bundle
// changes nothing either.
func (c *Central) ImportBundle(ctx context.Context, r io.Reader, opt BundleOptions) (BundleImport, error) {
	id, err := bundle.IdentityFor(c.key)
	if err != nil {
		return BundleImport{}, err
	}
	o, err := bundle.Open(r, id, bundle.DefaultLimits())
	if err != nil {
		return BundleImport{}, bundleReadErr(err)
	}
	h := o.Header
	rep := BundleImport{ID: h.ID, Device: h.Device, Unit: h.Unit, Created: h.Created}
	if h.Kind != bundle.KindUp {
		return rep, bundleRefused("đây là gói trả về của thành phố cho máy trạm, không phải gói do máy trạm gửi lên.")
	}
	if opt.Unit != "" && !strings.EqualFold(opt.Unit, h.Unit) {
		return rep, bundleRefused("gói của đơn vị %s, không phải đơn vị %s.", h.Unit, opt.Unit)
	}
	dev, _, found, err := c.deviceByID(ctx, h.Device)
	switch {
	case err != nil:
		return rep, err
	case !found:
		return rep, bundleRefused("máy trạm %s chưa đăng ký với thành phố.", h.Device)
	case !dev.Active:
		return rep, bundleRefused("máy trạm %s («%s») đã bị thu hồi; gói của máy này không được nhận.", dev.ID, dev.Name)
	case dev.Unit != h.Unit:
		return rep, bundleRefused("gói ghi đơn vị %s nhưng máy trạm %s được đăng ký cho đơn vị %s.", h.Unit, dev.ID, dev.Unit)
	case h.Signer != h.Device:
		return rep, bundleRefused("gói do %q ký, không phải máy trạm %s.", h.Signer, h.Device)
	}
	keys, err := c.keysFor(ctx, dev.ID)
	if err != nil {
		return rep, err
	}
	if err := o.Verify(keys...); err != nil {
		return rep, bundleReadErr(err)
	}
	// Signed by the device: from here the header is the device's word.
	var at int64
	err = c.db.r.QueryRowContext(ctx, `SELECT imported_at FROM bundle_imports WHERE id = ?`, h.ID).Scan(&at)
	if err == nil {
		rep.Already, rep.ImportedAt = true, time.UnixMilli(at).UTC()
		return rep, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return rep, err
	}
	tmp, err := os.MkdirTemp(filepath.Join(c.dir), "bundle-*")
	if err != nil {
		return rep, err
	}
	defer os.RemoveAll(tmp)
	content, err := o.ReadAll(tmp, opt.Progress)
	if err != nil {
		return rep, bundleReadErr(err)
	}
	held := make([]string, 0, len(content.Files))
	for _, f := range content.Files {
		meta := map[string]string{api.MetaSHA256: f.SHA256, api.MetaName: f.Name, api.MetaType: f.Mime}
		if err := c.storeUpload(ctx, f.Path, "", meta, f.Size, dev); err != nil {
			return rep, fmt.Errorf("lưu tệp «%s» của gói: %w", f.Name, err)
		}
		rep.Files++
		held = append(held, f.SHA256)
	}
	// The same path as POST /events, in batches of its size.
	results := make([]api.PushResult, 0, len(content.Events))
	for start := 0; start < len(content.Events); start += api.MaxBatch {
		pr, err := c.Push(ctx, dev, content.Events[start:min(start+api.MaxBatch, len(content.Events))])
		if err != nil {
			return rep, err
		}
		results = append(results, pr.Results...)
	}
	rep.Events = len(content.Events)
	for _, res := range results {
		switch res.Status {
		case api.Accepted:
			rep.Accepted++
		case api.Duplicate:
			rep.Duplicate++
		default:
			rep.Rejected = append(rep.Rejected, res)
		}
	}
	if h.Head != nil {
		if _, err := c.RecordHead(ctx, dev, *h.Head); err != nil {
			rep.HeadErr = err.Error()
		}
	}
	// The device's own word on what it has of the city: where its next return bundle starts.
	from := h.Cursor
	if _, err := c.parseCursor(from); err != nil {
		from = "" // a cursor of another database: everything again (deduplicated by id there)
	}
	now := c.now()
	rep.ImportedAt = now.UTC()
	err = c.db.tx(ctx, "bundle import", func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO bundle_imports(id, device, unit, created_at, imported_at, events, accepted, duplicate, rejected, files)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, h.ID, dev.ID, dev.Unit, h.Created.UnixMilli(), now.UnixMilli(),
			rep.Events, rep.Accepted, rep.Duplicate, len(rep.Rejected), rep.Files); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO bundle_devices(device, next_from, last_import_at) VALUES (?, ?, ?)
			ON CONFLICT(device) DO UPDATE SET next_from = excluded.next_from, last_import_at = excluded.last_import_at`,
			dev.ID, from, now.UnixMilli()); err != nil {
			return err
		}
		for _, sha := range held {
			if _, err := tx.ExecContext(ctx, `INSERT INTO bundle_files(device, sha256) VALUES (?, ?) ON CONFLICT DO NOTHING`, dev.ID, sha); err != nil {
				return err
			}
		}
		for _, res := range results {
			if _, err := tx.ExecContext(ctx, `INSERT INTO bundle_acks(device, event_id, status, reason) VALUES (?, ?, ?, ?)
				ON CONFLICT(device, event_id) DO UPDATE SET status = excluded.status, reason = excluded.reason`,
				dev.ID, res.ID, res.Status, res.Reason); err != nil {
				return err
			}
		}
		return nil
	})
	return rep, err
}

// BundleExport says what a return bundle carries.
type BundleExport struct {
	ID     string
	Device string
	Unit   string
	Events int
	Acks   int
	Keys   int
	Roster int  // active devices in the unit's roster the bundle carries
	More   bool // more events wait: export another bundle
	Cursor string
}

// Print writes the report for the operator, in Vietnamese.
func (r BundleExport) Print(w io.Writer) {
	fmt.Fprintf(w, "Đã lập gói trả về %s cho máy trạm %s (đơn vị %s): %d sự kiện của đơn vị, %d xác nhận cho sự kiện của máy trạm, %d khóa thiết bị, danh sách %d máy trạm đang hoạt động.\n",
		r.ID, r.Device, r.Unit, r.Events, r.Acks, r.Keys, r.Roster)
	if r.More {
		fmt.Fprintln(w, "Còn sự kiện chưa vào gói này (gói đã đủ giới hạn); hãy lập thêm một gói trả về nữa.")
	}
}

// ExportBundle writes to path a return bundle for a device of unit: the unit's events the
// device did not author since the cursor the city knows for it, the answers for the events
// its bundles brought, and the unit's device keys, signed by the city and encrypted to the
// device's key. The file is written whole (a temporary name, synced, renamed) before the
// city records what it sent, so the next return bundle continues after it.
func (c *Central) ExportBundle(ctx context.Context, unit, deviceID, path string, progress bundle.Progress) (BundleExport, error) {
	rep := BundleExport{Device: deviceID, Unit: unit}
	dev, key, found, err := c.deviceByID(ctx, deviceID)
	switch {
	case err != nil:
		return rep, err
	case !found:
		return rep, exportRefused("máy trạm %s chưa đăng ký với thành phố.", deviceID)
	case !strings.EqualFold(dev.Unit, unit):
		return rep, exportRefused("máy trạm %s thuộc đơn vị %s, không phải đơn vị %s.", deviceID, dev.Unit, unit)
	case !dev.Active:
		return rep, exportRefused("máy trạm %s («%s») đã bị thu hồi.", dev.ID, dev.Name)
	}
	pub, err := domain.ParseKey(key)
	if err != nil {
		return rep, exportRefused("máy trạm %s chưa đăng ký khóa ký số với thành phố.", deviceID)
	}
	rep.Unit = dev.Unit
	var from string
	err = c.db.r.QueryRowContext(ctx, `SELECT next_from FROM bundle_devices WHERE device = ?`, dev.ID).Scan(&from)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return rep, err
	}
	if _, err := c.parseCursor(from); err != nil {
		from = ""
	}
	var events []domain.Event
	cursor := from
	more := true
	for more && len(events) < bundle.MaxEvents {
		page, err := c.ChangesOwn(ctx, dev, cursor, min(5000, bundle.MaxEvents-len(events)), false)
		if err != nil {
			return rep, err
		}
		events = append(events, page.Events...)
		cursor, more = page.Cursor, page.More
	}
	var acks []bundle.Ack
	rows, err := c.db.r.QueryContext(ctx, `SELECT event_id, status, reason FROM bundle_acks WHERE device = ? ORDER BY event_id`, dev.ID)
	if err != nil {
		return rep, err
	}
	for rows.Next() {
		var a bundle.Ack
		if err := rows.Scan(&a.ID, &a.Status, &a.Reason); err != nil {
			rows.Close()
			return rep, err
		}
		acks = append(acks, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return rep, err
	}
	var held []string
	if err := func() error {
		rows, err := c.db.r.QueryContext(ctx, `SELECT sha256 FROM bundle_files WHERE device = ? ORDER BY sha256`, dev.ID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var sha string
			if err := rows.Scan(&sha); err != nil {
				return err
			}
			held = append(held, sha)
		}
		return rows.Err()
	}(); err != nil {
		return rep, err
	}
	keys, err := c.DeviceKeys(ctx, dev.Unit)
	if err != nil {
		return rep, err
	}
	h := bundle.Header{Kind: bundle.KindReturn, ID: c.newID(), Unit: dev.Unit, Device: dev.ID, Signer: domain.SignerCentral,
		Created: c.now().UTC(), From: from, Cursor: cursor, More: more, Held: held}
	if head, err := c.Head(ctx, dev); err == nil {
		h.Head = &head
	}
	to, err := bundle.RecipientFor(pub)
	if err != nil {
		return rep, err
	}
	if err := bundle.WriteFile(path, func(w io.Writer) error {
		_, err := bundle.Write(w, h, bundle.Contents{Events: events, Acks: acks, Keys: keys.Keys, Roster: keys.Roster}, bundle.KeySigner(c.key), to, progress)
		return err
	}); err != nil {
		var be *bundle.Error
		if errors.As(err, &be) {
			return rep, &bundleError{rule: &domain.RuleError{Code: "bundle.export_failed", Kind: domain.ErrInvalid, Msg: "Không lập được gói trả về: " + be.Msg + "."}, cause: err}
		}
		return rep, err
	}
	now := c.now().UnixMilli()
	err = c.db.tx(ctx, "bundle export", func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO bundle_devices(device, next_from, last_export_at, last_export_id) VALUES (?, ?, ?, ?)
			ON CONFLICT(device) DO UPDATE SET next_from = excluded.next_from, last_export_at = excluded.last_export_at, last_export_id = excluded.last_export_id`,
			dev.ID, cursor, now, h.ID); err != nil {
			return err
		}
		// Sent: an answer lost with the stick comes back when the workstation sends the
		// event again (it stays in its outbox) and the city answers "duplicate".
		for _, a := range acks {
			if _, err := tx.ExecContext(ctx, `DELETE FROM bundle_acks WHERE device = ? AND event_id = ?`, dev.ID, a.ID); err != nil {
				return err
			}
		}
		for _, sha := range held {
			if _, err := tx.ExecContext(ctx, `DELETE FROM bundle_files WHERE device = ? AND sha256 = ?`, dev.ID, sha); err != nil {
				return err
			}
		}
		return nil
	})
	rep.ID, rep.Events, rep.Acks, rep.Keys, rep.More, rep.Cursor = h.ID, len(events), len(acks), len(keys.Keys), more, cursor
	if keys.Roster != nil {
		rep.Roster = len(keys.Roster.Devices)
	}
	return rep, err
}
