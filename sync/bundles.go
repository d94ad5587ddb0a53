package sync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"motcua/domain"
	"motcua/localdb"
	"motcua/sync/api"
	"motcua/sync/bundle"
)

// USB bundles on the workstation (docs/BUNDLES.md). An island workstation that cannot reach
// the city writes everything the city has not acknowledged — its waiting events in outbox
// order and the scans not yet uploaded — into one file, signed with its device key and
// encrypted to the city's pinned key. The return bundle the city writes is opened with the
// device key, checked against the pinned city key and the device and unit it is addressed to,
// and applied like a pull: the same screening (Screen), the same store path
// (ApplyPulled, with the cursor), then the acknowledgements. A later network sync then sends
// nothing twice and pulls nothing twice.

// BundleExport says what an exported bundle carries.
type BundleExport struct {
	ID     string    `json:"id"`
	At     time.Time `json:"at"`
	Events int       `json:"events"`
	Files  int       `json:"files"`
	More   bool      `json:"more,omitempty"` // more events wait than one bundle carries
}

// Message is the clerk's summary.
func (r BundleExport) Message() string {
	msg := fmt.Sprintf("Đã xuất gói gửi thành phố: %d sự kiện chưa được xác nhận, %d tệp chưa gửi.", r.Events, r.Files)
	if r.More {
		msg += " Còn sự kiện chưa vào gói này; hãy xuất thêm một gói sau khi thành phố nhập gói này."
	}
	return msg
}

// bundleErr is a bundle refused or failed, worded for the clerk.
func bundleErr(format string, args ...any) error {
	return &Error{Class: ClassInvalid, Op: "bundle", Msg: fmt.Sprintf(format, args...)}
}

// bundleFailed words a failure of the bundle format or of the files (the clerk's message,
// after prefix) and logs its raw cause for the person who supports the centre.
func bundleFailed(log *slog.Logger, op, path, prefix string, err error) error {
	var be *bundle.Error
	if !errors.As(err, &be) {
		return err
	}
	log.Warn("bundle: "+op+" failed", "file", path, "reason", be.Kind, "cause", be.Cause)
	return &Error{Class: ClassInvalid, Op: "bundle", Msg: prefix + be.Msg + ".", Err: err}
}

// ExportBundle writes to path a bundle of everything the city has not acknowledged. The file
// is written whole (temporary name, synced, renamed). Nothing in the store changes except a
// note of the export: events stay in the outbox until a return bundle or a push
// acknowledges them.
func ExportBundle(ctx context.Context, store *localdb.Store, path string, progress bundle.Progress, log *slog.Logger) (BundleExport, error) {
	if log == nil {
		log = slog.Default()
	}
	cfg := store.Config()
	keys, err := store.Keys(ctx)
	if err != nil {
		return BundleExport{}, localErr("bundle", err)
	}
	if keys.Central == nil || cfg.UnitCode == "" {
		return BundleExport{}, bundleErr("Máy trạm chưa đăng ký với hệ thống của thành phố nên chưa có khóa của thành phố để mã hóa gói; hãy đăng ký máy (một lần, khi có mạng hoặc qua người quản trị) trước khi xuất gói.")
	}
	var events []domain.Event
	var after int64
	more := false
	for {
		evs, last, err := store.OutboxAfter(ctx, after, api.MaxBatch)
		if err != nil {
			return BundleExport{}, localErr("bundle", err)
		}
		if len(evs) == 0 {
			break
		}
		if len(events)+len(evs) > bundle.MaxEvents {
			events, more = append(events, evs[:bundle.MaxEvents-len(events)]...), true
			break
		}
		events, after = append(events, evs...), last
	}
	pending, err := store.PendingFiles(ctx, bundle.DefaultLimits().Files)
	if err != nil {
		return BundleExport{}, localErr("bundle", err)
	}
	files := make([]bundle.File, 0, len(pending))
	for _, f := range pending {
		files = append(files, bundle.File{FileInfo: bundle.FileInfo{SHA256: f.SHA256, Name: f.Name, Mime: f.Mime, Size: f.Size},
			Open: func() (io.ReadCloser, error) { return store.OpenFile(f.SHA256) }})
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	h := bundle.Header{Kind: bundle.KindUp, ID: uuid.Must(uuid.NewV7()).String(), Unit: cfg.UnitCode, Device: cfg.DeviceID,
		Signer: cfg.DeviceID, Created: now}
	if seq, link, err := store.ChainHead(ctx); err == nil && seq > 0 {
		h.Head = &api.ChainHead{Seq: seq, Link: link, At: now, Sig: store.SignHead(seq, link, now)}
	}
	if h.Cursor, err = store.SyncValue(ctx, localdb.SyncKeyCursor); err != nil {
		return BundleExport{}, localErr("bundle", err)
	}
	to, err := bundle.RecipientFor(keys.Central)
	if err != nil {
		return BundleExport{}, localErr("bundle", err)
	}
	if err := bundle.WriteFile(path, func(w io.Writer) error {
		_, err := bundle.Write(w, h, bundle.Contents{Events: events, Files: files}, store.SignBundle, to, progress)
		return err
	}); err != nil {
		return BundleExport{}, bundleFailed(log, "export", path, "Không xuất được gói: ", err)
	}
	rep := BundleExport{ID: h.ID, At: now, Events: len(events), Files: len(files), More: more}
	raw, _ := json.Marshal(rep)
	if err := store.SetSyncValue(ctx, localdb.SyncKeyBundleExported, string(raw)); err != nil {
		return rep, localErr("bundle", err)
	}
	return rep, nil
}

// BundleImport says what importing a return bundle did.
type BundleImport struct {
	ID          string    `json:"id"`
	Already     bool      `json:"already,omitempty"`
	ImportedAt  time.Time `json:"imported_at"`
	Events      int       `json:"events"`      // events the bundle carried
	New         int       `json:"new"`         // stored now
	Refused     int       `json:"refused"`     // kept aside as untrustworthy
	Acked       int       `json:"acked"`       // own events the city acknowledged
	Quarantined int       `json:"quarantined"` // own events the city rejected
	Files       int       `json:"files"`       // scans the city confirmed holding
	More        bool      `json:"more,omitempty"`
	// Roster is the number of active devices in the unit's roster the bundle brought, when
	// it replaced the one held (0: it was not newer).
	Roster int `json:"roster,omitempty"`
	// Applied are the events this import stored, for the open screens to follow (not kept).
	Applied []domain.Event `json:"-"`
}

// Message is the clerk's summary.
func (r BundleImport) Message() string {
	if r.Already {
		return fmt.Sprintf("Gói này đã được nhập lúc %s; lần nhập này không thay đổi gì.", r.ImportedAt.In(domain.VN()).Format("15:04 02/01/2006"))
	}
	msg := fmt.Sprintf("Đã nhập gói của thành phố: %d sự kiện mới (trong %d sự kiện của gói), %d sự kiện của máy này được thành phố xác nhận, %d tệp thành phố đã nhận.",
		r.New, r.Events, r.Acked, r.Files)
	if r.Quarantined > 0 {
		msg += fmt.Sprintf(" %d sự kiện bị thành phố từ chối, đã đưa vào mục cách ly.", r.Quarantined)
	}
	if r.Refused > 0 {
		msg += fmt.Sprintf(" %d sự kiện không tin được đã bị giữ lại, không áp dụng.", r.Refused)
	}
	if r.Roster > 0 {
		msg += fmt.Sprintf(" Đã cập nhật danh sách máy trạm của đơn vị: %d máy đang hoạt động.", r.Roster)
	}
	if r.More {
		msg += " Thành phố còn sự kiện chưa vào gói này."
	}
	return msg
}

// ImportBundle verifies and applies a return bundle from path. A bundle for another
// workstation or unit, not signed by the pinned city key, damaged or already imported
// changes nothing, and the error (or the report) says why.
func ImportBundle(ctx context.Context, store *localdb.Store, path string, progress bundle.Progress, log *slog.Logger) (BundleImport, error) {
	if log == nil {
		log = slog.Default()
	}
	cfg := store.Config()
	f, err := bundle.OpenFile(path)
	if err != nil {
		return BundleImport{}, bundleFailed(log, "import", path, "Không nhập: ", err)
	}
	defer f.Close()
	id, err := store.BundleIdentity()
	if err != nil {
		return BundleImport{}, localErr("bundle", err)
	}
	if pub, err := domain.ParseKey(store.PublicKey()); err == nil {
		id = bundle.Hinted(id, pub)
	}
	o, err := bundle.Open(f, id, bundle.DefaultLimits())
	if err != nil {
		// Whom the file says it is for words a bundle this key cannot open; a damaged or
		// altered one is said to be so, whatever its preamble says.
		var be *bundle.Error
		if errors.As(err, &be) && errors.Is(err, bundle.ErrNotForUs) {
			if pre := be.Preamble; pre.Kind == bundle.KindUp {
				err = refuseBundle(be, "đây là gói do máy trạm %s lập để gửi lên thành phố, không phải gói thành phố trả về", pre.Device)
			} else if pre.Kind == bundle.KindReturn && (pre.Device != cfg.DeviceID || !strings.EqualFold(pre.Unit, cfg.UnitCode)) {
				err = refuseBundle(be, "gói dành cho máy trạm %s của đơn vị %s, không phải máy này (máy %s, đơn vị %s)",
					pre.Device, pre.Unit, cfg.DeviceID, cfg.UnitCode)
			}
		}
		return BundleImport{}, bundleFailed(log, "import", path, "Không nhập: ", withNothingChanged(err))
	}
	// Decrypted with this device's key: an up bundle encrypted to it is still not a return.
	if o.Header.Kind == bundle.KindUp {
		return BundleImport{}, bundleErr("Không nhập: đây là gói do máy trạm %s lập để gửi lên thành phố, không phải gói thành phố trả về.", o.Header.Device)
	}
	keys, err := store.Keys(ctx)
	if err != nil {
		return BundleImport{}, localErr("bundle", err)
	}
	h := o.Header
	if keys.Central == nil {
		return BundleImport{}, bundleErr("Không nhập: máy trạm chưa có khóa của thành phố (chưa đăng ký) nên không kiểm tra được gói.")
	}
	if h.Signer != domain.SignerCentral || o.Verify(keys.Central) != nil {
		return BundleImport{}, bundleErr("Không nhập: %v; không có gì thay đổi.", bundle.ErrBadSignature)
	}
	if h.Device != cfg.DeviceID || !strings.EqualFold(h.Unit, cfg.UnitCode) {
		return BundleImport{}, bundleErr("Không nhập: gói dành cho máy trạm %s của đơn vị %s, không phải máy này; không có gì thay đổi.", h.Device, h.Unit)
	}
	if prev, err := store.BundleImported(ctx, h.ID); err != nil {
		return BundleImport{}, localErr("bundle", err)
	} else if prev != "" {
		var rep BundleImport
		json.Unmarshal([]byte(prev), &rep)
		rep.ID, rep.Already = h.ID, true
		return rep, nil
	}
	tmp, err := os.MkdirTemp("", "motcua-bundle-*")
	if err != nil {
		return BundleImport{}, localErr("bundle", err)
	}
	defer os.RemoveAll(tmp)
	c, err := o.ReadAll(tmp, progress)
	if err != nil {
		return BundleImport{}, bundleFailed(log, "import", path, "Không nhập: ", withNothingChanged(err))
	}
	rep := BundleImport{ID: h.ID, Events: len(c.Events), More: h.More}
	// The unit's device keys and roster, by the network's path: each key and the roster
	// checked against the pinned city key, the roster kept only if it names this unit and is
	// newer than the one held — an island centre learns new counters and revocations so.
	before, _, err := store.Roster(ctx)
	if err != nil {
		return rep, localErr("bundle", err)
	}
	if err := storeKeys(ctx, store, api.KeysResponse{Keys: c.Keys, Roster: c.Roster}); err != nil {
		return rep, err
	}
	if after, ok, err := store.Roster(ctx); err != nil {
		return rep, localErr("bundle", err)
	} else if ok && after.At != before.At {
		rep.Roster = len(after.Devices)
	}
	if keys, err = store.Keys(ctx); err != nil {
		return rep, localErr("bundle", err)
	}
	good, refused, err := Screen(ctx, store, c.Events, ScreenOptions{Now: time.Now(), Unit: store.Config().UnitCode, Logger: log})
	if err != nil {
		return rep, err
	}
	rep.Refused = len(refused)
	cursorKey, cursor := "", ""
	cur, err := store.SyncValue(ctx, localdb.SyncKeyCursor)
	if err != nil {
		return rep, localErr("bundle", err)
	}
	if cursorAhead(h.Cursor, cur) {
		cursorKey, cursor = localdb.SyncKeyCursor, h.Cursor
	}
	if rep.New, err = store.ApplyPulled(ctx, good, refused, cursorKey, cursor); err != nil {
		return rep, &Error{Class: ClassLocal, Op: "bundle", Msg: withCause("Không lưu được dữ liệu của gói", err), Err: err}
	}
	if rep.New > 0 {
		rep.Applied = good
	}
	var acks []string
	for _, a := range c.Acks {
		switch a.Status {
		case api.Accepted, api.Duplicate:
			acks = append(acks, a.ID)
		case api.Rejected:
			reason := a.Reason
			if reason == "" {
				reason = "Thành phố từ chối sự kiện (không nêu lý do)."
			}
			if err := store.Quarantine(ctx, a.ID, reason); err != nil {
				return rep, localErr("bundle", err)
			}
			rep.Quarantined++
		}
	}
	if err := store.Ack(ctx, acks); err != nil {
		return rep, localErr("bundle", err)
	}
	rep.Acked = len(acks)
	if rep.Files, err = store.MarkFilesHeld(ctx, h.Held); err != nil {
		return rep, localErr("bundle", err)
	}
	if h.Head != nil {
		raw, _ := json.Marshal(h.Head)
		if err := store.SetSyncValue(ctx, localdb.SyncKeyChainAcked, string(raw)); err != nil {
			return rep, localErr("bundle", err)
		}
	}
	// Recorded last: a crash before this point leaves a bundle that imports again, each
	// step above being idempotent.
	rep.ImportedAt = time.Now().UTC()
	raw, _ := json.Marshal(rep)
	if err := store.RecordBundleImported(ctx, h.ID, string(raw)); err != nil {
		return rep, localErr("bundle", err)
	}
	return rep, nil
}

// refuseBundle rewords a bundle this device cannot open by what its preamble says it is.
func refuseBundle(be *bundle.Error, format string, args ...any) error {
	return &bundle.Error{Kind: be.Kind, Msg: fmt.Sprintf(format, args...), Cause: be.Cause, Preamble: be.Preamble}
}

// withNothingChanged adds to a refusal that nothing changed on this workstation.
func withNothingChanged(err error) error {
	var be *bundle.Error
	if errors.As(err, &be) {
		return &bundle.Error{Kind: be.Kind, Msg: be.Msg + ". Không có gì thay đổi trên máy này", Cause: be.Cause, Preamble: be.Preamble}
	}
	return err
}

// cursorAhead says whether the city's cursor next is past cur. Cursors are the city's
// "<epoch>.<seq>": within one epoch the larger seq is further; a cursor of another epoch (the
// city's database was replaced) or none yet is taken as it comes, as a 410 would restart the
// pull. An older return bundle imported after a newer one never moves the cursor back.
func cursorAhead(next, cur string) bool {
	if next == "" {
		return false
	}
	if cur == "" {
		return true
	}
	ne, ns, ok1 := strings.Cut(next, ".")
	ce, cs, ok2 := strings.Cut(cur, ".")
	if !ok1 || !ok2 || ne != ce {
		return next != cur
	}
	n, err1 := strconv.ParseInt(ns, 10, 64)
	c, err2 := strconv.ParseInt(cs, 10, 64)
	return err1 == nil && err2 == nil && n > c
}
