package transport_test

// Adversarial review of issue 13 (fewer allocations per call): attacks on the rewritten
// sign and verify path, the request checks without maps and the attempt's request copy.
// Each test is an attack that is held; they stay as regression tests.

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wxpay-oapi/wxpay"
	"github.com/wxpay-oapi/wxpay/generated"
	"github.com/wxpay-oapi/wxpay/transport"
)

// review13Answer is a signed 200 answer to QueryECommerceBalance for sub, as WeChat Pay
// signs it with key; edit may change its headers afterwards.
func review13Answer(t *testing.T, req *http.Request, key *rsa.PrivateKey, sub string, edit func(h http.Header)) *http.Response {
	t.Helper()
	body := `{"sub_mchid":"` + sub + `","available_amount":1,"pending_amount":0,"account_type":"BASIC"}`
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	nonce := "593BEC0C930BF1AFEB40B4A08C8FB242"
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("Wechatpay-Timestamp", ts)
	h.Set("Wechatpay-Nonce", nonce)
	h.Set("Wechatpay-Signature", signWith(key, ts, nonce, []byte(body)))
	h.Set("Wechatpay-Serial", testPubKeyID)
	h.Set("Request-ID", "review13")
	if edit != nil {
		edit(h)
	}
	return &http.Response{StatusCode: 200, Header: h, Body: io.NopCloser(strings.NewReader(body)),
		ContentLength: int64(len(body)), Request: req}
}

func review13Transport(t *testing.T, base http.RoundTripper, edit func(*transport.Config)) *transport.Transport {
	t.Helper()
	cfg := identity(t, false)
	cfg.Base, cfg.MaxAttempts = base, 1
	if edit != nil {
		edit(&cfg)
	}
	tr, err := transport.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tr.Close() })
	return tr
}

func review13Request(t *testing.T, rawURL string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// Signature headers an attacker or a broken server sends: duplicates (the first value is
// the one checked, as Header.Get reads it — a forged first value fails even when a good one
// follows), present but empty, odd-case names not canonicalized in the map, a nonce with a
// line break, a probe. None is delivered.
func TestReview13SignatureHeaderAttacks(t *testing.T) {
	k := theKeys(t)
	good := review13Answer(t, nil, k.wechat, "1900000109", nil).Header
	forged := review13Answer(t, nil, k.other, "1900000109", nil).Header.Get("Wechatpay-Signature")
	cases := []struct {
		name   string
		edit   func(h http.Header)
		reason transport.Reason
	}{
		{"forged signature first, good one second", func(h http.Header) {
			h["Wechatpay-Signature"] = []string{forged, good.Get("Wechatpay-Signature")}
		}, transport.ReasonBadSignature},
		{"empty signature first, good one second", func(h http.Header) {
			h["Wechatpay-Signature"] = []string{"", good.Get("Wechatpay-Signature")}
		}, transport.ReasonMissingHeader},
		{"empty timestamp", func(h http.Header) { h["Wechatpay-Timestamp"] = []string{""} }, transport.ReasonMissingHeader},
		{"no values", func(h http.Header) { h["Wechatpay-Nonce"] = []string{} }, transport.ReasonMissingHeader},
		{"nil values", func(h http.Header) { h["Wechatpay-Serial"] = nil }, transport.ReasonMissingHeader},
		{"lower-case names left in the map", func(h http.Header) {
			for _, n := range []string{"Wechatpay-Timestamp", "Wechatpay-Nonce", "Wechatpay-Signature", "Wechatpay-Serial"} {
				h[strings.ToLower(n)] = h[n]
				delete(h, n)
			}
		}, transport.ReasonMissingHeader},
		{"nonce with CR LF", func(h http.Header) { h.Set("Wechatpay-Nonce", "593BEC0C\r\n930BF1AF") }, transport.ReasonBadSignature},
		{"nonce with LF only", func(h http.Header) { h.Set("Wechatpay-Nonce", "\n") }, transport.ReasonBadSignature},
		{"probe", func(h http.Header) { h.Set("Wechatpay-Signature", "WECHATPAY/SIGNTEST/"+h.Get("Wechatpay-Signature")) }, transport.ReasonProbe},
		{"unknown serial, duplicate known second", func(h http.Header) {
			h["Wechatpay-Serial"] = []string{"NOT_A_KEY", testPubKeyID}
		}, transport.ReasonUnknownSerial},
		{"timestamp with a second value", func(h http.Header) {
			h["Wechatpay-Timestamp"] = []string{"x", h.Get("Wechatpay-Timestamp")}
		}, transport.ReasonBadTimestamp},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tr := review13Transport(t, baseFunc(func(req *http.Request) (*http.Response, error) {
				return review13Answer(t, req, k.wechat, "1900000109", tc.edit), nil
			}), nil)
			resp, err := tr.RoundTrip(review13Request(t, "https://api.mch.weixin.qq.com/v3/ecommerce/fund/balance/1900000109"))
			var ve *transport.VerificationError
			if resp != nil || !errors.As(err, &ve) || ve.Reason != tc.reason {
				t.Fatalf("got %v, %v; want a *VerificationError %v", resp, err, tc.reason)
			}
			// The exported VerifyResponse reads the same headers the same way.
			h := review13Answer(t, nil, k.wechat, "1900000109", tc.edit)
			b, _ := io.ReadAll(h.Body)
			lookup := func(s string) (*rsa.PublicKey, bool) {
				if s == testPubKeyID {
					return &k.wechat.PublicKey, true
				}
				return nil, false
			}
			if err := transport.VerifyResponse(lookup, h.Header, b, time.Now()); !errors.As(err, &ve) || ve.Reason != tc.reason {
				t.Fatalf("VerifyResponse: %v, want %v", err, tc.reason)
			}
		})
	}
	// Header names are canonicalized by net/http on the wire: a server writing them in
	// lower case is verified as usual.
	f := newFakeWechatPay(t)
	f.set(func(f *fakeWechatPay) {
		f.tamper = func(h http.Header, body []byte) []byte {
			for _, n := range []string{"Wechatpay-Timestamp", "Wechatpay-Nonce", "Wechatpay-Signature", "Wechatpay-Serial"} {
				h[strings.ToLower(n)] = h[n]
				delete(h, n)
			}
			return body
		}
	})
	c, _ := newClient(t, f)
	if _, err := wxpay.Result(c.QueryECommerceBalanceWithResponse(context.Background(), "1900000109", nil)); err != nil {
		t.Fatalf("lower-case signature headers on the wire: %v", err)
	}
}

// The attempt's request carries the attempt's own context (AttemptTimeout, or an
// Observer's AttemptStart context) to Base, and the caller's values; without either it is
// the caller's context itself.
func TestReview13AttemptContextReachesBase(t *testing.T) {
	k := theKeys(t)
	type key struct{}
	ctx := context.WithValue(context.Background(), key{}, "caller")
	type seen struct {
		deadline time.Time
		has      bool
		value    any
		obs      any
		ctx      context.Context
	}
	run := func(t *testing.T, edit func(*transport.Config), callerCtx context.Context) seen {
		var s seen
		tr := review13Transport(t, baseFunc(func(req *http.Request) (*http.Response, error) {
			s.deadline, s.has = req.Context().Deadline()
			s.value, s.obs, s.ctx = req.Context().Value(key{}), req.Context().Value("obs"), req.Context()
			return review13Answer(t, req, k.wechat, "1900000109", nil), nil
		}), edit)
		req := review13Request(t, "https://api.mch.weixin.qq.com/v3/ecommerce/fund/balance/1900000109").WithContext(callerCtx)
		resp, err := tr.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		if resp.Request.Context() != s.ctx {
			t.Error("resp.Request does not carry the context Base saw")
		}
		return s
	}
	t.Run("plain", func(t *testing.T) {
		if s := run(t, nil, ctx); s.ctx != ctx || s.has {
			t.Errorf("Base saw context %v (deadline %v), want the caller's", s.ctx, s.has)
		}
	})
	t.Run("AttemptTimeout", func(t *testing.T) {
		start := time.Now()
		s := run(t, func(c *transport.Config) { c.AttemptTimeout = 7 * time.Second }, ctx)
		if !s.has || s.deadline.Before(start) || s.deadline.After(start.Add(8*time.Second)) || s.value != "caller" {
			t.Errorf("Base saw deadline %v (%v), value %v; want within the attempt's 7 s, and the caller's value", s.deadline, s.has, s.value)
		}
	})
	t.Run("AttemptTimeout shorter than the caller's deadline", func(t *testing.T) {
		cctx, cancel := context.WithTimeout(ctx, time.Hour)
		defer cancel()
		start := time.Now()
		s := run(t, func(c *transport.Config) { c.AttemptTimeout = 3 * time.Second }, cctx)
		if !s.has || s.deadline.After(start.Add(4*time.Second)) {
			t.Errorf("Base saw deadline %v (%v); want the attempt's", s.deadline, s.has)
		}
	})
	t.Run("Observer", func(t *testing.T) {
		obs := &transport.Observer{AttemptStart: func(ctx context.Context, _ transport.AttemptStart) context.Context {
			return context.WithValue(ctx, "obs", "attempt") //nolint:staticcheck // a test key
		}}
		s := run(t, func(c *transport.Config) { c.Observer, c.AttemptTimeout = obs, 5*time.Second }, ctx)
		if s.obs != "attempt" || s.value != "caller" || !s.has {
			t.Errorf("Base saw observer value %v, caller value %v, deadline %v", s.obs, s.value, s.has)
		}
		s = run(t, func(c *transport.Config) { c.Observer = obs }, ctx)
		if s.obs != "attempt" || s.value != "caller" || s.has {
			t.Errorf("without AttemptTimeout: Base saw observer value %v, caller value %v, deadline %v", s.obs, s.value, s.has)
		}
	})
}

// A caller who keeps, mutates or reuses its request after RoundTrip: RoundTrip edits
// nothing the caller holds, the response's Request is the attempt's own (its URL a copy),
// and a second RoundTrip of the same request is signed afresh.
func TestReview13CallerRequestReuse(t *testing.T) {
	k := theKeys(t)
	var mu sync.Mutex
	var auths []string
	var sentURLs []*url.URL
	tr := review13Transport(t, baseFunc(func(req *http.Request) (*http.Response, error) {
		mu.Lock()
		auths = append(auths, req.Header.Get("Authorization"))
		sentURLs = append(sentURLs, req.URL)
		mu.Unlock()
		return review13Answer(t, req, k.wechat, "1900000109", nil), nil
	}), nil)
	req := review13Request(t, "https://api.mch.weixin.qq.com/v3/ecommerce/fund/balance/1900000109?account_type=BASIC")
	req.Header.Set("X-Caller", "x")
	before := *req.URL
	headerBefore := req.Header.Clone()
	resp1, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	if *req.URL != before || len(req.Header) != len(headerBefore) || req.Header.Get("Authorization") != "" || req.Host != "api.mch.weixin.qq.com" {
		t.Fatalf("RoundTrip edited the caller's request: %v %v %q", req.URL, req.Header, req.Host)
	}
	if resp1.Request == req || resp1.Request.URL == req.URL {
		t.Fatal("the response's Request (or its URL) is the caller's")
	}
	// The caller mutates its URL and reuses the request.
	req.URL.Path = "/v3/ecommerce/fund/balance/1900000110"
	req.URL.RawQuery = ""
	if resp1.Request.URL.Path != "/v3/ecommerce/fund/balance/1900000109" || resp1.Request.URL.RawQuery != "account_type=BASIC" {
		t.Fatalf("the caller's edit reached the first response's request: %v", resp1.Request.URL)
	}
	resp2, err := tr.RoundTrip(req)
	if err == nil {
		t.Fatalf("an answer for 1900000109 to a request for 1900000110 was delivered: %v", resp2.Request.URL)
	}
	var ve *transport.VerificationError
	if !errors.As(err, &ve) || ve.Reason != transport.ReasonNotThisAnswer {
		t.Fatalf("err = %v, want ReasonNotThisAnswer", err)
	}
	resp1.Request.URL.Path = "/mutated"
	mu.Lock()
	defer mu.Unlock()
	if len(auths) != 2 || auths[0] == auths[1] || sentURLs[1].Path != "/v3/ecommerce/fund/balance/1900000110" {
		t.Fatalf("attempts: %d, same Authorization %v, second URL %v", len(auths), auths[0] == auths[1], sentURLs[1])
	}
	if req.URL.Path != "/v3/ecommerce/fund/balance/1900000110" {
		t.Fatal("mutating a response's request reached the caller's URL")
	}
}

// Concurrent calls: every Authorization carries its own 32-character nonce, built in place
// (unsafe.String) — no two alike, none changed after the request was sent.
func TestReview13NoncesConcurrent(t *testing.T) {
	k := theKeys(t)
	var mu sync.Mutex
	type sent struct {
		auth string
		hdr  http.Header
	}
	var all []sent
	tr := review13Transport(t, baseFunc(func(req *http.Request) (*http.Response, error) {
		mu.Lock()
		all = append(all, sent{req.Header.Get("Authorization"), req.Header})
		mu.Unlock()
		return review13Answer(t, req, k.wechat, "1900000109", nil), nil
	}), nil)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 16 {
				if _, err := tr.RoundTrip(review13Request(t, "https://api.mch.weixin.qq.com/v3/ecommerce/fund/balance/1900000109")); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	nonces := map[string]bool{}
	for _, s := range all {
		if s.auth != s.hdr.Get("Authorization") {
			t.Fatal("an Authorization changed after it was sent")
		}
		i := strings.Index(s.auth, `nonce_str="`)
		n := s.auth[i+len(`nonce_str="`):][:32]
		if strings.Trim(n, "0123456789ABCDEF") != "" || nonces[n] {
			t.Fatalf("nonce %q: not upper-case hex, or used twice", n)
		}
		nonces[n] = true
		if err := checkAuthorization(&http.Request{Method: http.MethodGet, URL: &url.URL{Path: "/v3/ecommerce/fund/balance/1900000109"},
			Header: s.hdr}, &k.merchant.PublicKey); err != nil {
			t.Fatalf("Authorization does not verify: %v", err)
		}
	}
}

// reusingSigner is a crypto.Signer (as a KMS client may be) that returns its signature in
// a buffer it reuses for the next signature: the Authorization must not alias it.
type reusingSigner struct {
	mu  sync.Mutex
	key *rsa.PrivateKey
	buf []byte
}

func (s *reusingSigner) Public() crypto.PublicKey { return &s.key.PublicKey }
func (s *reusingSigner) Sign(r io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	sig, err := s.key.Sign(r, digest, opts)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.buf = append(s.buf[:0], sig...)
	return s.buf, nil
}

func TestReview13SignerReusingItsBuffer(t *testing.T) {
	k := theKeys(t)
	var auths []string
	var hdrs []http.Header
	tr := review13Transport(t, baseFunc(func(req *http.Request) (*http.Response, error) {
		auths, hdrs = append(auths, req.Header.Get("Authorization")), append(hdrs, req.Header)
		return review13Answer(t, req, k.wechat, "1900000109", nil), nil
	}), func(c *transport.Config) { c.PrivateKey, c.Signer = nil, &reusingSigner{key: k.merchant} })
	for range 3 {
		if _, err := tr.RoundTrip(review13Request(t, "https://api.mch.weixin.qq.com/v3/ecommerce/fund/balance/1900000109")); err != nil {
			t.Fatal(err)
		}
	}
	for i, h := range hdrs {
		if h.Get("Authorization") != auths[i] {
			t.Fatal("an Authorization changed when the signer reused its buffer")
		}
		if err := checkAuthorization(&http.Request{Method: http.MethodGet, URL: &url.URL{Path: "/v3/ecommerce/fund/balance/1900000109"},
			Header: h}, &k.merchant.PublicKey); err != nil {
			t.Fatalf("attempt %d: %v", i, err)
		}
	}
}

// Hostile path and query parameters sent through the raw Transport: each is refused before
// any I/O (an *InputError), or WeChat Pay receives exactly what was checked. Whatever GODEBUG
// urlmaxqueryparams says, a good request goes out (before issue 13, a limit of 1 refused it,
// as ParseQuery does, with a misleading "cannot be parsed unambiguously").
func TestReview13HostileTargets(t *testing.T) {
	k := theKeys(t)
	const p = "https://api.mch.weixin.qq.com/v3/ecommerce/fund/balance/"
	many := func(pair string, n int) string { return strings.TrimSuffix(strings.Repeat(pair+"&", n), "&") }
	refused := []string{
		p + "..", p + "%2e%2e", p + ".", p + "%2E", p + "a%2Fb", p + "a;b", p + "a%00b", p + "%ff", p + "a%zz",
		p + "1900000109?account_type=BASIC&account_type=BASIC",
		p + "1900000109?account_type=BASIC;x=1",
		p + "1900000109?account_type=BASIC&account_type=FEES",
		p + "1900000109?account_type=BASIC&x=1",
		p + "1900000109?account_type=",
		p + "1900000109?account_type",
		p + "1900000109?account_type=BASIC&",
		p + "1900000109?&account_type=BASIC",
		p + "1900000109?account_type=%42ASIC",
		p + "1900000109?account_type=BAS%zzIC",
		p + "1900000109?account_type=BASIC%",
		p + "1900000109?account%5Ftype=BASIC",
		p + "1900000109?Account_type=BASIC",
		p + "1900000109?" + many("account_type=BASIC", 9),
		p + "1900000109?" + many("account_type=BASIC", 10001),
		p + "1900000109?" + many("a=1", 10001),
		p + "1900000109?account_type=BASIC" + strings.Repeat("&", 20000),
		p + "1900000109?" + many("account_type=BASIC", 7) + ";",
		p + "1900000109?account_type=BA+SIC",
		p + "1900000109?account_type=%E6%97%A5",
	}
	for _, godebug := range []string{"", "urlmaxqueryparams=0", "urlmaxqueryparams=1", "urlmaxqueryparams=5"} {
		t.Run("GODEBUG="+godebug, func(t *testing.T) {
			if godebug != "" {
				t.Setenv("GODEBUG", godebug)
			}
			hits := 0
			tr := review13Transport(t, baseFunc(func(req *http.Request) (*http.Response, error) {
				hits++
				return review13Answer(t, req, k.wechat, "1900000109", nil), nil
			}), nil)
			for _, u := range refused {
				req, err := http.NewRequest(http.MethodGet, u, nil)
				if err != nil {
					continue // net/url refuses it already
				}
				_, err = tr.RoundTrip(req)
				var ie *transport.InputError
				if !errors.As(err, &ie) || hits != 0 {
					short := u
					if len(short) > 120 {
						short = short[:120] + "…"
					}
					t.Fatalf("%s: err %v after %d requests, want an *InputError before any", short, err, hits)
				}
			}
			if _, err := tr.RoundTrip(review13Request(t, p+"1900000109?account_type=BASIC")); err != nil || hits != 1 {
				t.Fatalf("a good request: %v (%d sent)", err, hits)
			}
		})
	}
}

// Hostile sub_mchid values through the generated client: refused before any I/O, or the
// loopback server receives exactly that value and its signed answer is delivered.
func TestReview13HostilePathParameterThroughClient(t *testing.T) {
	f := newFakeWechatPay(t)
	c, _ := newClient(t, f)
	for _, v := range []string{"..", ".", "%2e", "%2E%2E", "a/b", "a%2Fb", "a;b", "a+b", "a#b", "a?b", "a\x00b", "\xff\xfe",
		"a b", "../certificates", "1900000109/..", "~", "a=b&c", strings.Repeat("9", 4096)} {
		before := f.hits.Load()
		_, err := wxpay.Result(c.QueryECommerceBalanceWithResponse(context.Background(), v, nil))
		sent := f.hits.Load() - before
		var ie *transport.InputError
		switch {
		case sent == 0 && errors.As(err, &ie):
		case sent == 0 && err != nil && !strings.Contains(err.Error(), "wxpay") && !strings.Contains(err.Error(), "transport"):
			// net/url or the generated client refused it before the Transport
		default:
			got := strings.TrimPrefix(f.uri(), "/v3/ecommerce/fund/balance/")
			un, uerr := url.PathUnescape(got)
			if sent != 1 || uerr != nil || un != v {
				t.Errorf("sub_mchid %q: %d sent, server got %q (%v), err %v", v, sent, got, uerr, err)
			}
		}
	}
}

// Platform-certificate rotation seen by many concurrent calls: every answer signed by the
// new, unknown serial is verified after one download, none is delivered unverified, and a
// serial the download does not list is still refused.
func TestReview13ConcurrentRotation(t *testing.T) {
	leakCheck(t)
	keys, srv := ownServer(t)
	c, _ := clientFor(t, srv, srv.URL, func(cfg *transport.Config) { cfg.APIv3Key = keys.APIv3Key })
	if _, err := wxpay.Result(ecommerce(context.Background(), c)); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.RotatePlatformCertificate(); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := wxpay.Result(ecommerce(context.Background(), c)); err != nil {
				t.Errorf("after rotation: %v", err)
			}
		}()
	}
	wg.Wait()
	// An answer signed by a key the server never lists: refused as an unknown serial.
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tr := review13Transport(t, baseFunc(func(req *http.Request) (*http.Response, error) {
		return review13Answer(t, req, other, "1900000109", func(h http.Header) { h.Set("Wechatpay-Serial", "5157F09EFDC096DE15EBE81A47057A7232F1B8E1") }), nil
	}), nil)
	_, err = tr.RoundTrip(review13Request(t, "https://api.mch.weixin.qq.com/v3/ecommerce/fund/balance/1900000109"))
	var ve *transport.VerificationError
	if !errors.As(err, &ve) || ve.Reason != transport.ReasonUnknownSerial {
		t.Fatalf("unknown serial: %v", err)
	}
	_ = generated.AccountTypeBasic
}

// VerifyResponse on a nil or empty header map: every header missing, no panic.
func TestReview13VerifyResponseNilHeader(t *testing.T) {
	lookup := func(string) (*rsa.PublicKey, bool) { return nil, false }
	for _, h := range []http.Header{nil, {}, {"Wechatpay-Timestamp": nil, "Wechatpay-Nonce": {}}} {
		var ve *transport.VerificationError
		if err := transport.VerifyResponse(lookup, h, nil, time.Now()); !errors.As(err, &ve) || ve.Reason != transport.ReasonMissingHeader || ve.Header != "Wechatpay-Timestamp" {
			t.Errorf("header %v: %v, want Wechatpay-Timestamp missing", h, err)
		}
	}
}

// Body and GetBody on retries: every attempt of a GET carries no body, or an empty one it
// can read again (GetBody), whatever empty body the caller gave; the caller's is closed once.
func TestReview13BodyOnRetries(t *testing.T) {
	k := theKeys(t)
	for name, mk := range map[string]func() io.ReadCloser{
		"nil":        func() io.ReadCloser { return nil },
		"NoBody":     func() io.ReadCloser { return http.NoBody },
		"empty body": func() io.ReadCloser { return io.NopCloser(strings.NewReader("")) },
	} {
		t.Run(name, func(t *testing.T) {
			attempts := 0
			tr := review13Transport(t, baseFunc(func(req *http.Request) (*http.Response, error) {
				attempts++
				if req.Body != nil && req.Body != http.NoBody {
					if b, err := io.ReadAll(req.Body); err != nil || len(b) != 0 {
						t.Errorf("attempt %d: body %q, %v", attempts, b, err)
					}
					if req.GetBody == nil {
						t.Errorf("attempt %d: a body without GetBody", attempts)
					} else if rc, err := req.GetBody(); err != nil {
						t.Errorf("attempt %d: GetBody: %v", attempts, err)
					} else if b, _ := io.ReadAll(rc); len(b) != 0 {
						t.Errorf("attempt %d: GetBody gave %q", attempts, b)
					}
				}
				if req.ContentLength != 0 {
					t.Errorf("attempt %d: ContentLength %d", attempts, req.ContentLength)
				}
				if attempts < 3 {
					return &http.Response{StatusCode: 503, Header: http.Header{}, Body: io.NopCloser(strings.NewReader("")), Request: req}, nil
				}
				return review13Answer(t, req, k.wechat, "1900000109", nil), nil
			}), func(c *transport.Config) {
				c.MaxAttempts, c.Backoff = 3, func(int) time.Duration { return time.Millisecond }
			})
			req := review13Request(t, "https://api.mch.weixin.qq.com/v3/ecommerce/fund/balance/1900000109")
			cc := &closeCounter{}
			switch b := mk(); b {
			case nil:
			case http.NoBody:
				req.Body = b
			default:
				cc.Reader = b
				req.Body = cc
			}
			if _, err := tr.RoundTrip(req); err != nil || attempts != 3 {
				t.Fatalf("%v after %d attempts", err, attempts)
			}
			if cc.Reader != nil && cc.closes != 1 {
				t.Errorf("the caller's body was closed %d times", cc.closes)
			}
		})
	}
}

// An Observer whose CallStart gives the call a context (a span) and no AttemptStart: Base
// sees that context, and with AttemptTimeout a deadline under it.
func TestReview13CallStartContextReachesBase(t *testing.T) {
	k := theKeys(t)
	type spanKey struct{}
	for _, timeout := range []time.Duration{0, 4 * time.Second} {
		var got any
		var has bool
		tr := review13Transport(t, baseFunc(func(req *http.Request) (*http.Response, error) {
			got = req.Context().Value(spanKey{})
			_, has = req.Context().Deadline()
			return review13Answer(t, req, k.wechat, "1900000109", nil), nil
		}), func(c *transport.Config) {
			c.AttemptTimeout = timeout
			c.Observer = &transport.Observer{CallStart: func(ctx context.Context, _ transport.CallStart) context.Context {
				return context.WithValue(ctx, spanKey{}, "span")
			}}
		})
		if _, err := tr.RoundTrip(review13Request(t, "https://api.mch.weixin.qq.com/v3/ecommerce/fund/balance/1900000109")); err != nil {
			t.Fatal(err)
		}
		if got != "span" || has != (timeout > 0) {
			t.Errorf("AttemptTimeout %v: Base saw span %v, deadline %v", timeout, got, has)
		}
	}
}
