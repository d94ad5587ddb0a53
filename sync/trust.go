package sync

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"motcua/domain"
	"motcua/localdb"
	"motcua/sync/api"
)

// ensureKey makes sure the city holds this workstation's public key before anything is
// pushed: a workstation enrolled before events were signed registers it once (its token
// vouches for it). It also pins the city's key when none is pinned yet.
func (e *Engine) ensureKey(ctx context.Context, c *client) error {
	pub := e.store.PublicKey()
	reg, err := e.store.SyncValue(ctx, localdb.SyncKeyKeyRegistered)
	if err != nil {
		return localErr("key", err)
	}
	if reg != pub {
		body, _ := json.Marshal(api.RegisterKeyRequest{PublicKey: pub})
		r, err := c.call(ctx, "key", http.MethodPost, "/devices/key", body, nil)
		if err != nil {
			return err
		}
		var resp struct {
			CentralKey string `json:"central_key"`
		}
		if err := decode("key", r, &resp); err != nil {
			return err
		}
		if err := e.pinCentral(ctx, resp.CentralKey); err != nil {
			return err
		}
		if err := e.store.SetSyncValue(ctx, localdb.SyncKeyKeyRegistered, pub); err != nil {
			return localErr("key", err)
		}
		e.log.Info("sync: device key registered with the city")
	}
	return nil
}

func (e *Engine) pinCentral(ctx context.Context, key string) error {
	if err := e.store.PinCentralKey(ctx, key); err != nil {
		var re *domain.RuleError
		if errors.As(err, &re) {
			return &Error{Class: ClassInvalid, Op: "key", Msg: re.Msg, Err: err}
		}
		return localErr("key", err)
	}
	return nil
}

// fetchKeys asks the city for the keys of the unit's devices (each vouched for by the city's
// signature, checked against the pinned key) and stores the new ones.
func (e *Engine) fetchKeys(ctx context.Context, c *client) error {
	r, err := c.call(ctx, "keys", http.MethodGet, "/devices/keys", nil, nil)
	if err != nil {
		return err
	}
	var kr api.KeysResponse
	if err := decode("keys", r, &kr); err != nil {
		return err
	}
	// Pinned at enrollment; a workstation enrolled before signing pins it here, once.
	if err := e.pinCentral(ctx, kr.CentralKey); err != nil {
		return err
	}
	if _, err := e.store.AddDeviceKeys(ctx, kr.Keys); err != nil {
		return localErr("keys", err)
	}
	return nil
}

// screen sorts a pulled page into the events to apply and those refused: an envelope that
// does not check, fields over the limits, a clock out of bounds, or a signature that does not
// hold with the author's key as the city vouched for it. Keys not known yet are fetched once
// per page.
func (e *Engine) screen(ctx context.Context, c *client, evs []domain.Event) ([]domain.Event, []localdb.Refused, error) {
	keys, err := e.store.Keys(ctx)
	if err != nil {
		return nil, nil, localErr("pull", err)
	}
	refetch := func() (localdb.Keys, error) {
		if err := e.fetchKeys(ctx, c); err != nil {
			return localdb.Keys{}, err
		}
		keys, err := e.store.Keys(ctx)
		if err != nil {
			return keys, localErr("pull", err)
		}
		return keys, nil
	}
	return screenEvents(evs, keys, e.opt.Now(), e.Status().ClockSkew, refetch, e.log)
}

// screenEvents is the one screening of received events, whatever carried them (a pull, a
// USB bundle): refetch, when not nil, is called once when an author's key is unknown.
func screenEvents(evs []domain.Event, keys localdb.Keys, now time.Time, skew time.Duration, refetch func() (localdb.Keys, error), log *slog.Logger) ([]domain.Event, []localdb.Refused, error) {
	good := make([]domain.Event, 0, len(evs))
	var refused []localdb.Refused
	for _, ev := range evs {
		reason := ""
		if err := ev.Check(); err != nil {
			reason = "Sự kiện không hợp lệ: " + err.Error()
		} else if err := ev.CheckLimits(); err != nil {
			reason = err.Error()
		} else if err := domain.CheckClock(ev, now, skew); err != nil {
			reason = err.Error()
		} else {
			if keys.For(ev) == nil && refetch != nil {
				var err error
				if keys, err = refetch(); err != nil {
					return nil, nil, err
				}
				refetch = nil
			}
			if err := ev.Verify(keys.For(ev)...); err != nil {
				reason = "Không tin được sự kiện nhận về: " + err.Error() + "."
			}
		}
		if reason != "" {
			log.Warn("sync: received event refused", "event", ev.ID, "type", ev.Type, "device", ev.Device, "reason", reason)
			refused = append(refused, localdb.Refused{Event: ev, Reason: reason, At: now})
			continue
		}
		good = append(good, ev)
	}
	return good, refused, nil
}

// CityHead asks the city for the head of this workstation's event chain as it last saw it
// (nil, nil before the first push), for `motcua verify` to compare with the local chain.
func CityHead(ctx context.Context, store *localdb.Store, hc *http.Client) (*localdb.ChainRef, error) {
	cfg := store.Config()
	tok, err := store.SyncValue(ctx, localdb.SyncKeyToken)
	if err != nil {
		return nil, localErr("head", err)
	}
	if cfg.ServerURL == "" || tok == "" {
		return nil, ErrNotEnrolled
	}
	c, err := newClient(hc, cfg.ServerURL, tok, 15*time.Second)
	if err != nil {
		return nil, err
	}
	r, err := c.call(ctx, "head", http.MethodGet, "/devices/head", nil, nil)
	var se *Error
	if errors.As(err, &se) && se.Status == http.StatusNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var h api.ChainHead
	if err := decode("head", r, &h); err != nil {
		return nil, err
	}
	return &localdb.ChainRef{Seq: h.Seq, Link: h.Link, Events: h.Events}, nil
}
