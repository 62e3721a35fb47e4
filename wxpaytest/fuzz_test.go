package wxpaytest

// The fuzz target of the test server's Authorization parser, which reads what any client
// sends:
//
//	go test -run '^$' -fuzz '^FuzzParseAuthorization$' -fuzztime 60s ./wxpaytest/
//
// The committed seeds are in testdata/fuzz/FuzzParseAuthorization; rewrite them with
//
//	WXPAY_WRITE_FUZZ_SEEDS=1 go test -run '^TestWriteFuzzSeeds$' ./wxpaytest/

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// maxAuthErrorLen bounds an Authorization error message: errors quote at most a short,
// truncated piece of the header, never all of it. The longest is a 64-byte serial_no of
// invalid UTF-8, quoted as 256 characters of \x escapes (seed c3ff1ae102eddf4d).
const maxAuthErrorLen = 400

// FuzzParseAuthorization checks ParseAuthorization on arbitrary headers: no panic; an error
// is one short line; what parses has five non-empty fields without quotes, a timestamp of
// decimal digits, and re-formats to a header that parses to the same fields. The whole
// Authorization check (checkAuthorization) never panics either and, the signature being
// unforgeable, rejects every fuzzed header with an *authError.
func FuzzParseAuthorization(f *testing.F) {
	f.Add(goodAuth)
	f.Add(`WECHATPAY2-SHA256-RSA2048 signature="c2ln", serial_no="S" ,timestamp="1",nonce_str="N",  mchid="M"`)
	f.Add(authScheme + ` mchid="`)
	f.Add(authScheme + ` ,,,`)
	f.Add("")
	keys := testKeys(f)
	nonces := &nonceCache{}
	f.Fuzz(func(t *testing.T, header string) {
		a, err := ParseAuthorization(header)
		if err != nil {
			checkAuthErrorText(t, header, err)
		} else {
			for _, v := range []string{a.MchID, a.NonceStr, a.Timestamp, a.SerialNo, a.Signature} {
				if v == "" || strings.Contains(v, `"`) {
					t.Fatalf("%q: bad field value %q", header, v)
				}
			}
			if len(a.Timestamp) > 18 || strings.Trim(a.Timestamp, "0123456789") != "" {
				t.Fatalf("%q: timestamp %q is not Unix seconds", header, a.Timestamp)
			}
			_ = a.Time()
			// What parses re-formats to a header that parses to the same fields.
			again := fmt.Sprintf(`%s mchid="%s",nonce_str="%s",timestamp="%s",serial_no="%s",signature="%s"`,
				authScheme, a.MchID, a.NonceStr, a.Timestamp, a.SerialNo, a.Signature)
			b, err := ParseAuthorization(again)
			if err != nil || a != b {
				t.Fatalf("%q parsed to %+v, which re-parses to %+v, %v", header, a, b, err)
			}
		}
		_, err = checkAuthorization(keys, nonces, header, "GET", "/v3/ecommerce/fund/balance/1900000109", nil, time.Now())
		var ae *authError
		if !errors.As(err, &ae) {
			t.Fatalf("%q: checkAuthorization returned %v (%T), want an *authError", header, err, err)
		}
		checkAuthErrorText(t, header, err)
	})
}

// checkAuthErrorText fails unless err's message is one short line.
func checkAuthErrorText(t *testing.T, header string, err error) {
	t.Helper()
	msg := err.Error()
	if msg == "" || len(msg) > maxAuthErrorLen || strings.ContainsAny(msg, "\r\n") {
		t.Fatalf("%.80q: unclear error (%d bytes): %.300q", header, len(msg), msg)
	}
	if !utf8.ValidString(msg) {
		t.Fatalf("%.80q: error is not valid UTF-8: %q", header, msg)
	}
}

// TestWriteFuzzSeeds rewrites testdata/fuzz/FuzzParseAuthorization when
// WXPAY_WRITE_FUZZ_SEEDS=1.
func TestWriteFuzzSeeds(t *testing.T) {
	if os.Getenv("WXPAY_WRITE_FUZZ_SEEDS") != "1" {
		t.Skip("set WXPAY_WRITE_FUZZ_SEEDS=1 to rewrite testdata/fuzz")
	}
	field := func(k, v string) string { return k + `="` + v + `"` }
	all := func(mchid, nonce, ts, serial, sig string) string {
		return authScheme + " " + strings.Join([]string{field("mchid", mchid), field("nonce_str", nonce),
			field("timestamp", ts), field("serial_no", serial), field("signature", sig)}, ",")
	}
	const (
		m = "1900000001"
		n = "593BEC0C930BF1AFEB40B4A08C8FB242"
		s = "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C"
		g = "c2lnbmF0dXJl"
	)
	ts := "1554208460"
	seeds := map[string]string{
		"good":                goodAuth,
		"good-minimal":        all(m, n, ts, s, g),
		"empty":               "",
		"scheme-only":         authScheme,
		"scheme-space":        authScheme + " ",
		"lower-case":          strings.ToLower(all(m, n, ts, s, g)),
		"other-scheme":        strings.Replace(all(m, n, ts, s, g), "RSA2048", "RSA4096", 1),
		"leading-space":       " " + all(m, n, ts, s, g),
		"double-space":        strings.Replace(all(m, n, ts, s, g), " ", "  ", 1),
		"tab-separator":       strings.Replace(all(m, n, ts, s, g), " ", "\t", 1),
		"spaces-around-comma": strings.ReplaceAll(all(m, n, ts, s, g), ",", " , "),
		"reordered":           authScheme + " " + field("signature", g) + "," + field("serial_no", s) + "," + field("timestamp", ts) + "," + field("nonce_str", n) + "," + field("mchid", m),
		"duplicate-field":     all(m, n, ts, s, g) + "," + field("mchid", m),
		"unknown-field":       all(m, n, ts, s, g) + "," + field("extra", "1"),
		"unknown-long-key":    all(m, n, ts, s, g) + "," + field(strings.Repeat("k", 4096), "1"),
		"missing-signature":   authScheme + " " + field("mchid", m) + "," + field("nonce_str", n) + "," + field("timestamp", ts) + "," + field("serial_no", s),
		"unquoted":            strings.Replace(all(m, n, ts, s, g), `mchid="`+m+`"`, "mchid="+m, 1),
		"single-quoted":       strings.ReplaceAll(all(m, n, ts, s, g), `"`, `'`),
		"unterminated":        strings.TrimSuffix(all(m, n, ts, s, g), `"`),
		"escaped-quote":       all(m, n, ts, s, `c2ln\"bmF0`),
		"empty-value":         all("", n, ts, s, g),
		"trailing-comma":      all(m, n, ts, s, g) + ",",
		"comma-only":          authScheme + " ,,,",
		"equals-in-value":     all(m, n, ts, s, "c2lnbmF0dXJl=="),
		"no-equals":           authScheme + " mchid",
		"timestamp-18":        all(m, n, "999999999999999999", s, g),
		"timestamp-19":        all(m, n, "9999999999999999999", s, g),
		"timestamp-negative":  all(m, n, "-1", s, g),
		"timestamp-plus":      all(m, n, "+1554208460", s, g),
		"timestamp-hex":       all(m, n, "0x5CA5A94C", s, g),
		"timestamp-unicode":   all(m, n, "１５５４２０８４６０", s, g),
		"nul-byte":            all(m, "\x00", ts, s, g),
		"unicode-values":      all("商户号", "随机串", ts, "序列号", "签名"),
		"invalid-utf8":        all(m, "\xff\xfe", ts, s, g),
		"huge-signature":      all(m, n, ts, s, strings.Repeat("A", 64<<10)),
		"newline-in-value":    all(m, "a\nb", ts, s, g),
		"probe-signature":     all(m, n, ts, s, probePrefix+"abc"),
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzParseAuthorization")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, h := range seeds {
		data := "go test fuzz v1\nstring(" + strconv.Quote(h) + ")\n"
		if err := os.WriteFile(filepath.Join(dir, "seed-"+name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
