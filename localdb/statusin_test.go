package localdb

import "testing"

// The status sets the queries derive from domain are the ones the reports and the
// dashboard were written against (and migration 0005's open-search index).
func TestStatusSets(t *testing.T) {
	for _, tt := range []struct{ name, got, want string }{
		{"registered", sqlRegistered, "1"},
		{"supplement", sqlSupplement, "5"},
		{"result ready", sqlResultReady, "9"},
		{"open", sqlOpen, "(2, 4, 5, 6)"},
		{"resolved", sqlResolved, "(9, 10)"},
		{"closed unresolved", sqlClosedUnresolved, "(3, 7, 8)"},
		{"maybe unaccepted", sqlMaybeUnaccepted, "(3, 5, 7, 8)"},
		{"not final", sqlNotFinal, "(1, 2, 4, 5, 6, 9)"},
	} {
		if tt.got != tt.want {
			t.Errorf("%s = %s, want %s", tt.name, tt.got, tt.want)
		}
	}
}
