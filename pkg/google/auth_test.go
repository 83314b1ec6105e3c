package google_test

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/api/docs/v1"

	"github.com/dayreport/dayreport/pkg/google"
	"github.com/dayreport/dayreport/pkg/googlefake"
)

const fakeToken = "ya29.fake-access-token"

// serviceAccount writes a service-account key file made for the test.
func serviceAccount(t *testing.T, mutate func(map[string]any)) (path string, key *rsa.PrivateKey, pemText string) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	der, err := x509.MarshalPKCS8PrivateKey(key)
	require.NoError(t, err)
	pemText = string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	sa := map[string]any{
		"type":           "service_account",
		"project_id":     "dayreport-test",
		"private_key_id": "0123456789abcdef0123456789abcdef",
		"private_key":    pemText,
		"client_email":   "dayreport@dayreport-test.iam.gserviceaccount.com",
		"client_id":      "100000000000000000001",
		"token_uri":      "https://oauth2.googleapis.com/token",
	}
	if mutate != nil {
		mutate(sa)
	}
	data, err := json.Marshal(sa)
	require.NoError(t, err)
	path = filepath.Join(t.TempDir(), "sa.json")
	require.NoError(t, os.WriteFile(path, data, 0o600))
	return path, key, pemText
}

// tokenServer is Google's token endpoint: it checks the JWT assertion's
// signature and records its claims.
type tokenServer struct {
	*httptest.Server
	mu     sync.Mutex
	claims []map[string]any
	refuse bool
}

func newTokenServer(t *testing.T, pub *rsa.PublicKey) *tokenServer {
	t.Helper()
	ts := &tokenServer{}
	ts.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil || r.Form.Get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer" {
			http.Error(w, `{"error":"unsupported_grant_type"}`, http.StatusBadRequest)
			return
		}
		parts := strings.Split(r.Form.Get("assertion"), ".")
		if len(parts) != 3 {
			http.Error(w, `{"error":"invalid_grant"}`, http.StatusBadRequest)
			return
		}
		sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
		sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
		if rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig) != nil {
			http.Error(w, `{"error":"invalid_grant","error_description":"Invalid JWT Signature."}`, http.StatusBadRequest)
			return
		}
		raw, _ := base64.RawURLEncoding.DecodeString(parts[1])
		var claims map[string]any
		_ = json.Unmarshal(raw, &claims)
		ts.mu.Lock()
		ts.claims = append(ts.claims, claims)
		refuse := ts.refuse
		ts.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if refuse {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"error":"unauthorized_client","error_description":"Client is unauthorized to retrieve access tokens using this method."}`))
			return
		}
		_, _ = w.Write([]byte(`{"access_token":"` + fakeToken + `","token_type":"Bearer","expires_in":3600}`))
	}))
	t.Cleanup(ts.Close)
	return ts
}

func (ts *tokenServer) seen() []map[string]any {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([]map[string]any(nil), ts.claims...)
}

// rewrite sends Google's hosts to the test servers, as if DNS said so.
type rewrite map[string]string

func (rw rewrite) RoundTrip(req *http.Request) (*http.Response, error) {
	if to, ok := rw[req.URL.Host]; ok {
		u, _ := url.Parse(to)
		r := req.Clone(req.Context())
		r.URL.Scheme, r.URL.Host, r.Host = u.Scheme, u.Host, ""
		return http.DefaultTransport.RoundTrip(r)
	}
	return http.DefaultTransport.RoundTrip(req)
}

func googleHosts(fake *googlefake.Server, token *tokenServer) *http.Client {
	return &http.Client{Transport: rewrite{
		"oauth2.googleapis.com": token.URL,
		"docs.googleapis.com":   fake.URL,
		"sheets.googleapis.com": fake.URL,
		"www.googleapis.com":    fake.URL,
	}}
}

func TestServiceAccountScopesAndSubject(t *testing.T) {
	t.Parallel()
	path, key, _ := serviceAccount(t, nil)
	token := newTokenServer(t, &key.PublicKey)
	fake := googlefake.New(t, googlefake.Options{})
	fake.PutDoc("doc", &docs.Document{Title: "d"})
	fake.PutSheet("book", "b", nil)
	opts := google.Options{CredentialsFile: path, Subject: "boss@example.ru", HTTPClient: googleHosts(fake, token)}
	ctx := context.Background()

	d, err := google.NewDocs(ctx, opts)
	require.NoError(t, err)
	_, err = d.Documents.Get("doc").Context(ctx).Do()
	require.NoError(t, err)
	ro, err := google.NewSheets(ctx, opts, false)
	require.NoError(t, err)
	_, err = ro.Spreadsheets.Get("book").Context(ctx).Do()
	require.NoError(t, err)
	rw, err := google.NewSheets(ctx, opts, true)
	require.NoError(t, err)
	_, err = rw.Spreadsheets.Get("book").Context(ctx).Do()
	require.NoError(t, err)
	dr, err := google.NewDrive(ctx, opts)
	require.NoError(t, err)
	_, err = dr.Files.Get("doc").Context(ctx).Do()
	require.NoError(t, err)

	var scopes []string
	for _, c := range token.seen() {
		scopes = append(scopes, c["scope"].(string))
		require.Equal(t, "boss@example.ru", c["sub"], "domain-wide delegation")
		require.Equal(t, "dayreport@dayreport-test.iam.gserviceaccount.com", c["iss"])
		require.Equal(t, "https://oauth2.googleapis.com/token", c["aud"])
	}
	require.Equal(t, []string{
		"https://www.googleapis.com/auth/documents.readonly",
		"https://www.googleapis.com/auth/spreadsheets.readonly",
		"https://www.googleapis.com/auth/spreadsheets",
		"https://www.googleapis.com/auth/drive.metadata.readonly",
	}, scopes, "one minimal scope per client")
	reqs := fake.Requests()
	require.Len(t, reqs, 4)
	for _, r := range reqs {
		require.Equal(t, "Bearer "+fakeToken, r.Authorization)
		require.Equal(t, http.StatusOK, r.Status)
	}
}

func TestApplicationDefaultCredentials(t *testing.T) { // not parallel: sets the environment
	path, key, _ := serviceAccount(t, nil)
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", path)
	token := newTokenServer(t, &key.PublicKey)
	fake := googlefake.New(t, googlefake.Options{})
	fake.PutDoc("doc", &docs.Document{Title: "d"})
	svc, err := google.NewDocs(context.Background(), google.Options{HTTPClient: googleHosts(fake, token)})
	require.NoError(t, err)
	_, err = svc.Documents.Get("doc").Context(context.Background()).Do()
	require.NoError(t, err)
	require.Equal(t, "Bearer "+fakeToken, fake.Requests()[0].Authorization)
	require.Equal(t, "https://www.googleapis.com/auth/documents.readonly", token.seen()[0]["scope"])
	_, hasSub := token.seen()[0]["sub"]
	require.False(t, hasSub, "no subject configured")
}

func TestBadCredentialFiles(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	notJSON := filepath.Join(dir, "broken.json")
	require.NoError(t, os.WriteFile(notJSON, []byte(`{"type":"service_account","private_key":"-----BEGIN PRIVATE KEY-----\nMIIEvSECRETSECRETSECRET`), 0o600))
	user := filepath.Join(dir, "user.json")
	require.NoError(t, os.WriteFile(user, []byte(`{"type":"authorized_user","client_secret":"s3cr3t-value","refresh_token":"1//refresh-secret"}`), 0o600))
	foreign, _, foreignPEM := serviceAccount(t, func(m map[string]any) { m["token_uri"] = "https://evil.example/token" })

	for _, tc := range []struct {
		path, want string
		secrets    []string
	}{
		{filepath.Join(dir, "missing.json"), "no such file", nil},
		{notJSON, "is not valid JSON", []string{"SECRETSECRET"}},
		{user, `is not a service-account key (type "authorized_user")`, []string{"s3cr3t-value", "refresh-secret"}},
		{foreign, "names a token_uri that is not Google's", pemLines(foreignPEM)},
	} {
		_, err := google.NewDocs(ctx, google.Options{CredentialsFile: tc.path})
		require.ErrorContains(t, err, tc.want)
		require.ErrorContains(t, err, tc.path, "errors name the file")
		for _, s := range tc.secrets {
			require.NotContains(t, err.Error(), s, "errors never hold the file's content")
		}
	}
}

func pemLines(p string) []string {
	var out []string
	for _, l := range strings.Split(p, "\n") {
		if len(l) > 16 && !strings.HasPrefix(l, "-----") {
			out = append(out, l)
		}
	}
	return out
}

func TestTokenRefusedIsNotRetriedAndLeaksNothing(t *testing.T) {
	t.Parallel()
	path, key, pemText := serviceAccount(t, nil)
	token := newTokenServer(t, &key.PublicKey)
	token.refuse = true
	fake := googlefake.New(t, googlefake.Options{})
	fake.PutDoc("doc", &docs.Document{Title: "d"})
	var w waits
	svc, err := google.NewDocs(context.Background(), google.Options{
		CredentialsFile: path, HTTPClient: googleHosts(fake, token), Sleep: w.sleep,
	})
	require.NoError(t, err)
	_, err = svc.Documents.Get("doc").Context(context.Background()).Do()
	require.ErrorContains(t, err, "unauthorized_client")
	for _, l := range pemLines(pemText) {
		require.NotContains(t, err.Error(), l)
	}
	require.NotContains(t, err.Error(), "0123456789abcdef0123456789abcdef")
	require.Len(t, token.seen(), 1, "a refused token is not retried")
	require.Empty(t, fake.Requests(), "no request went out without a token")
	require.Empty(t, w.get())
}
