package main

import (
	"context"
	"errors"

	"motcua/domain"
	appsync "motcua/sync"
	"motcua/ui"
)

// The sync adapter also carries USB bundles for the settings screen (ui.Bundles).
var _ ui.Bundles = (*syncAdapter)(nil)

func (a *syncAdapter) ExportBundle(ctx context.Context, path string, progress func(float64)) (string, error) {
	rep, err := appsync.ExportBundle(ctx, a.store, path, fraction(progress), nil)
	if err != nil {
		return "", clerkError(err)
	}
	return rep.Message(), nil
}

func (a *syncAdapter) ImportBundle(ctx context.Context, path string, progress func(float64)) (string, error) {
	rep, err := appsync.ImportBundle(ctx, a.store, path, fraction(progress), nil)
	if err != nil {
		return "", clerkError(err)
	}
	// The counts changed (acknowledged, received): the status bar and the panel follow.
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

// clerkError gives the UI the sync engine's message (already worded for the clerk) as a
// domain error, the one kind of error the UI shows as it is.
func clerkError(err error) error {
	var se *appsync.Error
	if errors.As(err, &se) {
		return &domain.RuleError{Code: "bundle", Kind: domain.ErrInvalid, Msg: se.Msg}
	}
	return err
}
