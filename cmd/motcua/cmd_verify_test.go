package main

import (
	"database/sql"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// verify names the dossier whose row was edited, says the events are intact, reports the
// same as JSON for scripts, and --repair rebuilds it from its events.
func TestVerifyCommandFindsAndRepairs(t *testing.T) {
	dir := initStore(t)
	if code, out, errs := runCmd(t, "", "seed", "--data", dir, "--dossiers", "40", "--days", "5"); code != 0 {
		t.Fatalf("seed: %s %s", out, errs)
	}
	db, err := sql.Open("sqlite", filepath.Join(dir, "motcua.db"))
	if err != nil {
		t.Fatal(err)
	}
	var code string
	if err := db.QueryRow(`SELECT code FROM dossiers WHERE status <> 10 ORDER BY rid LIMIT 1 OFFSET 7`).Scan(&code); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE dossiers SET status = 10, id_number = '079099999999' WHERE code = ?`, code); err != nil {
		t.Fatal(err)
	}
	db.Close()
	st, _, errs := runCmd(t, "", "verify", "--data", dir, "--offline")
	if st != 1 || !strings.Contains(errs, "hồ sơ "+code) || !strings.Contains(errs, "trạng thái là 10") || !strings.Contains(errs, "--repair") {
		t.Fatalf("verify: %d %s", st, errs)
	}
	st, out, _ := runCmd(t, "", "verify", "--data", dir, "--offline", "--json")
	var res struct {
		OK       bool `json:"ok"`
		Events   int  `json:"events"`
		Findings []struct {
			Kind    string `json:"kind"`
			Dossier string `json:"dossier"`
			Message string `json:"message"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("JSON %q: %v", out, err)
	}
	if st != 1 || res.OK || len(res.Findings) != 1 || res.Findings[0].Kind != "projection" || res.Findings[0].Dossier != code || res.Events == 0 {
		t.Fatalf("verify --json: %d %+v", st, res)
	}
	if st, out, errs := runCmd(t, "", "verify", "--data", dir, "--offline", "--repair"); st != 0 || !strings.Contains(out, "Đã dựng lại 1 hồ sơ") {
		t.Fatalf("verify --repair: %d %s %s", st, out, errs)
	}
	if st, out, errs := runCmd(t, "", "verify", "--data", dir, "--offline"); st != 0 || !strings.Contains(out, "toàn vẹn") {
		t.Fatalf("verify after repair: %d %s %s", st, out, errs)
	}
}
