package localdb

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net"
	"strconv"
	"strings"
	"time"

	"motcua/domain"
	"motcua/internal/sqlitex"
)

// LAN peers: the unit's other workstations this one exchanges events with directly (package
// sync/peer). This file keeps their addresses, the city's signed roster that admits them,
// the events served to them, and the TLS certificate made from this workstation's own key
// (the key never leaves the store).

// Sync state keys for peers.
const (
	// SyncKeyRoster is the city's signed roster of the unit's active devices (domain.Roster).
	SyncKeyRoster = "peer.roster"
	// SyncKeyRosterSaved is when (this workstation's clock, ms) the roster held was stored.
	SyncKeyRosterSaved = "peer.roster.saved"
	// SyncKeyPeerListen is the address the peer server listens on ("" = DefaultPeerListen).
	SyncKeyPeerListen = "peer.listen"
	// SyncKeyPeerServe is "off" when an admin switched the peer server off.
	SyncKeyPeerServe = "peer.serve"
	// SyncKeyMDNS is "off" when an admin switched DNS-SD announce and browse off.
	SyncKeyMDNS = "peer.mdns"
)

// DefaultPeerListen is where the peer server listens unless an admin chose otherwise.
const DefaultPeerListen = ":47470"

// PeerCursorKey is the sync state key of the cursor into one peer's events. It is written
// by ApplyPulled in the transaction that stores the events it covers.
func PeerCursorKey(device string) string { return "peer.cursor." + device }

// PeerOfferedKey is the sync state key of the cursor into this store's events up to which
// they were offered to one peer device (sync/peer's offer).
func PeerOfferedKey(device string) string { return "peer.offered." + device }

// Peer sources.
const (
	PeerManual = "manual"
	PeerMDNS   = "mdns"
)

// Peer is a known peer address and what happened there last.
type Peer struct {
	Addr         string
	Source       string
	Device       string
	Name         string
	AddedAt      time.Time
	LastSeen     time.Time
	LastExchange time.Time
	LastError    string
	Received     int
}

// NormalisePeerAddr checks a typed "host:port" (the port defaults to DefaultPeerListen's).
func NormalisePeerAddr(addr string) (string, error) {
	addr = strings.TrimSpace(addr)
	addr = strings.TrimPrefix(strings.TrimPrefix(addr, "https://"), "http://")
	addr = strings.TrimSuffix(addr, "/")
	if addr == "" || len(addr) > 255 {
		return "", &domain.RuleError{Code: "peer.addr", Kind: domain.ErrInvalid, Msg: "Địa chỉ máy ngang hàng trống hoặc quá dài."}
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		host, port = addr, strings.TrimPrefix(DefaultPeerListen, ":")
	}
	p, perr := strconv.Atoi(port)
	if host == "" || strings.ContainsAny(host, " /?#@") || perr != nil || p < 1 || p > 65535 {
		return "", &domain.RuleError{Code: "peer.addr", Kind: domain.ErrInvalid,
			Msg: fmt.Sprintf("Địa chỉ máy ngang hàng «%s» không đúng dạng máy:cổng (ví dụ 192.168.1.12:47470).", addr)}
	}
	return net.JoinHostPort(strings.Trim(host, "[]"), strconv.Itoa(p)), nil
}

// AddPeer records a peer address typed by an admin, or found by DNS-SD (source PeerMDNS;
// an address already typed stays manual). It returns the normalised address.
func (s *Store) AddPeer(ctx context.Context, addr, source string) (string, error) {
	addr, err := NormalisePeerAddr(addr)
	if err != nil {
		return "", err
	}
	if source != PeerMDNS {
		source = PeerManual
	}
	err = s.tx(ctx, "add peer", func(tx *sql.Tx) error {
		now := s.now().UnixMilli()
		if source == PeerMDNS {
			// Announcements are not authenticated: a host on the LAN may announce many
			// addresses. Past MaxDiscoveredPeers, a new one takes the place of the oldest
			// discovered address that never answered; when every one has answered, it is
			// not recorded.
			var known, n int
			if err := tx.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM peers WHERE addr = ?),
				(SELECT COUNT(*) FROM peers WHERE source = 'mdns')`, addr).Scan(&known, &n); err != nil {
				return err
			}
			if known == 0 && n >= MaxDiscoveredPeers {
				res, err := tx.ExecContext(ctx, `DELETE FROM peers WHERE addr = (SELECT addr FROM peers
					WHERE source = 'mdns' AND last_exchange = 0 ORDER BY added_at, addr LIMIT 1)`)
				if err != nil {
					return err
				}
				if k, _ := res.RowsAffected(); k == 0 {
					return ErrTooManyPeers
				}
			}
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO peers(addr, source, added_at, last_seen) VALUES (?, ?, ?, ?)
			ON CONFLICT(addr) DO UPDATE SET last_seen = excluded.last_seen,
				source = CASE WHEN peers.source = 'manual' THEN 'manual' ELSE excluded.source END`, addr, source, now, now)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n > 0 && source == PeerManual {
			return s.audit(ctx, tx, "admin", "peer.add", addr, "")
		}
		return nil
	})
	return addr, err
}

// MaxDiscoveredPeers bounds the addresses kept from DNS-SD announcements.
const MaxDiscoveredPeers = 32

// DiscoveredPeerTTL is how long an address found by DNS-SD is kept without a complete
// exchange there (ExpirePeers); announced again, it comes back.
const DiscoveredPeerTTL = 24 * time.Hour

// ErrTooManyPeers: MaxDiscoveredPeers discovered addresses, every one of which answered.
var ErrTooManyPeers = errors.New("too many discovered peers")

// ExpirePeers forgets the addresses found by DNS-SD where no exchange reached its end since
// before (counting from when it was found). Typed addresses are the admin's and stay. It
// returns how many were forgotten.
func (s *Store) ExpirePeers(ctx context.Context, before time.Time) (int, error) {
	n := 0
	err := s.tx(ctx, "expire peers", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM peers WHERE source = 'mdns'
			AND MAX(added_at, last_exchange) < ?`, before.UnixMilli())
		if err != nil {
			return err
		}
		k, _ := res.RowsAffected()
		n = int(k)
		return nil
	})
	return n, err
}

// RemovePeer forgets a peer address. It reports whether it was known.
func (s *Store) RemovePeer(ctx context.Context, addr string) (bool, error) {
	if a, err := NormalisePeerAddr(addr); err == nil {
		addr = a
	}
	found := false
	err := s.tx(ctx, "remove peer", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM peers WHERE addr = ?`, addr)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		found = n > 0
		if !found {
			return nil
		}
		return s.audit(ctx, tx, "admin", "peer.remove", addr, "")
	})
	return found, err
}

// Peers lists the known peer addresses, typed ones first.
func (s *Store) Peers(ctx context.Context) ([]Peer, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT addr, source, device, name, added_at, last_seen, last_exchange, last_error, received
		FROM peers ORDER BY source = 'mdns', addr`)
	if err != nil {
		return nil, fmt.Errorf("peers: %w", err)
	}
	defer rows.Close()
	var out []Peer
	for rows.Next() {
		var p Peer
		var added, seen, ex int64
		if err := rows.Scan(&p.Addr, &p.Source, &p.Device, &p.Name, &added, &seen, &ex, &p.LastError, &p.Received); err != nil {
			return nil, err
		}
		p.AddedAt = time.UnixMilli(added).UTC()
		if seen > 0 {
			p.LastSeen = time.UnixMilli(seen).UTC()
		}
		if ex > 0 {
			p.LastExchange = time.UnixMilli(ex).UTC()
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// PeerOutcome is what one exchange with a peer did.
type PeerOutcome struct {
	Device   string // who answered (by its key in the roster); "" when nobody did
	Name     string
	Received int    // new events taken
	Complete bool   // reached the end of what the peer holds
	Error    string // plain Vietnamese; "" when it went well
}

// NotePeer records the outcome of an exchange with the peer at addr (unknown addresses are
// ignored: it may have been removed meanwhile).
func (s *Store) NotePeer(ctx context.Context, addr string, o PeerOutcome) error {
	return s.tx(ctx, "note peer", func(tx *sql.Tx) error {
		now := s.now().UnixMilli()
		var seen, ex any = nil, nil
		if o.Device != "" {
			seen = now
		}
		if o.Complete && o.Error == "" {
			ex = now
		}
		_, err := tx.ExecContext(ctx, `UPDATE peers SET
				device = CASE WHEN ?1 != '' THEN ?1 ELSE device END,
				name = CASE WHEN ?1 != '' THEN ?2 ELSE name END,
				last_seen = COALESCE(?3, last_seen), last_exchange = COALESCE(?4, last_exchange),
				last_error = ?5, received = received + ?6
			WHERE addr = ?7`, o.Device, o.Name, seen, ex, o.Error, o.Received, addr)
		return err
	})
}

// SaveRoster keeps the city's roster of the unit's active devices: it must carry the pinned
// city key's signature, name this workstation's unit, and be no older than the one held (an
// older roster replayed could bring back a revoked device). It reports whether it was kept.
func (s *Store) SaveRoster(ctx context.Context, r domain.Roster) (bool, error) {
	k, err := s.Keys(ctx)
	if err != nil {
		return false, err
	}
	if k.Central == nil {
		return false, &domain.RuleError{Code: "sync.no_central_key", Kind: domain.ErrConflict, Msg: "Chưa có khóa công khai của máy chủ thành phố."}
	}
	if err := r.Verify(k.Central); err != nil {
		return false, &domain.RuleError{Code: "peer.roster_sig", Kind: domain.ErrInvalid, Msg: "Danh sách máy trạm của đơn vị không có chữ ký hợp lệ của máy chủ thành phố."}
	}
	if r.Unit != s.Config().UnitCode {
		return false, &domain.RuleError{Code: "peer.roster_unit", Kind: domain.ErrInvalid, Msg: domain.ErrRosterUnit.Error()}
	}
	kept := false
	err = s.tx(ctx, "roster", func(tx *sql.Tx) error {
		var raw string
		err := tx.QueryRowContext(ctx, `SELECT value FROM sync_state WHERE key = ?`, SyncKeyRoster).Scan(&raw)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		var cur domain.Roster
		if raw != "" && json.Unmarshal([]byte(raw), &cur) == nil && cur.At > r.At {
			return nil
		}
		b, _ := json.Marshal(r)
		if string(b) == raw {
			return nil
		}
		kept = true
		if err := putSyncValue(ctx, tx, SyncKeyRosterSaved, strconv.FormatInt(s.now().UnixMilli(), 10)); err != nil {
			return err
		}
		return putSyncValue(ctx, tx, SyncKeyRoster, string(b))
	})
	return kept && err == nil, err
}

// DeviceKeyLearnedAt is when this workstation first stored another device's key as the city
// vouched for it (ok false when it holds no such record). The city registered the key no
// later than that: a roster made after it that lacks the key means the device was revoked.
func (s *Store) DeviceKeyLearnedAt(ctx context.Context, publicKey string) (time.Time, bool, error) {
	var at sql.NullInt64
	err := s.r.QueryRowContext(ctx, `SELECT MIN(added_at) FROM device_keys WHERE public_key = ? AND record != ?`, publicKey, selfRecord).Scan(&at)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("device key: %w", err)
	}
	if !at.Valid {
		return time.Time{}, false, nil
	}
	return time.UnixMilli(at.Int64).UTC(), true, nil
}

// RosterSavedAt is when the roster held was stored here (zero when unknown).
func (s *Store) RosterSavedAt(ctx context.Context) (time.Time, error) {
	v, err := s.SyncValue(ctx, SyncKeyRosterSaved)
	if err != nil || v == "" {
		return time.Time{}, err
	}
	ms, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return time.Time{}, nil
	}
	return time.UnixMilli(ms).UTC(), nil
}

// Roster returns the roster held, checked again against the pinned city key and the unit
// (ok false when there is none that holds).
func (s *Store) Roster(ctx context.Context) (domain.Roster, bool, error) {
	var r domain.Roster
	raw, err := s.SyncValue(ctx, SyncKeyRoster)
	if err != nil || raw == "" {
		return r, false, err
	}
	k, err := s.Keys(ctx)
	if err != nil {
		return r, false, err
	}
	if json.Unmarshal([]byte(raw), &r) != nil || k.Central == nil || r.Verify(k.Central) != nil || r.Unit != s.Config().UnitCode {
		return domain.Roster{}, false, nil
	}
	return r, true, nil
}

// ErrPeerCursor is a cursor into this store's events that it does not recognise (another
// store's, or this one's before a restore): the peer must start from the beginning.
var ErrPeerCursor = errors.New("peer cursor unknown")

// PeerPage is one page of the events served to a peer.
type PeerPage struct {
	Events []domain.Event
	Cursor string // after the last event of the page; the request's cursor when empty
	More   bool
}

// peerLinkPrefix is how much of the chain link a peer cursor carries: enough that a store
// restored to an earlier state, or another store, cannot be mistaken for this one.
const peerLinkPrefix = 16

// PeerChanges returns the events of the unit this store holds after cursor, in stored
// order, for the peer device asking: everything signed (its own, pulled, learned from other
// peers), except the asker's own events — each workstation keeps and pushes its own, and an
// event of its own coming back from a peer would look received and never reach the city. A
// page holds at most limit events and about maxBytes of payload.
//
// The cursor is "seq:link": the seq of the last event served and the start of its chain
// link, so a cursor kept across a restore of this store (seq numbers reused for other
// events) is refused with ErrPeerCursor instead of silently skipping events.
func (s *Store) PeerChanges(ctx context.Context, cursor, asker string, limit, maxBytes int) (PeerPage, error) {
	page := PeerPage{Cursor: cursor}
	var after int64
	if cursor != "" {
		seqS, link, ok := strings.Cut(cursor, ":")
		seq, err := strconv.ParseInt(seqS, 10, 64)
		if !ok || err != nil || seq < 0 || len(link) != peerLinkPrefix {
			return page, ErrPeerCursor
		}
		var held string
		err = s.r.QueryRowContext(ctx, `SELECT link FROM events WHERE seq = ?`, seq).Scan(&held)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && !strings.HasPrefix(held, link)) {
			return page, ErrPeerCursor
		}
		if err != nil {
			return page, fmt.Errorf("peer changes: %w", err)
		}
		after = seq
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+eventColumns+`, seq, link FROM events
		WHERE seq > ? AND unit = ? AND device != ? AND sig != '' AND sig != '-' ORDER BY seq LIMIT ?`,
		after, s.Config().UnitCode, asker, limit+1)
	if err != nil {
		return page, fmt.Errorf("peer changes: %w", err)
	}
	defer rows.Close()
	size := 0
	for rows.Next() {
		var seq int64
		var link string
		e, err := sqlitex.ScanEvent(rows, &seq, &link)
		if err != nil {
			return page, err
		}
		n := len(e.Payload) + 512 // the envelope, signature and JSON around it
		if len(page.Events) == limit || (len(page.Events) > 0 && size+n > maxBytes) {
			page.More = true
			break
		}
		size += n
		page.Events = append(page.Events, e)
		page.Cursor = strconv.FormatInt(seq, 10) + ":" + link[:min(len(link), peerLinkPrefix)]
	}
	return page, rows.Err()
}

// PeerCertificate is this workstation's TLS certificate for LAN peers: self-signed with its
// own Ed25519 device key, valid for a day around now. The subject names the device and its
// unit only to explain a refusal; peers trust the key, by the city's roster, nothing else.
func (s *Store) PeerCertificate(now time.Time) (tls.Certificate, error) {
	cfg := s.Config()
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: cfg.DeviceID, OrganizationalUnit: []string{cfg.UnitCode}, Organization: []string{"motcua"}},
		NotBefore:             now.Add(-12 * time.Hour),
		NotAfter:              now.Add(36 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, s.key.Public().(ed25519.PublicKey), s.key)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("peer certificate: %w", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: s.key, Leaf: leaf}, nil
}
