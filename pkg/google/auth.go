package google

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/google"

	"github.com/dayreport/dayreport/pkg/httpkit"
)

// tokenHosts are the token endpoints a service-account key may name.
var tokenHosts = map[string]bool{
	"oauth2.googleapis.com": true,
	"accounts.google.com":   true,
	"www.googleapis.com":    true,
}

type auth struct {
	rt      http.RoundTripper
	secrets []string // strings that must never show in an error
}

// authTransport loads the credentials for one scope and returns the
// transport that adds the bearer token.
func authTransport(ctx context.Context, opts Options, scope string, base http.RoundTripper) (auth, error) {
	// The token source outlives ctx (it refreshes the token later), so it
	// gets ctx's values without its cancellation; the token endpoint is
	// reached through the base client.
	tctx := context.WithoutCancel(ctx)
	if opts.HTTPClient != nil {
		tctx = context.WithValue(tctx, oauth2.HTTPClient, &http.Client{Transport: base, Timeout: opts.HTTPClient.Timeout})
	}
	params := google.CredentialsParams{Scopes: []string{scope}, Subject: opts.Subject}
	var (
		creds   *google.Credentials
		secrets []string
	)
	if opts.CredentialsFile == "" {
		c, err := google.FindDefaultCredentialsWithParams(tctx, params)
		if err != nil {
			return auth{}, fmt.Errorf("google: no credentials: set google.credentials_file (a service-account key) or provide Application Default Credentials: %w", err)
		}
		creds = c
	} else {
		data, err := os.ReadFile(opts.CredentialsFile)
		if err != nil {
			return auth{}, fmt.Errorf("google: credentials file: %w", err)
		}
		secrets, err = checkServiceAccount(opts.CredentialsFile, data)
		if err != nil {
			return auth{}, err
		}
		c, err := google.CredentialsFromJSONWithTypeAndParams(tctx, data, google.ServiceAccount, params)
		if err != nil {
			return auth{}, redact(fmt.Errorf("google: credentials file %s: %w", opts.CredentialsFile, err), secrets)
		}
		creds = c
	}
	return auth{rt: &oauth2.Transport{Source: creds.TokenSource, Base: base}, secrets: secrets}, nil
}

// checkServiceAccount validates a key file before it is used, as Google
// asks of credential configurations: a JSON service-account key with an
// email, a private key and Google's token endpoint. Its errors name the file,
// never its content. It returns the secrets of the key, for redaction.
func checkServiceAccount(path string, data []byte) ([]string, error) {
	var f struct {
		Type         string `json:"type"`
		ClientEmail  string `json:"client_email"`
		PrivateKey   string `json:"private_key"`
		PrivateKeyID string `json:"private_key_id"`
		TokenURI     string `json:"token_uri"`
	}
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("google: credentials file %s is not valid JSON", path)
	}
	secrets := secretParts(f.PrivateKey, f.PrivateKeyID)
	if f.Type != string(google.ServiceAccount) {
		return nil, fmt.Errorf("google: credentials file %s is not a service-account key (type %q)", path, f.Type)
	}
	if f.ClientEmail == "" || f.PrivateKey == "" {
		return nil, fmt.Errorf("google: credentials file %s lacks client_email or private_key", path)
	}
	if f.TokenURI != "" {
		u, err := url.Parse(f.TokenURI)
		if err != nil || u.Scheme != "https" || !tokenHosts[u.Host] {
			return nil, fmt.Errorf("google: credentials file %s names a token_uri that is not Google's", path)
		}
	}
	return secrets, nil
}

// secretParts splits a private key into the pieces that could leak into a
// message: every line of base64 of some length, and the key id.
func secretParts(key, keyID string) []string {
	var out []string
	for line := range strings.SplitSeq(strings.ReplaceAll(key, `\n`, "\n"), "\n") {
		line = strings.TrimSpace(line)
		if len(line) >= 16 && !strings.HasPrefix(line, "-----") {
			out = append(out, line)
		}
	}
	if len(keyID) >= 8 {
		out = append(out, keyID)
	}
	return out
}

// redact returns err unchanged unless its text holds one of secrets; then
// the text is redacted and the chain kept (httpkit.Redactor.Mask).
func redact(err error, secrets []string) error {
	if len(secrets) == 0 {
		return err
	}
	return httpkit.NewRedactor(secrets...).Mask(err)
}
