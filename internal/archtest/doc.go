// Package archtest holds the import-rule test: which motcua package may depend on which
// (docs/ARCHITECTURE.md has the table). It has no code of its own; `go test` runs the rules.
package archtest
