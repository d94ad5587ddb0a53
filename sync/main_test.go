package sync

import (
	"os"
	"testing"
	"time"
)

func TestMain(m *testing.M) {
	enrollRetryWait = 10 * time.Millisecond
	code := m.Run()
	if benchTemplate != "" {
		os.RemoveAll(benchTemplate)
	}
	os.Exit(code)
}
