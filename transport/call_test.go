package transport

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"net/url"
	"testing"
)

// TestRequestCheckAllocations: the request checks before signing allocate nothing for a
// request whose values hold no escape, and only url.QueryUnescape's string for a value
// that does (an encrypted field's base64). They cost 8 allocations on the e-commerce query
// when a call held a map of path parameters and the query as url.Values, and the encrypted
// field's check 2 more for a second unescaping, a decoded copy and a hashed copy.
func TestRequestCheckAllocations(t *testing.T) {
	ops, err := sharedOperations()
	if err != nil {
		t.Fatal(err)
	}
	ct := make([]byte, 256) // as (*Transport).Encrypt gives for an RSA-2048 key
	rand.Read(ct)
	sealed := base64.StdEncoding.EncodeToString(ct)
	var cache sealedCache
	cache.put(sealed, "SERIAL")

	for _, tc := range []struct {
		target string
		want   float64
	}{
		{"/v3/ecommerce/fund/balance/1900000109?account_type=BASIC", 0},
		{"/v3/ecommerce/fund/balance/1900000109", 0},
		{"/v3/aggracct-bc/wb-channel/account/balance?mchid=1900016681&bal_account_no=" + url.QueryEscape(sealed), 1},
	} {
		req, err := http.NewRequest(http.MethodGet, "https://api.mch.weixin.qq.com"+tc.target, nil)
		if err != nil {
			t.Fatal(err)
		}
		var c call
		n := testing.AllocsPerRun(100, func() {
			if err := ops.checkInto(req, &c); err != nil {
				t.Fatal(err)
			}
			for _, e := range c.encrypted() {
				if _, ok := cache.get(e.value); !ok {
					t.Fatal("the sealed cache lost the ciphertext")
				}
			}
			if err := c.checkEncrypted(c.encrypted(), len(ct)); err != nil {
				t.Fatal(err)
			}
		})
		if n != tc.want {
			t.Errorf("%.70s: %v allocations, want %v", tc.target, n, tc.want)
		}
	}
}

// TestSpecRulesResolveToTheirParameters: the echo and rate-limit rules of openapi.yaml are
// resolved once per process to the index of the parameter they name, and a rate-limit key
// that names no parameter of its operation is refused.
func TestSpecRulesResolveToTheirParameters(t *testing.T) {
	ops, err := sharedOperations()
	if err != nil {
		t.Fatal(err)
	}
	var echoes, keys int
	for _, op := range ops.list {
		for _, rules := range op.echo {
			for _, r := range rules {
				if p := op.params[r.param].p; p.In != r.in || p.Name != r.name {
					t.Errorf("%s: echo of %s resolved to %s parameter %s", op.id, r.property, p.In, p.Name)
				}
				echoes++
			}
		}
		if r := op.rate; r != nil && r.param != "" {
			if p := op.params[r.index].p; p.In != r.in || p.Name != r.param {
				t.Errorf("%s: rate-limit key %s resolved to %s parameter %s", op.id, r.param, p.In, p.Name)
			}
			keys++
			bad := &rateRule{param: "no_such_param", in: r.in}
			if err := bad.resolve(op); err == nil {
				t.Errorf("%s: a rate-limit key naming no parameter was accepted", op.id)
			}
		}
	}
	if echoes == 0 || keys == 0 {
		t.Fatalf("openapi.yaml has %d echo rules and %d keyed rate limits: expected some of each", echoes, keys)
	}
}
