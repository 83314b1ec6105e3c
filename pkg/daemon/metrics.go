// Package daemon is `dayreport run`: the schedule (cron times; the production
// calendar decides the days), the leader lease among replicas on PostgreSQL,
// the catch-up of runs missed while no replica ran, and the HTTP endpoints
// (/healthz, /readyz, /metrics, /status). Each scheduled run is a pass of
// pkg/pass.
package daemon

import (
	"runtime"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/dayreport/dayreport/pkg/pass"
	"github.com/dayreport/dayreport/pkg/report"
)

// Metrics are the Prometheus metrics of SPEC §9. A nil *Metrics records
// nothing, so one-shot commands need none.
type Metrics struct {
	Registry *prometheus.Registry

	passes       *prometheus.CounterVec
	passDuration *prometheus.HistogramVec
	reports      *prometheus.CounterVec
	crmPushes    *prometheus.CounterVec
	outboxDepth  *prometheus.GaugeVec
	google       *prometheus.CounterVec
	skipped      *prometheus.CounterVec
	panics       prometheus.Counter
	lastPass     *prometheus.GaugeVec
	leader       prometheus.Gauge
	takeovers    prometheus.Counter
	locked       *prometheus.CounterVec
	buildInfo    *prometheus.GaugeVec
}

// NewMetrics registers the metrics on a new registry (with the Go and process
// collectors).
func NewMetrics() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		passes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dayreport_passes_total", Help: "Passes by kind (sync, close-day, backfill) and result (ok, partial, failed, stopped).",
		}, []string{"kind", "result"}),
		passDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "dayreport_pass_duration_seconds", Help: "Wall time of a pass.",
			Buckets: []float64{0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600},
		}, []string{"kind"}),
		reports: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dayreport_reports_total", Help: "Employee-days judged by passes, by status (each pass counts again).",
		}, []string{"status"}),
		crmPushes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dayreport_crm_pushes_total", Help: "CRM pushes by adapter and result (ok, failed).",
		}, []string{"adapter", "result"}),
		outboxDepth: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "dayreport_outbox_depth", Help: "Records waiting in the outbox after the last pass.",
		}, []string{"adapter"}),
		google: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dayreport_google_requests_total", Help: "Google API requests by API (docs, sheets, drive) and HTTP code.",
		}, []string{"api", "code"}),
		skipped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dayreport_skipped_runs_total", Help: "Scheduled runs skipped because another run was still going.",
		}, []string{"job"}),
		panics: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "dayreport_job_panics_total", Help: "Scheduled jobs that panicked (recovered).",
		}),
		lastPass: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "dayreport_last_pass_timestamp_seconds", Help: "When the last pass of a kind finished, by result.",
		}, []string{"kind", "result"}),
		leader: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "dayreport_leader", Help: "1 while this replica leads (runs the schedule), 0 while it stands by.",
		}),
		takeovers: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "dayreport_leader_takeovers_total", Help: "Times this replica became the leader.",
		}),
		locked: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dayreport_locked_runs_total", Help: "Scheduled runs skipped because another process held the pass lock on the state database.",
		}, []string{"job"}),
		buildInfo: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "dayreport_build_info", Help: "1, labelled with the version of dayreport and of Go it was built with.",
		}, []string{"version", "goversion"}),
	}
	m.Registry.MustRegister(m.passes, m.passDuration, m.reports, m.crmPushes, m.outboxDepth, m.google,
		m.skipped, m.panics, m.lastPass, m.leader, m.takeovers, m.locked, m.buildInfo,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

var _ pass.Observer = (*Metrics)(nil)

// Results a pass finishes with (the result label of dayreport_passes_total).
var passResults = []string{"ok", "partial", "failed", "stopped", "cancelled"}

// start creates every series a fresh daemon can know, at zero: an alert on
// the absence of passes (an increase() over a counter that does not exist
// yet never fires) works from the start, not only after the first pass.
func (m *Metrics) start(adapter string, jobs []string) {
	if m == nil {
		return
	}
	for _, kind := range []string{pass.KindSync, pass.KindCloseDay} {
		for _, r := range passResults {
			m.passes.WithLabelValues(kind, r)
		}
		m.passDuration.WithLabelValues(kind)
	}
	for _, st := range report.Statuses {
		m.reports.WithLabelValues(string(st))
	}
	m.crmPushes.WithLabelValues(adapter, "ok")
	m.crmPushes.WithLabelValues(adapter, "failed")
	m.outboxDepth.WithLabelValues(adapter)
	for _, j := range jobs {
		m.skipped.WithLabelValues(j)
		m.locked.WithLabelValues(j)
	}
}

// SetBuildInfo sets dayreport_build_info{version, goversion} to 1.
func (m *Metrics) SetBuildInfo(version string) {
	if m == nil {
		return
	}
	m.buildInfo.Reset()
	m.buildInfo.WithLabelValues(version, runtime.Version()).Set(1)
}

// PassFinished records a finished pass (pass.Observer).
func (m *Metrics) PassFinished(kind, result string, took time.Duration, at time.Time) {
	if m == nil {
		return
	}
	m.passes.WithLabelValues(kind, result).Inc()
	m.passDuration.WithLabelValues(kind).Observe(took.Seconds())
	m.lastPass.WithLabelValues(kind, result).Set(float64(at.Unix()))
}

// Judged records what a pass judged and pushed (pass.Observer).
func (m *Metrics) Judged(res *pass.Result) {
	if m == nil {
		return
	}
	for _, e := range res.Employees {
		m.reports.WithLabelValues(string(e.Status)).Inc()
	}
	m.crmPushes.WithLabelValues(res.CRM.Adapter, "ok").Add(float64(res.CRM.Pushed))
	m.crmPushes.WithLabelValues(res.CRM.Adapter, "failed").Add(float64(res.CRM.Failed))
	m.outboxDepth.WithLabelValues(res.CRM.Adapter).Set(float64(res.CRM.Queued))
}

// GoogleRequest counts one request to a Google API (the google clients' hook).
func (m *Metrics) GoogleRequest(api string, code int) {
	if m == nil {
		return
	}
	m.google.WithLabelValues(api, strconv.Itoa(code)).Inc()
}

// leading records whether this replica leads; took is true on a takeover.
func (m *Metrics) leading(on, took bool) {
	if m == nil {
		return
	}
	if on {
		m.leader.Set(1)
	} else {
		m.leader.Set(0)
	}
	if took {
		m.takeovers.Inc()
	}
}

func (m *Metrics) skip(job string) {
	if m != nil {
		m.skipped.WithLabelValues(job).Inc()
	}
}

func (m *Metrics) lockedOut(job string) {
	if m != nil {
		m.locked.WithLabelValues(job).Inc()
	}
}

func (m *Metrics) panicked() {
	if m != nil {
		m.panics.Inc()
	}
}
