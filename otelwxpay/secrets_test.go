package otelwxpay_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/wxpay-oapi/wxpay"
	"github.com/wxpay-oapi/wxpay/generated"
	"github.com/wxpay-oapi/wxpay/transport"
	"github.com/wxpay-oapi/wxpay/wxpaytest"
)

// TestNothingSecretInAnyAttribute drives every hook — a certificate download, a rate-limited
// channel query with an encrypted field, a retry, a verification failure — and looks for
// secrets in every span name, attribute, event and status, and every metric attribute.
func TestNothingSecretInAnyAttribute(t *testing.T) {
	srv := wxpaytest.NewServer()
	defer srv.Close()
	tel := newTelemetry(t)
	cfg := srv.TransportConfig()
	base := &http.Transport{}
	defer base.CloseIdleConnections()
	cfg.Base, cfg.Observer, cfg.APIv3Key = base, tel.obs, srv.Keys().APIv3Key
	cfg.WechatPayPublicKeyID, cfg.WechatPayPublicKey, cfg.PlatformCertificates = "", nil, nil // download them
	tr, err := transport.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	c, _ := generated.NewClientWithResponses(srv.URL, generated.WithHTTPClient(&http.Client{Transport: tr}))
	// The first call downloads the platform certificates from srv (bootstrapping).
	if _, err := wxpay.Result(c.QueryECommerceBalanceWithResponse(context.Background(), wxpaytest.DemoSubMchID, nil)); err != nil {
		t.Fatal(err)
	}
	ct, err := tr.Encrypt(wxpaytest.DemoBalAccountNo)
	if err != nil {
		t.Fatal(err)
	}
	srv.QueueFault(wxpaytest.Fault{Status: 500})
	if _, err := wxpay.Result(c.QueryAccountBalanceWithResponse(context.Background(),
		&generated.QueryAccountBalanceParams{MchID: "1900016681", BalAccountNo: ct})); err != nil {
		t.Fatal(err)
	}
	srv.QueueFault(wxpaytest.Fault{TamperBody: true})
	if _, err := wxpay.Result(c.QueryAccountBalanceWithResponse(context.Background(),
		&generated.QueryAccountBalanceParams{MchID: "1900016681", BalAccountNo: ct})); err == nil {
		t.Fatal("a tampered answer was accepted")
	}

	secrets := map[string]string{
		"the encrypted field's plaintext": wxpaytest.DemoBalAccountNo,
		"its ciphertext":                  ct[:40],
		"its ciphertext, query-escaped":   url.QueryEscape(ct)[:40],
		"the APIv3 key":                   string(srv.Keys().APIv3Key.Bytes()),
		"the APIv3 key (base64)":          base64.StdEncoding.EncodeToString(srv.Keys().APIv3Key.Bytes()),
		"an Authorization header":         "WECHATPAY2-SHA256-RSA2048",
		"a signature":                     "signature=",
		"a nonce":                         "nonce_str",
	}
	var seen []string
	look := func(where, s string) {
		seen = append(seen, where+": "+s)
		for what, secret := range secrets {
			if secret != "" && strings.Contains(s, secret) {
				t.Errorf("%s holds %s: %q", where, what, s)
			}
		}
	}
	lookAttrs := func(where string, kvs []attribute.KeyValue) {
		for _, kv := range kvs {
			look(where+" "+string(kv.Key), kv.Value.Emit())
		}
	}
	for _, s := range tel.spans.Ended() {
		look("span name", s.Name())
		look("span status", s.Status().Description)
		lookAttrs("span "+s.Name(), s.Attributes())
		for _, ev := range s.Events() {
			lookAttrs("event "+ev.Name, ev.Attributes)
		}
	}
	ms := tel.metrics(t)
	for name, m := range ms {
		switch d := m.Data.(type) {
		case metricdata.Sum[int64]:
			for _, dp := range d.DataPoints {
				lookAttrs("metric "+name, dp.Attributes.ToSlice())
			}
		case metricdata.Histogram[float64]:
			for _, dp := range d.DataPoints {
				lookAttrs("metric "+name, dp.Attributes.ToSlice())
			}
		}
	}
	// Every hook fired, so the scan covered them all.
	for _, name := range []string{"wxpay.client.call.duration", "wxpay.client.attempts", "wxpay.client.retries",
		"wxpay.client.verification.failures", "wxpay.client.rate_limit.wait", "wxpay.client.certificate.downloads"} {
		if _, ok := ms[name]; !ok {
			t.Errorf("metric %s not recorded", name)
		}
	}
	if n := histogramCount(t, ms, "wxpay.client.rate_limit.wait"); n != 3 {
		t.Errorf("%d rate-limit waits, want 3 (one per attempt of the channel queries)", n)
	}
	if t.Failed() {
		t.Logf("everything seen:\n%s", strings.Join(seen, "\n"))
	}
}
