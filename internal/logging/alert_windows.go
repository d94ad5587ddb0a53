package logging

import (
	"syscall"
	"unsafe"
)

var procMessageBoxW = syscall.NewLazyDLL("user32.dll").NewProc("MessageBoxW")

// Alert shows a native message box and waits until it is closed: for a message after the
// UI loop itself has died.
func Alert(title, msg string) {
	const mbOK, mbIconError, mbSetForeground, mbTopmost = 0x0, 0x10, 0x10000, 0x40000
	t, err1 := syscall.UTF16PtrFromString(title)
	m, err2 := syscall.UTF16PtrFromString(msg)
	if err1 != nil || err2 != nil || procMessageBoxW.Find() != nil {
		return
	}
	procMessageBoxW.Call(0, uintptr(unsafe.Pointer(m)), uintptr(unsafe.Pointer(t)), mbOK|mbIconError|mbSetForeground|mbTopmost)
}
