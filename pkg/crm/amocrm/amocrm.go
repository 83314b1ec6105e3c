package amocrm

import (
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/httpkit"
)

// Name is the adapter's config name.
const Name = "amocrm"

// MaxBatch is how many records one Upsert call carries at most: the elements
// of one PATCH or POST. amoCRM takes up to 250 per request and recommends 50.
const MaxBatch = 50

// MaxRequestsPerSecond is amoCRM's limit per integration; a configured rate
// above it is an error, since exceeding it repeatedly gets the account blocked.
const MaxRequestsPerSecond = 7

// Defaults of Options' zero fields.
const (
	DefaultTimeout  = 30 * time.Second
	DefaultPer      = time.Second
	DefaultHeadroom = 0.05
)

// Reserved keys of config.AmoCRM.Fields for the record's text fields; every
// other key is a metric key. Metric keys start with a letter, so these cannot
// clash with one.
const (
	FieldStatus    = "_status"
	FieldNotes     = "_notes"
	FieldLongTerm  = "_long_term"
	FieldSourceURL = "_source_url"
	FieldEmployee  = "_employee"
	FieldFlags     = "_flags"
	FieldErrors    = "_errors"
)

// textKeys are the reserved keys, in the order their fields are documented.
var textKeys = []string{FieldStatus, FieldNotes, FieldLongTerm, FieldSourceURL, FieldEmployee, FieldFlags, FieldErrors}

// Options are the adapter's settings that do not come from the config file.
type Options struct {
	// HTTPClient sends the requests (nil: a client of its own, keeping a few
	// connections to the account open).
	HTTPClient *http.Client
	// Timeout bounds one HTTP request, the wait for its turn excluded
	// (0: DefaultTimeout).
	Timeout time.Duration
	// Per is the period the rate counts over: the adapter starts at most
	// RequestsPerSecond requests per Per (0: DefaultPer, one second). Tests
	// shrink it, together with the fake's, to run the limit faster.
	Per time.Duration
	// Headroom is the fraction of the rate left unused, so that network
	// jitter never makes amoCRM see more requests in a second than allowed
	// (0: DefaultHeadroom). It must be below 0.5.
	Headroom float64
	// Lookups is how many key lookups may be in flight at once; they still
	// start no faster than the rate (0: the rate rounded up).
	Lookups int
	// Cooldown is how long the adapter sends nothing after amoCRM refused
	// the token (401) or access (403): every push fails at once with that
	// error meanwhile, rather than knocking on a blocked account
	// (0: DefaultCooldown).
	Cooldown time.Duration
	// Log receives a debug line per request (method, path, status, time) and
	// a warning for 429, 401 and 403 answers. The zero value logs nothing.
	Log zerolog.Logger
}

// Adapter writes records as elements of one amoCRM list.
type Adapter struct {
	host      string // for String
	endpoint  string // <base>/api/v4/catalogs/<id>/elements
	path      string // its path, for errors and logs
	token     string
	scrub     *httpkit.Redactor // hides the token
	catalogID int
	fields    fieldMap
	client    *http.Client
	timeout   time.Duration
	per       time.Duration
	lookups   int
	cooldown  time.Duration
	pacer     *pacer
	stop      stopper
	log       zerolog.Logger
}

var _ crm.Adapter = (*Adapter)(nil)

// New returns the adapter for cfg, checking it: base_url must be
// https://<subdomain>.amocrm.ru or https://<subdomain>.kommo.com (or
// http://127.0.0.1:<port> for tests), the token must be set, catalog_id
// positive, requests_per_second at most 7 (0 means 7), and every field id
// positive and used once. Every problem is reported, joined.
func New(cfg config.AmoCRM, opts Options) (*Adapter, error) {
	return newAdapter(cfg, opts, true)
}

// newAdapter is New; without needCatalog (for Setup, which finds or
// creates the list) catalog_id may be 0.
func newAdapter(cfg config.AmoCRM, opts Options, needCatalog bool) (*Adapter, error) {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf("amocrm: "+format, args...)) }

	base, host, err := checkBaseURL(cfg.BaseURL)
	if err != nil {
		errs = append(errs, err)
	}
	token := cfg.Token.Value()
	switch {
	case token == "":
		bad("token: required (a long-lived token of the integration)")
	case strings.ContainsAny(token, " \t\r\n"):
		bad("token: contains white space or a line break")
	}
	switch {
	case cfg.CatalogID == 0 && needCatalog:
		bad("catalog_id: not set: run `dayreport crm setup` and paste the block it prints")
	case cfg.CatalogID < 0:
		bad("catalog_id: must be the positive id of the list the records go to, got %d", cfg.CatalogID)
	}
	rps := cfg.RequestsPerSecond
	switch {
	case math.IsNaN(rps) || rps < 0:
		bad("requests_per_second: must be positive, got %v", rps)
	case rps > MaxRequestsPerSecond:
		bad("requests_per_second: %v is above amoCRM's limit of %d per second, which gets the account blocked", rps, MaxRequestsPerSecond)
	case rps == 0:
		rps = MaxRequestsPerSecond
	}
	fields, ferrs := newFieldMap(cfg.Fields)
	errs = append(errs, ferrs...)

	if opts.Timeout < 0 || opts.Per < 0 || opts.Lookups < 0 || opts.Cooldown < 0 {
		bad("options: Timeout, Per, Lookups and Cooldown must not be negative")
	}
	headroom := opts.Headroom
	switch {
	case math.IsNaN(headroom) || headroom < 0 || headroom >= 0.5:
		bad("options: Headroom must be in [0, 0.5), got %v", headroom)
	case headroom == 0:
		headroom = DefaultHeadroom
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}

	a := &Adapter{
		host:      host,
		endpoint:  base + "/api/v4/catalogs/" + strconv.Itoa(cfg.CatalogID) + "/elements",
		path:      "/api/v4/catalogs/" + strconv.Itoa(cfg.CatalogID) + "/elements",
		token:     token,
		scrub:     httpkit.NewRedactor(token),
		catalogID: cfg.CatalogID,
		fields:    fields,
		client:    opts.HTTPClient,
		timeout:   opts.Timeout,
		per:       opts.Per,
		lookups:   opts.Lookups,
		cooldown:  opts.Cooldown,
		log:       opts.Log,
	}
	if a.cooldown == 0 {
		a.cooldown = DefaultCooldown
	}
	if a.timeout == 0 {
		a.timeout = DefaultTimeout
	}
	if a.per == 0 {
		a.per = DefaultPer
	}
	if a.lookups == 0 {
		a.lookups = int(math.Ceil(rps))
	}
	if a.client == nil {
		a.client = defaultClient(a.lookups)
	}
	interval := time.Duration(float64(a.per) / (rps * (1 - headroom)))
	a.pacer = newPacer(interval, int(math.Floor(rps)))
	return a, nil
}

// checkBaseURL returns the base URL without a trailing slash, and its host.
func checkBaseURL(raw string) (base, host string, err error) {
	fail := func(why string) (string, string, error) {
		return "", "", fmt.Errorf("amocrm: base_url: %s (want https://<subdomain>.amocrm.ru or https://<subdomain>.kommo.com)", why)
	}
	if strings.TrimSpace(raw) == "" {
		return fail("required")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fail("not a URL")
	}
	switch {
	case u.User != nil:
		return fail("must not carry a user or password")
	case u.RawQuery != "" || u.Fragment != "" || u.ForceQuery:
		return fail("must not carry a query or fragment")
	case u.Path != "" && u.Path != "/":
		return fail("must be the account's address alone, without a path")
	}
	h := strings.ToLower(u.Hostname())
	switch u.Scheme {
	case "https":
		if u.Port() != "" {
			return fail("must not name a port")
		}
		sub, ok := strings.CutSuffix(h, ".amocrm.ru")
		if !ok {
			sub, ok = strings.CutSuffix(h, ".kommo.com")
		}
		if !ok || !validSubdomain(sub) {
			return fail(fmt.Sprintf("%q is not an amoCRM or Kommo account address", h))
		}
	case "http":
		if ip := net.ParseIP(h); ip == nil || !ip.Equal(net.IPv4(127, 0, 0, 1)) || u.Port() == "" {
			return fail("plain http is only for a local test server, http://127.0.0.1:<port>")
		}
	default:
		return fail("must be an https URL")
	}
	return u.Scheme + "://" + u.Host, h, nil
}

// validSubdomain reports whether s is one DNS label.
func validSubdomain(s string) bool {
	if s == "" || len(s) > 63 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' {
			return false
		}
	}
	return true
}

// defaultClient keeps as many idle connections as lookups run at once, so
// that concurrent lookups reuse TLS connections instead of opening new ones,
// and follows no redirect: the account's address is configured, and a
// redirect elsewhere (an account moved from amocrm.ru to kommo.com, a login
// page) is reported rather than followed with the token.
func defaultClient(conns int) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = max(conns, 2)
	return &http.Client{
		Transport:     t,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Name returns "amocrm".
func (a *Adapter) Name() string { return Name }

// MaxBatch returns 50.
func (a *Adapter) MaxBatch() int { return MaxBatch }

// String describes the adapter without its token.
func (a *Adapter) String() string {
	return fmt.Sprintf("amocrm(%s, list %d)", a.host, a.catalogID)
}

// GoString is String, so that %#v does not print the token either.
func (a *Adapter) GoString() string { return a.String() }

// fieldMap is config.AmoCRM.Fields checked and split.
type fieldMap struct {
	metrics []metricField // sorted by key
	text    map[string]int
}

type metricField struct {
	key string
	id  int
}

func newFieldMap(m map[string]int) (fieldMap, []error) {
	var errs []error
	fm := fieldMap{text: map[string]int{}}
	byID := map[int]string{}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		id := m[k]
		if id <= 0 {
			errs = append(errs, fmt.Errorf("amocrm: fields.%s: must be a positive custom field id, got %d", k, id))
			continue
		}
		if other, dup := byID[id]; dup {
			errs = append(errs, fmt.Errorf("amocrm: fields.%s: field %d is already used by fields.%s", k, id, other))
			continue
		}
		byID[id] = k
		switch {
		case slices.Contains(textKeys, k):
			fm.text[k] = id
		case strings.HasPrefix(k, "_"):
			errs = append(errs, fmt.Errorf("amocrm: fields.%s: unknown reserved key (want one of %s or a metric key)", k, strings.Join(textKeys, ", ")))
		case strings.TrimSpace(k) == "":
			errs = append(errs, errors.New("amocrm: fields: empty metric key"))
		default:
			fm.metrics = append(fm.metrics, metricField{key: k, id: id})
		}
	}
	return fm, errs
}
