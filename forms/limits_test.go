package forms

import (
	"strings"
	"testing"
	"time"

	"motcua/domain"
)

// Every declaration the app ships, with every value at its longest, fits the limits of one
// event (domain.Event.CheckLimits), so the city never refuses a declaration filled in at
// the counter for its size.
func TestDeclarationsFitEventLimits(t *testing.T) {
	decls := DefaultDeclarations()
	for _, id := range decls.IDs() {
		tpl, _ := decls.Get(id)
		values := map[string]string{}
		for _, in := range tpl.Inputs() {
			values[in.Key] = strings.Repeat("ễ", domain.MaxDeclarationValue) // 3 bytes each in UTF-8
		}
		at := time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)
		e, err := domain.NewEvent("0190a1b2-0000-7000-8000-000000000001", domain.StreamDossier, "0190a1b2-0000-7000-8000-000000000002",
			domain.EvFormPrepared, domain.FormPreparedPayload{Template: tpl.ID, Values: values}, "canbo1",
			"0190a1b2-0000-7000-8000-000000000003", "000.00.06.H56", at, domain.MakeHLC(at.UnixMilli(), 0))
		if err != nil {
			t.Fatal(err)
		}
		if err := e.CheckLimits(); err != nil {
			t.Errorf("%s (%d values, %d bytes): %v", id, len(values), len(e.Payload), err)
		}
	}
}
