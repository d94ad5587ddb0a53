package peer

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"slices"
	gosync "sync"
	"syscall"
	"time"

	"motcua/domain"
	"motcua/internal/fanout"
	"motcua/localdb"
	appsync "motcua/sync"
)

// Options tune a node. Zero values give production defaults.
type Options struct {
	Listen         string        // the peer server's address ("" = the store's setting, or localdb.DefaultPeerListen)
	Serve          *bool         // nil = the store's setting (on unless an admin switched it off)
	MustServe      bool          // Run fails when the port cannot be opened (peer-serve), instead of going on without it
	MDNS           *bool         // nil = the store's setting (on unless switched off)
	Interval       time.Duration // exchange with every peer this often (default 5 s)
	KeysInterval   time.Duration // ask the city for the roster this often (default 5 min)
	BrowseInterval time.Duration // look for peers by DNS-SD this often (default 1 min)
	RequestTimeout time.Duration // one call to a peer (default 30 s)
	RoundTimeout   time.Duration // one round with every peer (default 2 min)
	PageLimit      int           // events per page asked (default DefaultPage)
	CityClient     *http.Client  // for the roster (nil: the shared client)
	Now            func() time.Time
	Logger         *slog.Logger
	// OnApplied, when set, is called with the events received from peers (pulled or offered)
	// after they are stored, so open screens can follow them like a pull from the city. It
	// runs on the node's goroutines and must not block.
	OnApplied func([]domain.Event)
}

func (o *Options) defaults() {
	if o.Interval <= 0 {
		o.Interval = 5 * time.Second
	}
	if o.KeysInterval <= 0 {
		o.KeysInterval = 5 * time.Minute
	}
	if o.BrowseInterval <= 0 {
		o.BrowseInterval = time.Minute
	}
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = 30 * time.Second
	}
	if o.RoundTimeout <= 0 {
		o.RoundTimeout = 2 * time.Minute
	}
	if o.PageLimit <= 0 || o.PageLimit > MaxPage {
		o.PageLimit = DefaultPage
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
}

// Status is what the status bar and the sync panel show of the peers.
type Status struct {
	Serving      bool   // the peer server is listening
	Addr         string // where
	ServeError   string // why it is not listening (plain Vietnamese)
	Peers        []localdb.Peer
	LastExchange time.Time // the last exchange that reached the end with some peer
	Exchanging   bool
	Self         string // this workstation's device id (its own address in the list is not a peer)
}

// Seen counts the peers that answered and were admitted in the last ten minutes.
func (s Status) Seen(now time.Time) int {
	n := 0
	for _, p := range s.Peers {
		if p.Device != "" && p.Device != s.Self && now.Sub(p.LastSeen) < 10*time.Minute && p.LastError == "" {
			n++
		}
	}
	return n
}

// Node is one workstation's peer side: its server, its discovery and its exchanges.
type Node struct {
	store *localdb.Store
	opt   Options
	log   *slog.Logger

	certMu gosync.Mutex
	cert   tls.Certificate

	roundMu gosync.Mutex  // one round at a time
	kickCh  chan struct{} // an address was added: a round now

	mu   gosync.Mutex
	st   Status
	subs fanout.Subscribers[Status]
	addr net.Addr // the server's, once listening
}

// New builds a node over a store.
func New(store *localdb.Store, opt Options) *Node {
	opt.defaults()
	return &Node{store: store, opt: opt, log: opt.Logger, kickCh: make(chan struct{}, 1),
		st: Status{Self: store.Config().DeviceID}}
}

// certificate returns this workstation's peer certificate, made anew before it expires.
func (n *Node) certificate() (tls.Certificate, error) {
	n.certMu.Lock()
	defer n.certMu.Unlock()
	now := n.opt.Now()
	if n.cert.Leaf == nil || now.After(n.cert.Leaf.NotAfter.Add(-12*time.Hour)) {
		c, err := n.store.PeerCertificate(now)
		if err != nil {
			return tls.Certificate{}, err
		}
		n.cert = c
	}
	return n.cert, nil
}

// Status returns the current state.
func (n *Node) Status() Status {
	n.mu.Lock()
	defer n.mu.Unlock()
	st := n.st
	st.Peers = slices.Clone(st.Peers)
	return st
}

// Subscribe calls f with the new status after every change, on the node's goroutine: f must
// not block (a Fyne UI hands it to fyne.Do). The returned function unsubscribes.
func (n *Node) Subscribe(f func(Status)) (cancel func()) {
	cancel = n.subs.Add(f)
	f(n.Status())
	return cancel
}

func (n *Node) update(fn func(*Status)) {
	n.mu.Lock()
	fn(&n.st)
	st := n.st
	st.Peers = slices.Clone(st.Peers)
	n.mu.Unlock()
	n.subs.Notify(st)
}

func (n *Node) refresh(ctx context.Context) {
	ps, err := n.store.Peers(ctx)
	if err != nil {
		return
	}
	n.update(func(s *Status) { s.Peers = ps })
}

// Refresh reloads the peer list into the status and asks the running loop for a round now
// (an admin typed an address).
func (n *Node) Refresh(ctx context.Context) {
	n.refresh(ctx)
	select {
	case n.kickCh <- struct{}{}:
	default:
	}
}

// Handler is the peer protocol's HTTP handler (for tests that mount it themselves).
func (n *Node) Handler() http.Handler {
	return newHandler(n.store, n.log, n.opt.Now, n.opt.CityClient, n.opt.OnApplied)
}

// Listen opens the peer server's port (Options.Listen, or the store's setting).
func (n *Node) Listen(ctx context.Context) (net.Listener, *http.Server, error) {
	addr := n.opt.Listen
	if addr == "" {
		addr, _ = n.store.SyncValue(ctx, localdb.SyncKeyPeerListen)
	}
	if addr == "" {
		addr = localdb.DefaultPeerListen
	}
	cert, err := n.certificate()
	if err != nil {
		return nil, nil, err
	}
	srv := newHTTPServer(n.Handler(), cert, n.log)
	// A certificate made anew for each handshake after the day's one expires.
	srv.TLSConfig.Certificates = nil
	srv.TLSConfig.GetCertificate = func(*tls.ClientHelloInfo) (*tls.Certificate, error) {
		c, err := n.certificate()
		return &c, err
	}
	ln, err := listenTLS(addr, srv)
	if err != nil {
		return nil, nil, listenError(addr, err)
	}
	n.mu.Lock()
	n.addr = ln.Addr()
	n.mu.Unlock()
	return ln, srv, nil
}

// listenError says in words why the peer port could not be opened.
func listenError(addr string, err error) error {
	var errno syscall.Errno
	errors.As(err, &errno)
	switch {
	case errors.Is(err, syscall.EADDRINUSE) || errno == 10048: // 10048: WSAEADDRINUSE on Windows
		return staffErrorf("Không mở được cổng %s cho máy ngang hàng: cổng đang được một chương trình khác dùng (có thể motcua đang chạy ở cửa sổ khác); hãy đóng chương trình đó hoặc chọn cổng khác (peers config --listen).", addr)
	case errors.Is(err, syscall.EACCES):
		return staffErrorf("Không mở được cổng %s cho máy ngang hàng: không có quyền dùng cổng này; hãy chọn cổng lớn hơn 1024 (peers config --listen).", addr)
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		return staffErrorf("Không mở được cổng %s cho máy ngang hàng: máy này không có địa chỉ đó; hãy kiểm tra địa chỉ nghe (peers config --listen).", addr)
	}
	var ae *net.AddrError
	var de *net.DNSError
	if errors.As(err, &ae) || errors.As(err, &de) {
		return staffErrorf("Không mở được cổng cho máy ngang hàng: địa chỉ nghe «%s» không đúng dạng [máy]:cổng (ví dụ :47470).", addr)
	}
	return staffErrorf("Không mở được cổng %s cho máy ngang hàng; hãy kiểm tra địa chỉ nghe (peers config --listen).", addr)
}

// Serve runs the peer server on ln until ctx ends.
func (n *Node) Serve(ctx context.Context, ln net.Listener, srv *http.Server) error {
	n.update(func(s *Status) { s.Serving, s.Addr, s.ServeError = true, ln.Addr().String(), "" })
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	err := srv.Serve(ln)
	n.update(func(s *Status) { s.Serving = false })
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Round exchanges with every known peer, up to MaxParallel at a time, and returns what
// each did (in the order of the peer list; an address that reaches this workstation itself
// is left out). The round ends by RoundTimeout: a host that accepts and never answers costs
// one slot for the handshake's bound, never the real peers' turn.
func (n *Node) Round(ctx context.Context) []Result {
	n.roundMu.Lock()
	defer n.roundMu.Unlock()
	n.expire(ctx)
	ps, err := n.store.Peers(ctx)
	if err != nil {
		return []Result{{Err: err}}
	}
	n.update(func(s *Status) { s.Exchanging, s.Peers = true, ps })
	defer n.update(func(s *Status) { s.Exchanging = false })
	me := n.selfAddrs()
	rctx, cancel := context.WithTimeout(ctx, n.opt.RoundTimeout)
	defer cancel()
	// Those that answered last time first: they are the likely ones.
	order := make([]int, 0, len(ps))
	for i, p := range ps {
		// An address once found to be this workstation's is still tried (a handshake is
		// cheap, and an address may be given to another machine).
		if !me[p.Addr] {
			order = append(order, i)
		}
	}
	slices.SortStableFunc(order, func(a, b int) int {
		return -boolCmp(answered(ps[a]), answered(ps[b]))
	})
	results := make([]*Result, len(ps))
	sem := make(chan struct{}, MaxParallel)
	var wg gosync.WaitGroup
	for _, i := range order {
		select {
		case sem <- struct{}{}:
		case <-rctx.Done():
		}
		if rctx.Err() != nil {
			r := Result{Addr: ps[i].Addr, Err: staffErrorf("Hết thời gian của lượt đồng bộ trước khi tới lượt máy ngang hàng %s; sẽ thử lại.", ps[i].Addr)}
			results[i] = &r
			continue
		}
		wg.Add(1)
		go func(p localdb.Peer) {
			defer wg.Done()
			defer func() { <-sem }()
			r := n.exchange(rctx, p.Addr)
			n.note(ctx, rctx, p, r)
			results[i] = &r
		}(ps[i])
	}
	wg.Wait()
	out := make([]Result, 0, len(ps))
	for _, r := range results {
		if r != nil && !r.Self {
			out = append(out, *r)
		}
	}
	n.refresh(context.WithoutCancel(ctx))
	return out
}

// MaxParallel bounds the exchanges of a round running at once.
const MaxParallel = 4

func answered(p localdb.Peer) bool { return p.Device != "" && p.LastError == "" }

func boolCmp(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// note records the outcome of one exchange.
func (n *Node) note(ctx, rctx context.Context, p localdb.Peer, r Result) {
	if r.Self {
		// The address is this workstation's own: remember whose it is, so later rounds skip
		// it without a handshake, and say nothing.
		if p.Device != r.Device {
			if err := n.store.NotePeer(context.WithoutCancel(ctx), p.Addr, localdb.PeerOutcome{Device: r.Device, Name: "(máy này)"}); err != nil {
				n.log.Warn("peer: cannot record the exchange", "peer", p.Addr, "err", err)
			}
		}
		return
	}
	o := localdb.PeerOutcome{Device: r.Device, Name: r.Name, Received: r.Received, Complete: r.InStep}
	if r.Err != nil {
		o.Error = Sanitise(Message(r.Err), 400)
	}
	// Recorded when something changed, and once a minute otherwise: a quiet LAN must not
	// cost a durable write per peer every few seconds.
	quiet := r.Received == 0 && o.Error == p.LastError && o.Device == p.Device && o.Name == p.Name &&
		(!o.Complete || n.opt.Now().Sub(p.LastExchange) < time.Minute)
	if !quiet {
		if err := n.store.NotePeer(context.WithoutCancel(ctx), p.Addr, o); err != nil {
			n.log.Warn("peer: cannot record the exchange", "peer", p.Addr, "err", err)
		}
	}
	if r.Err != nil && rctx.Err() == nil {
		n.log.Info("peer: exchange incomplete", "peer", p.Addr, "err", r.Err)
	}
	if r.InStep {
		n.update(func(s *Status) { s.LastExchange = n.opt.Now() })
	}
}

// expire forgets discovered addresses where no exchange reached its end for a day.
func (n *Node) expire(ctx context.Context) {
	ps, err := n.store.Peers(ctx)
	if err != nil {
		return
	}
	cut := n.opt.Now().Add(-localdb.DiscoveredPeerTTL)
	for _, p := range ps {
		if p.Source == localdb.PeerMDNS && p.AddedAt.Before(cut) && p.LastExchange.Before(cut) {
			if k, err := n.store.ExpirePeers(ctx, cut); err != nil {
				n.log.Warn("peer: cannot expire discovered peers", "err", err)
			} else {
				n.log.Info("peer: discovered peers expired", "n", k)
			}
			return
		}
	}
}

// selfAddrs are the addresses that reach this node's own server (DNS-SD finds it too).
func (n *Node) selfAddrs() map[string]bool {
	n.mu.Lock()
	a := n.addr
	n.mu.Unlock()
	out := map[string]bool{}
	ta, ok := a.(*net.TCPAddr)
	if !ok {
		return out
	}
	port := ta.Port
	ifaddrs, _ := net.InterfaceAddrs()
	ips := []net.IP{ta.IP, net.IPv4(127, 0, 0, 1), net.IPv6loopback}
	for _, ia := range ifaddrs {
		if ipn, ok := ia.(*net.IPNet); ok {
			ips = append(ips, ipn.IP)
		}
	}
	for _, ip := range ips {
		if ip == nil || ip.IsUnspecified() {
			continue
		}
		out[net.JoinHostPort(ip.String(), itoa(port))] = true
	}
	return out
}

// Run serves peers, announces and browses by DNS-SD, exchanges with every peer every
// Interval and refreshes the city's roster every KeysInterval, until ctx ends. A port that
// cannot be opened is reported in the status; the exchanges go on without it.
func (n *Node) Run(ctx context.Context) error {
	n.refresh(ctx)
	serve := n.setting(ctx, n.opt.Serve, localdb.SyncKeyPeerServe)
	if serve {
		ln, srv, err := n.Listen(ctx)
		if err != nil && n.opt.MustServe {
			return err
		}
		if err != nil {
			n.log.Warn("peer: cannot listen", "err", err)
			n.update(func(s *Status) { s.ServeError = Message(err) })
		} else {
			go n.Serve(ctx, ln, srv)
			if n.setting(ctx, n.opt.MDNS, localdb.SyncKeyMDNS) {
				if stop, err := n.announce(ln.Addr()); err != nil {
					n.log.Info("peer: DNS-SD announce unavailable", "err", err)
				} else {
					defer stop()
				}
			}
		}
	}
	browse := n.setting(ctx, n.opt.MDNS, localdb.SyncKeyMDNS)
	var lastKeys, lastBrowse time.Time
	tick := time.NewTicker(n.opt.Interval)
	defer tick.Stop()
	for {
		now := n.opt.Now()
		if now.Sub(lastKeys) >= n.opt.KeysInterval {
			lastKeys = now
			kctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			if err := appsync.RefreshKeys(kctx, n.store, n.opt.CityClient); err != nil && ctx.Err() == nil {
				n.log.Debug("peer: roster not refreshed", "err", err)
			}
			cancel()
		}
		if browse && now.Sub(lastBrowse) >= n.opt.BrowseInterval {
			lastBrowse = now
			n.browse(ctx)
		}
		n.Round(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		case <-n.kickCh:
		}
	}
}

// setting reads an on/off setting: the option when given, else on unless stored "off".
func (n *Node) setting(ctx context.Context, opt *bool, key string) bool {
	if opt != nil {
		return *opt
	}
	v, _ := n.store.SyncValue(ctx, key)
	return v != "off"
}
