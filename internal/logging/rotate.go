package logging

import (
	"fmt"
	"os"
	"sync"
)

// RotatingFile is an append-only file that is renamed to path.1 (path.1 to path.2, …) when
// the next write would take it past max bytes; path.keep is deleted. Safe for concurrent use.
//
// On Windows a file another process holds open (a second motcua, an editor) cannot be
// renamed: writing then goes on in the current file and rotation is tried again later.
type RotatingFile struct {
	mu      sync.Mutex
	path    string
	max     int64
	keep    int
	f       *os.File
	size    int64
	retryAt int64 // after a failed rotation, the size at which to try again
}

// OpenRotating opens (appending to) path.
func OpenRotating(path string, max int64, keep int) (*RotatingFile, error) {
	if max <= 0 || keep < 1 {
		return nil, fmt.Errorf("rotating file: max %d, keep %d", max, keep)
	}
	r := &RotatingFile{path: path, max: max, keep: keep}
	if err := r.open(); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *RotatingFile) open() error {
	f, err := os.OpenFile(r.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	f.Chmod(0o600) // a file left 0644 by an older motcua or another program
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	r.f, r.size = f, st.Size()
	return nil
}

// Write appends p, rotating first when p would not fit. A record larger than max is
// written whole to a file of its own.
func (r *RotatingFile) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.f == nil {
		if err := r.open(); err != nil {
			return 0, err
		}
	}
	if r.size > 0 && r.size+int64(len(p)) > r.max && r.size >= r.retryAt {
		r.rotate()
	}
	n, err := r.f.Write(p)
	r.size += int64(n)
	return n, err
}

func (r *RotatingFile) rotate() {
	r.f.Close()
	r.f = nil
	name := func(i int) string { return fmt.Sprintf("%s.%d", r.path, i) }
	os.Remove(name(r.keep))
	for i := r.keep - 1; i >= 1; i-- {
		os.Rename(name(i), name(i+1)) // a gap in the numbers is fine
	}
	err := os.Rename(r.path, name(1))
	if oerr := r.open(); oerr != nil {
		// Nothing to write to: Write reopens next time.
		return
	}
	if err != nil {
		r.retryAt = r.size + r.max/10
		return
	}
	r.retryAt = 0
}

// Close closes the file.
func (r *RotatingFile) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.f == nil {
		return nil
	}
	err := r.f.Close()
	r.f = nil
	return err
}
