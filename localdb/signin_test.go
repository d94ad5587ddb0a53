package localdb

import (
	"context"
	"errors"
	"testing"
	"time"
)

func auditActions(t *testing.T, s *Store, subject string) map[string]int {
	t.Helper()
	rows, err := s.r.Query(`SELECT action FROM audit WHERE subject = ? AND action LIKE 'signin.%'`, subject)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var a string
		rows.Scan(&a)
		out[a]++
	}
	return out
}

// Failed sign-ins slow the next attempt down (0, 1, 2, 4 … s, told, not slept), lock the
// name after ten, and only an admin lifts the lock; all of it is in the audit log.
func TestSignInThrottling(t *testing.T) {
	ctx := context.Background()
	s, clk := newTestStore(t, vnTime(2026, 3, 2, 8, 0))
	const pw = "mat-khau-dung-roi"
	if err := s.CreateStaff(ctx, nil, admin, pw); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateStaff(ctx, &admin, clerk, pw); err != nil {
		t.Fatal(err)
	}
	at := vnTime(2026, 3, 2, 8, 0)
	clk.Set(at)
	try := func(password string) (*SignInError, error) {
		t.Helper()
		_, err := s.Authenticate(ctx, "LAN ", password)
		var se *SignInError
		errors.As(err, &se)
		return se, err
	}

	// First failure: no wait.
	if se, err := try("sai"); !errors.Is(err, ErrBadLogin) || se != nil {
		t.Fatalf("1st failure: %v", err)
	}
	// Second: the next attempt waits a second, and the message says so in Vietnamese.
	se, err := try("sai")
	if se == nil || !se.Wrong || se.Seconds() != 1 || !errors.Is(err, ErrBadLogin) || err.Error() != "Tên đăng nhập hoặc mật khẩu không đúng. Vui lòng chờ 1 giây rồi thử lại." {
		t.Fatalf("2nd failure: %#v %v", se, err)
	}
	// Too early, even with the right password: refused without checking, not counted.
	if se, err := try(pw); se == nil || se.Wrong || se.Locked || se.Seconds() != 1 || errors.Is(err, ErrBadLogin) {
		t.Fatalf("early attempt: %#v %v", se, err)
	}
	clk.Set(at.Add(1100 * time.Millisecond))
	if se, _ := try("sai"); se == nil || se.Failures != 3 || se.Seconds() != 2 {
		t.Fatalf("3rd failure: %#v", se)
	}
	clk.Set(at.Add(3200 * time.Millisecond))
	if st, err := s.Authenticate(ctx, "lan", pw); err != nil || st.Username != "lan" {
		t.Fatalf("right password after the wait: %v", err)
	}
	// The count starts again.
	if se, err := try("sai"); !errors.Is(err, ErrBadLogin) || se != nil {
		t.Fatalf("after a success: %#v %v", se, err)
	}
	if got := auditActions(t, s, "lan"); got["signin.fail"] != 4 || got["signin.ok"] != 1 {
		t.Errorf("audit %v", got)
	}

	// Ten in a row lock the name; waiting does not help, the right password does not either.
	now := at.Add(time.Minute)
	var last *SignInError
	for i := 2; i <= DefaultSignInLockAfter; i++ {
		clk.Set(now)
		last, err = try("sai")
		if last == nil {
			t.Fatalf("failure %d: %v", i, err)
		}
		if i < DefaultSignInLockAfter && (last.Locked || last.Failures != i || last.Wait != signInDelay(i)) {
			t.Fatalf("failure %d: %#v", i, last)
		}
		now = now.Add(last.Wait + 100*time.Millisecond) // the clock ticks on each reading
	}
	if !last.Locked || last.Failures != DefaultSignInLockAfter {
		t.Fatalf("not locked after %d: %#v", DefaultSignInLockAfter, last)
	}
	if signInDelay(9) != time.Minute || signInDelay(5) != 8*time.Second {
		t.Errorf("delays %v %v", signInDelay(5), signInDelay(9))
	}
	clk.Set(now.Add(24 * time.Hour))
	if se, err := try(pw); se == nil || !se.Locked || err.Error() != "Tài khoản đã bị khóa sau 10 lần đăng nhập sai liên tiếp. Hãy nhờ quản trị viên mở khóa." {
		t.Fatalf("locked, right password: %#v %v", se, err)
	}
	locks, err := s.SignInLocks(ctx)
	if err != nil || len(locks) != 1 || locks["lan"].Failures != 10 {
		t.Fatalf("locks %+v %v", locks, err)
	}
	// The admin is not locked by the clerk's failures.
	if _, err := s.Authenticate(ctx, "admin", pw); err != nil {
		t.Fatal(err)
	}
	if err := s.UnlockSignIn(ctx, clerk, "lan"); err == nil {
		t.Error("a clerk unlocked an account")
	}
	if err := s.UnlockSignIn(ctx, admin, "lan"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, "lan", pw); err != nil {
		t.Fatalf("after unlock: %v", err)
	}
	if locks, _ := s.SignInLocks(ctx); len(locks) != 0 {
		t.Errorf("still locked: %v", locks)
	}
	got := auditActions(t, s, "lan")
	if got["signin.fail"] != 4+DefaultSignInLockAfter-2 || got["signin.locked"] != 1 || got["signin.unlock"] != 1 {
		t.Errorf("audit %v", got)
	}
	if res, err := s.Verify(ctx); err != nil || !res.OK() {
		t.Errorf("verify %+v %v", res, err)
	}
}

// A name that does not exist is slowed down and locked like one that does, and the limit
// is a setting.
func TestSignInLimitAndUnknownNames(t *testing.T) {
	ctx := context.Background()
	s, clk := newTestStore(t, vnTime(2026, 3, 2, 8, 0))
	if err := s.CreateStaff(ctx, nil, admin, "mat-khau-dung-roi"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetSignInLockAfter(ctx, clerk, 3); err == nil {
		t.Error("a clerk changed the limit")
	}
	if err := s.SetSignInLockAfter(ctx, admin, 1); err == nil {
		t.Error("a limit of 1 was taken")
	}
	if err := s.SetSignInLockAfter(ctx, admin, 3); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.SignInLockAfter(ctx); n != 3 {
		t.Fatalf("limit %d", n)
	}
	now := vnTime(2026, 3, 2, 9, 0)
	var se *SignInError
	for i := 1; i <= 3; i++ {
		clk.Set(now)
		_, err := s.Authenticate(ctx, "khong-co-ai", "gi-cung-duoc")
		if !errors.Is(err, ErrBadLogin) {
			t.Fatalf("attempt %d: %v", i, err)
		}
		se = nil
		errors.As(err, &se)
		if se != nil {
			now = now.Add(se.Wait + 100*time.Millisecond)
		}
	}
	if se == nil || !se.Locked {
		t.Fatalf("an unknown name is not locked after 3: %#v", se)
	}
}
