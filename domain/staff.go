package domain

import (
	"regexp"
	"strings"
)

// Role is what a staff account may do. Roles nest: a supervisor can do everything a counter
// clerk can, an admin everything a supervisor can; a helper only fills forms in for citizens.
type Role string

const (
	RoleHelper     Role = "helper"     // Hỗ trợ viết: fills declarations in for citizens
	RoleCounter    Role = "counter"    // counter clerk: receives dossiers, hands results back
	RoleSupervisor Role = "supervisor" // head of the centre: dashboard, reports, conflicts
	RoleAdmin      Role = "admin"      // settings, accounts, enrollment, backups
)

var roleRank = map[Role]int{RoleHelper: 1, RoleCounter: 2, RoleSupervisor: 3, RoleAdmin: 4}

// Roles lists the roles from least to most powerful.
func Roles() []Role { return []Role{RoleHelper, RoleCounter, RoleSupervisor, RoleAdmin} }

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return roleRank[r] > 0 }

// AtLeast reports whether r includes the powers of min.
func (r Role) AtLeast(min Role) bool { return roleRank[r] >= roleRank[min] && roleRank[r] > 0 }

// Name is the Vietnamese name of the role.
func (r Role) Name() string {
	switch r {
	case RoleHelper:
		return "Hỗ trợ viết"
	case RoleCounter:
		return "Cán bộ một cửa"
	case RoleSupervisor:
		return "Lãnh đạo / giám sát"
	case RoleAdmin:
		return "Quản trị"
	}
	return string(r)
}

// Permission names something a screen or use case needs.
type Permission string

const (
	PermAssist     Permission = "assist"     // fill declarations in for citizens
	PermVisit      Permission = "visit"      // count a visit
	PermIntake     Permission = "intake"     // receive dossiers
	PermProcess    Permission = "process"    // supplement, forward, result ready, reschedule, refuse, withdraw
	PermHandOver   Permission = "hand_over"  // return results
	PermDigitize   Permission = "digitize"   // attach scans and e-results
	PermFeedback   Permission = "feedback"   // record citizens' feedback
	PermSupervise  Permission = "supervise"  // dashboard, reports, conflicts, corrections, quarantine
	PermAdminister Permission = "administer" // accounts, settings, enrollment, backups
)

var permissionRole = map[Permission]Role{
	PermAssist: RoleHelper, PermVisit: RoleHelper, PermFeedback: RoleHelper,
	PermIntake: RoleCounter, PermProcess: RoleCounter, PermHandOver: RoleCounter, PermDigitize: RoleCounter,
	PermSupervise: RoleSupervisor, PermAdminister: RoleAdmin,
}

// Can reports whether the role carries the permission.
func (r Role) Can(p Permission) bool {
	min, ok := permissionRole[p]
	return ok && r.AtLeast(min)
}

// EventPermission is the permission needed to record an event of type t by hand.
func EventPermission(t EventType) Permission {
	switch t {
	case EvReceived, EvAccepted:
		return PermIntake
	case EvHandedOver:
		return PermHandOver
	case EvFileAttached:
		return PermDigitize
	case EvFormPrepared:
		return PermAssist
	case EvCorrected, EvConflictResolved, EvStopped, EvCodeAssigned:
		return PermSupervise
	}
	return PermProcess
}

// Staff is a staff account (without its password hash).
type Staff struct {
	Username string `json:"username"`
	FullName string `json:"full_name"`
	Role     Role   `json:"role"`
	Title    string `json:"title,omitempty"` // chức danh
	Phone    string `json:"phone,omitempty"`
	Active   bool   `json:"active"`
}

var usernameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,31}$`)

// ValidateStaff checks a new or edited account and the password when one is given.
func ValidateStaff(s Staff, password string, newAccount bool) error {
	var v ValidationError
	if !usernameRE.MatchString(s.Username) {
		v = append(v, FieldError{Field: "username", Code: "staff.username",
			Msg: "Tên đăng nhập gồm 2–32 ký tự: chữ thường không dấu, chữ số, dấu chấm, gạch dưới hoặc gạch ngang."})
	}
	if strings.TrimSpace(s.FullName) == "" {
		v = append(v, FieldError{Field: "full_name", Code: "staff.full_name", Msg: "Vui lòng nhập họ và tên cán bộ."})
	}
	if !s.Role.Valid() {
		v = append(v, FieldError{Field: "role", Code: "staff.role", Msg: "Vai trò không hợp lệ."})
	}
	if newAccount || password != "" {
		if len([]rune(password)) < 8 {
			v = append(v, FieldError{Field: "password", Code: "staff.password_short", Msg: "Mật khẩu phải có ít nhất 8 ký tự."})
		}
	}
	if len(v) > 0 {
		return v
	}
	return nil
}
