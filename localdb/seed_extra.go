package localdb

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"time"

	"github.com/google/uuid"
	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"

	"motcua/domain"
)

// The seed's feedback register and scanned documents: a share of the seeded dossiers get a
// citizen's feedback about them (received, then assigned, answered and published as time
// allows) and a scanned page (a small generated PNG with the dossier's code drawn on it),
// so that demos, benchmarks and tests exercise feedback, visits and files end to end.

// Shares of the seeded dossiers, in percent.
const (
	seedFeedbackShare = 6
	seedScanShare     = 5
)

var (
	feedbackTopics = []string{
		"Thời gian chờ tại bộ phận một cửa quá lâu, đề nghị bố trí thêm quầy vào buổi sáng thứ Hai.",
		"Đề nghị niêm yết rõ hơn thành phần hồ sơ của thủ tục tại bảng thông tin.",
		"Hồ sơ trả kết quả chậm so với ngày hẹn, đề nghị thông báo trước cho công dân.",
		"Cán bộ tiếp nhận hướng dẫn tận tình, đề nghị biểu dương.",
		"Máy lấy số thứ tự thường xuyên bị hỏng.",
		"Đề nghị hướng dẫn nộp hồ sơ trực tuyến cho người cao tuổi.",
		"Chỗ ngồi chờ không đủ vào giờ cao điểm.",
	}
	feedbackAnswers = []string{
		"Đã bố trí thêm một quầy tiếp nhận vào buổi sáng thứ Hai.",
		"Đã cập nhật bảng niêm yết thủ tục hành chính.",
		"Đã kiểm tra, nhắc nhở bộ phận chuyên môn; hồ sơ đã có kết quả.",
		"Đã tiếp thu và ghi nhận.",
		"Đã sửa chữa máy lấy số.",
	}
	feedbackAssignees = []string{"Chủ tịch UBND xã", "Văn phòng HĐND và UBND xã", "Công chức Tư pháp - Hộ tịch"}
)

// seedFile is a generated scan: written to the file store by the generator, recorded in
// the files table by the writer.
type seedFile struct {
	ref      domain.FileRef
	uploaded bool // the city holds it already (its event is among the synced ones)
}

// addScan gives a dossier a scanned page of its first component, twenty seconds after
// intake. It returns the events with the attachment inserted, and the file.
func (sd *seeder) addScan(evs []domain.Event, code string) ([]domain.Event, *seedFile, error) {
	if sd.rng.IntN(100) >= seedScanShare || len(evs) == 0 {
		return evs, nil, nil
	}
	d := domain.Fold(evs[:1])
	if len(d.Documents) == 0 {
		return evs, nil, nil
	}
	at := evs[0].At.Add(20 * time.Second)
	if at.After(sd.now) || (len(evs) > 1 && !at.Before(evs[1].At)) {
		return evs, nil, nil
	}
	doc := d.Documents[0]
	page, err := scanPage(code, d.Procedure.Code)
	if err != nil {
		return nil, nil, err
	}
	sum := sha256.Sum256(page)
	ref := domain.FileRef{SHA256: hex.EncodeToString(sum[:]), Name: "scan-" + code + ".png", Mime: "image/png", Size: int64(len(page)), Pages: 1}
	if err := sd.s.writeSeedFile(ref.SHA256, page); err != nil {
		return nil, nil, err
	}
	key := doc.Code
	if key == "" {
		key = doc.Name
	}
	e, err := domain.NewEvent(uuid.Must(uuid.NewV7()).String(), domain.StreamDossier, evs[0].StreamID, domain.EvFileAttached,
		domain.FileAttachedPayload{File: ref, Document: key, Digitized: true}, evs[0].Actor, evs[0].Device, evs[0].Unit, at,
		domain.MakeHLC(at.UnixMilli(), 0))
	if err != nil {
		return nil, nil, err
	}
	out := make([]domain.Event, 0, len(evs)+1)
	out = append(out, evs[0], e)
	out = append(out, evs[1:]...)
	return out, &seedFile{ref: ref, uploaded: at.Before(sd.syncedBefore)}, nil
}

// scanPage draws a small A4-shaped page: the dossier's code and procedure, and grey lines
// standing for the text (a few KB as PNG).
func scanPage(code, procedure string) ([]byte, error) {
	const w, h = 190, 268
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = 0xFA
	}
	for y := 62; y < h-20; y += 9 {
		end := w - 14 - (y*7)%30
		for x := 14; x < end; x++ {
			img.Pix[y*img.Stride+x] = 0xB0
			img.Pix[(y+1)*img.Stride+x] = 0xC8
		}
	}
	dr := font.Drawer{Dst: img, Src: image.NewUniform(color.Gray{Y: 0x20}), Face: basicfont.Face7x13}
	for i, s := range []string{code, "TTHC " + procedure, "BAN QUET (DU LIEU MAU)"} {
		dr.Dot = fixed.P(10, 18+i*14)
		dr.DrawString(s)
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// writeSeedFile puts a generated file into the content-addressed store, synced before any
// transaction refers to it (like StoreFile).
func (s *Store) writeSeedFile(sha string, b []byte) error {
	final := s.FilePath(sha)
	if _, err := os.Stat(final); err == nil {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(final), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Join(s.dir, "files"), "incoming-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op once renamed
	_, err = tmp.Write(b)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp.Name(), final)
}

// addFeedback makes, for a share of the dossiers, a citizen's feedback about it with its
// story as far as now allows. The events go after the dossier's.
func (sd *seeder) addFeedback(evs []domain.Event, code string, applicant domain.Person) ([]domain.Event, string, error) {
	r := sd.rng
	if r.IntN(100) >= seedFeedbackShare || len(evs) == 0 {
		return evs, "", nil
	}
	first := evs[0]
	id := uuid.Must(uuid.NewV7()).String()
	seq := uint16(0)
	t := first.At.Add(time.Duration(30+r.IntN(3*24*60)) * time.Minute)
	var fb []domain.Event
	add := func(typ domain.EventType, payload any) (bool, error) {
		if t.After(sd.now) {
			return false, nil
		}
		seq++
		e, err := domain.NewEvent(uuid.Must(uuid.NewV7()).String(), domain.StreamFeedback, id, typ, payload, first.Actor, first.Device,
			first.Unit, t, domain.MakeHLC(t.UnixMilli(), 100+seq))
		if err != nil {
			return false, err
		}
		fb = append(fb, e)
		return true, nil
	}
	channels := domain.FeedbackChannels()
	ok, err := add(domain.EvFeedbackReceived, domain.FeedbackReceivedPayload{Citizen: domain.Person{Name: applicant.Name, Phone: applicant.Phone},
		Channel: channels[r.IntN(len(channels))], Content: feedbackTopics[r.IntN(len(feedbackTopics))], DossierCode: code})
	if err != nil || !ok {
		return evs, "", err
	}
	steps := r.IntN(100)
	if steps < 20 {
		return append(evs, fb...), id, nil // still new
	}
	t = t.Add(time.Duration(1+r.IntN(48)) * time.Hour)
	if ok, err = add(domain.EvFeedbackAssigned, domain.FeedbackAssignedPayload{To: feedbackAssignees[r.IntN(len(feedbackAssignees))]}); err != nil || !ok || steps < 35 {
		return append(evs, fb...), id, err
	}
	t = t.Add(time.Duration(1+r.IntN(5*24)) * time.Hour)
	if ok, err = add(domain.EvFeedbackResolved, domain.FeedbackResolvedPayload{Answer: feedbackAnswers[r.IntN(len(feedbackAnswers))]}); err != nil || !ok || steps < 65 {
		return append(evs, fb...), id, err
	}
	t = t.Add(time.Duration(1+r.IntN(72)) * time.Hour)
	if _, err = add(domain.EvFeedbackPublished, domain.FeedbackPublishedPayload{Where: "Cổng thông tin điện tử xã"}); err != nil {
		return nil, "", err
	}
	return append(evs, fb...), id, nil
}

// writeSeedExtras records a seeded dossier's scan and projects its feedback, inside the
// batch's transaction (after its events are in).
func (s *Store) writeSeedExtras(ctx context.Context, tx *sql.Tx, d seedDossier) error {
	if d.file != nil {
		f := d.file.ref
		if _, err := tx.ExecContext(ctx, `INSERT INTO files(sha256, name, mime, size, pages, created_at, uploaded, upload_url) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT(sha256) DO NOTHING`, f.SHA256, f.Name, f.Mime, f.Size, f.Pages, d.events[0].At.UnixMilli(), d.file.uploaded, ""); err != nil {
			return err
		}
	}
	if d.feedback != "" {
		return s.projectFeedback(ctx, tx, d.feedback)
	}
	return nil
}
