package keyfile

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"motcua/internal/secret"
)

func TestLoadOrCreate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "device.key")
	k, err := LoadOrCreate(path)
	if err != nil {
		t.Fatal(err)
	}
	again, err := LoadOrCreate(path)
	if err != nil || !k.Equal(again) {
		t.Fatalf("a second load made another key (%v)", err)
	}
	raw, _ := os.ReadFile(path)
	if secret.Sealed(raw) != secret.OSProtected() {
		t.Errorf("sealed=%v on %s", secret.Sealed(raw), runtime.GOOS)
	}
	if runtime.GOOS != "windows" {
		if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
			t.Errorf("mode %v", st.Mode().Perm())
		}
	}
}

// A key written in clear PEM (motcua before the OS protection) still loads, and is sealed
// where the OS can seal it.
func TestLoadClearKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "device.key")
	k, err := LoadOrCreate(filepath.Join(t.TempDir(), "other.key"))
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(k)
	clear := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	if err := os.WriteFile(path, clear, 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil || !got.Equal(k) {
		t.Fatalf("clear key: %v", err)
	}
	raw, _ := os.ReadFile(path)
	if sealed := !bytes.Equal(raw, clear); sealed != secret.OSProtected() {
		t.Errorf("rewritten=%v, OS protection %v", sealed, secret.OSProtected())
	}
	if got, err := Load(path); err != nil || !got.Equal(k) {
		t.Fatalf("after sealing: %v", err)
	}
}
