package central

import (
	"context"
	"fmt"
	gosync "sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"motcua/domain"
	"motcua/sync/api"
)

// backlog makes n events of one device: dossiers received, forwarded and made ready, three
// events each, as a counter produces them.
func backlog(dev Device, n int, start time.Time) []domain.Event {
	clock := domain.NewClock(func() time.Time { return start })
	out := make([]domain.Event, 0, n)
	for i := 0; len(out) < n; i++ {
		sid := uuid.Must(uuid.NewV7()).String()
		at := start.Add(time.Duration(i) * time.Second)
		code, _ := domain.NewDossierCode(dev.Unit, start.AddDate(0, 0, i/999), dev.Slot, i%999+1)
		p := domain.ReceivedPayload{Code: code.String(),
			Procedure: domain.ProcedureRef{Code: "1.001193", Name: "Thủ tục đăng ký khai sinh", FieldCode: "HT", Field: "Hộ tịch",
				CatalogueVersion: "2026.1", Time: domain.ProcessingTime{Unit: domain.TimeSameDay}, ResultType: "Giấy khai sinh"},
			Applicant: domain.Person{Name: "Nguyễn Văn An", IDNumber: "001099012345", Phone: "0912345678", Address: "Thôn Đông, xã An Hưng"},
			Subject:   domain.SubjectCitizen, Channel: domain.ChannelDirect, Summary: "Đăng ký khai sinh cho con",
			Documents: []domain.DocumentItem{{Code: "TK", Name: "Tờ khai", Form: domain.FormOriginal, Count: 1}},
			Sets:      1, DueAt: at.Add(8 * time.Hour)}
		add := func(typ domain.EventType, payload any, at time.Time) {
			if len(out) == n {
				return
			}
			e, _ := domain.NewEvent(uuid.Must(uuid.NewV7()).String(), domain.StreamDossier, sid, typ, payload, "lan", dev.ID, dev.Unit, at, clock.Now())
			out = append(out, signed(e))
		}
		add(domain.EvReceived, p, at)
		add(domain.EvForwarded, domain.StepPayload{Agency: "Công chức Tư pháp - Hộ tịch"}, at.Add(time.Minute))
		add(domain.EvResultReady, domain.ResultReadyPayload{Agency: "UBND xã", Result: "Giấy khai sinh"}, at.Add(time.Hour))
	}
	return out
}

// BenchmarkCentralPush pushes a workstation's backlog in batches of 1,000 events (the
// protocol's batch) on the current half's store: …/sqlite, then …/postgres when
// MOTCUA_TEST_PG is set (scripts/testpg.sh go test -run '^$' -bench CentralPush ./sync/central/).
func BenchmarkCentralPush(b *testing.B) {
	b.Run(storeName(), func(b *testing.B) {
		ctx := context.Background()
		c, err := OpenCentral(ctx, testConfig(b, b.TempDir()))
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		code, _, _ := c.IssueEnrollCode(ctx, "000.00.06.H56", "Xã An Hưng", 1)
		resp, err := c.Enroll(ctx, apiEnroll(code))
		if err != nil {
			b.Fatal(err)
		}
		dev, _ := c.Authenticate(ctx, resp.Token)
		evs := backlog(dev, b.N*1000, time.Date(2026, 3, 2, 8, 0, 0, 0, domain.VN()))
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if _, err := c.Push(ctx, dev, evs[i*1000:(i+1)*1000]); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "events/s")
	})
}

func apiEnroll(code string) api.EnrollRequest { return enrollReq(code, "") }

// BenchmarkCentralPushStorm is the reconnect storm in miniature: 16 workstations of 8 units
// push 1,000-event batches at once (b.N batches in all, straight into Central, no HTTP), on
// the current half's store. events/s is the aggregate the store sustains.
func BenchmarkCentralPushStorm(b *testing.B) {
	b.Run(storeName(), func(b *testing.B) {
		ctx := context.Background()
		c, err := OpenCentral(ctx, testConfig(b, b.TempDir()))
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		const stations = 16
		devs := make([]Device, stations)
		for i := range devs {
			u := fmt.Sprintf("000.00.%02d.H56", 10+i/2)
			code, _, err := c.IssueEnrollCode(ctx, u, "Xã "+u, i%2+1)
			if err != nil {
				b.Fatal(err)
			}
			resp, err := c.Enroll(ctx, apiEnroll(code))
			if err != nil {
				b.Fatal(err)
			}
			devs[i], _ = c.Authenticate(ctx, resp.Token)
		}
		batches := make([][][]domain.Event, stations)
		for n := 0; n < b.N; n++ {
			i := n % stations
			batches[i] = append(batches[i], nil)
		}
		start := time.Date(2026, 3, 2, 8, 0, 0, 0, domain.VN())
		for i, d := range devs {
			evs := backlog(d, len(batches[i])*1000, start)
			for k := range batches[i] {
				batches[i][k] = evs[k*1000 : (k+1)*1000]
			}
		}
		b.ResetTimer()
		var wg gosync.WaitGroup
		for i, d := range devs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for _, batch := range batches[i] {
					if _, err := c.Push(ctx, d, batch); err != nil {
						b.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
		b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "events/s")
	})
}
