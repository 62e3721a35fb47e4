package generated

// Adversarial review of issue 13: the server URL parsed once by NewClient is shared by every
// call; the request URL is joined by concatenation when that gives ResolveReference's string.

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
)

// Concurrent calls with hostile parameters share NewClient's parse (run with -race): none
// writes it, and a call after them builds the same URL as the first did.
func TestReview13ConcurrentCallsShareTheParsedServer(t *testing.T) {
	for _, server := range []string{"http://127.0.0.1:9/base", "http://127.0.0.1:9/base/?q=1", "http://127.0.0.1:9/a/../b/"} {
		var mu sync.Mutex
		var urls []string
		doer := doerFunc(func(req *http.Request) (*http.Response, error) {
			mu.Lock()
			urls = append(urls, req.URL.String())
			mu.Unlock()
			return nil, errNoAnswer
		})
		c, err := NewClientWithResponses(server, WithHTTPClient(doer))
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		_, _ = c.QueryECommerceBalanceWithResponse(ctx, "1900000109", nil)
		first := urls[0]
		var wg sync.WaitGroup
		for _, v := range []string{"..", ".", "%2e", "a/b", "a?b#c", "\x00", "\xff", "../../v3/certificates", "a;b", "+"} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 20 {
					at := AccountType(v)
					_, _ = c.QueryECommerceBalanceWithResponse(ctx, v, &QueryECommerceBalanceParams{AccountType: &at})
					_, _ = c.QueryAccountBalanceWithResponse(ctx, &QueryAccountBalanceParams{MchID: v, BalAccountNo: v})
				}
			}()
		}
		wg.Wait()
		urls = urls[:0]
		_, _ = c.QueryECommerceBalanceWithResponse(ctx, "1900000109", nil)
		if urls[0] != first {
			t.Errorf("server %q: %q after the concurrent calls, %q before", server, urls[0], first)
		}
		// Server assigned away and back: the same URL as NewClient's parse gives.
		inner := c.ClientInterface.(*Client)
		s := inner.Server
		inner.Server = "http://127.0.0.1:10/other/"
		inner.Server = s
		urls = urls[:0]
		_, _ = c.QueryECommerceBalanceWithResponse(ctx, "1900000109", nil)
		if urls[0] != first {
			t.Errorf("server %q reassigned: %q, want %q", server, urls[0], first)
		}
	}
}

// A nil context is an error from every method, with or without responses; no panic.
func TestReview13NilContext(t *testing.T) {
	c, err := NewClientWithResponses("http://127.0.0.1:9/", WithHTTPClient(doerFunc(func(*http.Request) (*http.Response, error) {
		return nil, errors.New("reached the doer")
	})))
	if err != nil {
		t.Fatal(err)
	}
	//nolint:staticcheck // a nil context is what is being tested
	for name, call := range map[string]func() error{
		"QueryECommerceBalanceWithResponse": func() error { _, err := c.QueryECommerceBalanceWithResponse(nil, "1", nil); return err },
		"QueryAccountBalanceWithResponse": func() error {
			_, err := c.QueryAccountBalanceWithResponse(nil, &QueryAccountBalanceParams{MchID: "1", BalAccountNo: "b"})
			return err
		},
		"ListCertificatesWithResponse": func() error { _, err := c.ListCertificatesWithResponse(nil); return err },
	} {
		if err := call(); err == nil || err.Error() == "reached the doer" {
			t.Errorf("%s(nil context): %v, want an error before the doer", name, err)
		}
	}
}

// Server URLs built from tricky parts (userinfo, IPv6 hosts, escaped and dot segments,
// reserved bytes, empty segments, queries and fragments) with hostile parameters: the
// request URL is the generator's own (ResolveReference) byte for byte, joined or not.
func TestReview13RequestURLCombinations(t *testing.T) {
	schemes := []string{"http://", "https://", "HTTP://", "//", ""}
	users := []string{"", "u@", "u:p@", "u%40:p%3A@"}
	hosts := []string{"h", "127.0.0.1:9", "[::1]:9", "H%41", "h:"}
	segs := []string{"", "a", ".", "..", "%2e", "%2E%2e", "%2F", "a;b", "a:b", "~", "é", "%41", "%zz", "a b", "[x]", "!$&'()*+,=@", "%"}
	tails := []string{"", "/", "?q=1", "/?", "#f", "/#", "/?x#y"}
	values := []string{"1900000109", "", ".", "..", "%2e", "a/b", "a?b", "#", "é", "\x00", "\xff", "a;b", "+", "~!$&'()*,=:@", "%41"}
	n := 0
	for i, scheme := range schemes {
		for j, user := range users {
			for k, host := range hosts {
				for a, s1 := range segs {
					s2 := segs[(a*7+i+j+k)%len(segs)]
					for b, tail := range tails {
						v := values[(a+b+i*3+k)%len(values)]
						servers := []string{scheme + user + host + "/" + s1 + "/" + s2 + tail, scheme + user + host + "/" + s1 + tail}
						if a == 0 {
							servers = append(servers, scheme+user+host+tail)
						}
						for _, server := range servers {
							checkRequestURL(t, server, v, values[(a+2*b+j)%len(values)], v, b%2 == 0)
							n++
						}
					}
				}
			}
		}
	}
	t.Logf("%d servers", n)
}
