package central

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"motcua/domain"
	"motcua/sync/api"
)

// The server's suite runs twice: on SQLite, then on PostgreSQL when MOTCUA_TEST_PG names a
// server where the tests may CREATE DATABASE (scripts/testpg.sh starts a throwaway one;
// `make test` uses it). Each test of the PostgreSQL half gets a fresh database (testDB).

// testPG is MOTCUA_TEST_PG during the PostgreSQL half, "" during the SQLite half.
var testPG string

func TestMain(m *testing.M) {
	code := m.Run()
	pg := strings.TrimSpace(os.Getenv("MOTCUA_TEST_PG"))
	if pg == "" {
		fmt.Println("PostgreSQL: not available (MOTCUA_TEST_PG unset) — the PostgreSQL half of the server suite is skipped")
		os.Exit(code)
	}
	fmt.Println("=== The server suite again, on PostgreSQL (MOTCUA_TEST_PG)")
	testPG = pg
	if c := m.Run(); c != 0 {
		code = c
	}
	closeTestAdmin()
	if code == 0 {
		fmt.Println("PostgreSQL half: passed")
	} else {
		fmt.Println("PostgreSQL half: see the failures above (the tests after «The server suite again, on PostgreSQL»)")
	}
	os.Exit(code)
}

// storeName names the store of the current half (benchmark names, logs).
func storeName() string {
	if testPG != "" {
		return "postgres"
	}
	return "sqlite"
}

var testAdmin struct {
	once sync.Once
	db   *sql.DB
	err  error
}

func closeTestAdmin() {
	if testAdmin.db != nil {
		testAdmin.db.Close()
	}
}

// testDB is the DB setting of a test's store: "" (SQLite in the data folder) in the SQLite
// half; in the PostgreSQL half a database made for this test on MOTCUA_TEST_PG's server and
// dropped when the test ends.
func testDB(tb testing.TB) string {
	tb.Helper()
	if testPG == "" {
		return ""
	}
	testAdmin.once.Do(func() {
		testAdmin.db, testAdmin.err = sql.Open("pgx", testPG)
		if testAdmin.err == nil {
			testAdmin.db.SetMaxOpenConns(2)
		}
	})
	if testAdmin.err != nil {
		tb.Fatalf("MOTCUA_TEST_PG: %v", testAdmin.err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "motcua_test_" + hex.EncodeToString(b)
	if _, err := testAdmin.db.Exec(`CREATE DATABASE ` + name); err != nil {
		tb.Fatalf("PostgreSQL (MOTCUA_TEST_PG): CREATE DATABASE: %v", err)
	}
	tb.Cleanup(func() {
		if _, err := testAdmin.db.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`); err != nil {
			tb.Errorf("drop the test database %s: %v", name, err)
		}
	})
	return withDatabase(testPG, name)
}

// withDatabase is the connection string conn with its database replaced by name.
func withDatabase(conn, name string) string {
	if u, err := url.Parse(conn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		u.Path = "/" + name
		return u.String()
	}
	return conn + " dbname=" + name
}

// testConfig is a Config on a fresh store of the current half, in dir.
func testConfig(tb testing.TB, dir string) Config {
	return Config{Dir: dir, DB: testDB(tb)}
}

func TestRebind(t *testing.T) {
	for in, want := range map[string]string{
		`SELECT 1`: `SELECT 1`,
		`SELECT a FROM t WHERE b = ? AND c IN (?, ?)`:                                   `SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)`,
		`SELECT '?' || ? FROM "we?rd" -- why?` + "\n" + `WHERE x = ? /* ? */ AND y = ?`: `SELECT '?' || $1 FROM "we?rd" -- why?` + "\n" + `WHERE x = $2 /* ? */ AND y = $3`,
		`INSERT INTO x VALUES ('it''s ?', ?)`:                                           `INSERT INTO x VALUES ('it''s ?', $1)`,
	} {
		if got := rebind(in); got != want {
			t.Errorf("rebind(%q) = %q, want %q", in, got, want)
		}
	}
}

// Every SQLite migration has its PostgreSQL counterpart with the same number, and no more:
// the schema version means the same on both stores.
func TestMigrationSetsMatch(t *testing.T) {
	numbers := func(d dialect) []int {
		names, err := migrationNames(d)
		if err != nil {
			t.Fatal(err)
		}
		var out []int
		for _, n := range names {
			v, err := migrationNumber(n)
			if err != nil {
				t.Fatalf("%s: not a numbered migration", n)
			}
			out = append(out, v)
		}
		return out
	}
	lite, pg := numbers(sqliteDialect), numbers(postgresDialect)
	if len(lite) == 0 || !slices.Equal(lite, pg) {
		t.Fatalf("SQLite migrations %v, PostgreSQL migrations %v: each number must be in both (migrations/ and migrations/postgres/)", lite, pg)
	}
	for i, v := range lite {
		if v != i+1 {
			t.Fatalf("migration numbers %v are not 1, 2, 3, …", lite)
		}
	}
	if SchemaVersion != lite[len(lite)-1] {
		t.Fatalf("SchemaVersion %d, newest migration %d", SchemaVersion, lite[len(lite)-1])
	}
}

// A store at schema 1 (as the first numbered server left it: unsigned events, devices
// without keys) is brought to the newest schema when the server starts, on either store; its
// unit, device and token, events, dossier and cursor survive, and the server works on it.
func TestUpgradeFromSchema1(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	cfg := testConfig(t, dir)
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, domain.VN())
	const token = "schema-1-token"

	// The store at schema 1.
	var d *db
	if IsPostgres(cfg.DB) {
		w, err := openPostgres(cfg.DB, 2)
		if err != nil {
			t.Fatal(err)
		}
		d = &db{dialect: postgresDialect, w: w}
	} else {
		w, err := sql.Open("sqlite", dsn(filepath.Join(dir, DBFile), false))
		if err != nil {
			t.Fatal(err)
		}
		w.SetMaxOpenConns(1)
		d = &db{w: w}
	}
	if err := d.migrate(ctx, 1); err != nil {
		t.Fatal(err)
	}
	var version int
	if err := d.w.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&version); err != nil || version != 1 {
		t.Fatalf("schema %d %v, want 1", version, err)
	}
	dev := Device{ID: uuid.Must(uuid.NewV7()).String(), Name: "Quầy 1", Unit: unit, Slot: 1, Active: true}
	at := now.Add(-24 * time.Hour)
	sid := uuid.Must(uuid.NewV7()).String()
	code := unit + "-260301-1001"
	e := receivedAs(t, dev, sid, at, domain.MakeHLC(at.UnixMilli(), 0), code) // unsigned: no test key
	fold := domain.Fold([]domain.Event{e})
	for _, s := range []struct {
		q    string
		args []any
	}{
		{`INSERT INTO meta(key, value) VALUES ('epoch', '00112233aabbccdd')`, nil},
		{`INSERT INTO units(code, name) VALUES (?, 'Xã An Hưng')`, []any{unit}},
		{`INSERT INTO devices(id, name, unit, slot, token_hash, active, enrolled_at) VALUES (?, ?, ?, 1, ?, 1, ?)`,
			[]any{dev.ID, dev.Name, unit, hashSecret(token), at.UnixMilli()}},
		{`INSERT INTO events(id, stream, stream_id, type, v, payload, actor, device, unit, at, hlc, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			[]any{e.ID, string(e.Stream), e.StreamID, string(e.Type), e.Version, string(e.Payload), e.Actor, e.Device, e.Unit, e.At.UnixMilli(), int64(e.HLC), at.UnixMilli()}},
		{`INSERT INTO dossiers(id, unit, ma_ho_so, ma_tthc, ten_tthc, ma_linh_vuc, ten_linh_vuc, kenh_thuc_hien, chu_ho_so,
			so_giay_to, loai_doi_tuong, trang_thai, don_vi_xu_ly, conflicts, events, last_hlc, updated_at)
			VALUES (?, ?, ?, '1.001193', 'Thủ tục đăng ký khai sinh', 'HT', 'Hộ tịch', 1, 'Nguyễn Văn An', '001099012345', 1, ?, '', 0, 1, ?, ?)`,
			[]any{sid, unit, code, int(fold.Status), int64(e.HLC), at.UnixMilli()}},
	} {
		if _, err := d.w.ExecContext(ctx, s.q, s.args...); err != nil {
			t.Fatalf("schema 1 data: %v", err)
		}
	}
	if err := d.close(); err != nil {
		t.Fatal(err)
	}

	cfg.Now = func() time.Time { return now }
	c, err := OpenCentral(ctx, cfg)
	if err != nil {
		t.Fatalf("open a schema 1 store: %v", err)
	}
	defer c.Close()
	var records int
	if err := c.db.r.QueryRowContext(ctx, `SELECT MAX(version), COUNT(*) FROM schema_migrations`).Scan(&version, &records); err != nil {
		t.Fatal(err)
	}
	if version != SchemaVersion || records != SchemaVersion {
		t.Fatalf("schema %d (%d records), want %d", version, records, SchemaVersion)
	}
	if c.epoch != "00112233aabbccdd" {
		t.Fatalf("epoch %q: the old cursors would be answered with 410", c.epoch)
	}
	got, err := c.Authenticate(ctx, token)
	if err != nil || got.ID != dev.ID {
		t.Fatalf("device after the upgrade: %+v %v", got, err)
	}
	evs, err := c.Events(ctx)
	cityKey, _ := domain.ParseKey(c.PublicKey())
	if err != nil || len(evs) != 1 || evs[0].ID != e.ID || evs[0].SigBy != domain.SignerCentral || evs[0].Verify(cityKey) != nil {
		t.Fatalf("events after the upgrade (attested by the city): %+v %v", evs, err)
	}
	if ds, err := c.Dossiers(ctx, DossierFilter{Unit: unit, Code: code}); err != nil || len(ds) != 1 || ds[0].ID != sid {
		t.Fatalf("dossier after the upgrade: %+v %v", ds, err)
	}
	// The server works on it: a new workstation enrolls, pushes, and the old one pulls
	// from its old cursor.
	enroll, _, err := c.IssueEnrollCode(ctx, unit, "Xã An Hưng", 2)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Enroll(ctx, enrollReq(enroll, ""))
	if err != nil {
		t.Fatal(err)
	}
	fresh, _ := c.Authenticate(ctx, resp.Token)
	e2 := receivedAs(t, fresh, uuid.Must(uuid.NewV7()).String(), now, domain.MakeHLC(now.UnixMilli(), 0), unit+"-260302-2001")
	if res, err := c.Push(ctx, fresh, []domain.Event{e2}); err != nil || res.Results[0].Status != api.Accepted {
		t.Fatalf("push after the upgrade: %+v %v", res, err)
	}
	page, err := c.Changes(ctx, got, "00112233aabbccdd.1", 100)
	if err != nil || len(page.Events) != 1 || page.Events[0].ID != e2.ID {
		t.Fatalf("changes from the old cursor: %+v %v", page, err)
	}
}

// The feed never skips an event: workstations of two units push at once, each batch in its
// own transaction, while readers of each unit follow the feed page by page. On PostgreSQL a
// sequence value is taken before its transaction commits, so without the per-unit writer
// lock a reader could see seq 11 before seq 10 commits, move its cursor past 10 and never see
// it. Every reader must end with every event of its unit that it did not author.
func TestFeedSkipsNothingUnderConcurrentWriters(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	const other = "000.00.07.H56"
	enrollIn := func(u string, slot int) Device {
		code, _, err := f.c.IssueEnrollCode(ctx, u, "Đơn vị "+u, slot)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := f.c.Enroll(ctx, enrollReq(code, ""))
		if err != nil {
			t.Fatal(err)
		}
		d, err := f.c.Authenticate(ctx, resp.Token)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	const writersPerUnit, perWriter = 4, 120
	units := []string{unit, other}
	var writers []Device
	readers := map[string][]Device{}
	for _, u := range units {
		for s := 1; s <= writersPerUnit; s++ {
			writers = append(writers, enrollIn(u, s))
		}
		readers[u] = []Device{enrollIn(u, 8), enrollIn(u, 9)}
	}

	var wg, rg sync.WaitGroup
	done := make(chan struct{})
	errs := make(chan error, 64)
	for i, w := range writers {
		evs := backlog(w, perWriter, f.now.Add(-2*time.Hour-time.Duration(i)*time.Minute))
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Small batches of varying size: many transactions, interleaved.
			for start, n := 0, 1; start < len(evs); start, n = start+n, n%7+1 {
				res, err := f.c.Push(ctx, w, evs[start:min(start+n, len(evs))])
				if err != nil {
					errs <- fmt.Errorf("push: %w", err)
					return
				}
				for _, r := range res.Results {
					if r.Status != api.Accepted {
						errs <- fmt.Errorf("push %s: %s %s", r.ID, r.Status, r.Reason)
						return
					}
				}
			}
		}()
	}
	seen := map[string]map[string]bool{} // reader → event ids it received
	var seenMu sync.Mutex
	for _, u := range units {
		for _, r := range readers[u] {
			got := map[string]bool{}
			seen[r.ID] = got
			rg.Add(1)
			go func() {
				defer rg.Done()
				cursor := ""
				// Follow the feed while the writers write, then once more to the end.
				for finished := false; ; {
					select {
					case <-done:
						finished = true
					default:
					}
					for {
						page, err := f.c.Changes(ctx, r, cursor, 5)
						if err != nil {
							errs <- fmt.Errorf("changes: %w", err)
							return
						}
						seenMu.Lock()
						for _, e := range page.Events {
							got[e.ID] = true
						}
						seenMu.Unlock()
						cursor = page.Cursor
						if !page.More {
							break
						}
					}
					if finished {
						return
					}
				}
			}()
		}
	}
	wg.Wait()
	close(done)
	rg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	all, err := f.c.Events(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != len(writers)*perWriter {
		t.Fatalf("%d events stored, want %d", len(all), len(writers)*perWriter)
	}
	for _, u := range units {
		for _, r := range readers[u] {
			missed := 0
			for _, e := range all {
				if e.Unit == u && !seen[r.ID][e.ID] {
					missed++
				}
			}
			if missed > 0 {
				t.Errorf("a reader of unit %s (%s) never received %d of its unit's events", u, storeName(), missed)
			}
		}
	}
}

// Text PostgreSQL cannot store (the NUL character) is refused with the same answer on both
// stores, never a failed transaction: in a pushed event, an enrollment, a city record; and a
// lookup by such text finds nothing.
func TestTextNeitherStoreCanHold(t *testing.T) {
	f := newFixture(t)
	dev, token := f.device(1)
	e := received(t, dev, uuid.Must(uuid.NewV7()).String(), f.now, domain.MakeHLC(f.now.UnixMilli(), 0))
	e.Actor = "lan\x00"
	rejected(t, f.push(token, signed(e)), "ký tự không hợp lệ")

	code, _, err := f.c.IssueEnrollCode(context.Background(), unit, "Xã An Hưng", 2)
	if err != nil {
		t.Fatal(err)
	}
	req := enrollReq(code, "")
	req.DeviceName = "Quầy\x00"
	body, _ := json.Marshal(req)
	if r := f.call(http.MethodPost, "/enroll", "", body, nil); r.StatusCode != http.StatusBadRequest {
		t.Fatalf("enroll with a NUL in the name: HTTP %d", r.StatusCode)
	}
	if _, _, err := f.c.IssueEnrollCode(context.Background(), unit, "Xã\x00", 3); err == nil {
		t.Fatal("a unit name with a NUL was taken")
	}
	if status, _ := f.record(api.AdminEventRequest{Code: unit + "-260302-1001", Type: "forwarded", Actor: "tp\x00"}); status != http.StatusBadRequest {
		t.Fatalf("record with a NUL in the actor: HTTP %d", status)
	}
	if r := f.call(http.MethodGet, "/dossiers/abc%00", "admin", nil, nil); r.StatusCode != http.StatusNotFound {
		t.Fatalf("dossier by an id with a NUL: HTTP %d", r.StatusCode)
	}
	if r := f.call(http.MethodGet, "/dossiers?code=X%00", "admin", nil, nil); r.StatusCode != http.StatusOK {
		t.Fatalf("dossiers by a code with a NUL: HTTP %d", r.StatusCode)
	}
}

// What the one SQLite writer made safe holds on PostgreSQL's concurrent writers too: one
// code used by several workstations at once enrolls one of them; concurrent catalogue
// changes each give a new revision.
func TestConcurrentWritesKeepTheRules(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	code, _, err := f.c.IssueEnrollCode(ctx, unit, "Xã An Hưng", 1)
	if err != nil {
		t.Fatal(err)
	}
	const n = 6
	var wg sync.WaitGroup
	results := make(chan error, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := f.c.Enroll(ctx, enrollReq(code, ""))
			results <- err
		}()
	}
	wg.Wait()
	close(results)
	ok := 0
	for err := range results {
		if err == nil {
			ok++
		} else if !strings.Contains(err.Error(), "đã được sử dụng") {
			t.Errorf("a second use of the code: %v, want «đã được sử dụng»", err)
		}
	}
	if devs, _ := f.c.Devices(ctx); ok != 1 || len(devs) != 1 {
		t.Fatalf("%d enrollments succeeded, %d devices, with one code", ok, len(devs))
	}

	before, err := f.c.db.meta(ctx, "catalogue.rev")
	if err != nil {
		t.Fatal(err)
	}
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f.c.SetCatalogue(ctx, nil, nil); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	after, _ := f.c.db.meta(ctx, "catalogue.rev")
	var b, a int
	fmt.Sscan(before, &b)
	fmt.Sscan(after, &a)
	if a != b+n {
		t.Fatalf("catalogue revision %q → %q after %d changes", before, after, n)
	}
}

// A store an older server filled with one code on two dossiers of a unit opens, names the
// pair for the operator (each store spells the aggregate its own way), and makes no index.
func TestDuplicateCodesNamedOnOpen(t *testing.T) {
	ctx := context.Background()
	cfg := testConfig(t, t.TempDir())
	c, err := OpenCentral(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.db.w.ExecContext(ctx, `DROP INDEX dossiers_unit_code`); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"d-1", "d-2"} {
		if _, err := c.db.w.ExecContext(ctx, `INSERT INTO dossiers(id, unit, ma_ho_so, ma_tthc, ten_tthc, ma_linh_vuc, ten_linh_vuc, kenh_thuc_hien, chu_ho_so,
			so_giay_to, loai_doi_tuong, trang_thai, don_vi_xu_ly, conflicts, events, last_hlc, updated_at)
			VALUES (?, ?, 'X-1', '', '', '', '', 1, '', '', 1, 1, '', 0, 1, 1, 1)`, id, unit); err != nil {
			t.Fatal(err)
		}
	}
	c.Close()
	if c, err = OpenCentral(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// (The aggregate's order is the store's own.)
	if len(c.DuplicateCodes) != 1 || c.DuplicateCodes[0] != unit+" X-1 (hồ sơ d-1, d-2)" && c.DuplicateCodes[0] != unit+" X-1 (hồ sơ d-2, d-1)" {
		t.Fatalf("duplicate codes %q, want the pair named", c.DuplicateCodes)
	}
}

// Multi-row statements on PostgreSQL come in a dozen sizes at most (each size is a statement
// pgx prepares and keeps on each connection); SQLite's are full chunks and one remainder.
func TestInPieces(t *testing.T) {
	sizes := func(n int, pow2 bool) []int {
		var out []int
		inPieces(make([]int, n), 500, pow2, func(p []int) error { out = append(out, len(p)); return nil })
		return out
	}
	for _, c := range []struct {
		n    int
		pow2 bool
		want []int
	}{
		{1234, true, []int{500, 500, 128, 64, 32, 8, 2}},
		{1234, false, []int{500, 500, 234}},
		{1000, true, []int{500, 500}},
		{7, true, []int{4, 2, 1}},
		{0, true, nil},
	} {
		if got := sizes(c.n, c.pow2); !slices.Equal(got, c.want) {
			t.Errorf("%d in pieces (pow2 %v): %v, want %v", c.n, c.pow2, got, c.want)
		}
	}
}
