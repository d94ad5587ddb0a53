package main

import (
	"context"
	"fmt"
	"sort"
)

func init() {
	extraCommands = append(extraCommands,
		command{"unlock", "mở khóa tài khoản bị khóa vì đăng nhập sai nhiều lần (kể cả tài khoản quản trị)", cmdUnlock})
}

// cmdUnlock lifts a sign-in lock from the command line: the way back in when the only
// administrator is the one locked out. Without --user it lists the locked names.
func cmdUnlock(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "unlock")
	data := dataFlag(fs)
	user := fs.String("user", "", "tên đăng nhập cần mở khóa (bỏ trống: liệt kê các tài khoản đang bị khóa)")
	s, err := parseAndOpen(ctx, fs, data, args)
	if err != nil {
		return err
	}
	defer s.Close()
	if *user == "" {
		locks, err := s.SignInLocks(ctx)
		if err != nil {
			return err
		}
		if len(locks) == 0 {
			fmt.Fprintln(e.stdout, "Không có tài khoản nào bị khóa.")
			return nil
		}
		names := make([]string, 0, len(locks))
		for n := range locks {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			fmt.Fprintf(e.stdout, "%s: khóa sau %d lần đăng nhập sai (lần cuối %s)\n", n, locks[n].Failures, locks[n].Last.Format("02/01/2006 15:04"))
		}
		return nil
	}
	if err := s.UnlockSignIn(ctx, cliAdmin, *user); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Đã mở khóa đăng nhập cho %s.\n", *user)
	return nil
}
