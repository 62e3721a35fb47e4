package transport

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
)

// queryCases are raw queries around every rule of url.ParseQuery and url.QueryEscape:
// separators, empty pieces and names, duplicates, "+", %-escapes good, bad and
// non-canonical, ";" and bytes a request target may not hold.
var queryCases = []string{
	"", "&", "&&", "=", "==", "a", "a=", "=a", "a=1", "a=1&", "&a=1", "a=1&&b=2", "a=1&a=2", "a=1&a=1",
	"a=&a=", "a=1&b=2&a=3", "a=b=c", "a=%3D", "a+b=c+d", "a%20b=c", "a=%2B", "a=%2b", "a=+", "a=%",
	"a=%4", "a=%zz", "%=1", "a%=1", "a=1%", "a=%41", "a=%7E", "a=%7e", "a=~._-", "a=1;b=2", "a=1&b=2;",
	";", "a=%3B", "a=1&;", "%3B=1", "a=%e4%b8%ad", "a=%E4%B8%AD", "a=中", "a=\x00", "a=%00", "a=%25",
	"a=%2525", "account_type=BASIC", "account_type=BASI%43", "ACCOUNT_TYPE=FEES", "sub_mchid=1",
	"mchid=1900016681&bal_account_no=abc%2B%2F%3D", "mchid=1900016681&mchid=1900016681",
	strings.Repeat("a=1&", maxParams) + "b=2", strings.Repeat("&", 10000), strings.Repeat("&", 10001),
	strings.Repeat("=1&", 10001),
}

// TestQueryPairsLikeParseQuery: queryParses and queryPairs read a query exactly as
// url.ParseQuery does: the same refusals, the same pairs.
func TestQueryPairsLikeParseQuery(t *testing.T) {
	for _, raw := range queryCases {
		checkLikeParseQuery(t, raw)
	}
}

func FuzzQueryPairsLikeParseQuery(f *testing.F) {
	for _, raw := range queryCases {
		f.Add(raw)
	}
	f.Fuzz(checkLikeParseQuery)
}

func checkLikeParseQuery(t *testing.T, raw string) {
	want, err := url.ParseQuery(raw)
	if got := queryParses(raw); got != (err == nil) {
		t.Fatalf("queryParses(%.80q) = %v; url.ParseQuery: %v", raw, got, err)
	}
	if err != nil {
		return
	}
	got := url.Values{}
	for it := (queryPairs{rest: raw}); ; {
		name, value, ok := it.next()
		if !ok {
			break
		}
		got[name] = append(got[name], value)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("queryPairs(%.80q) = %v; url.ParseQuery: %v", raw, got, want)
	}
}

// TestQueryPairEscapedLikeQueryEscape: queryPairEscaped accepts exactly the pieces that
// url.QueryEscape of their unescaped name and value rebuilds byte for byte.
func TestQueryPairEscapedLikeQueryEscape(t *testing.T) {
	for _, raw := range queryCases {
		for _, piece := range strings.Split(raw, "&") {
			checkEscapedLikeQueryEscape(t, piece)
		}
	}
	for c := range 256 { // every byte, as itself and as each %XX spelling
		b := string(rune(c))
		if c >= 0x80 {
			b = string([]byte{byte(c)})
		}
		for _, v := range []string{b, "%" + strings.ToUpper(hex2(c)), "%" + hex2(c)} {
			checkEscapedLikeQueryEscape(t, "a="+v)
			checkEscapedLikeQueryEscape(t, v+"=a")
		}
	}
}

func hex2(c int) string { return string("0123456789abcdef"[c>>4]) + string("0123456789abcdef"[c&15]) }

func FuzzQueryPairEscapedLikeQueryEscape(f *testing.F) {
	for _, raw := range queryCases {
		f.Add(raw)
	}
	f.Fuzz(checkEscapedLikeQueryEscape)
}

func checkEscapedLikeQueryEscape(t *testing.T, piece string) {
	name, value, _ := strings.Cut(piece, "=")
	n, _ := url.QueryUnescape(name)
	v, _ := url.QueryUnescape(value)
	want := piece == url.QueryEscape(n)+"="+url.QueryEscape(v)
	if got := queryPairEscaped(piece); got != want {
		t.Fatalf("queryPairEscaped(%q) = %v, want %v", piece, got, want)
	}
}
