package report

import (
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Code classifies a FieldError; it is stable and machine-readable.
type Code string

// Error and warning codes.
const (
	CodeMissing      Code = "missing"       // required value absent or empty
	CodeOneOf        Code = "one_of"        // none of a group of alternatives reported
	CodeNotANumber   Code = "not_a_number"  // "два", "~10", "+3"
	CodeNotWhole     Code = "not_whole"     // "2.5" for a count
	CodeNegative     Code = "negative"      // "-3"
	CodeRange        Code = "range"         // "12-15"
	CodeAmbiguous    Code = "ambiguous"     // "12 34": two numbers
	CodeOutOfBounds  Code = "out_of_bounds" // outside the template's min..max
	CodeTooLong      Code = "too_long"      // text longer than max_len
	CodeDuplicate    Code = "duplicate"     // the same metric twice with different values
	CodeUnknownLabel Code = "unknown_label" // warning: a "Label: value" line the template does not know
	CodeRepeatedDate Code = "repeated_date" // warning: the day's date appears twice
	CodeBadDate      Code = "bad_date"      // warning: a date line naming no real day
	CodeChipNotRead  Code = "chip_not_read" // warning: a line ends where the source left a chip out
	CodeTooLarge     Code = "too_large"     // warning: a sheet over the report budgets was not read
)

// zeroWords read as 0 in a count ("нет" звонков), and as "not given" in a rating.
var zeroWords = map[string]bool{"нет": true, "none": true, "no": true, "ноль": true, "nil": true}

func isDash(r rune) bool { return r == '-' || r == '—' || r == '–' || r == '−' || r == '‒' }

// zeroValue reports whether v is a zero word or a lone dash, with any comment after it.
func zeroValue(v string) (comment string, ok bool) {
	r, size := utf8.DecodeRuneInString(v)
	if isDash(r) {
		// "-5" and "- 5" are a negative number (or a bullet before one), not zero.
		rest := strings.TrimFunc(v[size:], padding)
		if holdsNumber(rest) {
			return "", false
		}
		return rest, true
	}
	end := 0
	for end < len(v) {
		r, size := utf8.DecodeRuneInString(v[end:])
		if !unicode.IsLetter(r) {
			break
		}
		end += size
	}
	if end > 0 && isZeroWord(v[:end]) {
		rest := strings.TrimFunc(v[end:], func(r rune) bool { return padding(r) || r == ',' || r == '.' })
		if holdsNumber(rest) {
			return "", false // "нет 5": a zero word and a number contradict each other
		}
		return rest, true
	}
	return "", false
}

// isZeroWord reports whether zeroWords holds the word w lower-cased, as
// strings.ToLower would lower it (rune by rune), without lower-casing it.
func isZeroWord(w string) bool {
	for _, z := range zeroWordList {
		if lowerEquals(w, z) {
			return true
		}
	}
	return false
}

// zeroWordList is zeroWords as a list, for isZeroWord.
var zeroWordList = func() []string {
	list := make([]string, 0, len(zeroWords))
	for z := range zeroWords {
		list = append(list, z)
	}
	return list
}()

// lowerEquals reports whether strings.ToLower(w) == lower for a w of
// letters (valid runes) and a lower-case lower.
func lowerEquals(w, lower string) bool {
	for _, r := range w {
		l, size := utf8.DecodeRuneInString(lower)
		if size == 0 || unicode.ToLower(r) != l {
			return false
		}
		lower = lower[size:]
	}
	return lower == ""
}

// holdsNumber reports whether the text after a zero word or dash starts with a
// number (past dashes and emphasis): then the value is not a plain zero.
func holdsNumber(rest string) bool {
	after := strings.TrimLeftFunc(rest, func(r rune) bool { return isDash(r) || padding(r) || r == ',' || r == '.' })
	next, _ := utf8.DecodeRuneInString(after)
	return unicode.IsDigit(next)
}

// valueErr is a value problem before it is located and worded.
type valueErr struct {
	code Code
}

// maxCountDigits keeps counts far inside int64 and float64 precision.
const maxCountDigits = 15

// parseCount reads a count: digits with optional groups of three separated by
// any kind of space, then an optional comment. See SPEC §3.
func parseCount(v string) (n float64, comment string, bad *valueErr) {
	if c, ok := zeroValue(v); ok {
		return 0, c, nil
	}
	r, _ := utf8.DecodeRuneInString(v)
	if isDash(r) {
		return 0, "", &valueErr{CodeNegative}
	}
	if !isASCIIDigit(r) {
		return 0, "", &valueErr{CodeNotANumber}
	}
	// The digits are summed as they are read (a count is at most
	// maxCountDigits long: exact in a float64), not copied out.
	var (
		digits int    // how many
		zero   bool   // the digits are exactly "0"
		value  uint64 // of the first maxCountDigits
	)
	add := func(s string) {
		for k := 0; k < len(s); k++ {
			if digits < maxCountDigits {
				value = value*10 + uint64(s[k]-'0')
			}
			digits++
		}
	}
	i := 0
	for i < len(v) && isASCIIDigit(rune(v[i])) {
		i++
	}
	add(v[:i])
	zero = i == 1 && v[0] == '0'
	// Thousands groups: a space of any kind, exactly three digits, then no digit.
	for {
		r, sp := utf8.DecodeRuneInString(v[i:])
		if sp == 0 || !isSpace(r) {
			break
		}
		j := i + sp
		k := j
		for k < len(v) && isASCIIDigit(rune(v[k])) {
			k++
		}
		if k-j != 3 {
			break
		}
		add(v[j:k])
		zero = false
		i = k
	}
	rest := v[i:]
	if bad := afterNumber(rest); bad != nil {
		return 0, "", bad
	}
	if programmerNotation(zero, rest) {
		return 0, "", &valueErr{CodeNotANumber}
	}
	if digits > maxCountDigits {
		return math.Inf(1), "", nil
	}
	x := float64(value)
	return x, strings.TrimFunc(rest, padding), nil
}

// afterNumber rejects what cannot follow a count: a fraction, a range, another number.
func afterNumber(rest string) *valueErr {
	r, size := utf8.DecodeRuneInString(rest)
	switch {
	case size == 0:
		return nil
	case r == '.' || r == ',':
		if next, _ := utf8.DecodeRuneInString(rest[size:]); isASCIIDigit(next) {
			return &valueErr{CodeNotWhole}
		}
	case unicode.IsDigit(r):
		return &valueErr{CodeNotANumber}
	}
	// Markdown emphasis around the number is padding too: "**12** 3" and
	// "12*3" hold a second number just like "12 3".
	t := strings.TrimLeftFunc(rest, padding)
	r, size = utf8.DecodeRuneInString(t)
	switch {
	case isDash(r):
		u := strings.TrimLeftFunc(t[size:], isSpace)
		if next, _ := utf8.DecodeRuneInString(u); isASCIIDigit(next) {
			return &valueErr{CodeRange}
		}
	case isASCIIDigit(r):
		return &valueErr{CodeAmbiguous}
	}
	return nil
}

func isASCIIDigit(r rune) bool { return r >= '0' && r <= '9' }

// programmerNotation reports whether the digits read and what follows them
// are one number in a notation people do not write in a report: an
// exponent ("1e309", "2E+3") or a base prefix ("0x10", "0b101", "0o17").
// Read as the digits with a comment, they became 1 and 0 without a word.
// zero says the digits are exactly "0".
func programmerNotation(zero bool, rest string) bool {
	if len(rest) < 2 {
		return false
	}
	switch rest[0] {
	case 'e', 'E':
		next := rest[1:]
		if next[0] == '+' || next[0] == '-' {
			next = next[1:]
		}
		return next != "" && isASCIIDigit(rune(next[0]))
	case 'x', 'X':
		return zero && strings.ContainsRune("0123456789abcdefABCDEF", rune(rest[1]))
	case 'b', 'B', 'o', 'O':
		return zero && isASCIIDigit(rune(rest[1]))
	}
	return false
}

// parseRating reads a rating with a decimal comma or point; "4,5/5" and
// "4,5 из 5" read as 4.5. Zero words and dashes mean "not given" (ok=false, no error).
func parseRating(v string) (x float64, comment string, given bool, bad *valueErr) {
	if _, ok := zeroValue(v); ok {
		return 0, "", false, nil
	}
	r, _ := utf8.DecodeRuneInString(v)
	if !isASCIIDigit(r) {
		return 0, "", true, &valueErr{CodeNotANumber}
	}
	i := 0
	for i < len(v) && isASCIIDigit(rune(v[i])) {
		i++
	}
	num := v[:i]
	if i+1 < len(v) && (v[i] == ',' || v[i] == '.') && isASCIIDigit(rune(v[i+1])) {
		j := i + 1
		for j < len(v) && isASCIIDigit(rune(v[j])) {
			j++
		}
		num = v[:i] + "." + v[i+1:j]
		i = j
	}
	if programmerNotation(v[:i] == "0", v[i:]) {
		return 0, "", true, &valueErr{CodeNotANumber}
	}
	rest := strings.TrimFunc(v[i:], padding)
	if r, _ := utf8.DecodeRuneInString(rest); isASCIIDigit(r) {
		return 0, "", true, &valueErr{CodeAmbiguous}
	}
	if len(num) > maxCountDigits {
		return math.Inf(1), rest, true, nil
	}
	x, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, "", true, &valueErr{CodeNotANumber}
	}
	return x, rest, true, nil
}
