package generated

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

// oldQueryAccountBalanceURL is the request URL as the generator's own client.tmpl built it.
func oldQueryAccountBalanceURL(server string, params *QueryAccountBalanceParams) (string, error) {
	return oldURL(server, fmt.Sprintf("/v3/aggracct-bc/wb-channel/account/balance"), params != nil, func() ([]string, error) {
		fragments, err := oldQueryFragments(nil, "mchid", params.MchID)
		if err != nil {
			return nil, err
		}
		return oldQueryFragments(fragments, "bal_account_no", params.BalAccountNo)
	})
}

// oldRequest is the request the generator's own code made of oldURL's answer
// (http.NewRequest of queryURL.String()).
func oldRequest(rawURL string, err error) (*http.Request, error) {
	if err != nil {
		return nil, err
	}
	return http.NewRequest(http.MethodGet, rawURL, nil)
}

// sameRequestURL fails t unless got (a request and error) is want, byte for byte: the
// error's text, or the URL's string and every field of the parsed *url.URL.
func sameRequestURL(t *testing.T, what string, got *http.Request, err error, want *http.Request, wantErr error) {
	t.Helper()
	if (err != nil) != (wantErr != nil) || err != nil && err.Error() != wantErr.Error() {
		t.Fatalf("%s: error %v, the generator's own %v", what, err, wantErr)
	}
	if err != nil {
		return
	}
	if got.URL.String() != want.URL.String() || !reflect.DeepEqual(*got.URL, *want.URL) {
		t.Fatalf("%s: URL %q %#v, the generator's own %q %#v", what, got.URL, *got.URL, want.URL, *want.URL)
	}
}

var requestURLSeeds = struct{ servers, values []string }{
	servers: []string{
		"https://api.mch.weixin.qq.com", "https://api.mch.weixin.qq.com/", "http://127.0.0.1:8080/base/",
		"http://127.0.0.1:8080/base", "http://127.0.0.1/base/?x=1&y=2", "http://[::1]:9/a%2Fb/", "http://[::1]/",
		"http://u:p%40ss@h:1/x/", "http://h/x#frag", "http://h/x/?", "http://h/./a/", "http://h/../", "http://h//a/",
		"http://h/a/../b/", "http://h/%2e/", "http://h/a%2Eb/", "http://h/a b/", "http://h/[x]/", "//h/p/",
		"/rel/", "rel/", "", "mailto:x", "http:opaque", "http://h:/", "http://H%41/", "http://h/é/",
		"http://[fe80::1%25en0]:8/", "http://h/;p=1/", "http://h/a:b/",
	},
	values: []string{
		"1900000109", "", ".", "..", "...", "%", "%2F", "%zz", "a/b", "?", "#", "é", "a b", "../x", "./", "a?b#c",
		"+", "&=", "~!$'()*,;:@", "\x00", "\x7f", "日本", "[]", `"\`,
	},
}

func TestRequestURLSeedsAreTheGeneratorsOwn(t *testing.T) {
	for _, server := range requestURLSeeds.servers {
		for _, v := range requestURLSeeds.values {
			checkRequestURL(t, server, v, v, v, true)
			checkRequestURL(t, server, v, "BASIC", v, false)
		}
	}
}

func FuzzRequestURLIsTheGeneratorsOwn(f *testing.F) {
	for _, server := range requestURLSeeds.servers {
		for _, v := range requestURLSeeds.values {
			f.Add(server, v, v, v, true)
		}
	}
	f.Fuzz(checkRequestURL)
}

// checkRequestURL compares the request URLs the generated code builds, by
// NewXRequest and through a Client (made by NewClient, then with Server assigned),
// with those of the generator's own code.
func checkRequestURL(t *testing.T, server, sub, accountType, mchid string, withParams bool) {
	at := AccountType(accountType)
	ecom := &QueryECommerceBalanceParams{AccountType: &at}
	acct := &QueryAccountBalanceParams{MchID: mchid, BalAccountNo: accountType}
	if !withParams {
		ecom, acct = nil, nil
	}
	what := fmt.Sprintf("server %q sub_mchid %q account_type %q mchid %q params %v", server, sub, accountType, mchid, withParams)

	want, wantErr := oldRequest(oldQueryECommerceBalanceURL(server, sub, ecom))
	got, err := NewQueryECommerceBalanceRequest(server, sub, ecom)
	sameRequestURL(t, what+" NewQueryECommerceBalanceRequest", got, err, want, wantErr)
	want2, wantErr2 := oldRequest(oldQueryAccountBalanceURL(server, acct))
	got, err = NewQueryAccountBalanceRequest(server, acct)
	sameRequestURL(t, what+" NewQueryAccountBalanceRequest", got, err, want2, wantErr2)

	var sent *http.Request
	doer := doerFunc(func(req *http.Request) (*http.Response, error) {
		sent = req
		return nil, errNoAnswer
	})
	// NewClient adds a trailing "/" and parses what it holds then.
	slashed := server
	if !strings.HasSuffix(slashed, "/") {
		slashed += "/"
	}
	c, err := NewClient(server, WithHTTPClient(doer))
	if _, parseErr := url.Parse(slashed); (err != nil) != (parseErr != nil) {
		t.Fatalf("%s: NewClient error %v, url.Parse %v", what, err, parseErr)
	}
	if err != nil {
		c = &Client{Server: slashed, Client: doer} // a Client literal parses at each call
	}
	for range 2 {
		ctx := context.Background()
		want, wantErr = oldRequest(oldQueryECommerceBalanceURL(c.Server, sub, ecom))
		sent = nil
		_, err = c.QueryECommerceBalance(ctx, sub, ecom)
		sameRequestURL(t, what+" Client.QueryECommerceBalance", sent, clientError(sent, err), want, wantErr)
		want, wantErr = oldRequest(oldQueryAccountBalanceURL(c.Server, acct))
		sent = nil
		_, err = c.QueryAccountBalance(ctx, acct)
		sameRequestURL(t, what+" Client.QueryAccountBalance", sent, clientError(sent, err), want, wantErr)
		c.Server = server // assigned: parsed at each call
	}
}

var errNoAnswer = errors.New("no answer")

// clientError is the error of building the request: nil when the doer was reached.
func clientError(sent *http.Request, err error) error {
	if sent != nil && errors.Is(err, errNoAnswer) {
		return nil
	}
	if err == nil {
		return errors.New("no request and no error")
	}
	return err
}

// TestJoinedPathIsTaken: the checks above cover both routes, the joined URL and the
// generator's own ResolveReference.
func TestJoinedPathIsTaken(t *testing.T) {
	for server, prefix := range map[string]string{
		"https://api.mch.weixin.qq.com": "https://api.mch.weixin.qq.com/", "https://api.mch.weixin.qq.com/": "https://api.mch.weixin.qq.com/",
		"http://u:p@[::1]:9/a%2Fb/c": "http://u:p@[::1]:9/a%2Fb/", "http://h/x?q": "", "http://h/x#f": "", "http://h/../": "",
		"http://h//a/": "", "/rel/": "", "mailto:x": "",
	} {
		b, err := parseServerBase(server)
		if err != nil || b.prefix != prefix {
			t.Errorf("parseServerBase(%q): prefix %q, %v; want %q", server, b.prefix, err, prefix)
		}
	}
	base, _ := parseServerBase("https://api.mch.weixin.qq.com/")
	for param, joined := range map[string]bool{"1900000109": true, "": true, "a%2Fb": true, "...": true, ".": false, "..": false, "%": false, "%zz": false, "a/b": true, "a?b": false, "é": false} {
		if _, ok := joinedPathLen(base, "/v3/ecommerce/fund/balance/%s", param); ok != joined {
			t.Errorf("joinedPathLen(%q): %v, want %v", param, ok, joined)
		}
	}
	if _, ok := joinedPathLen(base, "/a/%s/%d", "x"); ok {
		t.Errorf("a verb other than %%s joined")
	}
}
