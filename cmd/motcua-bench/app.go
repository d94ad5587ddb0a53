package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"log/slog"
	"os"
	"regexp"
	"runtime"
	"runtime/pprof"
	"strings"
	gosync "sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"motcua/internal/desktop"
	"motcua/ui"
)

// The app as the bench measures it: start to first frame, memory with the queue open.

// cmdApp runs the desktop app on the bench store (internal/desktop: the same wiring as
// `motcua` without a command) and reports to the bench on stdout:
//
//	always                   "motcua-bench frame <unix ns>" when the first frame is drawn
//	MOTCUA_BENCH_QUIT=1      then quit
//	MOTCUA_BENCH_SIGNIN=user then sign in as user with the password on the first line of
//	                         stdin (through the sign-in form, as a clerk would), open the
//	                         queue, print "motcua-bench queue <unix ns>" once its count
//	                         shows, and quit when stdin closes.
//
// It signs in only with the password it is given.
func cmdApp(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e)
	data := fs.String("data", "", "thư mục dữ liệu (kho đo)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *data == "" {
		return errors.New("app: thiếu --data")
	}
	return desktop.Run(ctx, desktop.Options{Data: *data, LogLevel: slog.LevelInfo,
		Started: func(a fyne.App, u *ui.UI) { benchHooks(a, u, e) }})
}

// benchHooks reports the first frame and, when asked, signs in and opens the queue.
func benchHooks(a fyne.App, u *ui.UI, e *env) {
	user := os.Getenv("MOTCUA_BENCH_SIGNIN")
	in := bufio.NewReader(e.stdin)
	var password string
	if user != "" {
		line, _ := in.ReadString('\n')
		password = strings.TrimRight(line, "\r\n")
	}
	report := func(what string) { fmt.Fprintf(e.stdout, "%s%s %d\n", benchPrefix, what, time.Now().UnixNano()) }
	fail := func(err string) { fmt.Fprintf(e.stdout, "%serror %s\n", benchPrefix, err) }
	win := u.Window()
	var first gosync.Once
	a.Lifecycle().SetOnStarted(func() {
		// A transparent raster over the window's content: the painter generates it while
		// drawing the first frame.
		r := canvas.NewRaster(func(w, h int) image.Image {
			first.Do(func() {
				report("frame")
				go benchAfterFrame(a, win, user, password, in, report, fail)
			})
			return image.NewUniform(color.Transparent)
		})
		win.SetContent(container.NewStack(win.Content(), r))
	})
}

func benchAfterFrame(a fyne.App, win fyne.Window, user, password string, in *bufio.Reader, report, fail func(string)) {
	quit := func() { fyne.Do(a.Quit) }
	if os.Getenv("MOTCUA_BENCH_QUIT") == "1" || user == "" {
		quit()
		return
	}
	defer func() {
		// Quit when motcua-bench closes our stdin.
		for {
			if _, err := in.ReadString('\n'); err != nil {
				quit()
				return
			}
		}
	}()
	signedIn := false
	fyne.DoAndWait(func() {
		var name, pass *widget.Entry
		benchWalk(win.Content(), func(o fyne.CanvasObject) bool {
			if en, ok := o.(*widget.Entry); ok {
				if en.Password && pass == nil {
					pass = en
				} else if !en.Password && name == nil {
					name = en
				}
			}
			return false
		})
		if name == nil || pass == nil || pass.OnSubmitted == nil {
			return
		}
		name.SetText(user)
		pass.SetText(password)
		pass.OnSubmitted(password)
		signedIn = true
	})
	if !signedIn {
		fail("no sign-in form")
		return
	}
	queueTitle := ui.T("Hồ sơ")
	selected, shown := false, false
	deadline := time.Now().Add(90 * time.Second)
	for !shown && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
		fyne.DoAndWait(func() {
			benchWalk(win.Content(), func(o fyne.CanvasObject) bool {
				switch x := o.(type) {
				case *container.AppTabs:
					if !selected {
						for _, it := range x.Items {
							if it.Text == queueTitle {
								x.Select(it)
								selected = true
							}
						}
					}
				case *widget.Label:
					if selected && benchCount.MatchString(x.Text) {
						shown = true
						return true
					}
				}
				return false
			})
		})
	}
	if !shown {
		fail("the queue did not show")
		return
	}
	report("queue")
	if os.Getenv("MOTCUA_BENCH_SMAPS") != "" {
		time.Sleep(time.Second)
		if path := os.Getenv("MOTCUA_BENCH_HEAPPROFILE"); path != "" {
			if f, err := os.Create(path); err == nil {
				_ = pprof.WriteHeapProfile(f)
				f.Close()
			}
		}
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		fail(fmt.Sprintf("(not an error) Go heap in use %.1f MB, heap sys %.1f MB, stacks %.1f MB, total from OS %.1f MB, GC cycles %d",
			float64(ms.HeapInuse)/1e6, float64(ms.HeapSys)/1e6, float64(ms.StackSys)/1e6, float64(ms.Sys)/1e6, ms.NumGC))
	}
}

// benchCount is the queue's count once loaded ("12.345 hồ sơ", or none).
var benchCount = regexp.MustCompile(`^([0-9][0-9.,]* ` + regexp.QuoteMeta("hồ sơ") + `|` + regexp.QuoteMeta("Không có hồ sơ nào phù hợp.") + `)$`)

// benchWalk visits the objects under o (what is shown of tabs) until f returns true.
func benchWalk(o fyne.CanvasObject, f func(fyne.CanvasObject) bool) bool {
	if o == nil || !o.Visible() {
		return false
	}
	if f(o) {
		return true
	}
	var kids []fyne.CanvasObject
	switch x := o.(type) {
	case *fyne.Container:
		kids = x.Objects
	case *widget.Card:
		kids = []fyne.CanvasObject{x.Content}
	case *container.AppTabs:
		if it := x.Selected(); it != nil {
			kids = []fyne.CanvasObject{it.Content}
		}
	case *container.Scroll:
		kids = []fyne.CanvasObject{x.Content}
	case *container.Split:
		kids = []fyne.CanvasObject{x.Leading, x.Trailing}
	}
	for _, k := range kids {
		if benchWalk(k, f) {
			return true
		}
	}
	return false
}
