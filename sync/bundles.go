package sync

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
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

// ExportBundle writes to path a bundle of everything the city has not acknowledged. The file
// is written whole (temporary name, synced, renamed). Nothing in the store changes except a
// note of the export: events stay in the outbox until a return bundle or a push
// acknowledges them.
func ExportBundle(ctx context.Context, store *localdb.Store, path string, progress bundle.Progress) (BundleExport, error) {
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
	if err := writeAtomic(path, func(w io.Writer) error {
		_, err := bundle.Write(w, h, bundle.Contents{Events: events, Files: files}, store.SignBundle, to, progress)
		return err
	}); err != nil {
		return BundleExport{}, &Error{Class: ClassLocal, Op: "bundle", Msg: withCause("Không ghi được gói", err), Err: err}
	}
	rep := BundleExport{ID: h.ID, At: now, Events: len(events), Files: len(files), More: more}
	raw, _ := json.Marshal(rep)
	if err := store.SetSyncValue(ctx, localdb.SyncKeyBundleExported, string(raw)); err != nil {
		return rep, localErr("bundle", err)
	}
	return rep, nil
}

func writeAtomic(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".motcua-bundle-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
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
	f, err := os.Open(path)
	if err != nil {
		return BundleImport{}, bundleErr("Không mở được tệp gói: %v", err)
	}
	defer f.Close()
	id, err := store.BundleIdentity()
	if err != nil {
		return BundleImport{}, localErr("bundle", err)
	}
	o, err := bundle.Open(f, id, bundle.DefaultLimits())
	var pre bundle.Preamble
	if o != nil {
		pre = o.Preamble
	} else if _, serr := f.Seek(0, io.SeekStart); serr == nil {
		pre, _ = bundle.ReadPreamble(bufio.NewReader(f))
	}
	// Whom the file says it is for, to word the refusal (the signed header decides below).
	if pre.Kind == bundle.KindUp {
		return BundleImport{}, bundleErr("Không nhập: đây là gói do máy trạm %s lập để gửi lên thành phố, không phải gói thành phố trả về.", pre.Device)
	}
	if pre.Kind == bundle.KindReturn && (pre.Device != cfg.DeviceID || !strings.EqualFold(pre.Unit, cfg.UnitCode)) {
		return BundleImport{}, bundleErr("Không nhập: gói dành cho máy trạm %s của đơn vị %s, không phải máy này (máy %s, đơn vị %s); không có gì thay đổi.",
			pre.Device, pre.Unit, cfg.DeviceID, cfg.UnitCode)
	}
	if err != nil {
		return BundleImport{}, bundleErr("Không nhập: %v; không có gì thay đổi.", err)
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
		return BundleImport{}, bundleErr("Không nhập: %v; không có gì thay đổi.", err)
	}
	rep := BundleImport{ID: h.ID, Events: len(c.Events), More: h.More}
	// The unit's device keys, each checked against the pinned city key.
	if _, err := store.AddDeviceKeys(ctx, c.Keys); err != nil {
		return rep, localErr("bundle", err)
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
