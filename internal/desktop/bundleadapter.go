package desktop

import (
	"context"

	appsync "motcua/sync"
	"motcua/ui"
)

// The sync adapter also carries USB bundles for the settings screen (ui.Bundles).
var _ ui.Bundles = (*syncAdapter)(nil)

func (a *syncAdapter) ExportBundle(ctx context.Context, path string, progress func(float64)) (string, error) {
	rep, err := appsync.ExportBundle(ctx, a.store, path, fraction(progress), nil)
	if err != nil {
		return "", clerkError("bundle", err)
	}
	return rep.Message(), nil
}

func (a *syncAdapter) ImportBundle(ctx context.Context, path string, progress func(float64)) (string, error) {
	rep, err := appsync.ImportBundle(ctx, a.store, path, fraction(progress), nil)
	if err != nil {
		return "", clerkError("bundle", err)
	}
	// The counts changed (acknowledged, received): the status bar and the panel follow, and
	// the open screens refresh what the bundle's events touched, as after a pull.
	a.engine.TellApplied(rep.Applied)
	a.engine.SyncNow()
	return rep.Message(), nil
}

func fraction(f func(float64)) func(done, total int64) {
	return func(done, total int64) {
		if f != nil && total > 0 {
			f(float64(done) / float64(total))
		}
	}
}
