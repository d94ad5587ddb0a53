package logging

import (
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// Logs name dossiers: a logs folder found 0755 (and a log file 0644) is narrowed to this
// account.
func TestLogFilesArePrivate(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix permissions")
	}
	data := t.TempDir()
	dir := filepath.Join(data, "logs")
	os.Mkdir(dir, 0o755)
	os.Chmod(dir, 0o755)
	os.WriteFile(filepath.Join(dir, FileName), []byte("old\n"), 0o644)
	os.Chmod(filepath.Join(dir, FileName), 0o644)
	log, c, err := Setup(data, slog.LevelInfo)
	if err != nil {
		t.Fatal(err)
	}
	log.Info("hồ sơ 000.00.06.H56-260302-0001")
	c.Close()
	for p, want := range map[string]os.FileMode{dir: 0o700, filepath.Join(dir, FileName): 0o600, filepath.Join(dir, CrashFileName): 0o600} {
		st, err := os.Stat(p)
		if err != nil {
			t.Errorf("%s: %v", p, err)
		} else if st.Mode().Perm() != want {
			t.Errorf("%s: %v, want %v", p, st.Mode().Perm(), want)
		}
	}
}
