package googlefake_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/api/docs/v1"

	"github.com/dayreport/dayreport/pkg/googlefake"
)

// TestCutAnswers: TruncatedJSON is a whole HTTP message whose JSON is cut in
// half; DroppedBody announces the whole body, sends half and hangs up. The
// same over a socket and in-process.
func TestCutAnswers(t *testing.T) {
	t.Parallel()
	for _, inProcess := range []bool{false, true} {
		t.Run(fmt.Sprintf("in-process=%v", inProcess), func(t *testing.T) {
			t.Parallel()
			s := googlefake.New(t, googlefake.Options{InProcess: inProcess})
			s.PutDoc("d", &docs.Document{Title: "a title long enough to cut"})
			type answer struct {
				status int
				length int64
			}
			get := func() (answer, []byte, error) {
				resp, err := s.Client().Get(s.URL + "/v1/documents/d")
				require.NoError(t, err)
				defer func() { _ = resp.Body.Close() }()
				body, err := io.ReadAll(resp.Body)
				return answer{resp.StatusCode, resp.ContentLength}, body, err
			}
			_, whole, err := get()
			require.NoError(t, err)
			require.True(t, json.Valid(whole))

			s.Inject(googlefake.APIDocs, googlefake.TruncatedJSON, 1)
			resp, body, err := get()
			require.NoError(t, err, "a complete HTTP message")
			require.Equal(t, http.StatusOK, resp.status)
			require.Equal(t, whole[:len(whole)/2], body)
			require.False(t, json.Valid(body))

			s.Inject(googlefake.APIDocs, googlefake.DroppedBody, 1)
			resp, body, err = get()
			require.ErrorIs(t, err, io.ErrUnexpectedEOF)
			require.Equal(t, http.StatusOK, resp.status)
			require.Equal(t, int64(len(whole)), resp.length, "the whole length announced")
			require.Equal(t, whole[:len(whole)/2], body)

			_, again, err := get()
			require.NoError(t, err)
			require.Equal(t, whole, again, "one fault per injection")
			var statuses []int
			for _, r := range s.Requests() {
				statuses = append(statuses, r.Status)
			}
			require.Equal(t, []int{200, 200, 200, 200}, statuses)
		})
	}
}
