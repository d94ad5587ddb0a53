// Package ui is motcua's desktop interface (Fyne): the set-up wizard, sign-in, and one
// small type per screen — Tiếp nhận, Hồ sơ, Trả kết quả, Cài đặt and the ones later issues
// add — inside one window with a status bar. Screens depend on the interfaces in store.go;
// loading happens off the UI goroutine and results are applied with fyne.Do.
package ui

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"runtime/debug"
	"sort"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"

	"motcua/assets"
	"motcua/domain"
)

// Options wire the interface to the rest of the app.
type Options struct {
	Store   Store   // the local store; each screen takes the part it uses
	Backups Backups // the settings screen's backups (localdb.BackupDesk)
	Sync    Syncer  // nil: no central system configured yet
	// Printer prints, opens and shows printed forms. Without it, printing falls back to Open.
	Printer Printer
	// Open shows a file (a PDF to print) in the system viewer. Defaults to the OS handler.
	Open   func(path string) error
	Logger *slog.Logger
	// Tick is how often the status bar and idle lock are checked (default 5 s).
	Tick time.Duration
	// Now is the clock (default time.Now); tests share one with the store.
	Now func() time.Time
	// IdleClock measures inactivity for the idle lock (default Now). Tests that move Now
	// by hours give the lock a clock of its own, so a fast Tick does not lock them out.
	IdleClock func() time.Time
	// Do runs a function on the UI goroutine: fyne.Do by default. Tests queue the calls and
	// run them when they settle, as the app's event loop would.
	Do func(func())
	// Quit closes the app (after a restore was staged). Defaults to the Fyne app's Quit.
	Quit func()
}

// screen is one tab of the main window.
type screen interface {
	title() string
	icon() fyne.Resource
	content() fyne.CanvasObject
	// shown is called when the tab becomes visible: refresh and focus the first field.
	shown()
}

// UI is the app's single window and what is signed in.
type UI struct {
	app  fyne.App
	win  fyne.Window
	opt  Options
	ctx  context.Context
	stop context.CancelFunc
	log  *slog.Logger

	mu           sync.Mutex
	user         *domain.Staff
	lastActivity time.Time
	day          string // the day (VN) the screens were last told of (tick)
	locked       bool
	idleLocked   bool            // the idle timer locked the screen (not the clerk)
	printedTo    map[string]bool // PDF path → sent to the printer (false: opened in the viewer)

	jobs sync.WaitGroup // background loads, so tests can wait for them

	// cancels ends what the signed-in main window subscribed to (sync changes); run on
	// sign-out and before the window is built again. UI goroutine only.
	cancels []func()

	signInPage *signInPage  // while the sign-in page shows
	wizard     *setupWizard // while the first-run wizard shows

	tabs    *container.AppTabs
	screens []screen
	status  *statusBar
	byName  map[string]*container.TabItem
}

// Prepare loads translations; call it before creating the Fyne app, with the language
// from the configuration ("vi" unless set to "en").
func Prepare(language string) {
	// A POSIX "C" locale is not a language: Fyne would log an error on every start.
	if l := os.Getenv("LANG"); l == "" || l == "C" || l == "POSIX" {
		_ = os.Setenv("LANG", "vi_VN.UTF-8")
	}
	SetLanguage(language)
	if Language() == "vi" {
		// Fyne follows the OS language for its own widgets (file dialogs, menus); counters
		// often run an English Windows, so Vietnamese also stands in for English there.
		_ = lang.AddTranslationsForLocale(assets.VietnameseFyneJSON, "vi")
		_ = lang.AddTranslationsForLocale(assets.VietnameseFyneJSON, "en")
	}
}

// New builds the window. Call Start to show the wizard or the sign-in.
func New(a fyne.App, opt Options) *UI {
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if opt.Open == nil {
		opt.Open = func(path string) error {
			u, err := url.Parse("file://" + filepath.ToSlash(path))
			if err != nil {
				return err
			}
			return a.OpenURL(u)
		}
	}
	if opt.Printer == nil {
		opt.Printer = openOnly{opt.Open}
	}
	if opt.Tick == 0 {
		opt.Tick = 5 * time.Second
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.IdleClock == nil {
		opt.IdleClock = opt.Now
	}
	if opt.Do == nil {
		opt.Do = fyne.Do
	}
	if opt.Quit == nil {
		opt.Quit = a.Quit
	}
	a.Settings().SetTheme(NewTheme(nil))
	ctx, stop := context.WithCancel(context.Background())
	u := &UI{app: a, opt: opt, ctx: ctx, stop: stop, log: opt.Logger, lastActivity: opt.IdleClock()}
	u.win = a.NewWindow(T("motcua — Bộ phận Một cửa"))
	// Fits a 1366×768 screen above the Windows taskbar, the usual counter PC; larger
	// screens maximise it (TestWindowFitsSmallScreens keeps every screen within this).
	u.win.Resize(fyne.NewSize(1280, 720))
	u.win.SetMaster()
	u.win.SetOnClosed(stop)
	if d, ok := u.win.Canvas().(desktop.Canvas); ok {
		d.SetOnKeyDown(func(*fyne.KeyEvent) { u.touch() })
	}
	u.followSync()
	return u
}

// Window is the app's window.
func (u *UI) Window() fyne.Window { return u.win }

// Start shows the set-up wizard on first run, otherwise the sign-in screen.
func (u *UI) Start() {
	n, err := u.opt.Store.StaffCount(u.ctx)
	if err != nil {
		u.win.SetContent(messagePage(T("Không mở được dữ liệu"), errText(err)))
		return
	}
	if n == 0 || !u.opt.Store.Config().Configured() {
		u.showWizard()
	} else {
		u.showSignIn("")
	}
	go u.ticker()
}

// ShowAndRun shows the window and runs the app until it is closed.
func (u *UI) ShowAndRun() {
	u.Start()
	u.win.ShowAndRun()
}

// Close stops background work.
func (u *UI) Close() { u.stop() }

// User is the signed-in staff member (nil when signed out or locked).
func (u *UI) User() *domain.Staff {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.user == nil || u.locked {
		return nil
	}
	st := *u.user
	return &st
}

func (u *UI) actor() domain.Staff {
	if st := u.User(); st != nil {
		return *st
	}
	return domain.Staff{}
}

// now is the app's clock.
func (u *UI) now() time.Time { return u.opt.Now() }

// touch records activity for the idle lock.
func (u *UI) touch() {
	u.mu.Lock()
	u.lastActivity = u.opt.IdleClock()
	u.mu.Unlock()
}

// onSyncChange calls f (on the UI goroutine) whenever the sync engine's state changes,
// until the main window is rebuilt or staff sign out.
func (u *UI) onSyncChange(f func()) {
	if u.opt.Sync == nil {
		return
	}
	u.cancels = append(u.cancels, u.opt.Sync.OnChange(func() { u.opt.Do(f) }))
}

// endSession drops the signed-in window's subscriptions.
func (u *UI) endSession() {
	for _, cancel := range u.cancels {
		cancel()
	}
	u.cancels = nil
}

// background runs load off the UI goroutine and apply on it.
func background[T any](u *UI, load func(ctx context.Context) (T, error), apply func(T, error)) {
	u.jobs.Add(1)
	go func() {
		defer u.jobs.Done()
		defer func() {
			if r := recover(); r != nil {
				u.log.Error("background panic", "panic", r, "stack", string(debug.Stack()))
				u.opt.Do(func() { u.showError(fmt.Errorf("%v", r)) })
			}
		}()
		v, err := load(u.ctx)
		if u.ctx.Err() != nil {
			return
		}
		u.opt.Do(func() { apply(v, err) })
	}()
}

// signedIn builds the main window for a staff member.
func (u *UI) signedIn(st domain.Staff) {
	u.mu.Lock()
	u.user = &st
	u.locked = false
	u.lastActivity = u.opt.IdleClock()
	u.day = domain.HandoffDay(u.opt.Now())
	u.mu.Unlock()
	u.log.Info("signed in", "user", st.Username, "role", st.Role)
	u.buildMain()
}

// signOut returns to the sign-in screen.
func (u *UI) signOut() {
	u.mu.Lock()
	who := ""
	if u.user != nil {
		who = u.user.Username
	}
	u.user = nil
	u.locked = false
	u.mu.Unlock()
	u.log.Info("signed out", "user", who)
	u.endSession()
	u.tabs, u.screens, u.status = nil, nil, nil
	u.win.SetMainMenu(nil)
	u.showSignIn("")
}

// lock hides the work until the same staff member signs in again.
func (u *UI) lock() { u.lockScreen(false) }

// lockScreen locks the window for the signed-in account; idle says it was the idle timer,
// not the clerk (Khóa, Ctrl+Shift+L), so the sign-in page says why.
func (u *UI) lockScreen(idle bool) {
	u.mu.Lock()
	if u.user == nil || u.locked {
		u.mu.Unlock()
		return
	}
	u.locked, u.idleLocked = true, idle
	name := u.user.Username
	u.mu.Unlock()
	u.log.Info("locked", "user", name)
	u.win.SetMainMenu(nil)
	u.showSignIn(name)
}

func (u *UI) ticker() {
	t := time.NewTicker(u.opt.Tick)
	defer t.Stop()
	var last SyncInfo
	for {
		select {
		case <-u.ctx.Done():
			return
		case <-t.C:
			last = u.tick(last)
		}
	}
}

// tick locks an idle session and refreshes the status bar when what it shows changed
// since last. It runs on the ticker's goroutine: what the UI goroutine owns (the status
// bar) is only touched through Do.
func (u *UI) tick(last SyncInfo) SyncInfo {
	u.mu.Lock()
	idle := u.opt.IdleClock().Sub(u.lastActivity)
	signed := u.user != nil && !u.locked
	u.mu.Unlock()
	if !signed {
		return SyncInfo{}
	}
	limit := time.Duration(u.opt.Store.Config().IdleLockMinutes) * time.Minute
	if limit > 0 && idle >= limit {
		u.opt.Do(func() { u.lockScreen(true) })
		return SyncInfo{}
	}
	u.mu.Lock()
	today := domain.HandoffDay(u.opt.Now())
	newDay := u.day != today
	u.day = today
	u.mu.Unlock()
	if newDay { // past midnight: what a screen shows "for today" is yesterday's
		u.opt.Do(func() {
			for _, s := range u.screens {
				if d, ok := s.(dayWatcher); ok {
					d.newDay()
				}
			}
		})
	}
	info, err := u.syncInfo(u.ctx)
	if err != nil || reflect.DeepEqual(info, last) {
		return last
	}
	u.opt.Do(func() {
		if u.status != nil && u.User() != nil {
			u.status.apply(info)
		}
	})
	return info
}

// dayWatcher is a screen that shows something of today, to read again when the day changes.
type dayWatcher interface {
	newDay()
}

// screenSpec registers a tab: files of this package add theirs in init(). make returns
// nil when the staff member's role may not see the screen.
type screenSpec struct {
	order int
	make  func(u *UI, st domain.Staff) screen
}

var registry []screenSpec

func registerScreen(order int, make func(u *UI, st domain.Staff) screen) {
	registry = append(registry, screenSpec{order, make})
	sort.SliceStable(registry, func(i, j int) bool { return registry[i].order < registry[j].order })
}

// Tab order.
const (
	orderIntake = 10
	orderQueue  = 20
	orderReturn = 30
	orderAssist = 40
	orderSuper  = 50
	orderFeed   = 60
	orderSetup  = 90
)

// menuProvider is a screen that adds items to the Công việc menu (with shortcuts that
// work whatever field has focus).
type menuProvider interface {
	menuItems() []*fyne.MenuItem
}

// dossierOpener is the screen that shows a dossier's detail.
type dossierOpener interface {
	openDossier(id string)
}

// buildMain lays out the tabs the staff member's role allows, and the status bar.
func (u *UI) buildMain() {
	u.endSession()
	st := u.actor()
	u.screens = nil
	u.byName = map[string]*container.TabItem{}
	var items []*container.TabItem
	for _, spec := range registry {
		s := spec.make(u, st)
		if s == nil {
			continue
		}
		u.screens = append(u.screens, s)
		item := container.NewTabItemWithIcon(s.title(), s.icon(), s.content())
		u.byName[s.title()] = item
		items = append(items, item)
	}
	u.tabs = container.NewAppTabs(items...)
	u.tabs.SetTabLocation(container.TabLocationLeading)
	u.tabs.OnSelected = func(item *container.TabItem) {
		u.touch()
		for _, s := range u.screens {
			if s.title() == item.Text {
				s.shown()
			}
		}
	}
	u.status = newStatusBar(u)
	u.win.SetContent(container.NewBorder(nil, u.status.content(), nil, nil, u.tabs))
	u.win.SetMainMenu(u.mainMenu())
	if len(u.screens) > 0 {
		u.screens[0].shown()
	}
	u.status.refresh()
}

// showScreen selects a screen's tab.
func (u *UI) showScreen(s screen) {
	if u.tabs == nil || s == nil {
		return
	}
	if item, ok := u.byName[s.title()]; ok {
		u.tabs.Select(item)
	}
}

// screenOf returns the signed-in main window's screen of type T, if the role has it.
func screenOf[T screen](u *UI) (T, bool) {
	for _, s := range u.screens {
		if t, ok := s.(T); ok {
			return t, true
		}
	}
	var zero T
	return zero, false
}

// openDossier shows a dossier's detail, from anywhere (hand-over, dashboard, search).
func (u *UI) openDossier(id string) {
	for _, s := range u.screens {
		if o, ok := s.(dossierOpener); ok {
			u.showScreen(s)
			o.openDossier(id)
			return
		}
	}
}

func (u *UI) mainMenu() *fyne.MainMenu {
	var work []*fyne.MenuItem
	for _, s := range u.screens {
		if m, ok := s.(menuProvider); ok {
			work = append(work, m.menuItems()...)
		}
	}
	if u.actor().Role.Can(domain.PermVisit) {
		work = append(work, u.shortcutItem(T("Ghi một lượt tiếp đón"), fyne.KeyT, theme.AccountIcon(), u.recordVisit))
	}
	lockItem := fyne.NewMenuItem(T("Khóa màn hình"), u.lock)
	lockItem.Shortcut = &desktop.CustomShortcut{KeyName: fyne.KeyL, Modifier: fyne.KeyModifierShortcutDefault | fyne.KeyModifierShift}
	signOut := fyne.NewMenuItem(T("Đăng xuất"), u.signOutAsking)
	account := fyne.NewMenu(T("Tài khoản"), lockItem, signOut)
	if len(work) == 0 {
		return fyne.NewMainMenu(account)
	}
	return fyne.NewMainMenu(fyne.NewMenu(T("Công việc"), work...), account)
}

// recordVisit counts a citizen served without a dossier (guidance, a question): one
// keystroke (Ctrl+T) from anywhere. Intakes and hand-overs count themselves.
func (u *UI) recordVisit() {
	actor := u.actor()
	background(u, func(ctx context.Context) (int, error) {
		if err := u.opt.Store.RecordVisit(ctx, actor); err != nil {
			return 0, err
		}
		day := dayStart(u.now())
		counts, err := u.opt.Store.Visits(ctx, day, day.AddDate(0, 0, 1))
		n := 0
		for _, c := range counts {
			if c.Staff == actor.Username {
				n += c.N
			}
		}
		return n, err
	}, func(n int, err error) {
		if err != nil {
			u.showError(err)
			return
		}
		if u.status != nil {
			u.status.flash(Tf("Đã ghi một lượt tiếp đón (hôm nay bạn đã tiếp %d lượt).", n))
		}
		// The dashboard counts visits: an open one shows the new count with the flash.
		if sv, ok := screenOf[*supervisorScreen](u); ok && u.tabs != nil && u.tabs.Selected() != nil &&
			u.tabs.Selected().Text == sv.title() {
			sv.load()
		}
	})
}

// dayStart is midnight (Vietnam time) of t's day.
func dayStart(t time.Time) time.Time {
	v := t.In(domain.VN())
	return time.Date(v.Year(), v.Month(), v.Day(), 0, 0, 0, 0, domain.VN())
}

// shortcutItem is a menu item with a Ctrl (Cmd on macOS) shortcut that records activity.
func (u *UI) shortcutItem(label string, key fyne.KeyName, icon fyne.Resource, action func()) *fyne.MenuItem {
	item := fyne.NewMenuItem(label, func() { u.touch(); action() })
	item.Shortcut = &desktop.CustomShortcut{KeyName: key, Modifier: fyne.KeyModifierShortcutDefault}
	item.Icon = icon
	return item
}

// printDir is where generated PDFs go before they open in the viewer.
func (u *UI) printDir() string {
	dir := filepath.Join(u.opt.Store.Dir(), "printouts")
	_ = os.MkdirAll(dir, 0o700)
	return dir
}
