package transport

import (
	"reflect"
	"testing"
	"unsafe"
)

// Two Transports share what openapi.yaml makes immutable — the parsed spec, the route
// table and its schemas, the rate rules, the User-Agent — and keep their own identity,
// key ring and rate limiter. An override of one Transport's rate limits never reaches
// the table the others share.
func TestTransportsShareWhatIsImmutable(t *testing.T) {
	key := newKey(t)
	cfg := func(mchID string) Config {
		return Config{MchID: mchID, CertificateSerialNo: "SERIAL" + mchID, PrivateKey: key,
			WechatPayPublicKeyID: "PUB_KEY_ID_1", WechatPayPublicKey: &key.PublicKey}
	}
	a, err := New(cfg("1900000001"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(cfg("1900000002"))
	if err != nil {
		t.Fatal(err)
	}
	if a.ops != b.ops || a.ops.doc != b.ops.doc {
		t.Fatal("each Transport parsed openapi.yaml again; the parsed spec and route table should be shared")
	}
	if reflect.ValueOf(a.rateRules).Pointer() != reflect.ValueOf(b.rateRules).Pointer() {
		t.Error("each Transport built its own rate rules; without RateLimits they should be shared")
	}
	if a.userAgent != b.userAgent || a.userAgent == "" {
		t.Errorf("User-Agent %q vs %q", a.userAgent, b.userAgent)
	}
	if a.mchID == b.mchID || a.keys == b.keys || a.limiter == b.limiter || a.sealed == b.sealed {
		t.Error("per-merchant state is shared between Transports")
	}

	op := a.ops.byID("QueryAccountBalance")
	want := *a.rateRules[op]
	oc := cfg("1900000003")
	oc.RateLimits = map[string]RateLimit{"QueryAccountBalance": {QPS: 1, Burst: 1}}
	c, err := New(oc)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.rateRules[op].limit; got != (RateLimit{QPS: 1, Burst: 1}) {
		t.Errorf("override not applied: %+v", got)
	}
	if c.rateRules[op].param != want.param || c.rateRules[op].in != want.in {
		t.Errorf("override lost the keyed parameter: %+v, want %s in %s", *c.rateRules[op], want.param, want.in)
	}
	if got := *a.rateRules[op]; got != want {
		t.Errorf("an override changed the shared rule: %+v, want %+v", got, want)
	}
	if d, err := New(cfg("1900000004")); err != nil || *d.rateRules[op] != want {
		t.Errorf("a later Transport got %+v, want %+v (err %v)", d.rateRules[op], want, err)
	}
}

// Every Transport without Config.Limiter holds a LocalLimiter of its own, so an unused one
// must stay small: its 64 shards are allocated on first use (they were 3 KiB inline, the
// largest part of a merchant's Transport).
func TestUnusedLocalLimiterIsSmall(t *testing.T) {
	if size := unsafe.Sizeof(LocalLimiter{}); size > 256 {
		t.Errorf("an unused LocalLimiter is %d bytes", size)
	}
}
