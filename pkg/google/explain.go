package google

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"google.golang.org/api/googleapi"
)

// Explain words an API failure for people ("not found: check the document
// link") and strips what must not leave: a transport error's URL loses its
// query string, user info and fragment (an API key would be there). thing
// names what was read ("document", "spreadsheet"); more adds or overrides
// hints by HTTP status.
func Explain(err error, thing string, more map[int]string) error {
	var gerr *googleapi.Error
	if errors.As(err, &gerr) {
		hint, ok := more[gerr.Code]
		if !ok {
			switch gerr.Code {
			case http.StatusNotFound:
				hint = "not found: check the " + thing + " link"
			case http.StatusForbidden:
				hint = "access denied: share the " + thing + " with the service account"
			case http.StatusUnauthorized:
				hint = "not authorised: check the Google credentials"
			case http.StatusTooManyRequests:
				hint = "rate limited by Google"
			default:
				return err
			}
		}
		return fmt.Errorf("%s: %w", hint, err)
	}
	var uerr *url.Error
	if errors.As(err, &uerr) {
		return &url.Error{Op: uerr.Op, URL: RedactURL(uerr.URL), Err: uerr.Err}
	}
	return err
}

// RedactURL keeps a URL's scheme, host and path only.
func RedactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(url)"
	}
	u.RawQuery, u.User, u.Fragment = "", nil, ""
	return u.String()
}
