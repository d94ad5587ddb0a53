package main

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"motcua/localdb"
)

// An administrator locked out by failed sign-ins gets back in through `motcua unlock`.
func TestUnlockCommand(t *testing.T) {
	dir := initStore(t)
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	s, err := localdb.Open(ctx, dir, localdb.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	locked := false
	for i := 0; i < localdb.DefaultSignInLockAfter && !locked; i++ {
		_, err := s.Authenticate(ctx, "admin", "sai-mat-khau")
		var se *localdb.SignInError
		if errors.As(err, &se) {
			locked = se.Locked
			now = now.Add(se.Wait)
		}
	}
	s.Close()
	if !locked {
		t.Fatal("the admin was not locked out")
	}
	code, out, errs := runCmd(t, "", "unlock", "--data", dir)
	if code != 0 || !strings.Contains(out, "admin: khóa sau 10 lần đăng nhập sai") {
		t.Fatalf("list: %d %s %s", code, out, errs)
	}
	if code, out, errs := runCmd(t, "", "unlock", "--data", dir, "--user", "admin"); code != 0 || !strings.Contains(out, "Đã mở khóa") {
		t.Fatalf("unlock: %d %s %s", code, out, errs)
	}
	s, err = localdb.Open(ctx, dir, localdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Authenticate(ctx, "admin", "matkhau-quan-tri"); err != nil {
		t.Fatalf("after unlock: %v", err)
	}
}
