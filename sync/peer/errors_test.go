package peer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	appsync "motcua/sync"
)

func TestMessage(t *testing.T) {
	raw := &os.PathError{Op: "open", Path: `C:\motcua\data.db`, Err: errors.New("The process cannot access the file")}
	tests := []struct {
		err  error
		want string
	}{
		{nil, ""},
		{staffErrorf("Máy ngang hàng %s: %s", "10.0.0.2:47470", "bận"), "Máy ngang hàng 10.0.0.2:47470: bận"},
		{refused("Máy ngang hàng %s bị thu hồi.", "b"), "Máy ngang hàng b bị thu hồi."},
		{&appsync.Error{Op: "peer", Msg: "Không lưu được dữ liệu nhận từ máy ngang hàng", Err: raw},
			"Không lưu được dữ liệu nhận từ máy ngang hàng"},
		{fmt.Errorf("round: %w", context.DeadlineExceeded), MsgPeerStopped},
		{raw, MsgPeerInternal},
	}
	for _, tt := range tests {
		if got := Message(tt.err); got != tt.want {
			t.Errorf("Message(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
	// The cause stays in Error(), for the log.
	e := &appsync.Error{Op: "peer", Msg: "Không lưu được dữ liệu nhận từ máy ngang hàng", Err: raw}
	if !strings.Contains(e.Error(), "cannot access") {
		t.Errorf("Error() = %q lost the cause", e.Error())
	}
}
