package googlefake

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"sync"
	"time"
)

// errorBody is Google's JSON error envelope. Docs and Sheets (One Platform)
// fill status and details; Drive v3 fills errors.
type errorBody struct {
	Error errorPayload `json:"error"`
}

type errorPayload struct {
	Code    int         `json:"code"`
	Message string      `json:"message"`
	Errors  []errorItem `json:"errors,omitempty"`
	Status  string      `json:"status,omitempty"`
	Details []any       `json:"details,omitempty"`
}

type errorItem struct {
	Message      string `json:"message"`
	Domain       string `json:"domain"`
	Reason       string `json:"reason"`
	Location     string `json:"location,omitempty"`
	LocationType string `json:"locationType,omitempty"`
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		code = http.StatusInternalServerError
		b = []byte(`{"error":{"code":500,"message":"googlefake: cannot encode the response","status":"INTERNAL"}}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(code)
	_, _ = w.Write(b)
}

// writeError answers the One Platform error body of Docs and Sheets.
func writeError(w http.ResponseWriter, code int, status, message string) {
	writeJSON(w, code, errorBody{Error: errorPayload{Code: code, Message: message, Status: status}})
}

func badRequest(w http.ResponseWriter, format string, args ...any) {
	writeError(w, http.StatusBadRequest, "INVALID_ARGUMENT", fmt.Sprintf(format, args...))
}

func notFound(w http.ResponseWriter) {
	writeError(w, http.StatusNotFound, "NOT_FOUND", "Requested entity was not found.")
}

// writeDriveError answers Drive v3's error body (with the legacy errors list).
func writeDriveError(w http.ResponseWriter, code int, item errorItem) {
	writeJSON(w, code, errorBody{Error: errorPayload{Code: code, Message: item.Message, Errors: []errorItem{item}}})
}

func writeDriveUserRateLimit(w http.ResponseWriter) {
	writeDriveError(w, http.StatusForbidden, errorItem{
		Domain: "usageLimits", Reason: "userRateLimitExceeded",
		Message: "User rate limit exceeded. Rate of requests for user exceed configured project quota.",
	})
}

var quotaNames = map[string]struct{ service, metric, limit, metricName, limitID string }{
	"docs.read":    {"docs.googleapis.com", "Read requests", "Read requests per minute per user", "docs.googleapis.com/read_requests", "ReadRequestsPerMinutePerUser"},
	"sheets.read":  {"sheets.googleapis.com", "Read requests", "Read requests per minute per user", "sheets.googleapis.com/read_requests", "ReadRequestsPerMinutePerUser"},
	"sheets.write": {"sheets.googleapis.com", "Write requests", "Write requests per minute per user", "sheets.googleapis.com/write_requests", "WriteRequestsPerMinutePerUser"},
}

// quotaExceeded answers a spent quota: Docs and Sheets say 429
// RESOURCE_EXHAUSTED with an ErrorInfo detail; Drive says 403
// userRateLimitExceeded.
func (s *Server) quotaExceeded(w http.ResponseWriter, api, kind string, limit int) {
	if api == APIDrive {
		writeDriveUserRateLimit(w)
		return
	}
	n, ok := quotaNames[api+"."+kind]
	if !ok {
		n = quotaNames["sheets.read"]
	}
	msg := fmt.Sprintf("Quota exceeded for quota metric '%s' and limit '%s' of service '%s' for consumer 'project_number:000000000000'.",
		n.metric, n.limit, n.service)
	writeJSON(w, http.StatusTooManyRequests, errorBody{Error: errorPayload{
		Code: http.StatusTooManyRequests, Message: msg, Status: "RESOURCE_EXHAUSTED",
		Details: []any{
			map[string]any{
				"@type":  "type.googleapis.com/google.rpc.ErrorInfo",
				"reason": "RATE_LIMIT_EXCEEDED",
				"domain": "googleapis.com",
				"metadata": map[string]string{
					"service":           n.service,
					"quota_metric":      n.metricName,
					"quota_limit":       n.limitID,
					"quota_limit_value": fmt.Sprint(limit),
					"quota_location":    "global",
					"consumer":          "projects/000000000000",
				},
			},
			map[string]any{
				"@type": "type.googleapis.com/google.rpc.Help",
				"links": []map[string]string{{
					"description": "Request a higher quota limit.",
					"url":         "https://cloud.google.com/docs/quotas/help/request_increase",
				}},
			},
		},
	}})
}

// bucket is a per-minute quota: a token bucket holding perMinute tokens,
// refilled continuously at perMinute per (scaled) minute.
type bucket struct {
	perMinute int
	rate      float64 // tokens per real second
	mu        sync.Mutex
	tokens    float64
	last      time.Time
}

func newBucket(perMinute int, scale float64, start time.Time) *bucket {
	return &bucket{perMinute: perMinute, rate: float64(perMinute) * scale / 60, tokens: float64(perMinute), last: start}
}

// take spends a token if one is there; unlimited buckets always succeed.
func (b *bucket) take(now time.Time) bool {
	if b == nil || b.perMinute < 0 {
		return true
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if dt := now.Sub(b.last).Seconds(); dt > 0 {
		b.tokens = math.Min(float64(b.perMinute), b.tokens+dt*b.rate)
		b.last = now
	}
	if b.tokens < 1-1e-9 {
		return false
	}
	b.tokens--
	return true
}

// apiMessage is an error whose text is an API error message, worded (and
// capitalised) the way Google words it, sent to the client as is.
type apiMessage string

func (m apiMessage) Error() string { return string(m) }

// apiErrorf formats an API error message.
func apiErrorf(format string, args ...any) error {
	return apiMessage(fmt.Sprintf(format, args...))
}
