package daemon

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/dayreport/dayreport/pkg/source"
)

// Handler serves the daemon's HTTP endpoints (SPEC §9):
//
//	/healthz  200 "ok" while the process serves at all
//	/readyz   200 when the state database answers, the last pass did not fail,
//	          the schedule is loaded and its last run was not kept out by
//	          another process's pass lock; 503 with the reasons otherwise
//	/metrics  Prometheus
//	/status   JSON: the running job, the last passes, the next scheduled runs,
//	          the leadership (this instance, whether it leads, who does) and
//	          the runs skipped
func (d *Daemon) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", d.readyz)
	mux.HandleFunc("GET /status", d.status)
	mux.Handle("GET /metrics", promhttp.HandlerFor(d.metrics.Registry, promhttp.HandlerOpts{}))
	return mux
}

// readiness is the body of /readyz.
type readiness struct {
	Ready    bool     `json:"ready"`
	Problems []string `json:"problems,omitempty"`
	// Leadership among replicas (PostgreSQL only): a replica standing by is
	// ready too; it takes over when the leader dies.
	Leadership *leadership `json:"leadership,omitempty"`
}

func (d *Daemon) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	var res readiness
	if err := d.e.Store.Ping(ctx); err != nil {
		res.Problems = append(res.Problems, "state database: "+err.Error())
	} else if last, err := d.e.Store.PassHistory(ctx, 1); err != nil {
		res.Problems = append(res.Problems, "pass history: "+err.Error())
	} else if len(last) == 1 && last[0].Result == "failed" {
		res.Problems = append(res.Problems, "the last pass failed: "+last[0].Error)
	}
	if len(d.entries) == 0 {
		res.Problems = append(res.Problems, "no schedule loaded")
	}
	d.mu.Lock()
	if d.skips.LockedNow && d.skips.Last != nil {
		res.Problems = append(res.Problems, "the last scheduled run was skipped: "+d.skips.Last.Reason)
	}
	d.mu.Unlock()
	res.Ready = len(res.Problems) == 0
	if d.ha() {
		l := d.leadership()
		res.Leadership = &l
	}
	code := http.StatusOK
	if !res.Ready {
		code = http.StatusServiceUnavailable
	}
	writeJSONStatus(w, code, res)
}

// passStatus is one pass in /status.
type passStatus struct {
	ID         int64      `json:"id"`
	Kind       string     `json:"kind"`
	Date       string     `json:"date,omitempty"`
	StartedAt  time.Time  `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
	Result     string     `json:"result,omitempty"`
	Error      string     `json:"error,omitempty"`
}

// statusBody is the body of /status.
type statusBody struct {
	Running    string               `json:"running,omitempty"`
	NextRuns   map[string]time.Time `json:"next_runs"`
	LastPasses []passStatus         `json:"last_passes"`
	// Leadership: this replica, whether it leads, and who does.
	Leadership leadership `json:"leadership"`
	// Skipped counts the scheduled runs skipped since the start, and why
	// the last one was.
	Skipped skips `json:"skipped"`
	// PlanProblems are the cells of the manager sheet's План tab the last
	// pass could not use, each with its place.
	PlanProblems []source.PlanProblem `json:"plan_problems,omitempty"`
}

func (d *Daemon) status(w http.ResponseWriter, r *http.Request) {
	d.mu.Lock()
	body := statusBody{Running: d.running, NextRuns: d.nextRuns(), LastPasses: []passStatus{}, Skipped: d.skips}
	d.mu.Unlock()
	body.Leadership = d.leadership()
	body.PlanProblems = d.e.PlanProblems()
	passes, err := d.e.Store.PassHistory(r.Context(), 20)
	if err != nil {
		writeJSONStatus(w, http.StatusServiceUnavailable, map[string]string{"error": err.Error()})
		return
	}
	for _, p := range passes {
		ps := passStatus{ID: p.ID, Kind: p.Kind, StartedAt: p.StartedAt, Result: p.Result, Error: p.Error}
		if !p.Date.IsZero() {
			ps.Date = p.Date.String()
		}
		if !p.FinishedAt.IsZero() {
			t := p.FinishedAt
			ps.FinishedAt = &t
		}
		body.LastPasses = append(body.LastPasses, ps)
	}
	writeJSONStatus(w, http.StatusOK, body)
}

func writeJSONStatus(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
