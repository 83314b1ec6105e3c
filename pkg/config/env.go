package config

import (
	"errors"
	"fmt"
	"strings"
)

// LookupFunc reads an environment variable; os.LookupEnv is one.
type LookupFunc func(name string) (string, bool)

// expansion is the result of expanding ${VAR} references in one value.
type expansion struct {
	value string
	refs  []string // every variable referenced, in order
	unset []string // those that were not set
	whole bool     // the value was exactly one reference
}

// expand replaces ${NAME} with the variable's value and $$ with $; any other
// $ is kept. An unset variable expands to "" and is recorded. For a secret
// value the error does not quote the offending text.
func expand(s string, lookup LookupFunc, secret bool) (expansion, error) {
	if !strings.Contains(s, "$") {
		return expansion{value: s}, nil
	}
	var (
		b strings.Builder
		x expansion
	)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '$' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		switch s[i+1] {
		case '$':
			b.WriteByte('$')
			i++
		case '{':
			end := strings.IndexByte(s[i+2:], '}')
			if end < 0 {
				return x, errors.New("unterminated ${ (write ${NAME}, or $$ for a literal $)")
			}
			name := s[i+2 : i+2+end]
			if !validEnvName(name) {
				if secret || name == "" {
					return x, errors.New("malformed ${...} reference (write ${NAME} with letters, digits and _, or $$ for a literal $)")
				}
				return x, fmt.Errorf("malformed reference ${%s} (a name is letters, digits and _, not starting with a digit; write $$ for a literal $)", name)
			}
			x.refs = append(x.refs, name)
			v, ok := "", false
			if lookup != nil {
				v, ok = lookup(name)
			}
			if !ok {
				x.unset = append(x.unset, name)
			}
			b.WriteString(v)
			i += 2 + end
		default:
			b.WriteByte(c)
		}
	}
	x.value = b.String()
	x.whole = len(x.refs) == 1 && strings.TrimSpace(s) == "${"+x.refs[0]+"}"
	return x, nil
}

func validEnvName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '_', c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case c >= '0' && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// unsetNote explains, for a problem with a value that referenced unset
// variables, where the empty value came from.
func unsetNote(x expansion) string {
	if len(x.unset) == 0 {
		return ""
	}
	refs := make([]string, len(x.unset))
	for i, n := range x.unset {
		refs[i] = "${" + n + "}"
	}
	if x.whole {
		return fmt.Sprintf("it is %s, which is not set", refs[0])
	}
	if len(refs) == 1 {
		return fmt.Sprintf("it uses %s, which is not set", refs[0])
	}
	return fmt.Sprintf("it uses %s and %s, which are not set",
		strings.Join(refs[:len(refs)-1], ", "), refs[len(refs)-1])
}
