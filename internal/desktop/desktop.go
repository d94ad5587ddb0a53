// Package desktop wires the counter app: the log, the store, daily backups, the sync engine
// and the window. It is what `motcua` without a command runs; motcua-bench runs the same
// wiring to measure the start and the memory of the real app. It must not import
// sync/central (the city's server stays out of the desktop binary).
package desktop

import (
	"context"
	"log/slog"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"motcua/assets"
	"motcua/internal/logging"
	"motcua/internal/printer"
	"motcua/localdb"
	appsync "motcua/sync"
	"motcua/sync/peer"
	"motcua/ui"
)

// Options says where the app's data is and how much it logs.
type Options struct {
	Data     string // the data folder
	LogLevel slog.Level
	// Started, when set, is called once the window is built and before it shows. Only
	// motcua-bench sets it (to learn when the first frame is drawn and to drive the window).
	Started func(a fyne.App, w *ui.UI)
}

// msgRestoreFailed is what staff are told when a staged restore cannot be swapped in; the
// cause (often the OS's words, with paths) goes to the log, whose folder follows.
const msgRestoreFailed = "Không khôi phục được bản sao lưu đã chọn. Hãy báo cán bộ phụ trách kỹ thuật trước khi làm việc tiếp; chi tiết đã ghi vào nhật ký trong thư mục:"

// Run opens the desktop app on the data folder: logs to a rotating file there, daily
// backups when a backup folder is set, and a message instead of a vanished window on a panic.
// It returns when the window closes.
func Run(ctx context.Context, opt Options) error {
	logger, closer, err := logging.Setup(opt.Data, opt.LogLevel)
	if err != nil {
		return err
	}
	defer closer.Close()
	slog.SetDefault(logger)
	defer logging.RecoverPanic(logger, func(msg string) { logging.Alert("motcua", msg) })

	// A restore chosen in the settings screen was staged beside the data: swap it in now.
	if old, err := localdb.ApplyPendingRestore(opt.Data); err != nil {
		logger.Error("restore", "err", err)
		logging.Alert("motcua", msgRestoreFailed+" "+filepath.Join(opt.Data, "logs"))
	} else if old != "" {
		logger.Info("restored data swapped in", "previous data kept in", old)
	}
	store, err := localdb.Open(ctx, opt.Data, localdb.Options{})
	if err != nil {
		logger.Error("open store", "dir", opt.Data, "err", err)
		return err
	}
	defer store.Close()
	logger.Info("motcua starting", "data", opt.Data, "schema", localdb.SchemaVersion)

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
	// What they bring reaches the open screens through the engine's OnPulled hook, as a pull does.
	peers := peer.New(store, peer.Options{Logger: logger, OnApplied: engine.TellApplied})
	go func() {
		defer logging.RecoverPanic(logger, nil)
		peers.Run(ctx)
	}()

	ui.Prepare(store.Config().Language)
	a := app.NewWithID("vn.motcua.counter")
	a.SetIcon(fyne.NewStaticResource("motcua.png", assets.Icon))
	sys := printer.System()
	w := ui.New(a, ui.Options{Store: store, Backups: localdb.BackupDesk{Store: store}, Logger: logger,
		Sync: newSyncAdapter(engine, store, peers), Printer: sys, Open: sys.Open})
	defer w.Close()
	if opt.Started != nil {
		opt.Started(a, w)
	}
	w.ShowAndRun()
	return nil
}
