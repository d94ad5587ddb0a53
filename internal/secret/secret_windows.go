//go:build windows

package secret

import (
	"unsafe"

	"golang.org/x/sys/windows"
)

const osProtected = true

// entropy ties the sealed blobs to motcua: another program of the same Windows account
// calling CryptUnprotectData without it cannot open them.
var entropy = []byte("motcua secret v1")

// protect seals with DPAPI for the current Windows account (not the machine scope: any
// account of the PC could open that, and the machine key is on the same disk).
func protect(plain []byte) ([]byte, error) {
	in, ent := blob(plain), blob(entropy)
	var out windows.DataBlob
	if err := windows.CryptProtectData(&in, nil, &ent, 0, nil, windows.CRYPTPROTECT_UI_FORBIDDEN, &out); err != nil {
		return nil, err
	}
	return take(out), nil
}

func unprotect(sealed []byte) ([]byte, error) {
	in, ent := blob(sealed), blob(entropy)
	var out windows.DataBlob
	if err := windows.CryptUnprotectData(&in, nil, &ent, 0, nil, windows.CRYPTPROTECT_UI_FORBIDDEN, &out); err != nil {
		return nil, err
	}
	return take(out), nil
}

func blob(b []byte) windows.DataBlob {
	if len(b) == 0 {
		return windows.DataBlob{}
	}
	return windows.DataBlob{Size: uint32(len(b)), Data: &b[0]}
}

// take copies a blob DPAPI allocated and frees it.
func take(b windows.DataBlob) []byte {
	if b.Data == nil {
		return []byte{}
	}
	defer windows.LocalFree(windows.Handle(unsafe.Pointer(b.Data)))
	out := make([]byte, b.Size)
	copy(out, unsafe.Slice(b.Data, b.Size))
	return out
}
