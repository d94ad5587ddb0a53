package localdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"motcua/domain"
)

// Sign-in throttling. After a wrong password a name's next attempt must wait: not at all
// after the first failure, then 1, 2, 4 … seconds (at most a minute); after LockAfter
// failures in a row the name is locked until an administrator unlocks it. The wait is
// returned as an error saying how long (the UI shows it; nothing sleeps), and an attempt
// that comes too early is refused before the password is even hashed. Unknown names are
// counted like real ones, so the lock does not tell which names exist. Failures, locks and
// unlocks go into the audit log. The counts live in the settings table, keyed per name;
// the limit is a setting too.

const (
	signInStatePrefix = "signin.fail." // + username
	signInLimitKey    = "signin.lock_after"
	// DefaultSignInLockAfter is how many failures in a row lock a name when no admin set
	// another limit.
	DefaultSignInLockAfter = 10
	maxSignInDelay         = time.Minute
	maxTrackedName         = 64 // longer names cannot exist (ValidateStaff): not tracked
)

// signInDelay is the wait after n failures in a row.
func signInDelay(n int) time.Duration {
	if n < 2 {
		return 0
	}
	if n > 8 {
		return maxSignInDelay
	}
	return min(time.Second<<(n-2), maxSignInDelay)
}

func tracked(username string) bool { return username != "" && len(username) <= maxTrackedName }

func (s *Store) signInState(ctx context.Context, q queryer, username string) (SignInState, error) {
	var st SignInState
	if !tracked(username) {
		return st, nil
	}
	raw, err := s.getSetting(ctx, q, signInStatePrefix+username)
	if err != nil || raw == "" {
		return st, err
	}
	if err := json.Unmarshal([]byte(raw), &st); err != nil {
		return SignInState{}, nil // unreadable: start counting again
	}
	return st, nil
}

// signInAllowed refuses an attempt on a locked name, or one that comes before the wait is over.
func (s *Store) signInAllowed(ctx context.Context, username string) (SignInState, error) {
	st, err := s.signInState(ctx, s.r, username)
	if err != nil {
		return st, fmt.Errorf("sign in: %w", err)
	}
	if st.Locked {
		return st, &SignInError{Locked: true, Failures: st.Failures}
	}
	// Never longer than the delay itself: a clock set back must not lock anyone out.
	delay := signInDelay(st.Failures)
	if wait := min(st.Last.Add(delay).Sub(s.now()), delay); wait > 0 {
		return st, &SignInError{Wait: wait, Failures: st.Failures}
	}
	return st, nil
}

// signInFailed counts a failure, locks the name at the limit, records both in the audit log.
func (s *Store) signInFailed(ctx context.Context, username string) error {
	if !tracked(username) {
		return ErrBadLogin
	}
	var res SignInError
	err := s.tx(ctx, "sign in", func(tx *sql.Tx) error {
		st, err := s.signInState(ctx, tx, username)
		if err != nil {
			return err
		}
		limit, err := s.signInLimit(ctx, tx)
		if err != nil {
			return err
		}
		st.Failures++
		st.Last = s.now()
		st.Locked = st.Failures >= limit
		raw, _ := json.Marshal(st)
		if err := putSetting(ctx, tx, signInStatePrefix+username, string(raw)); err != nil {
			return err
		}
		res = SignInError{Wrong: true, Failures: st.Failures, Locked: st.Locked, Wait: signInDelay(st.Failures)}
		if st.Locked {
			res.Wait = 0
			return s.audit(ctx, tx, "signin", "signin.locked", username, fmt.Sprintf("khóa sau %d lần sai liên tiếp", st.Failures))
		}
		return s.audit(ctx, tx, "signin", "signin.fail", username, fmt.Sprintf("lần sai thứ %d", st.Failures))
	})
	if err != nil {
		return fmt.Errorf("sign in: %w", err)
	}
	if !res.Locked && res.Wait == 0 {
		return ErrBadLogin
	}
	return &res
}

// signInSucceeded forgets the failures of a name that signed in, noting how many there were.
func (s *Store) signInSucceeded(ctx context.Context, username string, st SignInState) error {
	return s.tx(ctx, "sign in", func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM settings WHERE key = ?`, signInStatePrefix+username); err != nil {
			return err
		}
		return s.audit(ctx, tx, username, "signin.ok", username, fmt.Sprintf("sau %d lần sai", st.Failures))
	})
}

func (s *Store) signInLimit(ctx context.Context, q queryer) (int, error) {
	raw, err := s.getSetting(ctx, q, signInLimitKey)
	if err != nil {
		return 0, err
	}
	if n, err := strconv.Atoi(raw); err == nil && n > 0 {
		return n, nil
	}
	return DefaultSignInLockAfter, nil
}

// SignInLockAfter is how many failed sign-ins in a row lock a name.
func (s *Store) SignInLockAfter(ctx context.Context) (int, error) { return s.signInLimit(ctx, s.r) }

// SetSignInLockAfter sets how many failed sign-ins in a row lock a name (3 to 100). Admin only.
func (s *Store) SetSignInLockAfter(ctx context.Context, actor domain.Staff, n int) error {
	if !actor.Role.Can(domain.PermAdminister) {
		return &domain.RuleError{Code: "perm.denied", Msg: "Chỉ quản trị viên được đổi quy định đăng nhập.", Kind: domain.ErrDenied}
	}
	if n < 3 || n > 100 {
		return domain.ValidationError{{Field: "signin_lock_after", Code: "signin.lock_after", Msg: "Số lần đăng nhập sai trước khi khóa phải từ 3 đến 100."}}
	}
	return s.tx(ctx, "sign-in limit", func(tx *sql.Tx) error {
		if err := putSetting(ctx, tx, signInLimitKey, strconv.Itoa(n)); err != nil {
			return err
		}
		return s.audit(ctx, tx, actor.Username, "signin.limit", strconv.Itoa(n), "")
	})
}

// SignInLocks lists the names locked by failed sign-ins, with their state.
func (s *Store) SignInLocks(ctx context.Context) (map[string]SignInState, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT key, value FROM settings WHERE key LIKE ?`, signInStatePrefix+"%")
	if err != nil {
		return nil, fmt.Errorf("sign-in locks: %w", err)
	}
	defer rows.Close()
	out := map[string]SignInState{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, err
		}
		var st SignInState
		if json.Unmarshal([]byte(v), &st) == nil && st.Locked {
			out[strings.TrimPrefix(k, signInStatePrefix)] = st
		}
	}
	return out, rows.Err()
}

// UnlockSignIn lifts the lock (and the count of failures) of a name. Admin only; recorded.
func (s *Store) UnlockSignIn(ctx context.Context, actor domain.Staff, username string) error {
	if !actor.Role.Can(domain.PermAdminister) {
		return &domain.RuleError{Code: "perm.denied", Msg: "Chỉ quản trị viên được mở khóa tài khoản.", Kind: domain.ErrDenied}
	}
	username = strings.ToLower(strings.TrimSpace(username))
	return s.tx(ctx, "unlock sign-in", func(tx *sql.Tx) error {
		st, err := s.signInState(ctx, tx, username)
		if err != nil {
			return err
		}
		if st.Failures == 0 {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM settings WHERE key = ?`, signInStatePrefix+username); err != nil {
			return err
		}
		return s.audit(ctx, tx, actor.Username, "signin.unlock", username, fmt.Sprintf("sau %d lần sai", st.Failures))
	})
}
