package localdb

import (
	"context"
	"sync"
	"testing"
	"time"

	"motcua/domain"
)

// testClock is an adjustable clock for deterministic due dates.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Millisecond) // strictly increasing, like a real clock
	return c.t
}

func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

func vnTime(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, domain.VN())
}

var (
	admin   = domain.Staff{Username: "admin", FullName: "Quản Trị", Role: domain.RoleAdmin, Active: true}
	clerk   = domain.Staff{Username: "lan", FullName: "Nguyễn Thị Lan", Role: domain.RoleCounter, Active: true}
	helper  = domain.Staff{Username: "hoa", FullName: "Trần Thị Hoa", Role: domain.RoleHelper, Active: true}
	boss    = domain.Staff{Username: "minh", FullName: "Lê Văn Minh", Role: domain.RoleSupervisor, Active: true}
	testCfg = Config{UnitCode: "000.00.06.H56", UnitName: "Trung tâm Phục vụ hành chính công xã An Hưng", Slot: 1,
		ReturnPlace: "Bộ phận Một cửa xã An Hưng", IdleLockMinutes: 10, RescheduleLimit: 1}
)

// newTestStore opens a configured store in a temp dir with its clock at start.
func newTestStore(t *testing.T, start time.Time) (*Store, *testClock) {
	t.Helper()
	clk := &testClock{t: start}
	s, err := Open(context.Background(), t.TempDir(), Options{Now: clk.Now, LightPasswordHashing: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	cfg := testCfg
	cfg.Hours = DefaultConfig().Hours
	if err := s.UpdateConfig(context.Background(), admin, cfg); err != nil {
		t.Fatal(err)
	}
	return s, clk
}

func birthIntake() domain.Intake {
	return domain.Intake{
		ProcedureCode: "1.001193",
		Applicant: domain.Person{Name: "nguyễn văn  an", IDNumber: "001099012345", Birth: "15/03/1999", Sex: "Nam",
			Phone: "+84 912 345 678", Address: "Thôn Đông ,xã An Hưng, TP Hải Phòng"},
		Documents: []domain.DocumentItem{{Code: "TK"}, {Code: "GCS"}, {Code: "GTTT"}},
		Summary:   "Đăng ký khai sinh cho con",
	}
}
