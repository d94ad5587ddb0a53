package main

import (
	"context"
	"log/slog"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"motcua/assets"
	"motcua/internal/logging"
	"motcua/localdb"
	appsync "motcua/sync"
	"motcua/sync/peer"
	"motcua/ui"
)

// runGUI opens the desktop app on the data folder: logs to a rotating file there, daily
// backups when a backup folder is set, and a message instead of a vanished window on a panic.
func runGUI(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "")
	data := dataFlag(fs)
	level := fs.String("log-level", "info", "mức ghi nhật ký: debug, info, warn, error")
	if err := fs.Parse(args); err != nil {
		return err
	}
	logger, closer, err := logging.Setup(*data, logging.ParseLevel(*level))
	if err != nil {
		return err
	}
	defer closer.Close()
	slog.SetDefault(logger)
	defer logging.RecoverPanic(logger, func(msg string) { logging.Alert("motcua", msg) })

	// A restore chosen in the settings screen was staged beside the data: swap it in now.
	if old, err := localdb.ApplyPendingRestore(*data); err != nil {
		logger.Error("restore", "err", err)
		logging.Alert("motcua", err.Error())
	} else if old != "" {
		logger.Info("restored data swapped in", "previous data kept in", old)
	}
	store, err := openStore(ctx, *data)
	if err != nil {
		logger.Error("open store", "dir", *data, "err", err)
		return err
	}
	defer store.Close()
	logger.Info("motcua starting", "data", *data, "schema", localdb.SchemaVersion)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	backups := &localdb.BackupScheduler{Store: store, Log: logger}
	go func() {
		defer logging.RecoverPanic(logger, nil)
		backups.Run(ctx)
	}()

	engine := appsync.New(store, appsync.Options{Logger: logger})
	go func() {
		defer logging.RecoverPanic(logger, nil)
		engine.Run(ctx)
	}()
	// LAN peers: serve the unit's other counters, find them, exchange every few seconds.
	peers := peer.New(store, peer.Options{Logger: logger})
	go func() {
		defer logging.RecoverPanic(logger, nil)
		peers.Run(ctx)
	}()

	ui.Prepare(store.Config().Language)
	a := app.NewWithID("vn.motcua.counter")
	a.SetIcon(fyne.NewStaticResource("motcua.png", assets.Icon))
	w := ui.New(a, ui.Options{Store: store, Backups: localdb.BackupDesk{Store: store}, Logger: logger, Sync: newSyncAdapter(engine, store, peers)})
	defer w.Close()
	benchHooks(a, w, e) // only with MOTCUA_BENCH_FRAME set, for motcua bench
	w.ShowAndRun()
	return nil
}
