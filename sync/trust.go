package sync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
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
	return storeKeysPinned(ctx, e.store, kr)
}

// storeKeys keeps the device keys and the roster of a keys reply (each checked against the
// pinned city key by the store).
func storeKeys(ctx context.Context, store *localdb.Store, kr api.KeysResponse) error {
	if _, err := store.AddDeviceKeys(ctx, kr.Keys); err != nil {
		return localErr("keys", err)
	}
	if kr.Roster != nil {
		// A roster that does not hold is skipped like a key record that does not: the one
		// held stays, and peers keep being judged by it.
		if _, err := store.SaveRoster(ctx, *kr.Roster); err != nil {
			var re *domain.RuleError
			if !errors.As(err, &re) {
				return localErr("keys", err)
			}
			slog.Warn("sync: roster from the city refused", "err", err)
		}
	}
	return nil
}

// RefreshKeys asks the city for the unit's device keys and roster and keeps them: LAN peers
// (sync/peer) admit each other by the roster, so a device the city revoked is dropped as
// soon as this runs. hc nil: the shared client.
func RefreshKeys(ctx context.Context, store *localdb.Store, hc *http.Client) error {
	cfg := store.Config()
	tok, err := store.SyncValue(ctx, localdb.SyncKeyToken)
	if err != nil {
		return localErr("keys", err)
	}
	if cfg.ServerURL == "" || tok == "" {
		return ErrNotEnrolled
	}
	c, err := newClient(hc, cfg.ServerURL, tok, 30*time.Second)
	if err != nil {
		return err
	}
	r, err := c.call(ctx, "keys", http.MethodGet, "/devices/keys", nil, nil)
	if err != nil {
		return err
	}
	var kr api.KeysResponse
	if err := decode("keys", r, &kr); err != nil {
		return err
	}
	return storeKeysPinned(ctx, store, kr)
}

func storeKeysPinned(ctx context.Context, store *localdb.Store, kr api.KeysResponse) error {
	if err := store.PinCentralKey(ctx, kr.CentralKey); err != nil {
		var re *domain.RuleError
		if errors.As(err, &re) {
			return &Error{Class: ClassInvalid, Op: "keys", Msg: re.Msg, Err: err}
		}
		return localErr("keys", err)
	}
	return storeKeys(ctx, store, kr)
}

// screen sorts a pulled page into the events to apply and those refused (Screen).
func (e *Engine) screen(ctx context.Context, c *client, evs []domain.Event) ([]domain.Event, []localdb.Refused, error) {
	return Screen(ctx, e.store, evs, ScreenOptions{Now: e.opt.Now(), Skew: e.Status().ClockSkew, Logger: e.log,
		FetchKeys: func(ctx context.Context) error { return e.fetchKeys(ctx, c) }})
}

// ScreenOptions tune Screen.
type ScreenOptions struct {
	Now       time.Time
	Skew      time.Duration               // the measured clock difference with the carrier
	Unit      string                      // when set, an event of another unit is refused (a peer must carry only its unit's)
	FetchKeys func(context.Context) error // called once per page when a key is not known yet (nil: never)
	Logger    *slog.Logger
}

// Screen sorts received events into those to apply and those refused: an envelope that
// does not check, fields over the limits, a clock out of bounds, another unit's event (with
// Unit set), a signature that does not hold with the author's key as the city vouched for
// it, or a dossier code or hand-off number that is not the author's own (its unit and its
// slot in the roster held, domain.CheckIssuer). It is the one screen for every carrier: the
// city's pull, LAN peers and USB bundles.
func Screen(ctx context.Context, store *localdb.Store, evs []domain.Event, opt ScreenOptions) ([]domain.Event, []localdb.Refused, error) {
	keys, err := store.Keys(ctx)
	if err != nil {
		return nil, nil, localErr("pull", err)
	}
	log := opt.Logger
	if log == nil {
		log = slog.Default()
	}
	// The roster says which slot each device of the unit holds, for the rule that an event's
	// dossier code and hand-off number are its author's (domain.CheckIssuer, as the city
	// checks on push). None held (not yet fetched): that check waits for one.
	roster, _, err := store.Roster(ctx)
	if err != nil {
		return nil, nil, localErr("pull", err)
	}
	slots := make(map[string]domain.RosterDevice, len(roster.Devices))
	for _, d := range roster.Devices {
		slots[d.Device] = d
	}
	fetched := opt.FetchKeys == nil
	now := opt.Now
	good := make([]domain.Event, 0, len(evs))
	var refused []localdb.Refused
	for _, ev := range evs {
		reason := ""
		if err := ev.Check(); err != nil {
			reason = "Sự kiện không hợp lệ: " + err.Error()
		} else if err := ev.CheckStream(); err != nil {
			reason = err.Error()
		} else if err := ev.CheckLimits(); err != nil {
			reason = err.Error()
		} else if err := domain.CheckClock(ev, now, opt.Skew); err != nil {
			reason = err.Error()
		} else if opt.Unit != "" && ev.Unit != opt.Unit {
			reason = "Sự kiện thuộc đơn vị " + ev.Unit + ", không phải đơn vị " + opt.Unit + " của máy này."
		} else {
			if keys.For(ev) == nil && !fetched {
				fetched = true
				if err := opt.FetchKeys(ctx); err != nil {
					return nil, nil, err
				}
				if keys, err = store.Keys(ctx); err != nil {
					return nil, nil, localErr("pull", err)
				}
			}
			if err := ev.Verify(keys.For(ev)...); err != nil {
				reason = "Không tin được sự kiện nhận về: " + err.Error() + "."
			} else if d, ok := slots[ev.Device]; ok {
				// An author the roster held does not name (enrolled after it, or the city's
				// portal) is judged by its signature alone, as before: the slot check is
				// skipped rather than refuse a genuine event for an older roster.
				if _, why := domain.CheckIssuer(ev, roster.Unit, d.Slot); why != "" {
					reason = fmt.Sprintf("Sự kiện của máy số %d «%s» bị từ chối: %s", d.Slot, d.Name, why)
				}
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
