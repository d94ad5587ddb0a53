package ui

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"motcua/domain"
)

func settingsOf(t *testing.T, h *harness) *settingsScreen {
	t.Helper()
	s, ok := screenOf[*settingsScreen](h.ui)
	if !ok {
		t.Fatal("no settings screen")
	}
	return s
}

func TestSettingsAccountsAndHours(t *testing.T) {
	h := newHarness(t, vnTime(2026, 3, 2, 9, 0))
	h.setUp()
	h.signIn(testAdmin)
	s := settingsOf(t, h)
	h.ui.showScreen(s)
	h.settle()
	if len(s.staff) != 4 {
		t.Fatalf("staff listed: %d", len(s.staff))
	}
	// A bad account keeps the dialog open with the problems shown.
	s.editStaff(nil)
	f := s.account
	test.Type(f.username, "Bad Name!")
	test.Type(f.password, "ngan")
	test.Type(f.again, "ngan")
	test.Tap(f.save)
	h.settle()
	if s.account == nil || f.errs["username"].Hidden || f.errs["full_name"].Hidden || f.errs["password"].Hidden {
		t.Fatalf("bad account: dialog %v, messages %q %q %q", s.account != nil, f.errs["username"].Text, f.errs["full_name"].Text, f.errs["password"].Text)
	}
	f.username.SetText("tuan")
	test.Type(f.fullName, "phạm minh tuấn")
	f.password.SetText("matkhau-moi-1")
	f.again.SetText("matkhau-moi-1")
	test.Tap(f.save)
	h.settle()
	if s.account != nil {
		t.Fatalf("dialog still open: %q", f.msg.Text)
	}
	st, err := h.store.Authenticate(context.Background(), "tuan", "matkhau-moi-1")
	if err != nil || st.FullName != "Phạm Minh Tuấn" || st.Role != domain.RoleCounter {
		t.Fatalf("new account %+v %v", st, err)
	}
	// Working hours: a bad time is refused and nothing changes; a good one is saved.
	s.morningStart.SetText("25:00")
	test.Tap(s.saveBtn)
	h.settle()
	if s.errs["hours"].Hidden || h.store.Config().Hours.MorningStart != 7*60 {
		t.Fatalf("bad hour accepted: %q", s.errs["hours"].Text)
	}
	s.morningStart.SetText("07:30")
	s.targetOnline.SetText("65,5")
	s.returnPlace.SetText("Quầy số 3, Trung tâm Phục vụ hành chính công xã An Hưng")
	test.Tap(s.saveBtn)
	h.settle()
	cfg := h.store.Config()
	if cfg.Hours.MorningStart != 7*60+30 || !strings.HasPrefix(cfg.ReturnPlace, "Quầy số 3") || cfg.Targets.Online != 65.5 {
		t.Fatalf("config not saved: %+v; banner %q", cfg.Hours, s.banner.label.Text)
	}
	// The calendar follows: a 1-hour procedure received at 07:00 is due at 08:30 now.
	due := h.store.Calendar().Due(vnTime(2026, 3, 2, 7, 0), "hours", 1)
	if due.Hour() != 8 || due.Minute() != 30 {
		t.Fatalf("calendar not updated: %v", due)
	}
}

func TestSettingsReadOnlyForClerk(t *testing.T) {
	h := newHarness(t, vnTime(2026, 3, 2, 9, 0))
	h.setUp()
	h.signIn(testClerk)
	s := settingsOf(t, h)
	if !s.unitName.Disabled() || s.staffList != nil {
		t.Fatal("a clerk can edit settings or accounts")
	}
}
