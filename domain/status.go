package domain

import "fmt"

// Status is the national portal's TrangThaiHoSo (1–10).
type Status int

const (
	StatusNone            Status = 0  // no event yet
	StatusRegistered      Status = 1  // Mới đăng ký (online, not yet accepted)
	StatusAccepted        Status = 2  // Được tiếp nhận
	StatusRefused         Status = 3  // Không được tiếp nhận
	StatusProcessing      Status = 4  // Đang xử lý
	StatusSupplement      Status = 5  // Yêu cầu bổ sung giấy tờ (clock paused)
	StatusAwaitingPayment Status = 6  // Yêu cầu thực hiện nghĩa vụ tài chính
	StatusWithdrawn       Status = 7  // Công dân yêu cầu rút hồ sơ
	StatusStopped         Status = 8  // Dừng xử lý
	StatusResultReady     Status = 9  // Đã xử lý xong
	StatusReturned        Status = 10 // Đã trả kết quả
	statusMax                    = StatusReturned
)

var statusNames = [...]string{
	"Chưa có",
	"Mới đăng ký",
	"Được tiếp nhận",
	"Không được tiếp nhận",
	"Đang xử lý",
	"Yêu cầu bổ sung giấy tờ",
	"Yêu cầu thực hiện nghĩa vụ tài chính",
	"Công dân yêu cầu rút hồ sơ",
	"Dừng xử lý",
	"Đã xử lý xong",
	"Đã trả kết quả",
}

var statusNamesEN = [...]string{
	"None",
	"Registered online",
	"Accepted",
	"Refused",
	"Processing",
	"Supplement requested",
	"Awaiting payment",
	"Withdrawn",
	"Processing stopped",
	"Result ready",
	"Result returned",
}

// AllStatuses lists the national codes 1–10 in order.
func AllStatuses() []Status {
	out := make([]Status, 0, int(statusMax))
	for s := StatusRegistered; s <= statusMax; s++ {
		out = append(out, s)
	}
	return out
}

// Valid reports whether s is one of the national codes 1–10.
func (s Status) Valid() bool { return s >= StatusRegistered && s <= statusMax }

// String returns the Vietnamese name used on screens and forms.
func (s Status) String() string {
	if s < 0 || int(s) >= len(statusNames) {
		return fmt.Sprintf("Trạng thái %d", int(s))
	}
	return statusNames[s]
}

// English returns the English name of the status.
func (s Status) English() string {
	if s < 0 || int(s) >= len(statusNamesEN) {
		return fmt.Sprintf("Status %d", int(s))
	}
	return statusNamesEN[s]
}

// Open reports whether the dossier is still in the centre's hands (counted as in progress).
func (s Status) Open() bool {
	switch s {
	case StatusAccepted, StatusProcessing, StatusSupplement, StatusAwaitingPayment:
		return true
	}
	return false
}

// Final reports whether no further processing happens (the result may still be waiting
// at the counter for status 9).
func (s Status) Final() bool {
	switch s {
	case StatusRefused, StatusWithdrawn, StatusStopped, StatusReturned:
		return true
	}
	return false
}

// Resolved reports whether the dossier counts as resolved (đã giải quyết) in reports.
func (s Status) Resolved() bool { return s == StatusResultReady || s == StatusReturned }
