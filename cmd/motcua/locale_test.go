package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// Under LANG=C.UTF-8 (a container, a service, ssh without a locale) Fyne logged "Error
// parsing user locale C" three times on every start and every headless command (issue 15,
// item 13). The test binary links the same packages as motcua, so running it again under
// that locale shows what motcua's start prints.
func TestNoLocaleErrorUnderCUTF8(t *testing.T) {
	if os.Getenv("MOTCUA_LOCALE_CHILD") != "" {
		return
	}
	for _, loc := range []string{"LANG=C.UTF-8", "LC_ALL=C.UTF-8"} {
		env := []string{"MOTCUA_LOCALE_CHILD=1", loc}
		for _, kv := range os.Environ() {
			if k, _, _ := strings.Cut(kv, "="); k != "LANG" && k != "LANGUAGE" && !strings.HasPrefix(k, "LC_") {
				env = append(env, kv)
			}
		}
		cmd := exec.Command(os.Args[0], "-test.run=^TestNoLocaleErrorUnderCUTF8$", "-test.count=1")
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil || strings.Contains(string(out), "Error parsing user locale") {
			t.Errorf("%s: %v\n%s", loc, err, out)
		}
	}
}
