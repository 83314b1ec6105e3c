package crm

// What the three CRM fact readers (bitrix24, amocrm, hubspot) share.

import (
	"errors"
	"fmt"
	"time"
)

// FactError is the failure of one fact kind of a FactReader.
type FactError struct {
	Kind string // crm.FactCalls, …
	Err  error
}

// Error names the kind and the failure, without its classification (the
// error of JoinFactErrors carries one for all).
func (e FactError) Error() string {
	var ce *Error
	if errors.As(e.Err, &ce) && ce.Err != nil {
		return e.Kind + ": " + ce.Err.Error()
	}
	return e.Kind + ": " + e.Err.Error()
}

func (e FactError) Unwrap() error { return e.Err }

// JoinFactErrors combines the failures of fact kinds into the one error a
// FactReader returns ("<adapter>: facts not read: …"), retryable when any of
// them is (with the longest wait asked for); nil when errs is empty.
func JoinFactErrors(adapter string, errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	kind, after := Permanent, time.Duration(0)
	for _, e := range errs {
		if IsRetryable(e) {
			kind = Retryable
		}
		after = max(after, RetryAfter(e))
	}
	return &Error{Kind: kind, RetryAfter: after, Err: fmt.Errorf("%s: facts not read: %w", adapter, errors.Join(errs...))}
}

// FactsByUser turns the counts read per fact kind (kind → user → count)
// into the answer of a FactReader: every user's Facts under the id it was
// asked by (names), with each kind read, 0 where the user had none (a zero
// is what lets verification see a number reported without any record);
// nil when no kind was read.
func FactsByUser[U comparable](users []U, names map[U]string, counts map[string]map[U]float64) map[string]Facts {
	if len(counts) == 0 {
		return nil
	}
	out := make(map[string]Facts, len(users))
	for _, u := range users {
		f := make(Facts, len(counts))
		for kind, c := range counts {
			f[kind] = c[u]
		}
		out[names[u]] = f
	}
	return out
}

// Wrapper is implemented by adapters that wrap another (a crm.Retrier,
// instrumentation, fault injection in tests): Unwrap returns the adapter
// inside, so that an optional capability of it, such as FactReader, stays
// visible through the wrapping (AsFactReader), as restic's backends do.
type Wrapper interface {
	Unwrap() Adapter
}

// maxUnwrap bounds the walk of AsFactReader, against a wrapper that
// returns itself.
const maxUnwrap = 32

// AsFactReader returns the FactReader of a: a itself when it is one,
// otherwise the first adapter down its Unwrap chain that is one. ok is false
// when no adapter on the chain reads facts.
func AsFactReader(a Adapter) (fr FactReader, ok bool) {
	for range maxUnwrap {
		if a == nil {
			return nil, false
		}
		if fr, ok := a.(FactReader); ok {
			return fr, true
		}
		w, ok := a.(Wrapper)
		if !ok {
			return nil, false
		}
		a = w.Unwrap()
	}
	return nil, false
}
