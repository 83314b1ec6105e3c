package google_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/api/docs/v1"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/sheets/v4"

	"github.com/dayreport/dayreport/pkg/google"
	"github.com/dayreport/dayreport/pkg/googlefake"
)

// waits records the backoff waits instead of sleeping.
type waits struct {
	mu sync.Mutex
	d  []time.Duration
}

func (w *waits) sleep(ctx context.Context, d time.Duration) error {
	w.mu.Lock()
	w.d = append(w.d, d)
	w.mu.Unlock()
	return ctx.Err()
}

func (w *waits) get() []time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]time.Duration(nil), w.d...)
}

// TestLimiterAbsorbsBurst runs in a testing/synctest bubble with the fake
// in-process: the client's limiter and the fake's quota read one clock, so a
// busy machine cannot bunch requests up between them (a loaded CI run met a
// 429 here on a real clock).
func TestLimiterAbsorbsBurst(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		// The fake's minute lasts a second: 60 reads a (fake) minute are
		// 60 a second, and a bucket of 60. The client is sized the same,
		// scaled (60×60 a real minute), with a burst below the fake's
		// bucket.
		s := googlefake.New(t, googlefake.Options{Quotas: googlefake.Quotas{SheetsReadPerMinute: 60}, TimeScale: 60, InProcess: true})
		s.PutSheet("book", "b", []googlefake.Tab{{Title: "Лист1", Rows: [][]any{{1.0}}}})
		opts := fakeOptions(s)
		opts.ReadsPerMinute = 60 * 60
		opts.Burst = 30
		svc, err := google.NewSheets(context.Background(), opts, false)
		require.NoError(t, err)

		const n = 120
		var wg sync.WaitGroup
		errs := make(chan error, n)
		start := time.Now()
		for range n {
			wg.Go(func() {
				_, err := svc.Spreadsheets.Values.BatchGet("book").Ranges("Лист1").Context(context.Background()).Do()
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		reqs := s.Requests()
		require.Len(t, reqs, n, "no retries were needed")
		for _, r := range reqs {
			require.Equal(t, http.StatusOK, r.Status)
		}
		took := time.Since(start) // the bubble's clock: exact
		require.GreaterOrEqual(t, took, 1500*time.Millisecond, "(120-30)/60 s of spacing")
		require.Less(t, took, 1500*time.Millisecond+time.Second/60, "no wait beyond the next token")
	})
}

func TestUndersizedQuotaIsRetried(t *testing.T) {
	t.Parallel()
	// A fake quota of 5 a (fake) minute, a minute lasting 0.1 s: 50 a
	// second with a bucket of 5. The client has no limiter of its own and
	// backs off on a clock a hundred times faster than real.
	s := googlefake.New(t, googlefake.Options{Quotas: googlefake.Quotas{DocsReadPerMinute: 5}, TimeScale: 600})
	s.PutDoc("d", &docs.Document{Title: "d"})
	var c codes
	opts := fakeOptions(s)
	opts.DocsReadsPerMinute = -1
	opts.MaxAttempts = 12
	opts.OnRequest = c.hook
	opts.Rand = nil
	opts.Sleep = func(ctx context.Context, d time.Duration) error {
		select {
		case <-time.After(d / 100):
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	svc, err := google.NewDocs(context.Background(), opts)
	require.NoError(t, err)
	var wg sync.WaitGroup
	var failed atomic.Int32
	for range 20 {
		wg.Go(func() {
			if _, err := svc.Documents.Get("d").Context(context.Background()).Do(); err != nil {
				failed.Add(1)
				t.Log(err)
			}
		})
	}
	wg.Wait()
	require.Zero(t, failed.Load())
	got := c.get()
	require.Equal(t, 20, got["docs 200"])
	require.Positive(t, got["docs 429"], "the fake pushed back and the client retried")
}

func TestFaultsRecovered(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		api   string
		fault googlefake.Fault
		code  int
	}{
		{"docs", googlefake.ServerError, 500},
		{"docs", googlefake.Unavailable, 503},
		{"docs", googlefake.RateLimited, 429},
		{"docs", googlefake.Timeout, 0},
		{"drive", googlefake.DriveUserRateLimit, 403},
		{"drive", googlefake.RateLimited, 429},
		{"sheets", googlefake.ServerError, 500},
		{"docs", googlefake.TruncatedJSON, 200},
		{"docs", googlefake.DroppedBody, 200},
		{"sheets", googlefake.TruncatedJSON, 200},
		{"drive", googlefake.DroppedBody, 200},
	} {
		t.Run(fmt.Sprintf("%s %s", tc.api, tc.fault), func(t *testing.T) {
			t.Parallel()
			// In a testing/synctest bubble with the fake in-process: the
			// 100 ms AttemptTimeout is the bubble's, so a loaded machine cannot
			// time out an attempt before it reaches the fake.
			synctest.Test(t, func(t *testing.T) {
				s := googlefake.New(t, googlefake.Options{InProcess: true})
				s.PutDoc("d", &docs.Document{Title: "d"})
				s.PutSheet("b", "b", nil)
				s.Inject(tc.api, tc.fault, 2)
				var w waits
				opts := fakeOptions(s)
				opts.Sleep = w.sleep
				opts.AttemptTimeout = 100 * time.Millisecond
				ctx := context.Background()
				var err error
				switch tc.api {
				case "docs":
					svc, e := google.NewDocs(ctx, opts)
					require.NoError(t, e)
					_, err = svc.Documents.Get("d").Context(ctx).Do()
				case "drive":
					svc, e := google.NewDrive(ctx, opts)
					require.NoError(t, e)
					_, err = svc.Files.Get("d").Context(ctx).Do()
				case "sheets":
					svc, e := google.NewSheets(ctx, opts, false)
					require.NoError(t, e)
					_, err = svc.Spreadsheets.Get("b").Context(ctx).Do()
				}
				require.NoError(t, err)
				require.Equal(t, []int{tc.code, tc.code, 200}, statusesOf(s.Requests()))
				require.Equal(t, []time.Duration{time.Second, 2 * time.Second}, w.get(), "Google's 1 s, 2 s … (no jitter here)")
			})
		})
	}
}

// TestCutAnswerGivesUp: a GET whose answer comes cut short on every attempt
// fails after MaxAttempts with an error saying so; a write whose answer is cut
// is not sent again (it may have applied).
func TestCutAnswerGivesUp(t *testing.T) {
	t.Parallel()
	s := googlefake.New(t, googlefake.Options{})
	s.PutDoc("d", &docs.Document{Title: "d"})
	s.PutSheet("b", "b", []googlefake.Tab{{Title: "Лист1"}})
	var w waits
	opts := fakeOptions(s)
	opts.Sleep = w.sleep
	opts.MaxAttempts = 3
	ctx := context.Background()

	s.Inject(googlefake.APIDocs, googlefake.TruncatedJSON, 3)
	d, err := google.NewDocs(ctx, opts)
	require.NoError(t, err)
	_, err = d.Documents.Get("d").Context(ctx).Do()
	require.ErrorContains(t, err, "3 attempts: answer is not valid JSON (cut short?): status 200, ")
	s.Inject(googlefake.APIDocs, googlefake.DroppedBody, 3)
	_, err = d.Documents.Get("d").Context(ctx).Do()
	require.ErrorContains(t, err, "3 attempts: answer cut short: status 200, read ")
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	require.Len(t, w.get(), 4, "two retries each")

	s.ResetRequests()
	s.Inject(googlefake.APISheets, googlefake.TruncatedJSON, 1)
	sh, err := google.NewSheets(ctx, opts, true)
	require.NoError(t, err)
	_, err = sh.Spreadsheets.Values.Update("b", "Лист1!A1", &sheets.ValueRange{Values: [][]any{{"x"}}}).
		ValueInputOption("RAW").Context(ctx).Do()
	require.Error(t, err, "the client cannot decode the cut answer")
	require.Len(t, s.Requests(), 1, "a write is not repeated on a cut answer")
	require.Equal(t, [][]any{{"x"}}, s.Cells("b", "Лист1"), "it did apply")
}

func TestNotRetried(t *testing.T) {
	t.Parallel()
	s := googlefake.New(t, googlefake.Options{})
	s.PutSheet("b", "b", nil)
	var w waits
	opts := fakeOptions(s)
	opts.Sleep = w.sleep
	ctx := context.Background()

	d, err := google.NewDocs(ctx, opts)
	require.NoError(t, err)
	_, err = d.Documents.Get("missing").Context(ctx).Do()
	var ge *googleapi.Error
	require.ErrorAs(t, err, &ge)
	require.Equal(t, http.StatusNotFound, ge.Code)

	sh, err := google.NewSheets(ctx, opts, false)
	require.NoError(t, err)
	_, err = sh.Spreadsheets.Values.Get("b", "Нет!A1").Context(ctx).Do()
	require.ErrorAs(t, err, &ge)
	require.Equal(t, http.StatusBadRequest, ge.Code)

	require.Equal(t, []int{404, 400}, statusesOf(s.Requests()))
	require.Empty(t, w.get())
}

// scripted answers a fixed sequence of statuses and bodies, then 200 {}.
func scripted(t *testing.T, answers ...func(w http.ResponseWriter)) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		i := int(n.Add(1)) - 1
		if i < len(answers) {
			answers[i](w)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"documentId":"d"}`))
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func answer(code int, header map[string]string, body string) func(w http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		for k, v := range header {
			w.Header().Set(k, v)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_, _ = w.Write([]byte(body))
	}
}

func TestRetryAfterHonoured(t *testing.T) {
	t.Parallel()
	srv, n := scripted(t,
		answer(429, map[string]string{"Retry-After": "7"}, `{"error":{"code":429,"message":"slow down","status":"RESOURCE_EXHAUSTED"}}`),
		answer(503, nil, `{"error":{"code":503,"message":"x","status":"UNAVAILABLE","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"12s"}]}}`),
		answer(429, map[string]string{"Retry-After": "0"}, `{}`),
	)
	var w waits
	svc, err := google.NewDocs(context.Background(), google.Options{
		Endpoint: srv.URL, Sleep: w.sleep, Rand: func() float64 { return 0.5 },
	})
	require.NoError(t, err)
	_, err = svc.Documents.Get("d").Context(context.Background()).Do()
	require.NoError(t, err)
	require.Equal(t, int32(4), n.Load())
	require.Equal(t, []time.Duration{7 * time.Second, 12 * time.Second, 4500 * time.Millisecond}, w.get(),
		"Retry-After and RetryInfo win over 1.5 s and 2.5 s; then 4 s + half a second of jitter")
}

func TestForbiddenNotRateLimitIsNotRetried(t *testing.T) {
	t.Parallel()
	srv, n := scripted(t, answer(403, nil,
		`{"error":{"code":403,"message":"The caller does not have permission","status":"PERMISSION_DENIED"}}`))
	svc, err := google.NewDocs(context.Background(), google.Options{Endpoint: srv.URL, Sleep: (&waits{}).sleep})
	require.NoError(t, err)
	_, err = svc.Documents.Get("d").Context(context.Background()).Do()
	var ge *googleapi.Error
	require.ErrorAs(t, err, &ge)
	require.Equal(t, 403, ge.Code)
	require.Equal(t, "The caller does not have permission", ge.Message, "the body reached the caller intact")
	require.Equal(t, int32(1), n.Load())
}

func TestMaxAttemptsReturnsLastAnswer(t *testing.T) {
	t.Parallel()
	s := googlefake.New(t, googlefake.Options{})
	s.PutDoc("d", &docs.Document{Title: "d"})
	s.Inject("docs", googlefake.Unavailable, 10)
	opts := fakeOptions(s)
	opts.MaxAttempts = 3
	svc, err := google.NewDocs(context.Background(), opts)
	require.NoError(t, err)
	_, err = svc.Documents.Get("d").Context(context.Background()).Do()
	var ge *googleapi.Error
	require.ErrorAs(t, err, &ge)
	require.Equal(t, 503, ge.Code)
	require.Len(t, s.Requests(), 3)
}

// TestContextCancelStopsBackoff runs in a testing/synctest bubble with the
// fake in-process: the real timer's 1 s backoff is the bubble's, so the cut
// is exact (no time passes) where a real clock under load needed a margin.
func TestContextCancelStopsBackoff(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := googlefake.New(t, googlefake.Options{InProcess: true})
		s.PutDoc("d", &docs.Document{Title: "d"})
		s.Inject("docs", googlefake.ServerError, 10)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		opts := fakeOptions(s)
		opts.Sleep = nil // the real timer: 1 s, cut short by the cancel
		opts.OnRetry = func(api string, attempt int, wait time.Duration, reason string) {
			require.Equal(t, "docs", api)
			require.Equal(t, "500 INTERNAL", reason)
			cancel()
		}
		svc, err := google.NewDocs(ctx, opts)
		require.NoError(t, err)
		start := time.Now()
		_, err = svc.Documents.Get("d").Context(ctx).Do()
		require.ErrorIs(t, err, context.Canceled)
		require.Zero(t, time.Since(start), "the 1 s wait was cut at once")
		require.Len(t, s.Requests(), 1)
	})
}

// TestDeadlineBeforeNextAttempt runs in a testing/synctest bubble with the
// fake in-process: on a real clock a loaded machine could spend the 500 ms
// before the first answer came.
func TestDeadlineBeforeNextAttempt(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := googlefake.New(t, googlefake.Options{InProcess: true})
		s.PutDoc("d", &docs.Document{Title: "d"})
		s.Inject("docs", googlefake.ServerError, 10)
		var w waits
		opts := fakeOptions(s)
		opts.Sleep = w.sleep
		svc, err := google.NewDocs(context.Background(), opts)
		require.NoError(t, err)
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		defer cancel()
		_, err = svc.Documents.Get("d").Context(ctx).Do()
		var ge *googleapi.Error
		require.ErrorAs(t, err, &ge, "the 500 itself, not a context error")
		require.Equal(t, 500, ge.Code)
		require.Empty(t, w.get(), "a 1 s wait would pass the deadline: not taken")
		require.Len(t, s.Requests(), 1)
	})
}

// TestLimiterWaitHonoursContext runs in a testing/synctest bubble with the
// fake in-process: the 100 ms deadline cannot pass before the limiter is
// asked.
func TestLimiterWaitHonoursContext(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := googlefake.New(t, googlefake.Options{InProcess: true})
		s.PutDoc("d", &docs.Document{Title: "d"})
		opts := fakeOptions(s)
		opts.DocsReadsPerMinute = 1 // one now, the next in a minute
		svc, err := google.NewDocs(context.Background(), opts)
		require.NoError(t, err)
		_, err = svc.Documents.Get("d").Context(context.Background()).Do()
		require.NoError(t, err)
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		_, err = svc.Documents.Get("d").Context(ctx).Do()
		require.Error(t, err)
		require.ErrorContains(t, err, "rate limiter")
		require.Len(t, s.Requests(), 1)
	})
}

// TestSharedLimiters runs in a testing/synctest bubble with the fake
// in-process: the 100 ms deadline cannot pass before the limiter is asked.
func TestSharedLimiters(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := googlefake.New(t, googlefake.Options{InProcess: true})
		s.PutSheet("b", "b", nil)
		opts := fakeOptions(s)
		opts.ReadsPerMinute = 1
		opts.Limiters = google.NewLimiters(opts)
		ctx := context.Background()
		ro, err := google.NewSheets(ctx, opts, false)
		require.NoError(t, err)
		rw, err := google.NewSheets(ctx, opts, true)
		require.NoError(t, err)
		_, err = ro.Spreadsheets.Get("b").Context(ctx).Do()
		require.NoError(t, err)
		tctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		defer cancel()
		_, err = rw.Spreadsheets.Get("b").Context(tctx).Do()
		require.ErrorContains(t, err, "rate limiter", "the read quota is one for both clients")
	})
}
