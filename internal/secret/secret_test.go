package secret

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func TestWriteReadFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	path := filepath.Join(dir, "device.secret")
	plain := []byte(`{"token":"mã-truy-cập-bí-mật"}`)
	if err := WriteFile(path, plain); err != nil {
		t.Fatal(err)
	}
	got, err := ReadFile(path)
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("read back %q %v", got, err)
	}
	raw, _ := os.ReadFile(path)
	if Sealed(raw) != OSProtected() {
		t.Errorf("sealed=%v on %s", Sealed(raw), runtime.GOOS)
	}
	if OSProtected() && bytes.Contains(raw, []byte("bí-mật")) {
		t.Error("the secret is readable in the sealed file")
	}
	if runtime.GOOS != "windows" {
		for p, want := range map[string]os.FileMode{path: 0o600, dir: 0o700} {
			if st, err := os.Stat(p); err != nil || st.Mode().Perm() != want {
				t.Errorf("%s: mode %v, want %v (%v)", p, st.Mode().Perm(), want, err)
			}
		}
	}
	// Overwriting keeps one file, no temporaries.
	if err := WriteFile(path, []byte("khác")); err != nil {
		t.Fatal(err)
	}
	if es, _ := os.ReadDir(dir); len(es) != 1 {
		t.Errorf("left behind: %v", es)
	}
}

// A file written in clear (by an older motcua) still opens; a blob sealed on Windows does
// not open elsewhere, and says why.
func TestUnprotect(t *testing.T) {
	clear := []byte("-----BEGIN PRIVATE KEY-----\n")
	if got, err := Unprotect(clear); err != nil || !bytes.Equal(got, clear) {
		t.Errorf("clear: %q %v", got, err)
	}
	sealed, err := Protect([]byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := Unprotect(sealed); err != nil || string(got) != "x" {
		t.Errorf("round trip: %q %v", got, err)
	}
	foreign := append([]byte(magic), 1, 2, 3)
	if _, err := Unprotect(foreign); !errors.Is(err, ErrOtherMachine) {
		t.Errorf("a blob sealed elsewhere: %v", err)
	}
}
