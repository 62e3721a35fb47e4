package wxpaytest

import (
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/routers"
)

// responseMediaTypes returns the media types of an operation's answers in openapi.yaml
// (application/json for every operation today), sorted.
func responseMediaTypes(route *routers.Route) []string {
	seen := map[string]bool{}
	if route.Operation.Responses != nil {
		for _, ref := range route.Operation.Responses.Map() {
			if ref == nil || ref.Value == nil {
				continue
			}
			for mt := range ref.Value.Content {
				seen[strings.ToLower(mt)] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for mt := range seen {
		out = append(out, mt)
	}
	sort.Strings(out)
	return out
}

// acceptable reports whether the Accept header values allow one of types, as WeChat Pay
// takes them: no Accept (or an empty one) allows anything; otherwise some media range —
// */*, type/* or the type itself, parameters ignored — must match with a q-value above 0.
// The official SDKs send "application/json" or "*/*"; other SDKs send lists such as
// "application/json, text/plain, */*".
func acceptable(values []string, types []string) bool {
	if len(types) == 0 {
		return true
	}
	var ranges []string
	for _, v := range values {
		for _, r := range strings.Split(v, ",") {
			if r = strings.TrimSpace(r); r != "" {
				ranges = append(ranges, r)
			}
		}
	}
	if len(ranges) == 0 {
		return true
	}
	for _, r := range ranges {
		mediaRange, params, _ := strings.Cut(r, ";")
		mediaRange = strings.ToLower(strings.TrimSpace(mediaRange))
		if qZero(params) {
			continue
		}
		for _, t := range types {
			main, _, _ := strings.Cut(t, "/")
			if mediaRange == "*/*" || mediaRange == main+"/*" || mediaRange == t {
				return true
			}
		}
	}
	return false
}

// qZero reports whether a media range's parameters give it q=0 (not acceptable).
func qZero(params string) bool {
	for _, p := range strings.Split(params, ";") {
		name, value, ok := strings.Cut(strings.TrimSpace(p), "=")
		if ok && strings.EqualFold(strings.TrimSpace(name), "q") {
			q, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
			return err == nil && q <= 0
		}
	}
	return false
}
