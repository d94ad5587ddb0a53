package ui

import (
	"slices"

	"fyne.io/fyne/v2/widget"
)

// pullNotifier is a Syncer that also says which dossiers a pull touched (cmd/motcua's
// adapter over the sync engine, which reports the city's pulls, the LAN peers' exchanges
// and USB bundle imports through this one hook). Optional: without it screens refresh when
// reopened.
type pullNotifier interface {
	OnPulled(func(dossiers []string, others bool))
}

// followSync makes the open screens follow what a pull brings: the queue reloads in place
// (its position kept), an open dossier shows its new state unless the clerk is typing in one
// of its action forms, and an open dashboard counts again.
func (u *UI) followSync() {
	pn, ok := u.opt.Sync.(pullNotifier)
	if !ok {
		return
	}
	pn.OnPulled(func(dossiers []string, others bool) {
		u.opt.Do(func() { u.followPulled(dossiers, others) })
	})
}

// selected reports whether s is the tab in view.
func (u *UI) selected(s screen) bool {
	return u.tabs != nil && u.tabs.Selected() != nil && u.tabs.Selected().Text == s.title()
}

func (u *UI) followPulled(dossiers []string, others bool) {
	if u.tabs == nil || u.User() == nil {
		return // signed out or locked: screens load afresh when shown
	}
	if q, ok := screenOf[*queueScreen](u); ok {
		v := q.detail
		if v != nil && v.showing() && slices.Contains(dossiers, v.id) {
			if v.form == nil {
				v.reload() // rebuilds the cards in place; the scroll position stays
				v.banner.set(T("Hồ sơ vừa được cập nhật qua đồng bộ (từ thành phố hoặc máy khác của đơn vị)."), widget.MediumImportance)
			} else {
				// Not under the clerk's typing: once the form is closed.
				v.refreshOnClose = true
				v.banner.set(T("Hồ sơ vừa có thay đổi qua đồng bộ (từ thành phố hoặc máy khác của đơn vị): thông tin sẽ được cập nhật sau khi đóng hộp thoại."), widget.WarningImportance)
			}
		}
		if len(dossiers) > 0 {
			q.reload(false) // the rows in view stay until their new version arrives
		}
	}
	if it, ok := screenOf[*intakeScreen](u); ok && others {
		it.handoff.load() // the hand-off queue: entries prepared or taken at other desks
	}
	if sv, ok := screenOf[*supervisorScreen](u); ok && u.selected(sv) && (len(dossiers) > 0 || others) {
		sv.load()
	}
}
