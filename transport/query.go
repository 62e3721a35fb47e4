package transport

import (
	"net/url"
	"strings"
)

// A request's query is read here without url.Values: pair by pair over the raw query, as
// url.ParseQuery reads it (split on "&", skip empty pieces, refuse ";", the name before the
// first "=", both unescaped with url.QueryUnescape), so that what the check accepts is
// exactly what ParseQuery accepts (but for GODEBUG urlmaxqueryparams: queryParses), and a query of the few parameters an operation takes
// costs no allocation unless a value holds an escape (query_test.go compares both).

// queryPairs walks the pairs of a raw query that url.ParseQuery would keep, in order:
// for it := (queryPairs{rest: raw}); ; { name, value, ok := it.next() … }. Call it only
// on a query for which queryParses is true.
type queryPairs struct{ rest string }

// next returns the next pair, unescaped; ok is false at the end.
func (it *queryPairs) next() (name, value string, ok bool) {
	name, value, ok = it.nextRaw()
	name, _ = url.QueryUnescape(name) // queryParses checked every escape
	value, _ = url.QueryUnescape(value)
	return name, value, ok
}

// nextName returns the next pair's name, unescaped, leaving its value as it is.
func (it *queryPairs) nextName() (name string, ok bool) {
	name, _, ok = it.nextRaw()
	name, _ = url.QueryUnescape(name)
	return name, ok
}

// nextRaw returns the next pair as it is in the query.
func (it *queryPairs) nextRaw() (name, value string, ok bool) {
	for it.rest != "" {
		var piece string
		piece, it.rest, _ = strings.Cut(it.rest, "&")
		if piece != "" {
			name, value, _ = strings.Cut(piece, "=")
			return name, value, true
		}
	}
	return "", "", false
}

// queryParses reports whether url.ParseQuery parses raw without an error: no piece holds
// ";" and every "%" starts a %XX escape. A query of more pairs than any operation takes is
// left to ParseQuery itself, which also limits the number of pairs (GODEBUG
// urlmaxqueryparams). One difference from ParseQuery: a urlmaxqueryparams of maxParams or
// less does not refuse a query of fewer than maxParams+1 pairs here (ParseQuery refuses
// one of that many pairs or more), since a count is no ambiguity; the checks before issue
// 13 refused such a query as "cannot be parsed unambiguously".
func queryParses(raw string) bool {
	if strings.Count(raw, "&") >= maxParams {
		_, err := url.ParseQuery(raw)
		return err == nil
	}
	for i := 0; i < len(raw); i++ {
		switch raw[i] {
		case ';':
			return false
		case '%':
			if i+2 >= len(raw) || !isHex(raw[i+1]) || !isHex(raw[i+2]) {
				return false
			}
		}
	}
	return true
}

// queryEscaped reports whether s is exactly url.QueryEscape of its own unescaping: only
// unreserved bytes, "+" for a space, and %XX (upper-case hex) for any other byte.
func queryEscaped(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case isUnreserved(c), c == '+':
		case c == '%' && i+2 < len(s) && isUpperHex(s[i+1]) && isUpperHex(s[i+2]):
			if b := unhex(s[i+1])<<4 | unhex(s[i+2]); isUnreserved(b) || b == ' ' {
				return false // QueryEscape writes it as itself, or as "+"
			}
			i += 2
		default:
			return false
		}
	}
	return true
}

// queryPairEscaped reports whether a piece of a raw query between "&"s is name=value
// exactly as url.Values.Encode writes it.
func queryPairEscaped(piece string) bool {
	name, value, ok := strings.Cut(piece, "=")
	return ok && queryEscaped(name) && queryEscaped(value)
}

func isUpperHex(c byte) bool {
	return '0' <= c && c <= '9' || 'A' <= c && c <= 'F'
}

// unhex is the value of a hex digit.
func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}
