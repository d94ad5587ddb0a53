package fileutil

import (
	"os"
	"path/filepath"
	"testing"
)

func TestCopyFile(t *testing.T) {
	dir := t.TempDir()
	from, to := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	if err := os.WriteFile(from, []byte("Hồ sơ 000.00.06.H56-260316-1001"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, []byte("an older, longer content to be replaced entirely"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := CopyFile(from, to); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(to); string(got) != "Hồ sơ 000.00.06.H56-260316-1001" {
		t.Fatalf("copied %q", got)
	}
	if err := CopyFile(filepath.Join(dir, "missing"), to); !os.IsNotExist(err) {
		t.Fatalf("missing source: %v", err)
	}
}
