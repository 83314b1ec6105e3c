package bitrix24_test

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/crm/bitrix24"
	"github.com/dayreport/dayreport/pkg/crm/bitrix24/bitrix24fake"
	"github.com/dayreport/dayreport/pkg/crm/crmtest"
	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/report"
)

var date = day.New(2026, time.November, 26)

// suiteMetrics are the metric keys the conformance suite's records carry.
var suiteMetrics = []bitrix24.Metric{
	{Key: "new_calls", Label: "Новые звонки"}, {Key: "repeat_calls", Label: "Повторные звонки"},
	{Key: "proposals", Label: "КП"}, {Key: "invoices", Label: "Счета"},
	{Key: "contracts", Label: "Договоры"}, {Key: "payments", Label: "Оплаты"},
}

// portal is a fake portal prepared by Setup.
type portal struct {
	fake    *bitrix24fake.Fake
	cfg     config.Bitrix24CRM
	mapping bitrix24.Mapping
	logs    *syncBuffer
}

// newPortal starts a fake and runs Setup against it. With configured, the
// config carries Setup's field mapping; without, the adapter falls back to
// the default UF_CRM_<spa>_<KEY> names.
func newPortal(t testing.TB, fo bitrix24fake.Options, configured bool) *portal {
	t.Helper()
	fake := bitrix24fake.New(t, fo)
	cfg := config.Bitrix24CRM{WebhookURL: config.Secret(fake.WebhookURL()), RequestsPerSecond: bitrix24.DefaultRequestsPerSecond}
	m, err := bitrix24.Setup(context.Background(), cfg, bitrix24.SetupOptions{
		Options: bitrix24.Options{TimeScale: fo.Scale, HTTPClient: fake.Client()}, Metrics: suiteMetrics,
	})
	require.NoError(t, err)
	cfg.EntityTypeID, cfg.SPAID = m.EntityTypeID, m.SPAID
	if configured {
		cfg.Fields = m.Fields
	}
	return &portal{fake: fake, cfg: cfg, mapping: m, logs: &syncBuffer{}}
}

// adapter returns an adapter over the portal logging into p.logs.
func (p *portal) adapter(t testing.TB, opts bitrix24.Options) *bitrix24.Adapter {
	t.Helper()
	if opts.Logger == nil {
		l := zerolog.New(p.logs).Level(zerolog.DebugLevel)
		opts.Logger = &l
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = p.fake.Client() // an InProcess fake's; nil otherwise
	}
	a, err := bitrix24.New(p.cfg, opts)
	require.NoError(t, err)
	return a
}

// secrets are the values that must never be printed.
func (p *portal) secrets() []string { return []string{p.fake.Code(), p.fake.WebhookURL()} }

// requireNoSecret fails when text holds one of the portal's secrets.
func (p *portal) requireNoSecret(t testing.TB, what, text string) {
	t.Helper()
	for _, s := range p.secrets() {
		require.NotContains(t, text, s, "%s leaks a secret", what)
	}
}

// requestsSince returns the requests after the first n.
func requestsSince(f *bitrix24fake.Fake, n int) []bitrix24fake.Request {
	return f.Requests()[n:]
}

// shape summarises requests as "method" or "batch:add,update,…".
func shape(reqs []bitrix24fake.Request) []string {
	out := make([]string, len(reqs))
	for i, r := range reqs {
		s := r.Method
		if r.Method == "batch" {
			s += ":"
			for j, c := range r.Commands {
				if j > 0 {
					s += ","
				}
				switch c {
				case "crm.item.add":
					s += "add"
				case "crm.item.update":
					s += "update"
				default:
					s += c
				}
			}
		}
		out[i] = s
	}
	return out
}

// record is a submitted record of employee with some metrics.
func record(employee string, calls float64) crm.Record {
	return crmtest.Record(employee, date, report.Submitted, map[string]float64{"new_calls": calls, "payments": 1000})
}

// pushes wraps records as pushes without object ids.
func pushes(recs ...crm.Record) []crm.Push {
	out := make([]crm.Push, len(recs))
	for i, r := range recs {
		out[i] = crm.Push{Record: r}
	}
	return out
}

// instantRetrier retries without sleeping.
func instantRetrier(a crm.Adapter, attempts int) *crm.Retrier {
	return &crm.Retrier{
		Adapter: a, MaxAttempts: attempts, MaxElapsed: -1,
		Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() },
	}
}

// syncBuffer is a log sink safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
