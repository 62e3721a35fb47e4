package transport

import (
	"bytes"
	"io"
	"math"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/wxpay-oapi/wxpay/protocol"
)

// The signed message assembled in a reused buffer is byte for byte RequestMessage over
// (*url.URL).RequestURI, whatever the URL.
func TestAppendRequestMessageIsRequestMessage(t *testing.T) {
	for _, raw := range []string{
		"https://api.mch.weixin.qq.com/v3/ecommerce/fund/balance/1900000109?account_type=BASIC",
		"https://h/v3/certificates", "https://h", "https://h/?", "https://h/a%2Fb/c?x=%20y&z",
		"https://h/%E4%BD%A0/%zz", "mailto:someone@example.com",
	} {
		u, err := url.Parse(raw)
		if err != nil {
			u = &url.URL{Scheme: "https", Host: "h", Path: "/%zz"}
		}
		for _, ts := range []int64{0, 1554208460, -5, math.MaxInt64} {
			want := protocol.RequestMessage("GET", u.RequestURI(), ts, "NONCE", []byte(`{"a":1}`))
			got := appendRequestMessage([]byte("junk")[:0], "GET", u, ts, "NONCE", []byte(`{"a":1}`))
			if !bytes.Equal(got, want) {
				t.Errorf("%s at %d: %q, want %q", raw, ts, got, want)
			}
		}
	}
}

// The header sent is the caller's plus the four the transport sets, in a map and value
// slices of its own: nothing appended to it reaches the caller's header.
func TestSentHeaderIsACopy(t *testing.T) {
	tr := &Transport{userAgent: "wxpay-go/x"}
	caller := http.Header{"X-A": {"1", "2"}, "X-Nil": nil, "User-Agent": {"app/1"}}
	before := caller.Clone()
	out := tr.sentHeader(caller, "AUTH", "SERIAL")
	want := http.Header{"X-A": {"1", "2"}, "X-Nil": nil, "User-Agent": {"app/1 wxpay-go/x"},
		"Authorization": {"AUTH"}, "Wechatpay-Serial": {"SERIAL"}, "Accept": {"application/json"}}
	if !reflect.DeepEqual(out, want) {
		t.Errorf("sent %v, want %v", out, want)
	}
	out.Add("X-A", "3")
	out["Authorization"] = append(out["Authorization"], "more")
	out.Set("Accept", "text/plain")
	if !reflect.DeepEqual(caller, before) {
		t.Errorf("the caller's header changed: %v, was %v", caller, before)
	}
	if got := out["Wechatpay-Serial"]; len(got) != 1 || got[0] != "SERIAL" {
		t.Errorf("appending to one header overwrote another: %v", got)
	}
}

// readAtMost reads what io.ReadAll(io.LimitReader(r, n)) reads, whatever the size hint
// (a Content-Length may be wrong or absent), and appendSplit splits as strings.Split.
func TestReadAtMostAndAppendSplit(t *testing.T) {
	for _, size := range []int{0, 1, 90, 511, 512, 513, 5000} {
		body := bytes.Repeat([]byte("x"), size)
		for _, n := range []int64{1, 90, 512, 513, 1 << 20, math.MaxInt64} {
			want, _ := io.ReadAll(io.LimitReader(bytes.NewReader(body), n))
			for _, hint := range []int64{-1, 0, int64(size), int64(size) - 1, int64(size) + 7, n, math.MaxInt64 - 1} {
				got, err := readAtMost(iotest.OneByteReader(bytes.NewReader(body)), n, hint)
				if err != nil || !bytes.Equal(got, want) {
					t.Fatalf("size %d, n %d, hint %d: read %d bytes (%v), want %d", size, n, hint, len(got), err, len(want))
				}
			}
		}
	}
	if _, err := readAtMost(iotest.ErrReader(io.ErrUnexpectedEOF), 10, -1); err != io.ErrUnexpectedEOF {
		t.Errorf("error %v not passed on", err)
	}
	for _, s := range []string{"", "/", "/v3/ecommerce/fund/balance/1900000109", "a//b/", strings.Repeat("/x", 40)} {
		if got, want := appendSplit(nil, s, '/'), strings.Split(s, "/"); !reflect.DeepEqual(got, want) {
			t.Errorf("%q: %q, want %q", s, got, want)
		}
	}
}
