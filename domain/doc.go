// Package domain holds motcua's rules as pure Go: procedures and their catalogue,
// dossiers as streams of immutable events, the national status machine, the fold
// that turns events into a dossier, dossier codes, fees and validation of an intake.
//
// It does no I/O and imports no project package outside domain/ (its subpackages
// calendar and citizen are pure as well), so every rule is a fast, table-driven test.
package domain
