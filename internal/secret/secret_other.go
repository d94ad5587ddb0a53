//go:build !windows

package secret

// Without an OS facility the bytes are stored as they are; the file's mode (0600, in a
// 0700 data folder) is what keeps other accounts out.
const osProtected = false

func protect(plain []byte) ([]byte, error) { return plain, nil }

func unprotect(sealed []byte) ([]byte, error) { return nil, ErrOtherMachine }
