package desktop

import (
	"context"
	gosync "sync"

	"motcua/domain"
	"motcua/localdb"
	appsync "motcua/sync"
	"motcua/ui"
)

// syncAdapter shows the sync engine to the UI through ui.Syncer.
type syncAdapter struct {
	engine *appsync.Engine
	store  *localdb.Store

	mu   gosync.Mutex
	subs []func()
}

func newSyncAdapter(e *appsync.Engine, s *localdb.Store) *syncAdapter {
	a := &syncAdapter{engine: e, store: s}
	e.Subscribe(func(appsync.Status) {
		a.mu.Lock()
		subs := append([]func(){}, a.subs...)
		a.mu.Unlock()
		for _, f := range subs {
			f()
		}
	})
	return a
}

func (a *syncAdapter) Info() ui.SyncInfo {
	st := a.engine.Status()
	info := ui.SyncInfo{Enrolled: st.Enrolled, Online: st.Online, Paused: st.PausedForAuth, Syncing: st.Syncing,
		Waiting: st.EventsWaiting, FilesWaiting: st.FilesWaiting, Quarantined: st.Quarantined, Refused: st.Refused,
		LastSuccess: st.LastSuccess, LastError: st.LastError, Skew: st.ClockSkew, Server: st.ServerURL,
		PlainHTTP: appsync.PlainHTTPRemote(st.ServerURL)}
	for _, w := range []string{st.SkewWarning, st.Warning} {
		if w != "" && info.LastError == "" {
			info.LastError = w
		}
	}
	return info
}

func (a *syncAdapter) OnChange(f func()) {
	a.mu.Lock()
	a.subs = append(a.subs, f)
	a.mu.Unlock()
}

func (a *syncAdapter) SyncNow() { a.engine.SyncNow() }

func (a *syncAdapter) Enroll(ctx context.Context, serverURL, code, deviceName string, allowPlainHTTP bool) error {
	if _, err := appsync.Enroll(ctx, a.store, serverURL, code, deviceName, appsync.AllowPlainHTTP(allowPlainHTTP)); err != nil {
		return shownError{shown: &domain.RuleError{Code: "sync.enroll", Msg: appsync.Message(err)}, cause: err}
	}
	a.engine.SyncNow()
	return nil
}

// shownError is a sync failure as the screens show errors: a rule error with the sync
// package's plain Vietnamese (the screens never print a transport's words), still wrapping
// the cause for errors.Is and the log.
type shownError struct {
	shown *domain.RuleError
	cause error
}

func (e shownError) Error() string   { return e.cause.Error() }
func (e shownError) Unwrap() []error { return []error{e.shown, e.cause} }
