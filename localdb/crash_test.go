package localdb

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// TestCrashDuringIntakes kills a process (SIGKILL) in the middle of a stream of intakes:
// after reopening, every intake whose receipt was handed out is there, nothing half-written
// is visible, the audit chain verifies, and numbering goes on without reusing a code.
func TestCrashDuringIntakes(t *testing.T) {
	if dir := os.Getenv("MOTCUA_CRASH_CHILD"); dir != "" {
		crashChild(dir)
		return
	}
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := testCfg
	cfg.Hours = DefaultConfig().Hours
	if err := s.UpdateConfig(ctx, admin, cfg); err != nil {
		t.Fatal(err)
	}
	s.Close()

	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashDuringIntakes$", "-test.count=1")
	cmd.Env = append(os.Environ(), "MOTCUA_CRASH_CHILD="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// A receipt is "handed out" when the child prints its code, after Receive returned.
	var receipts []string
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		line := sc.Text()
		if len(line) > 8 && line[:8] == "RECEIPT " {
			receipts = append(receipts, line[8:])
		}
		if len(receipts) == 25 {
			break
		}
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if len(receipts) < 25 {
		t.Fatalf("child printed only %d receipts before dying on its own", len(receipts))
	}

	s, err = Open(ctx, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, code := range receipts {
		d, err := s.ByCode(ctx, code)
		if err != nil || d.Code != code || d.Applicant.Name == "" {
			t.Errorf("receipt %s lost after the crash: %v", code, err)
		}
	}
	st, err := s.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// At most the intake in flight when the process died may exist beyond the receipts
	// printed; each dossier has exactly its one event and its visit, waiting in the outbox.
	if st.Dossiers < len(receipts) || st.Dossiers > len(receipts)+1 || st.Events != 2*st.Dossiers || st.Outbox != st.Events {
		t.Errorf("after crash: %+v with %d receipts", st, len(receipts))
	}
	var orphans int
	if err := s.r.QueryRow(`SELECT
		(SELECT COUNT(*) FROM events e WHERE e.stream = 'dossier' AND NOT EXISTS (SELECT 1 FROM dossiers d WHERE d.id = e.stream_id)) +
		(SELECT COUNT(*) FROM visits v WHERE NOT EXISTS (SELECT 1 FROM dossiers d WHERE d.id = v.dossier_id)) +
		(SELECT COUNT(*) FROM dossiers d WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.stream_id = d.id))`).Scan(&orphans); err != nil || orphans != 0 {
		t.Errorf("half-written data: %d orphans (%v)", orphans, err)
	}
	res, err := s.Verify(ctx)
	if err != nil || !res.OK() {
		t.Errorf("verify after crash: %+v %v", res, err)
	}
	d, err := s.Receive(ctx, clerk, birthIntake())
	if err != nil {
		t.Fatal(err)
	}
	for _, code := range receipts {
		if code == d.Code {
			t.Fatalf("code %s issued twice", code)
		}
	}
}

// crashChild receives dossiers until it is killed, printing each receipt's code.
func crashChild(dir string) {
	ctx := context.Background()
	s, err := Open(ctx, dir, Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	for i := 0; ; i++ {
		d, err := s.Receive(ctx, clerk, birthIntake())
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(4)
		}
		fmt.Printf("RECEIPT %s\n", d.Code)
		if i > 10000 {
			time.Sleep(time.Second)
		}
	}
}
