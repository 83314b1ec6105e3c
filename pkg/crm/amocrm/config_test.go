package amocrm_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/crm/amocrm"
)

func goodConfig() config.AmoCRM {
	return config.AmoCRM{
		BaseURL:   "https://acme.amocrm.ru",
		Token:     config.Secret(token),
		CatalogID: 7001,
		Fields:    map[string]int{"new_calls": 501, amocrm.FieldStatus: 601},
	}
}

func TestNewAcceptsAGoodConfig(t *testing.T) {
	t.Parallel()
	for _, base := range []string{"https://acme.amocrm.ru", "https://acme.amocrm.ru/", "https://my-co.kommo.com", "HTTPS://ACME.AMOCRM.RU", "http://127.0.0.1:8080"} {
		cfg := goodConfig()
		cfg.BaseURL = base
		a, err := amocrm.New(cfg, amocrm.Options{})
		require.NoError(t, err, base)
		require.Equal(t, "amocrm", a.Name())
		require.Equal(t, 50, a.MaxBatch())
	}
}

func TestRequestsPerSecondAtMostSeven(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		rps  float64
		fail string
	}{
		{0, ""}, // the default, 7
		{1, ""},
		{6.5, ""},
		{7, ""},
		{7.01, "above amoCRM's limit of 7 per second"},
		{8, "above amoCRM's limit of 7 per second"},
		{100, "above amoCRM's limit of 7 per second"},
		{-1, "must be positive"},
		{math.NaN(), "must be positive"},
		{math.Inf(1), "above amoCRM's limit"},
	} {
		cfg := goodConfig()
		cfg.RequestsPerSecond = tc.rps
		_, err := amocrm.New(cfg, amocrm.Options{})
		if tc.fail == "" {
			require.NoError(t, err, "rps %v", tc.rps)
			continue
		}
		require.ErrorContains(t, err, "requests_per_second", "rps %v", tc.rps)
		require.ErrorContains(t, err, tc.fail, "rps %v", tc.rps)
	}
}

func TestNewRejectsBadConfigs(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		mod  func(*config.AmoCRM)
		opts amocrm.Options
		want string
	}{
		{"no base url", func(c *config.AmoCRM) { c.BaseURL = "" }, amocrm.Options{}, "base_url: required"},
		{"plain http", func(c *config.AmoCRM) { c.BaseURL = "http://acme.amocrm.ru" }, amocrm.Options{}, "plain http is only for a local test server"},
		{"http localhost name", func(c *config.AmoCRM) { c.BaseURL = "http://localhost:8080" }, amocrm.Options{}, "plain http"},
		{"http without port", func(c *config.AmoCRM) { c.BaseURL = "http://127.0.0.1" }, amocrm.Options{}, "plain http"},
		{"other host", func(c *config.AmoCRM) { c.BaseURL = "https://acme.example.com" }, amocrm.Options{}, "not an amoCRM or Kommo account address"},
		{"look-alike host", func(c *config.AmoCRM) { c.BaseURL = "https://acme.amocrm.ru.evil.com" }, amocrm.Options{}, "not an amoCRM or Kommo account address"},
		{"bare domain", func(c *config.AmoCRM) { c.BaseURL = "https://amocrm.ru" }, amocrm.Options{}, "not an amoCRM or Kommo account address"},
		{"nested subdomain", func(c *config.AmoCRM) { c.BaseURL = "https://a.b.amocrm.ru" }, amocrm.Options{}, "not an amoCRM or Kommo account address"},
		{"path", func(c *config.AmoCRM) { c.BaseURL = "https://acme.amocrm.ru/api/v4" }, amocrm.Options{}, "without a path"},
		{"user info", func(c *config.AmoCRM) { c.BaseURL = "https://u:p@acme.amocrm.ru" }, amocrm.Options{}, "user or password"},
		{"query", func(c *config.AmoCRM) { c.BaseURL = "https://acme.amocrm.ru/?x=1" }, amocrm.Options{}, "query"},
		{"port", func(c *config.AmoCRM) { c.BaseURL = "https://acme.amocrm.ru:8443" }, amocrm.Options{}, "port"},
		{"ftp", func(c *config.AmoCRM) { c.BaseURL = "ftp://acme.amocrm.ru" }, amocrm.Options{}, "https"},
		{"no token", func(c *config.AmoCRM) { c.Token = "" }, amocrm.Options{}, "token: required"},
		{"token with newline", func(c *config.AmoCRM) { c.Token = "abc\ndef" }, amocrm.Options{}, "token: contains white space"},
		{"no catalog", func(c *config.AmoCRM) { c.CatalogID = 0 }, amocrm.Options{}, "catalog_id"},
		{"negative field id", func(c *config.AmoCRM) { c.Fields["proposals"] = -3 }, amocrm.Options{}, "fields.proposals: must be a positive custom field id"},
		{"field used twice", func(c *config.AmoCRM) { c.Fields["proposals"] = 501 }, amocrm.Options{}, "field 501 is already used"},
		{"unknown reserved key", func(c *config.AmoCRM) { c.Fields["_stauts"] = 700 }, amocrm.Options{}, "fields._stauts: unknown reserved key"},
		{"headroom", func(*config.AmoCRM) {}, amocrm.Options{Headroom: 0.6}, "Headroom"},
		{"negative timeout", func(*config.AmoCRM) {}, amocrm.Options{Timeout: -1}, "must not be negative"},
	} {
		cfg := goodConfig()
		cfg.Fields = map[string]int{"new_calls": 501, amocrm.FieldStatus: 601}
		tc.mod(&cfg)
		_, err := amocrm.New(cfg, tc.opts)
		require.ErrorContains(t, err, tc.want, tc.name)
		if cfg.Token != "" {
			require.NotContains(t, err.Error(), cfg.Token.Value(), tc.name)
		}
	}
}

func TestNewListsEveryProblem(t *testing.T) {
	t.Parallel()
	_, err := amocrm.New(config.AmoCRM{RequestsPerSecond: 9, Fields: map[string]int{"x": 0}}, amocrm.Options{})
	for _, want := range []string{"base_url", "token", "catalog_id", "requests_per_second", "fields.x"} {
		require.ErrorContains(t, err, want)
	}
}

func TestAdapterNeverPrintsItsToken(t *testing.T) {
	t.Parallel()
	a, err := amocrm.New(goodConfig(), amocrm.Options{})
	require.NoError(t, err)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		s := fmt.Sprintf(verb, a)
		require.NotContains(t, s, token, verb)
		require.Contains(t, s, "acme.amocrm.ru", verb)
	}
}
