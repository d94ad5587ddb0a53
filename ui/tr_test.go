package ui

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"motcua/assets"
	"motcua/domain"
)

// sourceStrings collects every string literal passed to T or Tf in this package's code.
func sourceStrings(t *testing.T) []string {
	t.Helper()
	files, _ := filepath.Glob("*.go")
	seen := map[string]bool{}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			id, ok := call.Fun.(*ast.Ident)
			if !ok || (id.Name != "T" && id.Name != "Tf") {
				return true
			}
			if lit, ok := call.Args[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
				s, err := strconv.Unquote(lit.Value)
				if err == nil {
					seen[s] = true
				}
			}
			return true
		})
	}
	// Names the domain gives and the screens pass through T.
	for _, r := range domain.Roles() {
		seen[r.Name()] = true
	}
	for _, f := range []domain.FeedbackStatus{domain.FeedbackNew, domain.FeedbackInProgress, domain.FeedbackResolved, domain.FeedbackPublished} {
		seen[f.String()] = true
	}
	for _, c := range domain.FeedbackChannels() {
		seen[domain.FeedbackChannelName(c)] = true
	}
	// The report's choices (settings) and the names of unconfirmed facts and their sources.
	for _, tr := range domain.ClosedTreatmentChoices() {
		seen[tr.Label()] = true
	}
	for _, st := range domain.ClosedStatuses() {
		long, _ := domain.ClosedName(st)
		seen[long] = true
	}
	for _, f := range []domain.FinishRule{domain.FinishAtResult, domain.FinishAtReturn} {
		seen[f.Label()] = true
	}
	for _, src := range []string{domain.UnconfirmedCatalogue, domain.UnconfirmedForms, domain.UnconfirmedDeclarations} {
		seen[src] = true
	}
	for _, n := range domain.UnconfirmedFactNames() {
		seen[n] = true
	}
	var out []string
	for s := range seen {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// TestEveryStringTranslated: each Vietnamese source string has an English translation with
// the same format verbs, and the translation file has nothing stale.
func TestEveryStringTranslated(t *testing.T) {
	var en map[string]string
	if err := json.Unmarshal(assets.EnglishJSON, &en); err != nil {
		t.Fatal(err)
	}
	var missing []string
	used := map[string]bool{}
	for _, s := range sourceStrings(t) {
		used[s] = true
		tr, ok := en[s]
		if !ok || strings.TrimSpace(tr) == "" {
			missing = append(missing, s)
			continue
		}
		if verbs(s) != verbs(tr) {
			t.Errorf("format verbs differ: %q → %q", s, tr)
		}
	}
	if len(missing) > 0 {
		if path := os.Getenv("MOTCUA_MISSING_TR"); path != "" {
			raw, _ := json.MarshalIndent(missing, "", "  ")
			_ = os.WriteFile(path, raw, 0o644)
		}
		t.Errorf("%d strings have no English translation in assets/i18n/en.json, e.g. %q", len(missing), missing[0])
	}
	for k := range en {
		if !used[k] && strings.Contains(k, " ") { // keys without spaces are message codes
			t.Errorf("stale translation %q", k)
		}
	}
}

// verbs is the sequence of fmt verbs in a format string.
func verbs(s string) string {
	var b strings.Builder
	for i := 0; i < len(s)-1; i++ {
		if s[i] == '%' {
			b.WriteByte(s[i+1])
			i++
		}
	}
	return b.String()
}

// TestEnglishInterface switches the language and checks the screens and a domain message
// come out in English.
func TestEnglishInterface(t *testing.T) {
	h := newHarness(t, vnTime(2026, 3, 2, 9, 0))
	h.setUp()
	SetLanguage("en")
	defer SetLanguage("vi")
	h.signIn(testClerk)
	tabs := tabTitles(h.ui)
	for _, want := range []string{"Settings", "Feedback"} {
		if !contains(tabs, want) {
			t.Errorf("English tabs %v lack %q", tabs, want)
		}
	}
	for _, tab := range tabs {
		if isVietnameseText(tab) {
			t.Errorf("tab %q is still Vietnamese", tab)
		}
	}
	s := intakeOf(t, h)
	pick(t, h, s, "khai sinh")
	s.idNumber.SetText("12345")
	s.onSave()
	h.settle()
	if msg := s.errs["applicant.address"].Text; msg != "Enter a contact address." {
		t.Errorf("address message in English: %q", msg)
	}
	if msg := s.errs["applicant.id_number"].Text; msg == "" || isVietnameseText(msg) {
		t.Errorf("ID message not in English: %q", msg)
	}
}

func isVietnameseText(s string) bool {
	return strings.ContainsAny(s, "àáảãạăắằẳẵặâấầẩẫậèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵđĐ")
}
