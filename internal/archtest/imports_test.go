package archtest

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// rule says what one package (or, ending in "/...", a package and those under it) may
// depend on, directly or through others, in the program it builds into (test files do not
// count: a screen's test may start a real city server). The table in docs/ARCHITECTURE.md
// says the same in words; keep them together.
type rule struct {
	pkg string
	// mustNot: packages it must not depend on ("/..." takes those under it too).
	mustNot []string
	// only: when set, the only motcua packages it may depend on.
	only []string
	why  string
}

var rules = []rule{
	{pkg: "motcua/domain/...", only: []string{"motcua/domain/..."},
		why: "domain is the rules, pure Go: every other package depends on it, it on none of them"},
	{pkg: "motcua/query/...", only: []string{"motcua/domain/..."},
		why: "the read models screens show are plain types over domain, filled by localdb"},
	{pkg: "motcua/ui/...", mustNot: []string{"motcua/localdb/...", "motcua/sync/...", "motcua/internal/desktop"},
		only: []string{"motcua/domain/...", "motcua/query", "motcua/forms", "motcua/assets", "motcua/internal/fileutil", "motcua/internal/fanout"},
		why:  "screens see small interfaces they declare themselves, over domain types"},
	{pkg: "motcua/cmd/motcua", mustNot: []string{"motcua/sync/central/...", "github.com/tus/tusd/...", "github.com/jackc/pgx/..."},
		why: "the desktop binary carries the app, not the city's server nor its PostgreSQL driver (motcua-bench and motcua-central do)"},
	{pkg: "motcua/internal/desktop", mustNot: []string{"motcua/sync/central/...", "github.com/tus/tusd/...", "github.com/jackc/pgx/..."},
		why: "it is the desktop app's wiring"},
	{pkg: "motcua/localdb/...", mustNot: []string{"motcua/ui/...", "motcua/sync/..."},
		only: []string{"motcua/domain/...", "motcua/query", "motcua/assets", "motcua/internal/..."},
		why:  "the store knows nothing of screens or of the network"},
	{pkg: "motcua/sync", mustNot: []string{"motcua/ui/...", "motcua/sync/central/..."},
		why: "the client engine reports its status; the screens read it through their own interface"},
	{pkg: "motcua/sync/api", only: []string{"motcua/domain/..."},
		why: "the wire types are shared by the engine and the server, and need only domain"},
	{pkg: "motcua/sync/peer/...", mustNot: []string{"motcua/ui/...", "motcua/sync/central/..."},
		why: "a LAN peer is another carrier of the workstation's events, not a screen or the city"},
	{pkg: "motcua/sync/bundle/...", only: []string{"motcua/domain/...", "motcua/sync/api"},
		why: "the USB bundle format is shared by the workstation and the city"},
	{pkg: "motcua/sync/central/...", mustNot: []string{"motcua/localdb/...", "motcua/ui/...", "motcua/sync"},
		why: "the city's server has its own store, no screens, and is not a client"},
	{pkg: "motcua/forms/...", mustNot: []string{"motcua/localdb/...", "motcua/ui/...", "motcua/sync/..."},
		only: []string{"motcua/domain/...", "motcua/assets"},
		why:  "forms turn domain values into paper and files; callers bring the data"},
	{pkg: "motcua/internal/loadgen", only: []string{"motcua/domain/...", "motcua/sync/api", "motcua/assets"},
		why: "the load generator speaks the wire protocol as workstations do, without their store or engine, and is not the city"},
	{pkg: "motcua/internal/delayproxy", only: []string{},
		why: "the link simulator is plain TCP: it knows nothing of motcua"},
}

// helpers are the small packages under internal/ that adapters share: they may depend on
// domain and on each other, nothing more.
var helpers = []string{"motcua/internal/sqlitex", "motcua/internal/logging", "motcua/internal/keyfile",
	"motcua/internal/secret", "motcua/internal/datadir", "motcua/internal/fileutil", "motcua/internal/fanout",
	"motcua/internal/version", "motcua/internal/printer"}

func init() {
	for _, h := range helpers {
		rules = append(rules, rule{pkg: h, only: append([]string{"motcua/domain/..."}, helpers...),
			why: "a small helper under internal/ depends on domain and other helpers only"})
	}
}

// pendingExceptions are dependencies that break a rule today while a branch removes them.
// Each must go when that branch lands: the test fails when an exception is no longer needed,
// so it cannot outlive its reason.
var pendingExceptions = map[string]string{}

// match reports whether path is pattern, or under it when pattern ends in "/...".
func match(pattern, path string) bool {
	if base, ok := strings.CutSuffix(pattern, "/..."); ok {
		return path == base || strings.HasPrefix(path, base+"/")
	}
	return path == pattern
}

func matchAny(patterns []string, path string) bool {
	for _, p := range patterns {
		if match(p, path) {
			return true
		}
	}
	return false
}

// deps lists, for every package of the module, what it depends on (go list's Deps: every
// package its build needs, not its tests), for one target system.
func deps(t *testing.T, goos string) map[string][]string {
	t.Helper()
	// go test puts its own GOROOT/bin first on the PATH.
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to list the packages")
	}
	cmd := exec.Command(goBin, "list", "-tags", "migrated_fynedo,no_emoji", "-f", `{{.ImportPath}}{{range .Deps}} {{.}}{{end}}`, "motcua/...")
	// cgo on, as the release builds have it (Fyne's GL driver needs it on every system).
	cmd.Env = append(os.Environ(), "GOOS="+goos, "CGO_ENABLED=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list (GOOS=%s): %v\n%s", goos, err, stderr.String())
	}
	m := map[string][]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) > 0 {
			m[f[0]] = f[1:]
		}
	}
	if len(m) < 10 {
		t.Fatalf("go list found only %d packages:\n%s", len(m), out)
	}
	return m
}

// violations checks the rules against a dependency map. It returns each broken rule as
// "pkg -> dep: why", and the pending exceptions it met.
func violations(all map[string][]string) (broken []string, excused map[string]bool) {
	excused = map[string]bool{}
	for pkg, ds := range all {
		for _, r := range rules {
			if !match(r.pkg, pkg) {
				continue
			}
			for _, d := range ds {
				bad := matchAny(r.mustNot, d) ||
					(r.only != nil && match("motcua/...", d) && !matchAny(r.only, d))
				if !bad {
					continue
				}
				key := pkg + " -> " + d
				if _, ok := pendingExceptions[key]; ok {
					excused[key] = true
					continue
				}
				broken = append(broken, fmt.Sprintf("%s: %s", key, r.why))
			}
		}
	}
	slices.Sort(broken)
	return broken, excused
}

func TestImportRules(t *testing.T) {
	if testing.Short() {
		t.Skip("lists every package with the go command")
	}
	used := map[string]bool{}
	for _, goos := range []string{"linux", "windows"} {
		broken, excused := violations(deps(t, goos))
		for _, b := range broken {
			t.Errorf("GOOS=%s: %s", goos, b)
		}
		for k := range excused {
			used[k] = true
		}
	}
	for k, why := range pendingExceptions {
		if !used[k] {
			t.Errorf("pending exception %q (%s) is no longer needed: delete it from pendingExceptions", k, why)
		}
	}
}

// The checker itself, on a made-up module: each kind of rule catches what it should.
func TestViolations(t *testing.T) {
	all := map[string][]string{
		"motcua/domain":           {"strings", "motcua/domain/calendar"},
		"motcua/domain/citizen":   {"motcua/localdb"},
		"motcua/ui":               {"motcua/domain", "motcua/localdb", "motcua/forms"},
		"motcua/ui/widgets":       {"motcua/sync/api"},
		"motcua/cmd/motcua":       {"motcua/ui", "github.com/tus/tusd/v2/pkg/handler"},
		"motcua/forms":            {"motcua/domain", "motcua/internal/secret"},
		"motcua/sync/central":     {"motcua/sync/api"},
		"motcua/localdb":          {"motcua/internal/sqlitex"},
		"motcua/cmd/motcua-bench": {"motcua/sync/central"},
		"motcua/internal/loadgen": {"motcua/sync/api", "motcua/localdb"},
		"motcua/internal/fanout":  {"motcua/domain", "motcua/internal/logging"},
		"motcua/internal/sqlitex": {"motcua/sync/api"},
	}
	broken, excused := violations(all)
	want := []string{
		"motcua/domain/citizen -> motcua/localdb",
		"motcua/ui/widgets -> motcua/sync/api",
		"motcua/cmd/motcua -> github.com/tus/tusd/v2/pkg/handler",
		"motcua/ui -> motcua/localdb",
		"motcua/internal/loadgen -> motcua/localdb",
		"motcua/internal/sqlitex -> motcua/sync/api",
		"motcua/forms -> motcua/internal/secret",
	}
	if len(broken) != len(want) {
		t.Errorf("broken: %q, want %q", broken, want)
	}
	for _, w := range want {
		found := false
		for _, b := range broken {
			found = found || strings.HasPrefix(b, w+":")
		}
		if !found {
			t.Errorf("not caught: %s (got %q)", w, broken)
		}
	}
	if len(excused) != len(pendingExceptions) {
		t.Errorf("excused %v, pending exceptions %v", excused, pendingExceptions)
	}
}
