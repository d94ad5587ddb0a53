package domain

import (
	"strings"

	"motcua/domain/citizen"
)

// CommuneCommittee reports whether s names a commune-level People's Committee — the
// authority above a commune centre's name on its forms since the two-tier reform of
// 1 July 2025: "UBND xã …", "UBND phường …", "UBND đặc khu …" (or written out, "Ủy ban
// nhân dân …"), in any case. An empty s is accepted: the line is then left out.
func CommuneCommittee(s string) bool {
	s = strings.ToLower(strings.Join(strings.Fields(citizen.NormaliseText(s)), " "))
	if s == "" {
		return true
	}
	for _, head := range []string{"ubnd ", "ủy ban nhân dân ", "uỷ ban nhân dân "} {
		if rest, ok := strings.CutPrefix(s, head); ok {
			for _, kind := range []string{"xã ", "phường ", "đặc khu "} {
				if strings.HasPrefix(rest, kind) && len(strings.TrimSpace(rest[len(kind):])) > 0 {
					return true
				}
			}
		}
	}
	return false
}
