// Package httpkit is the small toolkit that every client of an outside HTTP
// service in dayreport shares — the CRM adapters, the notification channels
// and the Google transport — so that each answers the same questions the
// same way:
//
//   - is a failure worth trying again? One classified Error (Retryable or
//     Permanent, with the wait the service asked for) and one default for
//     errors nobody classified: retryable (IsRetryable);
//   - what does an HTTP status mean? StatusKind;
//   - how long did the service ask us to wait? ParseRetryAfter, RetryAfter;
//   - how long do we wait before the next attempt? Backoff, Sleep;
//   - how does an error leave without a secret in it? Redactor, and
//     Redactor.TransportError for the failures of http.Client.Do.
//
// # The default for unclassified errors
//
// An error that no adapter or channel classified is retryable. Everything
// the toolkit sees is classified explicitly (statuses, transport failures,
// the services' own error codes), so an unclassified error is one nobody
// foresaw; the project's rule is that a rerun, a crash, a 429 or an outage
// never drops a record, and dropping is what a wrong "permanent" does (a
// record given up on, a reminder marked sent), while a wrong "retryable"
// costs one more attempt of an idempotent write or a bounded retry. A
// cancelled context is the exception: the caller gave up on the call, so
// IsRetryable says no (what happens next is the caller's business: the CRM
// outbox keeps the push for the next pass, notify leaves the message unsent
// for the next run).
//
// # Backoff
//
// Backoff is Google's truncated exponential backoff with jitter, the one
// ARCHITECTURE.md asks for. A library (github.com/cenkalti/backoff v4/v5)
// was weighed and not taken: its ExponentialBackOff is a stateful iterator
// with multiplicative randomisation around the interval, while both callers
// here need a pure function of the attempt number (crm.Retrier retries
// items of one batch at different attempts, and documents the formula its
// tests check), their own Retry-After floor, and an injectable sleep; what
// would be left to the library is the dozen lines of Delay.
package httpkit
