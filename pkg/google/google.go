// Package google builds the Google Docs, Sheets and Drive clients dayreport
// uses: the real google.golang.org/api services over an HTTP client that
// authenticates, keeps under the per-minute quotas and retries what Google
// says to retry.
//
// Every client sends its requests through one chain:
//
//	retry (truncated exponential backoff) → rate limiter → auth → base transport
//
// Each link works as follows.
//
//   - Auth: a service-account key (Options.CredentialsFile, loaded with the
//     typed loader and checked to be a service-account key with Google's token
//     endpoint; Options.Subject for domain-wide delegation) or Application
//     Default Credentials when no file is given, always with the one minimal
//     scope of the API (documents.readonly, spreadsheets.readonly,
//     drive.metadata.readonly; spreadsheets for the summary writer). With
//     Options.Endpoint set (an emulator such as pkg/googlefake) no
//     credentials are loaded and no Authorization header is sent.
//   - Rate limits: a token bucket per API and kind (Docs reads, Sheets reads,
//     Sheets writes, Drive queries) sized to Google's per-user quota or the
//     configured one; every attempt, retries included, takes a token. See
//     Options for the sizes.
//   - Retries: on 429, on 5xx (but 501), on 403 whose reason is
//     rateLimitExceeded or userRateLimitExceeded, on transport errors, on an
//     attempt that ran out of Options.AttemptTimeout, and on a GET whose 2xx
//     answer came cut short (the connection dropped mid-body, or a JSON body
//     that does not parse): a GET's body is read whole within its attempt. The wait before retry n
//     (0-based) is min(Base·2ⁿ + jitter, Max) with jitter up to Base — Google's
//     "2ⁿ seconds plus up to 1000 random milliseconds, at most 32 seconds" —
//     and never less than a Retry-After header (or google.rpc.RetryInfo)
//     asks. Retries stop after Options.MaxAttempts attempts, when the
//     request's context ends, or when the next wait would pass the context's
//     deadline; the last answer (a *googleapi.Error for the caller) is
//     returned then. Request bodies are replayed from GetBody. A 4xx other
//     than those is never retried.
//
// A retried POST (a spreadsheets.batchUpdate after a 5xx or a timeout) may
// apply twice if the first attempt did reach Google: writers should send
// requests that are safe to repeat (look for a tab before adding it).
package google

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"google.golang.org/api/docs/v1"
	"google.golang.org/api/drive/v3"
	"google.golang.org/api/option"
	"google.golang.org/api/sheets/v4"
)

// API names, as passed to Options.OnRequest.
const (
	APIDocs   = "docs"
	APISheets = "sheets"
	APIDrive  = "drive"
)

// The minimal OAuth scopes, one per client.
const (
	ScopeDocsReadOnly          = docs.DocumentsReadonlyScope
	ScopeSheetsReadOnly        = sheets.SpreadsheetsReadonlyScope
	ScopeSheets                = sheets.SpreadsheetsScope
	ScopeDriveMetadataReadOnly = drive.DriveMetadataReadonlyScope
)

// Google's default per-user per-minute quotas, used for zero Options fields.
const (
	DefaultSheetsReadsPerMinute  = 60
	DefaultSheetsWritesPerMinute = 60
	DefaultDocsReadsPerMinute    = 300
	DefaultDriveQueriesPerMinute = 12000
)

// Retry defaults.
const (
	DefaultMaxAttempts    = 7 // waits of 1+2+4+8+16+32 s: past a full quota minute
	DefaultBase           = time.Second
	DefaultMax            = 32 * time.Second
	DefaultAttemptTimeout = time.Minute
	// MaxRetryAfter caps how long a Retry-After answer can make a retry wait.
	MaxRetryAfter = 10 * time.Minute
)

// Options configure the clients. The zero value reads with Application
// Default Credentials at Google's default quotas.
type Options struct {
	// CredentialsFile is a service-account key (JSON); empty means
	// Application Default Credentials.
	CredentialsFile string
	// Subject is the user a service account acts as (domain-wide
	// delegation); empty acts as the service account itself.
	Subject string
	// Endpoint replaces Google's base URLs (an emulator, pkg/googlefake):
	// Docs and Sheets go to <Endpoint>/v1/… and <Endpoint>/v4/…, Drive to
	// <Endpoint>/drive/v3/…. No credentials are loaded or sent then.
	Endpoint string

	// ReadsPerMinute limits Sheets reads (config google.reads_per_minute;
	// 0: DefaultSheetsReadsPerMinute). It is the Sheets read quota because
	// that is the tightest of Google's per-user quotas (60 a minute) and
	// the one a pass spends most; Docs and Drive have quotas of their own
	// below. A negative value on any of these means no client-side limit.
	ReadsPerMinute int
	// WritesPerMinute limits Sheets writes (0: DefaultSheetsWritesPerMinute).
	WritesPerMinute int
	// DocsReadsPerMinute limits Docs reads (0: DefaultDocsReadsPerMinute).
	DocsReadsPerMinute int
	// DriveQueriesPerMinute limits Drive calls (0: DefaultDriveQueriesPerMinute).
	DriveQueriesPerMinute int
	// Burst is how many requests may go at once before the limiters space
	// them out (0: one second's worth of each rate, at least 1). It never
	// exceeds a minute's quota.
	Burst int
	// Limiters, when set, are shared by every client built with these
	// Options, so that a read-only and a read-write Sheets client together
	// stay under one quota (see NewLimiters). Nil: each client gets its own.
	Limiters *Limiters

	// HTTPClient's transport is the base of the chain (nil:
	// http.DefaultTransport); its Timeout, if any, bounds a whole call,
	// retries included. The token endpoint is reached through it too.
	HTTPClient *http.Client
	// MaxAttempts bounds the attempts of one request, the first included
	// (0: DefaultMaxAttempts; 1: no retries).
	MaxAttempts int
	// Base and Max shape the backoff (0: DefaultBase, DefaultMax).
	Base, Max time.Duration
	// AttemptTimeout bounds one attempt, reading its answer included
	// (0: DefaultAttemptTimeout); an attempt that runs out is retried.
	AttemptTimeout time.Duration
	// Sleep waits d or until ctx ends, returning ctx's error then (nil: a
	// timer). Tests replace it.
	Sleep func(ctx context.Context, d time.Duration) error
	// Rand returns the jitter fraction in [0, 1) (nil: math/rand/v2).
	Rand func() float64
	// OnRequest, when set, is called after every attempt with the API name
	// and the HTTP status (0 when no answer came): the metrics hook for
	// Google requests by API and code.
	OnRequest func(api string, code int)
	// OnRetry, when set, is called before every wait with the API, the
	// 1-based attempt that failed, the wait and why (a status or an error
	// text, never a credential). For logs.
	OnRetry func(api string, attempt int, wait time.Duration, reason string)
}

// NewDocs returns a Docs client with the documents.readonly scope.
func NewDocs(ctx context.Context, opts Options) (*docs.Service, error) {
	co, err := clientOptions(ctx, opts, APIDocs, "/", ScopeDocsReadOnly, true)
	if err != nil {
		return nil, err
	}
	svc, err := docs.NewService(ctx, co...)
	if err != nil {
		return nil, fmt.Errorf("google: docs client: %w", err)
	}
	return svc, nil
}

// NewSheets returns a Sheets client: read-only (spreadsheets.readonly, and
// the client refuses to send anything but GET) unless write, which asks for
// the spreadsheets scope to write the manager summary.
func NewSheets(ctx context.Context, opts Options, write bool) (*sheets.Service, error) {
	scope := ScopeSheetsReadOnly
	if write {
		scope = ScopeSheets
	}
	co, err := clientOptions(ctx, opts, APISheets, "/", scope, !write)
	if err != nil {
		return nil, err
	}
	svc, err := sheets.NewService(ctx, co...)
	if err != nil {
		return nil, fmt.Errorf("google: sheets client: %w", err)
	}
	return svc, nil
}

// NewDrive returns a Drive client with the drive.metadata.readonly scope:
// file lists and metadata (modifiedTime, version), never content.
func NewDrive(ctx context.Context, opts Options) (*drive.Service, error) {
	co, err := clientOptions(ctx, opts, APIDrive, "/drive/v3/", ScopeDriveMetadataReadOnly, true)
	if err != nil {
		return nil, err
	}
	svc, err := drive.NewService(ctx, co...)
	if err != nil {
		return nil, fmt.Errorf("google: drive client: %w", err)
	}
	return svc, nil
}

// clientOptions builds the HTTP client chain and the option list for one
// service; basePath is the API's path under Options.Endpoint.
func clientOptions(ctx context.Context, opts Options, api, basePath, scope string, readOnly bool) ([]option.ClientOption, error) {
	base := http.DefaultTransport
	var timeout time.Duration
	if opts.HTTPClient != nil {
		timeout = opts.HTTPClient.Timeout
		if opts.HTTPClient.Transport != nil {
			base = opts.HTTPClient.Transport
		}
	}
	var co []option.ClientOption
	rt := base
	var secrets []string
	if opts.Endpoint != "" {
		u, err := url.Parse(opts.Endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("google: endpoint %q is not an http(s) URL", opts.Endpoint)
		}
		co = append(co,
			option.WithEndpoint(strings.TrimRight(opts.Endpoint, "/")+basePath),
			option.WithoutAuthentication())
	} else {
		auth, err := authTransport(ctx, opts, scope, base)
		if err != nil {
			return nil, err
		}
		rt, secrets = auth.rt, auth.secrets
	}
	lim := opts.Limiters
	if lim == nil {
		lim = NewLimiters(opts)
	}
	t := newTransport(api, rt, lim, opts, readOnly, secrets)
	co = append(co, option.WithHTTPClient(&http.Client{Transport: t, Timeout: timeout}))
	return co, nil
}

// errReadOnly is returned for a write through a read-only client.
var errReadOnly = errors.New("google: this client is read-only")
