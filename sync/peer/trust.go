// Package peer is LAN peer sync: workstations of one unit serve each other their unit's
// events over HTTPS while the city is unreachable (and go on doing so when it is back), so
// every counter of a centre sees every dossier within seconds.
//
// Both ends authenticate with certificates made from their own Ed25519 device keys and pin
// the other's key against the roster the city signed (domain.Roster): same unit, not
// revoked. Events taken from a peer are screened exactly like pulled ones (sync.Screen) and
// stored through the same path (localdb.ApplyPulled), never into the outbox: each
// workstation pushes only its own events, and the city receives each event once.
//
// It imports sync (as appsync), localdb, domain and sync/api; never ui or cmd.
package peer

import (
	"context"
	"crypto/ed25519"
	"crypto/tls"
	"crypto/x509"
	"fmt"

	"motcua/domain"
	"motcua/localdb"
)

// RefusedError is a peer refused by trust: an unknown, revoked or other unit's key, or no
// roster to judge by. Msg is plain Vietnamese for this workstation's staff; ToPeer, when
// set, is what the refused peer is told instead (its staff have other things to do).
type RefusedError struct{ Msg, ToPeer string }

func (e *RefusedError) Error() string { return e.Msg }

func refused(format string, args ...any) error {
	return &RefusedError{Msg: fmt.Sprintf(format, args...)}
}

// errSelf: the address reaches this workstation itself (its own address typed in the
// shared peer list, or found by DNS-SD). Not a failure: the round skips it silently.
var errSelf = refused("Máy ngang hàng dùng khóa của chính máy này; bỏ qua.")

// errNoRoster: this workstation cannot judge peers yet.
var errNoRoster error = &RefusedError{
	Msg:    "Máy này chưa có danh sách máy trạm của đơn vị do thành phố cấp; hãy đồng bộ với máy chủ thành phố một lần trước khi đồng bộ với máy ngang hàng.",
	ToPeer: "Máy đó chưa có danh sách máy trạm của đơn vị do thành phố cấp; máy đó cần đồng bộ với máy chủ thành phố một lần.",
}

// identify finds which active device of this unit presented certs, by its key in the
// city's roster. The certificate's subject (device, unit) is the peer's own claim: it only
// makes the refusal clearer.
func identify(ctx context.Context, store *localdb.Store, certs []*x509.Certificate) (domain.RosterDevice, error) {
	if len(certs) == 0 {
		return domain.RosterDevice{}, refused("Máy ngang hàng không xuất trình chứng thư của máy trạm; từ chối kết nối.")
	}
	leaf := certs[0]
	pub, ok := leaf.PublicKey.(ed25519.PublicKey)
	if !ok {
		return domain.RosterDevice{}, refused("Máy ngang hàng dùng khóa không phải khóa ký số của máy trạm motcua; từ chối kết nối.")
	}
	// The TLS handshake proved the peer holds the private key of this certificate's public
	// key; its self-signature is checked too, so a malformed certificate cannot slip through.
	if err := leaf.CheckSignature(leaf.SignatureAlgorithm, leaf.RawTBSCertificate, leaf.Signature); err != nil {
		return domain.RosterDevice{}, refused("Chứng thư của máy ngang hàng không hợp lệ; từ chối kết nối.")
	}
	r, ok, err := store.Roster(ctx)
	if err != nil {
		return domain.RosterDevice{}, err
	}
	if !ok {
		return domain.RosterDevice{}, errNoRoster
	}
	me := store.Config()
	claimedDev, claimedUnit := leaf.Subject.CommonName, ""
	if len(leaf.Subject.OrganizationalUnit) > 0 {
		claimedUnit = leaf.Subject.OrganizationalUnit[0]
	}
	if d, ok := r.Lookup(pub); ok {
		if d.Device == me.DeviceID {
			return d, errSelf
		}
		return d, nil
	}
	if claimedUnit != "" && claimedUnit != me.UnitCode {
		return domain.RosterDevice{}, refused("Máy ngang hàng %s thuộc đơn vị %s, không phải đơn vị %s của máy này; từ chối kết nối.", short(claimedDev), claimedUnit, me.UnitCode)
	}
	if domain.EncodeKey(pub) == store.PublicKey() {
		// Our own key, not (yet) in the roster: still ourselves.
		return domain.RosterDevice{Device: me.DeviceID}, errSelf
	}
	keys, err := store.Keys(ctx)
	if err != nil {
		return domain.RosterDevice{}, err
	}
	for dev, ks := range keys.Devices {
		for _, k := range ks {
			if !k.Equal(pub) {
				continue
			}
			// A key the city vouched for but the roster does not hold: revoked only if the
			// roster is newer than the key's registration at the city — it was made (city
			// clock) or stored here (with the keys of the same reply or bundle) after this
			// workstation learned the key. Otherwise the roster may just predate the device's
			// enrollment (keys brought without a roster, a key fetched for a relayed event).
			learned, ok, err := store.DeviceKeyLearnedAt(ctx, domain.EncodeKey(pub))
			if err != nil {
				return domain.RosterDevice{}, err
			}
			saved, err := store.RosterSavedAt(ctx)
			if err != nil {
				return domain.RosterDevice{}, err
			}
			if ok && (learned.UnixMilli() < r.At || (!saved.IsZero() && !learned.After(saved))) {
				return domain.RosterDevice{}, refused("Máy ngang hàng %s đã bị thành phố thu hồi (không còn trong danh sách máy trạm của đơn vị); từ chối kết nối.", short(dev))
			}
			return domain.RosterDevice{}, refused("Máy ngang hàng %s chưa có trong danh sách máy mới nhất của thành phố: hãy đồng bộ với thành phố hoặc nhập gói USB; tạm thời từ chối kết nối.", short(dev))
		}
	}
	// Most often a counter enrolled after this one last heard from the city: say what each
	// side can do about it (a hostile key is refused all the same).
	return domain.RosterDevice{}, &RefusedError{
		Msg: fmt.Sprintf("Máy ngang hàng %s dùng khóa không có trong danh sách máy trạm thành phố cấp cho đơn vị %s; từ chối kết nối. "+
			"Nếu đó là máy mới của đơn vị thì máy này chưa biết máy mới đó — hãy đồng bộ máy này với thành phố hoặc nhập gói USB thành phố trả về mới nhất, rồi thử lại.",
			short(claimedDev), me.UnitCode),
		ToPeer: "Máy đó chưa biết máy này (khóa của máy này không có trong danh sách máy trạm máy đó đang giữ). " +
			"Hãy chờ máy đó đồng bộ với thành phố, hoặc nhập vào máy đó gói USB thành phố trả về mới nhất, rồi thử lại.",
	}
}

// short shortens a device id for a message.
func short(dev string) string {
	if dev == "" {
		return "(không rõ)"
	}
	if len(dev) > 13 {
		return "«…" + dev[len(dev)-12:] + "»"
	}
	return "«" + dev + "»"
}

// tlsConfig is the configuration of both ends: TLS 1.3, this workstation's certificate, and
// no certificate authority — each end judges the other's key by the roster (identify).
func tlsConfig(cert tls.Certificate) *tls.Config {
	return &tls.Config{
		MinVersion:   tls.VersionTLS13,
		Certificates: []tls.Certificate{cert},
		// The server asks for a certificate and checks it in the handler, where the refusal
		// can be explained to the peer in words.
		ClientAuth: tls.RequireAnyClientCert,
		// The client checks the server's key against the roster in VerifyConnection; there is
		// no chain to a CA to verify.
		InsecureSkipVerify: true,
	}
}
