package sync

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	gosync "sync"
	"sync/atomic"
	"time"

	"motcua/domain"
	"motcua/localdb"
	"motcua/sync/api"
)

// push sends the outbox in batches with several in flight at once: a reader goroutine reads
// ahead in outbox order while earlier batches travel and are acknowledged, so neither the
// link's round trips nor the server's work leave the other side idle. (The server orders
// events by their clocks, not by arrival, so batches may land in any order.) Each answer is
// classified: accepted and duplicate events are acknowledged, rejected ones quarantined with
// the server's reason so the rest go on; a failed call leaves its events waiting and ends
// the pass once the batches in flight have come back.
func (e *Engine) push(ctx context.Context, c *client, rep *Report) error {
	pctx, stop := context.WithCancel(ctx)
	defer stop()
	// Every batch shows the city the head of this store's event chain; the head it keeps
	// comes back and is remembered for verify.
	e.passHead, e.acked = nil, nil
	if seq, link, err := e.store.ChainHead(ctx); err == nil && seq > 0 {
		at := e.opt.Now().UTC().Truncate(time.Millisecond)
		e.passHead = &api.ChainHead{Seq: seq, Link: link, At: at, Sig: e.store.SignHead(seq, link, at)}
	}
	defer e.saveAcked(ctx)
	if known, _, _ := e.link.caps(c.base.String()); !known {
		// What request encodings does the server take? Before a backlog, one cheap call
		// tells (its reply headers) and measures the round trip; a few events go plain and
		// their reply tells. An older server lists none: plain JSON.
		if n, err := e.store.OutboxCount(ctx); err == nil && n > firstBatch {
			if _, err := c.call(ctx, "push", http.MethodGet, "/ping", nil, nil); err != nil {
				e.log.Debug("sync: ping before push failed", "err", err)
			}
		}
	}
	batches := make(chan []domain.Event, e.opt.InFlight)
	var readErr error
	go func() {
		defer close(batches)
		var after int64
		for {
			// Sized from the link measured so far (link.go): a batch must arrive well within
			// the request timeout, or it would be cut and sent again, forever.
			size := e.link.batchSize(e.opt.BatchSize, c.timeout, e.opt.InFlight)
			evs, last, err := e.store.OutboxAfter(pctx, after, size)
			if err != nil {
				if pctx.Err() == nil {
					readErr = localErr("push", err)
				}
				return
			}
			if len(evs) == 0 {
				return
			}
			after = last
			select {
			case batches <- evs:
			case <-pctx.Done():
				return
			}
		}
	}()
	var mu gosync.Mutex // guards rep, errs and sent
	var errs []error
	var failed atomic.Bool
	sent := 0
	var wg gosync.WaitGroup
	for range e.opt.InFlight {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range batches {
				if failed.Load() {
					continue // after a failure nothing new is sent; what is in flight comes back
				}
				var local Report
				err := e.pushBatch(ctx, c, b, &local)
				mu.Lock()
				rep.Pushed += local.Pushed
				rep.Quarantined += local.Quarantined
				sent += len(b)
				if err != nil {
					errs = append(errs, err)
				}
				mu.Unlock()
				if err != nil {
					failed.Store(true)
					stop() // the reader stops
				}
			}
		}()
	}
	wg.Wait()
	if err := worstError(errs); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return err
	}
	if readErr != nil {
		return readErr
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if rep.Pushed+rep.Quarantined < sent {
		// The server answered without a word about some events: they stay waiting.
		return &Error{Class: ClassServer, Op: "push", Msg: "Máy chủ không xác nhận một số sự kiện đã gửi; sẽ thử lại"}
	}
	e.showHead(ctx, c)
	return nil
}

// showHead shows the city the chain head when no batch carried it and it moved since the
// city last acknowledged it (events pulled, a restore): the city's copy stays current, so
// verify compares with today's chain. A failure here fails nothing: the next pass shows it.
func (e *Engine) showHead(ctx context.Context, c *client) {
	e.ackedMu.Lock()
	carried := e.acked != nil
	e.ackedMu.Unlock()
	if carried || e.passHead == nil {
		return
	}
	var prev api.ChainHead
	if raw, err := e.store.SyncValue(ctx, localdb.SyncKeyChainAcked); err == nil && raw != "" {
		json.Unmarshal([]byte(raw), &prev)
	}
	if prev.Seq == e.passHead.Seq && prev.Link == e.passHead.Link {
		return
	}
	body, _ := json.Marshal(api.PushRequest{Events: []domain.Event{}, Head: e.passHead})
	r, err := c.call(ctx, "push", http.MethodPost, "/events", body, nil)
	if err != nil {
		e.log.Info("sync: chain head not shown to the city this time", "err", err)
		return
	}
	var pr api.PushResponse
	if decode("push", r, &pr) == nil && pr.Head != nil {
		e.ackedMu.Lock()
		e.acked = pr.Head
		e.ackedMu.Unlock()
	}
}

// worstError picks the error that decides what the engine does next: an authorisation
// failure first (sync must pause), then the longest Retry-After the server gave (several
// batches in flight may each have been turned away, told different waits: the engine waits
// the longest), then anything else.
func worstError(errs []error) error {
	var first error
	for _, err := range errs {
		if err == nil {
			continue
		}
		if isClass(err, ClassAuth) {
			return err
		}
		if first == nil || (isCancel(first) && !isCancel(err)) || retryAfterOf(err) > retryAfterOf(first) {
			first = err
		}
	}
	return first
}

// retryAfterOf is the wait a server asked for with an error (0: none).
func retryAfterOf(err error) time.Duration {
	var se *Error
	if errors.As(err, &se) {
		return se.RetryAfter
	}
	return 0
}

func isCancel(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// pushBatch pushes one batch, in halves while its body is over MaxPushBytes. A 4xx the
// server means for the whole batch is narrowed down by halving until the event that causes
// it is alone, and that one is quarantined.
func (e *Engine) pushBatch(ctx context.Context, c *client, evs []domain.Event, rep *Report) error {
	_, gz, compact := e.link.caps(c.base.String())
	sent := make([]domain.Event, 0, len(evs))
	for _, ev := range evs {
		if len(ev.Payload) > 0 && !json.Valid(ev.Payload) {
			// It cannot even be written down (a damaged payload): it can never be accepted.
			e.log.Warn("sync: event cannot be encoded", "event", ev.ID)
			if err := e.quarantine(ctx, ev, "Không mã hóa được sự kiện để gửi (chi tiết đã ghi vào nhật ký).", rep); err != nil {
				return err
			}
			continue
		}
		sent = append(sent, ev)
	}
	if len(sent) == 0 {
		return nil
	}
	var raw []byte
	var err error
	header := map[string]string{}
	if compact {
		// The compact encoding (api.Columns): the same events, each shared value once.
		raw, err = json.Marshal(api.PushRequestC{Events: api.Pack(sent), Head: e.passHead})
		header["Content-Type"] = api.ContentTypeCompact
	} else {
		raw, err = json.Marshal(api.PushRequest{Events: sent, Head: e.passHead})
	}
	if err != nil {
		return &Error{Class: ClassLocal, Op: "push", Msg: withCause("Không mã hóa được lô sự kiện để gửi", err), Err: err}
	}
	if len(raw) > pushBodyLimit && len(sent) > 1 {
		// Large events: a body this size would be refused whole (413), so it goes in halves.
		// (The server bounds bodies as they are once inflated, so the bound is on raw.)
		mid := len(sent) / 2
		if err := e.pushBatch(ctx, c, sent[:mid], rep); err != nil {
			return err
		}
		return e.pushBatch(ctx, c, sent[mid:], rep)
	}
	wire := raw
	if gz && e.link.worthCompressing() {
		wire = gzipBytes(raw)
		header["Content-Encoding"] = "gzip"
	}
	inFlight := int(e.pushing.Add(1))
	t0 := time.Now()
	r, err := c.call(ctx, "push", http.MethodPost, "/events", wire, header)
	e.pushing.Add(-1)
	if err == nil {
		e.link.pushed(len(wire), len(raw), len(sent), time.Since(t0), inFlight)
	} else if isClass(err, ClassNetwork) || isClass(err, ClassServer) && errors.Is(err, context.DeadlineExceeded) {
		e.link.failed()
	}
	if err != nil {
		if isClass(err, ClassInvalid) {
			if len(sent) == 1 {
				return e.quarantine(ctx, sent[0], Message(err), rep)
			}
			mid := len(sent) / 2
			if err := e.pushBatch(ctx, c, sent[:mid], rep); err != nil {
				return err
			}
			return e.pushBatch(ctx, c, sent[mid:], rep)
		}
		return err
	}
	var pr api.PushResponse
	if err := decode("push", r, &pr); err != nil {
		return err
	}
	e.observeClock(r, pr.ServerTime)
	if pr.Head != nil {
		e.ackedMu.Lock()
		if e.acked == nil || pr.Head.Seq >= e.acked.Seq {
			e.acked = pr.Head
		}
		e.ackedMu.Unlock()
	}
	byID := make(map[string]api.PushResult, len(pr.Results))
	for _, res := range pr.Results {
		byID[res.ID] = res
	}
	if compact && pr.Statuses != "" && len(pr.Statuses) != len(sent) {
		return &Error{Class: ClassNetwork, Op: "push", Msg: MsgBadReply}
	}
	acks := make([]string, 0, len(sent))
	for i, ev := range sent {
		res, ok := byID[ev.ID]
		if compact && pr.Statuses != "" {
			// A compact answer: one letter per event, in order; reasons for the rejected.
			switch pr.Statuses[i] {
			case api.StatusAccepted:
				res, ok = api.PushResult{ID: ev.ID, Status: api.Accepted}, true
			case api.StatusDuplicate:
				res, ok = api.PushResult{ID: ev.ID, Status: api.Duplicate}, true
			case api.StatusRejected:
				res.ID, res.Status, ok = ev.ID, api.Rejected, true
			default:
				ok = false
			}
		}
		if !ok {
			continue // not answered: stays waiting, goes again next time
		}
		switch res.Status {
		case api.Accepted, api.Duplicate:
			acks = append(acks, ev.ID)
		case api.Rejected:
			reason := res.Reason
			if reason == "" {
				reason = "Máy chủ từ chối sự kiện (không nêu lý do)."
			}
			if err := e.quarantine(ctx, ev, reason, rep); err != nil {
				return err
			}
		}
	}
	if err := e.store.Ack(context.WithoutCancel(ctx), acks); err != nil {
		return localErr("push", err)
	}
	rep.Pushed += len(acks)
	e.sentProgress(len(sent), 0)
	return nil
}

func (e *Engine) quarantine(ctx context.Context, ev domain.Event, reason string, rep *Report) error {
	e.log.Warn("sync: event quarantined", "event", ev.ID, "type", ev.Type, "reason", reason)
	if err := e.store.Quarantine(context.WithoutCancel(ctx), ev.ID, reason); err != nil {
		return localErr("push", err)
	}
	rep.Quarantined++
	return nil
}

// saveAcked remembers the chain head the city acknowledged in this pass.
func (e *Engine) saveAcked(ctx context.Context) {
	e.ackedMu.Lock()
	h := e.acked
	e.ackedMu.Unlock()
	if h == nil {
		return
	}
	raw, _ := json.Marshal(h)
	if err := e.store.SetSyncValue(context.WithoutCancel(ctx), localdb.SyncKeyChainAcked, string(raw)); err != nil {
		e.log.Warn("sync: cannot record the acknowledged chain head", "err", err)
	}
}
