package ui

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"motcua/domain"
)

func TestWizardSetsUpAndSignsIn(t *testing.T) {
	h := newHarness(t, vnTime(2026, 3, 2, 8, 0))
	h.ui.Start()
	h.settle()
	w := h.ui.wizard
	if w == nil {
		t.Fatal("first run did not show the set-up wizard")
	}
	// Bad input: everything marked, nothing written.
	test.Type(w.unitCode, "bad code")
	test.Type(w.password, "ngan")
	test.Type(w.again, "khac")
	test.Tap(w.save)
	h.settle()
	for _, f := range []string{"unit_code", "unit_name", "full_name", "password", "again"} {
		if w.errs[f].Hidden || w.errs[f].Text == "" {
			t.Errorf("field %s not marked", f)
		}
	}
	if n, _ := h.store.StaffCount(context.Background()); n != 0 || h.store.Config().Configured() {
		t.Fatal("a bad wizard wrote something")
	}
	w.unitCode.SetText("")
	test.Type(w.unitCode, "000.00.06.h56")
	test.Type(w.unitName, "Trung tâm Phục vụ hành chính công xã An Hưng")
	test.Type(w.parent, "UBND xã An Hưng")
	w.slot.SetSelected("2")
	test.Type(w.fullName, "nguyễn văn quản")
	w.password.SetText("")
	w.again.SetText("")
	test.Type(w.password, "matkhau-rat-dai")
	test.Type(w.again, "matkhau-rat-dai")
	test.Tap(w.save)
	h.settle()
	cfg := h.store.Config()
	if cfg.UnitCode != "000.00.06.H56" || cfg.Slot != 2 || cfg.Parent != "UBND xã An Hưng" {
		t.Fatalf("config %+v", cfg)
	}
	u := h.ui.User()
	if u == nil || u.Username != "admin" || u.FullName != "Nguyễn Văn Quản" || u.Role != domain.RoleAdmin {
		t.Fatalf("not signed in as the new admin: %+v", u)
	}
}

func TestSignInLockAndRoles(t *testing.T) {
	h := newHarness(t, vnTime(2026, 3, 2, 8, 0))
	h.setUp()
	h.ui.Start()
	h.settle()
	p := h.signInPage()
	test.Type(p.username, "lan")
	test.Type(p.password, "sai-mat-khau")
	test.Tap(p.submit)
	h.settle()
	if h.ui.User() != nil || p.message.Hidden || !strings.Contains(p.message.Text, "không đúng") {
		t.Fatalf("wrong password: user %v message %q", h.ui.User(), p.message.Text)
	}
	test.Type(p.password, testPassword)
	test.Tap(p.submit)
	h.settle()
	if u := h.ui.User(); u == nil || u.Username != "lan" {
		t.Fatal("clerk not signed in")
	}
	tabs := tabTitles(h.ui)
	if !contains(tabs, "Tiếp nhận") {
		t.Errorf("clerk tabs %v", tabs)
	}
	// Idle: the screen locks; only the same clerk's password unlocks it.
	h.idle.Set(vnTime(2026, 3, 2, 8, 30))
	h.ui.tick(SyncInfo{})
	h.settle()
	if h.ui.User() != nil {
		t.Fatal("idle session not locked")
	}
	lp := h.signInPage()
	if lp.lockedUser != "lan" || !lp.username.Disabled() {
		t.Fatalf("lock page %+v", lp)
	}
	test.Type(lp.password, testPassword)
	test.Tap(lp.submit)
	h.settle()
	if u := h.ui.User(); u == nil || u.Username != "lan" {
		t.Fatal("not unlocked")
	}
	h.ui.signOut()
	h.signIn(testHelper)
	if tabs := tabTitles(h.ui); contains(tabs, "Tiếp nhận") || contains(tabs, "Trả kết quả") {
		t.Errorf("helper sees counter tabs: %v", tabs)
	}
}

func tabTitles(u *UI) []string {
	var out []string
	if u.tabs == nil {
		return nil
	}
	for _, it := range u.tabs.Items {
		out = append(out, it.Text)
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
