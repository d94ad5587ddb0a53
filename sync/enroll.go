package sync

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"motcua/domain"
	"motcua/localdb"
	"motcua/sync/api"
)

// Enroll joins this workstation to a unit with a one-time code from the central admin: it
// calls /enroll with the workstation's own device id (which already names its offline
// events), then stores the server URL, the token, the unit and the slot in one transaction.
// A workstation that already made events under another unit code or slot is refused, with
// nothing changed locally. Network failures are retried a few times; the server gives the
// same device a fresh token if the first answer was lost.
func Enroll(ctx context.Context, store *localdb.Store, serverURL, code, deviceName string, opts ...EnrollOption) (localdb.Enrollment, error) {
	return enroll(ctx, store, nil, serverURL, code, deviceName, opts...)
}

func enroll(ctx context.Context, store *localdb.Store, hc *http.Client, serverURL, code, deviceName string, opts ...EnrollOption) (localdb.Enrollment, error) {
	o := enrollOptions{hc: hc}
	for _, opt := range opts {
		opt(&o)
	}
	hc = o.hc
	base, err := NormaliseServerURL(serverURL, o.allowPlainHTTP)
	if err != nil {
		return localdb.Enrollment{}, err
	}
	code = strings.TrimSpace(code)
	if code == "" {
		return localdb.Enrollment{}, &Error{Class: ClassInvalid, Op: "enroll", Msg: "Vui lòng nhập mã đăng ký do quản trị hệ thống cấp."}
	}
	cfg := store.Config()
	if strings.TrimSpace(deviceName) == "" {
		deviceName = cfg.DeviceName
	}
	boundUnit, boundSlot, err := store.EnrollmentBinding(ctx)
	if err != nil {
		return localdb.Enrollment{}, localErr("enroll", err)
	}
	// One nonce for this enrollment and all its retries: if the first reply is lost, only
	// this workstation, repeating it, may ask the city again for the code's token.
	nb := make([]byte, 24)
	rand.Read(nb)
	pub := store.PublicKey()
	body, _ := json.Marshal(api.EnrollRequest{Code: code, DeviceName: strings.TrimSpace(deviceName), DeviceID: cfg.DeviceID,
		UnitCode: boundUnit, Slot: boundSlot, PublicKey: pub, Nonce: base64.RawURLEncoding.EncodeToString(nb)})
	c, err := newClient(hc, base, "", 30*time.Second)
	if err != nil {
		return localdb.Enrollment{}, err
	}
	var resp api.EnrollResponse
	for attempt := 1; ; attempt++ {
		r, err := c.call(ctx, "enroll", http.MethodPost, "/enroll", body, nil)
		if err == nil {
			err = decode("enroll", r, &resp)
		}
		if err == nil {
			break
		}
		var se *Error
		if ctx.Err() != nil {
			return localdb.Enrollment{}, ctx.Err()
		}
		if !isRetryable(err, &se) || attempt >= 4 {
			if se != nil && se.Class == ClassAuth {
				// 401 at enrollment means the code, not a revoked device.
				return localdb.Enrollment{}, &Error{Class: ClassInvalid, Op: "enroll", Status: se.Status, Msg: "Mã đăng ký không được chấp nhận."}
			}
			return localdb.Enrollment{}, err
		}
		wait := time.Duration(attempt) * enrollRetryWait
		if se.RetryAfter > wait {
			wait = min(se.RetryAfter, time.Minute)
		}
		select {
		case <-ctx.Done():
			return localdb.Enrollment{}, ctx.Err()
		case <-time.After(wait):
		}
	}
	if resp.DeviceID != cfg.DeviceID {
		return localdb.Enrollment{}, &Error{Class: ClassInvalid, Op: "enroll",
			Msg: fmt.Sprintf("Máy chủ cấp mã thiết bị %s, khác với mã của máy trạm này (%s); không thể đăng ký.", resp.DeviceID, cfg.DeviceID)}
	}
	if _, err := domain.ParseKey(resp.CentralKey); err != nil {
		return localdb.Enrollment{}, &Error{Class: ClassInvalid, Op: "enroll",
			Msg: "Máy chủ không gửi khóa ký số của thành phố; máy chủ cần được cập nhật lên phiên bản mới."}
	}
	en := localdb.Enrollment{ServerURL: base, Token: resp.Token, DeviceID: resp.DeviceID, DeviceName: strings.TrimSpace(deviceName),
		UnitCode: resp.UnitCode, UnitName: resp.UnitName, Slot: resp.Slot, CentralKey: resp.CentralKey, PublicKey: pub,
		AllowPlainHTTP: o.allowPlainHTTP}
	if err := store.SaveEnrollment(ctx, en); err != nil {
		return localdb.Enrollment{}, err
	}
	// The unit's device keys and roster now, while the city answers: a counter that enrolls
	// and then goes offline can still admit and verify its LAN peers. A failure here is not
	// the enrollment's (the next sync fetches them).
	kctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := RefreshKeys(kctx, store, hc); err != nil && ctx.Err() == nil {
		slog.Warn("enroll: the unit's device keys and roster not fetched yet", "err", err)
	}
	return en, nil
}

// enrollRetryWait is the first pause between enrollment attempts (tests shorten it).
var enrollRetryWait = time.Second

func isRetryable(err error, se **Error) bool {
	if !errors.As(err, se) {
		return false
	}
	return (*se).Retryable()
}

// EnrollCommand is `motcua enroll`: it enrolls the workstation and prints what it joined.
func EnrollCommand(ctx context.Context, store *localdb.Store, serverURL, code, deviceName string, out io.Writer, opts ...EnrollOption) error {
	en, err := Enroll(ctx, store, serverURL, code, deviceName, opts...)
	if err != nil {
		return err
	}
	name := en.DeviceName
	if name == "" {
		name = store.Config().DeviceName
	}
	if name == "" {
		name = "máy trạm"
	}
	fmt.Fprintf(out, "Đã đăng ký %s vào %s (mã đơn vị %s), máy số %d.\nMáy chủ đồng bộ: %s\n", name, en.UnitName, en.UnitCode, en.Slot, en.ServerURL)
	return nil
}
