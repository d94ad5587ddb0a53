// Package fileutil holds small file helpers shared by the app, its commands and tests.
package fileutil

import (
	"io"
	"os"
)

// CopyFile copies the file at from to to, creating or truncating it.
func CopyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
