package localdb

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"sync"

	"golang.org/x/crypto/argon2"

	"motcua/domain"
	"motcua/domain/citizen"
)

// Passwords are hashed with argon2id (RFC 9106) in the PHC string format, with OWASP's
// recommended minimum parameters: a counter PC must sign a clerk in within a blink. The
// parameters are stored in each hash, so a hash made with other parameters still verifies.
type argonParams struct {
	time    uint32
	memory  uint32 // KiB
	threads uint8
}

const argonKeyLen = 32

var (
	argonDefault = argonParams{time: 2, memory: 19 * 1024, threads: 1}
	// argonLight is for tests only (Options.LightPasswordHashing): the race detector makes
	// the default cost seconds per account.
	argonLight = argonParams{time: 1, memory: 64, threads: 1}
)

func hashPassword(password string, p argonParams) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argonKey([]byte(password), salt, p.time, p.memory, p.threads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.memory, p.time, p.threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

func (s *Store) hashPassword(password string) (string, error) {
	if s.lightHashing {
		return hashPassword(password, argonLight)
	}
	return hashPassword(password, argonDefault)
}

func checkPassword(encoded, password string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil {
		return false
	}
	got := argonKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// argonKey is argon2.IDKey, then gives the memory it took (19 MiB by default) back to the
// system: the Go runtime would otherwise keep it as spare heap for as long as the app runs,
// a seventh of the app's resident memory for one sign-in (docs/BENCHMARKS.md).
func argonKey(password, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte {
	key := argon2.IDKey(password, salt, time, memory, threads, keyLen)
	if memory >= 1024 {
		debug.FreeOSMemory()
	}
	return key
}

// dummyHash keeps the time of a failed sign-in the same for unknown users. It is made the
// first time it is needed, not at every start of the program.
var dummyHash = sync.OnceValue(func() string {
	h, _ := hashPassword("motcua-dummy-password", argonDefault)
	return h
})

// CreateStaff adds an account. The very first account may be created without an actor
// (the set-up wizard); afterwards only an admin may create accounts.
func (s *Store) CreateStaff(ctx context.Context, actor *domain.Staff, st domain.Staff, password string) error {
	st.Username = strings.ToLower(strings.TrimSpace(st.Username))
	st.FullName = citizen.NormaliseName(st.FullName)
	st.Active = true
	if err := domain.ValidateStaff(st, password, true); err != nil {
		return err
	}
	hash, err := s.hashPassword(password)
	if err != nil {
		return err
	}
	return s.tx(ctx, "create staff", func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM staff`).Scan(&n); err != nil {
			return err
		}
		by := "setup"
		if n > 0 {
			if actor == nil || !actor.Role.Can(domain.PermAdminister) {
				return &domain.RuleError{Code: "perm.denied", Msg: "Chỉ quản trị viên được tạo tài khoản.", Kind: domain.ErrDenied}
			}
			by = actor.Username
		} else if st.Role != domain.RoleAdmin {
			return &domain.RuleError{Code: "staff.first_admin", Msg: "Tài khoản đầu tiên phải là tài khoản quản trị.", Kind: domain.ErrInvalid}
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO staff(username, full_name, role, title, phone, password_hash, active, created_at)
			VALUES (?, ?, ?, ?, ?, ?, 1, ?) ON CONFLICT(username) DO NOTHING`,
			st.Username, st.FullName, string(st.Role), st.Title, st.Phone, hash, s.now().UnixMilli())
		if err != nil {
			return err
		}
		if k, _ := res.RowsAffected(); k == 0 {
			return domain.ValidationError{{Field: "username", Code: "staff.exists", Msg: "Tên đăng nhập «" + st.Username + "» đã có người dùng."}}
		}
		return s.audit(ctx, tx, by, "staff.create", st.Username, string(st.Role))
	})
}

// Authenticate checks a username and password and returns the account. After failed
// attempts the name must wait before the next one is even checked, and after too many it is
// locked until an admin lifts it (see signin.go): a *SignInError says how long, or that.
func (s *Store) Authenticate(ctx context.Context, username, password string) (domain.Staff, error) {
	username = strings.ToLower(strings.TrimSpace(username))
	throttle, err := s.signInAllowed(ctx, username)
	if err != nil {
		return domain.Staff{}, err
	}
	st, err := s.checkLogin(ctx, username, password)
	if errors.Is(err, ErrBadLogin) {
		return domain.Staff{}, s.signInFailed(ctx, username)
	}
	if err != nil {
		return domain.Staff{}, err
	}
	if throttle.Failures > 0 {
		if err := s.signInSucceeded(ctx, username, throttle); err != nil {
			return domain.Staff{}, err
		}
	}
	return st, nil
}

func (s *Store) checkLogin(ctx context.Context, username, password string) (domain.Staff, error) {
	var st domain.Staff
	var hash string
	var role string
	err := s.r.QueryRowContext(ctx, `SELECT username, full_name, role, title, phone, active, password_hash FROM staff WHERE username = ?`, username).
		Scan(&st.Username, &st.FullName, &role, &st.Title, &st.Phone, &st.Active, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		checkPassword(dummyHash(), password)
		return domain.Staff{}, ErrBadLogin
	}
	if err != nil {
		return domain.Staff{}, fmt.Errorf("sign in: %w", err)
	}
	st.Role = domain.Role(role)
	if !checkPassword(hash, password) || !st.Active {
		return domain.Staff{}, ErrBadLogin
	}
	return st, nil
}

// StaffCount is the number of accounts (0 before the set-up wizard has run).
func (s *Store) StaffCount(ctx context.Context) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM staff`).Scan(&n)
	return n, err
}

// ListStaff returns every account, active first.
func (s *Store) ListStaff(ctx context.Context) ([]domain.Staff, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT username, full_name, role, title, phone, active FROM staff ORDER BY active DESC, full_name`)
	if err != nil {
		return nil, fmt.Errorf("list staff: %w", err)
	}
	defer rows.Close()
	var out []domain.Staff
	for rows.Next() {
		var st domain.Staff
		var role string
		if err := rows.Scan(&st.Username, &st.FullName, &role, &st.Title, &st.Phone, &st.Active); err != nil {
			return nil, err
		}
		st.Role = domain.Role(role)
		out = append(out, st)
	}
	return out, rows.Err()
}

// UpdateStaff changes an account's name, role, title, phone, active flag and (when given)
// password. Admin only; an admin cannot disable or demote their own account.
func (s *Store) UpdateStaff(ctx context.Context, actor domain.Staff, st domain.Staff, newPassword string) error {
	if !actor.Role.Can(domain.PermAdminister) && actor.Username != st.Username {
		return &domain.RuleError{Code: "perm.denied", Msg: "Chỉ quản trị viên được sửa tài khoản của người khác.", Kind: domain.ErrDenied}
	}
	st.FullName = citizen.NormaliseName(st.FullName)
	if err := domain.ValidateStaff(st, newPassword, false); err != nil {
		return err
	}
	if actor.Username == st.Username && (!st.Active || st.Role != actor.Role) && actor.Role == domain.RoleAdmin {
		return &domain.RuleError{Code: "staff.self", Msg: "Không thể tự khóa hoặc hạ quyền tài khoản đang đăng nhập.", Kind: domain.ErrConflict}
	}
	if !actor.Role.Can(domain.PermAdminister) && st.Role != actor.Role {
		return &domain.RuleError{Code: "perm.denied", Msg: "Không thể tự đổi vai trò.", Kind: domain.ErrDenied}
	}
	var hash string
	if newPassword != "" {
		var err error
		if hash, err = s.hashPassword(newPassword); err != nil {
			return err
		}
	}
	return s.tx(ctx, "update staff", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE staff SET full_name = ?, role = ?, title = ?, phone = ?, active = ?,
			password_hash = CASE WHEN ? = '' THEN password_hash ELSE ? END WHERE username = ?`,
			st.FullName, string(st.Role), st.Title, st.Phone, st.Active, hash, hash, st.Username)
		if err != nil {
			return err
		}
		if k, _ := res.RowsAffected(); k == 0 {
			return fmt.Errorf("tài khoản %s: %w", st.Username, domain.ErrNotFound)
		}
		detail := fmt.Sprintf("role=%s active=%v password=%v", st.Role, st.Active, newPassword != "")
		return s.audit(ctx, tx, actor.Username, "staff.update", st.Username, detail)
	})
}
