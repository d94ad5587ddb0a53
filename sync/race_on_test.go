//go:build race

package sync

// raceEnabled: the race detector slows modernc.org/sqlite (C translated to Go) about
// tenfold, so the largest scenario runs scaled down under -race; the full size runs without.
const raceEnabled = true
