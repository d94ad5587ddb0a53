package sync

import "testing"

// A line that says its own wait, and a command that has ended, drop the message's promise.
func TestWithoutRetryPromise(t *testing.T) {
	for in, want := range map[string]string{
		"Máy chủ đang quá tải; sẽ thử lại sau 5 giây":                  "Máy chủ đang quá tải",
		"Máy chủ đang quá tải; sẽ thử lại sau giây lát":                "Máy chủ đang quá tải",
		"Máy chủ đang gặp sự cố (mã 503); sẽ tự thử lại: đang bảo trì": "Máy chủ đang gặp sự cố (mã 503): đang bảo trì",
		MsgBadReply: "Máy chủ trả lời không đầy đủ hoặc sai định dạng",
		"Máy chủ trả lời quá lớn (hơn 64 MB); máy trạm không nhận, sẽ thử lại sau": "Máy chủ trả lời quá lớn (hơn 64 MB); máy trạm không nhận",
		"Tệp tải về không khớp mã SHA-256 (đã bỏ bản tải về); hãy thử lại":         "Tệp tải về không khớp mã SHA-256 (đã bỏ bản tải về); hãy thử lại",
	} {
		if got := WithoutRetryPromise(in); got != want {
			t.Errorf("WithoutRetryPromise(%q) = %q, want %q", in, got, want)
		}
	}
}
