package peer

import (
	"context"
	"errors"
	"fmt"

	appsync "motcua/sync"
)

// staffErrorf is a failure this package words for staff: plain Vietnamese, with no cause
// to hide.
func staffErrorf(format string, args ...any) error {
	return &appsync.Error{Op: "peer", Msg: fmt.Sprintf(format, args...)}
}

// MsgPeerInternal is what staff are told of a failure this package has no words for (a
// driver's or the OS's error); the cause goes to the log.
const MsgPeerInternal = "Trao đổi với máy ngang hàng gặp lỗi trong máy này, chi tiết đã ghi vào nhật ký; sẽ thử lại."

// MsgPeerStopped is what staff are told of an exchange cut short by the end of its round.
const MsgPeerStopped = "Lượt trao đổi với máy ngang hàng bị dừng hoặc hết thời gian; sẽ thử lại."

// Message is what staff are told about a failed exchange or listener: the words this
// package, the sync engine or a domain rule wrote for them, or else a plain line (the
// caller logs the cause).
func Message(err error) string {
	if err == nil {
		return ""
	}
	var re *RefusedError
	if errors.As(err, &re) && re.Msg != "" {
		return re.Msg
	}
	if m := appsync.Message(err); m != appsync.MsgInternal {
		return m
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return MsgPeerStopped
	}
	return MsgPeerInternal
}
