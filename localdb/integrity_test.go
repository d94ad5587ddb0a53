package localdb

import (
	"context"
	"testing"
)

// The integrity check must not report FTS5 corruption on a healthy store, however the
// read pool's connections were used before: with the check on a pooled reader that had
// searched, round 15 reported "fts5: corruption found reading blob" every time.
func TestIntegrityCheckHealthyAfterWritesAndSearches(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t, vnTime(2026, 3, 2, 9, 0))
	for round := 0; round < 30; round++ {
		if _, err := s.Receive(ctx, admin, birthIntake()); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 4; i++ {
			if _, err := s.Search(ctx, "nguyen", 10); err != nil {
				t.Fatal(err)
			}
		}
		res, err := s.Verify(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if res.Integrity != "ok" {
			t.Fatalf("round %d: %s", round, res.Integrity)
		}
	}
}
