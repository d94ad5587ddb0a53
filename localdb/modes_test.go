package localdb

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// A data folder that already exists with 0755, holding a database left 0644, is narrowed
// to this account: folder 0700, database and its log files 0600.
func TestOpenLocksDownTheDataFolder(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix permissions")
	}
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o755) // whatever the umask
	s, err := Open(ctx, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	check := func(when string) {
		t.Helper()
		want := map[string]os.FileMode{dir: 0o700, filepath.Join(dir, "files"): 0o700,
			filepath.Join(dir, DBFile): 0o600, filepath.Join(dir, DBFile+"-wal"): 0o600,
			filepath.Join(dir, DBFile+"-shm"): 0o600, filepath.Join(dir, KeyFile): 0o600}
		for p, mode := range want {
			st, err := os.Stat(p)
			if err != nil {
				t.Errorf("%s: %s: %v", when, filepath.Base(p), err)
				continue
			}
			if st.Mode().Perm() != mode {
				t.Errorf("%s: %s is %v, want %v", when, filepath.Base(p), st.Mode().Perm(), mode)
			}
		}
	}
	check("new")
	s.Close()
	os.Chmod(dir, 0o755)
	os.Chmod(filepath.Join(dir, DBFile), 0o644)
	s, err = Open(ctx, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	check("reopened")
}
