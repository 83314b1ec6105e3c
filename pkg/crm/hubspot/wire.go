package hubspot

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/httpkit"
)

// upsertRequest is the body of POST …/batch/upsert.
type upsertRequest struct {
	Inputs []upsertInput `json:"inputs"`
}

type upsertInput struct {
	IDProperty         string            `json:"idProperty"`
	ID                 string            `json:"id"`
	ObjectWriteTraceID string            `json:"objectWriteTraceId,omitempty"`
	Properties         map[string]string `json:"properties"`
}

// batchResponse is the answer of a batch upsert (200, or 207 with errors).
type batchResponse struct {
	Status    string        `json:"status"` // PENDING, PROCESSING, CANCELED, COMPLETE
	Results   []batchResult `json:"results"`
	Errors    []batchError  `json:"errors"`
	NumErrors int           `json:"numErrors"`
}

type batchResult struct {
	ID                 string `json:"id"`
	New                bool   `json:"new"`
	ObjectWriteTraceID string `json:"objectWriteTraceId"`
	// Properties holds only what the adapter reads back, so that the
	// decoder skips the rest.
	Properties struct {
		ReportKey string `json:"report_key"`
	} `json:"properties"`
}

// batchError is one entry of a batch answer's errors. Every field is
// optional; context maps names to lists of values (the inputs concerned).
type batchError struct {
	ID       string                     `json:"id"`
	Status   string                     `json:"status"`
	Category string                     `json:"category"`
	Message  string                     `json:"message"`
	Context  map[string]json.RawMessage `json:"context"`
	Errors   []subError                 `json:"errors"`
}

type subError struct {
	Message string          `json:"message"`
	Code    string          `json:"code"`
	In      string          `json:"in"`
	Context json.RawMessage `json:"context"`
}

// apiError is the body of a failed request: HubSpot's standard error, or
// the rate-limit answer (errorType, policyName).
type apiError struct {
	Status     string                     `json:"status"`
	Message    string                     `json:"message"`
	Category   string                     `json:"category"`
	ErrorType  string                     `json:"errorType"`
	PolicyName string                     `json:"policyName"`
	Context    map[string]json.RawMessage `json:"context"`
	Errors     []subError                 `json:"errors"`
}

// asBatchErrors returns the error as one batch error, for naming inputs.
func (e *apiError) asBatchErrors() []batchError {
	return []batchError{{Status: e.Status, Category: e.Category, Message: e.Message, Context: e.Context, Errors: e.Errors}}
}

// contextNames are the context keys whose values name inputs.
var contextNames = []string{"objectWriteTraceId", "objectWriteTraceIds", "ids", "id"}

// inputs returns the inputs an error names.
func (e *batchError) inputs() []string {
	var out []string
	if e.ID != "" {
		out = append(out, e.ID)
	}
	for _, k := range contextNames {
		raw, ok := e.Context[k]
		if !ok {
			continue
		}
		var list []string
		var one string
		switch {
		case json.Unmarshal(raw, &list) == nil:
			out = append(out, list...)
		case json.Unmarshal(raw, &one) == nil:
			out = append(out, one)
		}
	}
	return out
}

// retryableCategory reports error categories that a later attempt may pass.
func retryableCategory(category string) bool {
	c := strings.ToUpper(category)
	for _, s := range []string{"RATE_LIMIT", "INTERNAL", "UNAVAILABLE", "TIMEOUT", "LOCKED", "TOO_MANY"} {
		if strings.Contains(c, s) {
			return true
		}
	}
	return false
}

// describe renders an error's category, message and details, shortened.
func (a *Adapter) describe(category, message string, subs []subError) string {
	var b strings.Builder
	if category != "" {
		b.WriteString(category)
	}
	if message != "" {
		if b.Len() > 0 {
			b.WriteString(": ")
		}
		b.WriteString(message)
	}
	for i, s := range subs {
		if i == 3 {
			b.WriteString("; …")
			break
		}
		if s.Message == "" {
			continue
		}
		b.WriteString("; ")
		if s.In != "" {
			b.WriteString(s.In + ": ")
		}
		b.WriteString(s.Message)
		if s.Code != "" {
			b.WriteString(" (" + s.Code + ")")
		}
	}
	return a.scrub.Redact(truncate(b.String(), 400))
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s + "…"
}

// itemError classifies one input's error from a batch answer.
func (a *Adapter) itemError(key string, e *batchError) error {
	err := fmt.Errorf("hubspot: %s: %s", key, a.describe(e.Category, e.Message, e.Errors))
	if code, convErr := strconv.Atoi(e.Status); convErr == nil && (code == http.StatusTooManyRequests || code >= 500) {
		return crm.RetryableError(err, 0)
	}
	if retryableCategory(e.Category) {
		return crm.RetryableError(err, 0)
	}
	return crm.PermanentError(err)
}

// outcomes matches a batch answer to the inputs. For a 2xx answer (rejected
// nil) it returns one Result per input. For a request rejected as a whole
// (rejected set) it returns nil unless the errors name inputs of the batch;
// then the named inputs fail with their errors and the others retryably.
func (a *Adapter) outcomes(inputs []upsertInput, br *batchResponse, rejected error) []crm.Result {
	index := make(map[string]int, len(inputs)) // trace id and key → input
	for i, in := range inputs {
		index[in.ID] = i
		if in.ObjectWriteTraceID != "" {
			index[in.ObjectWriteTraceID] = i
		}
	}
	out := make([]crm.Result, len(inputs))
	named := 0
	var unnamed []*batchError
	for k := range br.Errors {
		e := &br.Errors[k]
		hit := false
		for _, name := range e.inputs() {
			i, ok := index[name]
			if !ok || out[i].Err != nil {
				continue
			}
			hit = true
			named++
			out[i].Err = a.itemError(inputs[i].ID, e)
			if rejected != nil && crm.IsRetryable(out[i].Err) && !crm.IsRetryable(rejected) {
				out[i].Err = crm.PermanentError(errors.Unwrap(out[i].Err)) // the status said it is the request's fault
			}
		}
		if !hit {
			unnamed = append(unnamed, e)
		}
	}
	if rejected != nil {
		if named == 0 {
			return nil
		}
		for i := range out {
			if out[i].Err == nil {
				out[i].Err = crm.RetryableError(fmt.Errorf("hubspot: %s: not written: HubSpot rejected the batch for another input (%s)", inputs[i].ID, httpkit.Message(rejected)), 0)
			}
		}
		return out
	}
	for k := range br.Results {
		r := &br.Results[k]
		i, ok := index[r.ObjectWriteTraceID]
		if !ok || r.ObjectWriteTraceID == "" {
			if i, ok = index[r.Properties.ReportKey]; !ok || r.Properties.ReportKey == "" {
				continue
			}
		}
		if r.ID == "" {
			continue
		}
		out[i] = crm.Result{ObjectID: r.ID} // a result wins over an error for the same input
	}
	for i := range out {
		if out[i].ObjectID != "" || out[i].Err != nil {
			continue
		}
		switch {
		case len(unnamed) > 0:
			e := *unnamed[0]
			err := a.itemError(inputs[i].ID, &e)
			if len(inputs) > 1 { // it may not be about this input: sending it again is harmless
				err = crm.RetryableError(errors.Unwrap(err), 0)
			}
			out[i].Err = err
		default:
			status := br.Status
			if status == "" {
				status = "no status"
			}
			out[i].Err = crm.RetryableError(fmt.Errorf("hubspot: %s: no result for this input in the answer (%s)", inputs[i].ID, status), 0)
		}
	}
	return out
}

// classify returns the error of a request that failed as a whole.
func (a *Adapter) classify(resp *http.Response, ae *apiError, now time.Time) error {
	what := "hubspot: POST batch/upsert: " + resp.Status
	if resp.Status == "" {
		what = fmt.Sprintf("hubspot: POST batch/upsert: %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	detail := a.describe(ae.Category, ae.Message, ae.Errors)
	with := func(hint string) error {
		msg := what
		if hint != "" {
			msg += ": " + hint
		}
		if detail != "" {
			msg += " (" + detail + ")"
		}
		return errors.New(msg)
	}
	code := resp.StatusCode
	switch {
	case code == http.StatusUnauthorized:
		return crm.PermanentError(with("HubSpot refused the token: crm.hubspot.token is wrong, expired or revoked"))
	case code == http.StatusForbidden:
		hint := "the token lacks a scope this call needs (a private app needs crm.objects.custom.write)"
		if scopes := missingScopes(ae); len(scopes) > 0 {
			hint = "the token lacks the scope " + strings.Join(scopes, ", ")
		}
		return crm.PermanentError(with(hint))
	case code == http.StatusNotFound:
		return crm.PermanentError(with("no such custom object type in this account (crm.hubspot.object_type)"))
	case code == http.StatusTooManyRequests:
		after, hint := rateLimitWait(resp.Header, ae, now, "rate limit", a.window,
			"the daily API limit is reached; the push waits for a later pass")
		return crm.RetryableError(with(hint), after)
	case code == http.StatusRequestTimeout, code == http.StatusLocked, code == 477, code >= 500:
		return crm.RetryableError(with(""), httpkit.RetryAfter(resp.Header, now, crm.MaxRetryAfter))
	case code >= 300 && code < 400:
		return crm.PermanentError(with("redirects are not followed; check crm.hubspot.base_url"))
	default:
		return crm.PermanentError(with(""))
	}
}

// rateLimitWait is the wait a 429 asks for, and a hint naming the limit:
// Retry-After, else HubSpot's interval header, else window (the limit's own
// window); an hour at least for the daily limit, hinted as daily.
func rateLimitWait(h http.Header, ae *apiError, now time.Time, limit string, window time.Duration, daily string) (time.Duration, string) {
	policy := strings.ToUpper(ae.PolicyName)
	hint := limit + " reached"
	if policy != "" {
		hint += " (" + policy + ")"
	}
	after := httpkit.RetryAfter(h, now, crm.MaxRetryAfter)
	if after == 0 {
		if ms, err := strconv.ParseInt(strings.TrimSpace(h.Get("X-HubSpot-RateLimit-Interval-Milliseconds")), 10, 64); err == nil && ms > 0 {
			after = time.Duration(min(ms, int64(crm.MaxRetryAfter/time.Millisecond))) * time.Millisecond
		} else {
			after = window
		}
	}
	if policy == "DAILY" {
		hint = daily
		after = max(after, time.Hour)
	}
	return after, hint
}

// missingScopes reads the scopes a 403 names in its errors' context.
func missingScopes(ae *apiError) []string {
	var out []string
	add := func(raw json.RawMessage) {
		var m map[string]json.RawMessage
		if json.Unmarshal(raw, &m) != nil {
			return
		}
		for k, v := range m {
			if !strings.Contains(strings.ToLower(k), "scope") {
				continue
			}
			var list []string
			if json.Unmarshal(v, &list) == nil {
				out = append(out, list...)
			}
		}
	}
	for _, s := range ae.Errors {
		add(s.Context)
	}
	if b, err := json.Marshal(ae.Context); err == nil {
		add(b)
	}
	slices.Sort(out)
	return slices.Compact(out)
}
