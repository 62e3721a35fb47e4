package transport_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/wxpay-oapi/wxpay"
	"github.com/wxpay-oapi/wxpay/generated"
	"github.com/wxpay-oapi/wxpay/transport"
	"github.com/wxpay-oapi/wxpay/wxpaytest"
)

// signalBase tells when a request for path has been handed to the network.
type signalBase struct {
	base http.RoundTripper
	path string
	sent chan struct{}
}

func (s *signalBase) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Path == s.path {
		select {
		case s.sent <- struct{}{}:
		default:
		}
	}
	return s.base.RoundTrip(req)
}

// TestCertificateDownloadHonoursEachCallersContext: while one call's platform-certificate
// download hangs, a second call that needs the certificates too ends with its own context,
// not when the first call's download does.
func TestCertificateDownloadHonoursEachCallersContext(t *testing.T) {
	leakCheck(t)
	srv := newServer(t)
	srv.QueueFault(wxpaytest.Fault{Operation: "ListCertificates", Delay: 20 * time.Second})
	cfg := srv.TransportConfig()
	cfg.WechatPayPublicKeyID, cfg.WechatPayPublicKey, cfg.PlatformCertificates = "", nil, nil // bootstrapping
	cfg.APIv3Key = sharedKeys(t).APIv3Key
	httpBase := &http.Transport{}
	defer httpBase.CloseIdleConnections()
	base := &signalBase{base: httpBase, path: "/v3/certificates", sent: make(chan struct{}, 1)}
	cfg.Base = base
	tr, err := transport.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	c, _ := generated.NewClientWithResponses(srv.URL, generated.WithHTTPClient(&http.Client{Transport: tr}))

	ctx1, cancel1 := context.WithCancel(context.Background())
	defer cancel1()
	first := make(chan error, 1)
	go func() { _, err := wxpay.Result(ecommerce(ctx1, c)); first <- err }()
	select {
	case <-base.sent: // the first call is now downloading, and the download hangs
	case <-time.After(10 * time.Second):
		t.Fatal("the first call never asked for the platform certificates")
	}

	ctx2, cancel2 := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel2()
	second := make(chan error, 1)
	go func() { _, err := wxpay.Result(ecommerce(ctx2, c)); second <- err }()
	select {
	case err := <-second:
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("second call: %v; want its own context.DeadlineExceeded", err)
		}
		select {
		case err := <-first:
			t.Errorf("the first call ended (%v) before the second; the test proves nothing", err)
		default:
		}
	case err := <-first:
		t.Fatalf("the first call ended first (%v)", err)
	case <-time.After(15 * time.Second):
		t.Fatal("the second call waited for the first call's download instead of its own deadline")
	}
	cancel1()
	if err := <-first; !errors.Is(err, context.Canceled) {
		t.Errorf("first call: %v; want context.Canceled", err)
	}
}

// TestFailedCertificateDownloadIsTheCause: when an answer names an unknown serial and the
// download that should bring its certificate fails (here: a wrong APIv3 key), the
// unknown-serial VerificationError carries the download's failure as its cause — not
// only the advice to "enable certificate download", which is already on.
func TestFailedCertificateDownloadIsTheCause(t *testing.T) {
	leakCheck(t)
	_, srv := ownServer(t)
	c, _ := clientFor(t, srv, srv.URL, func(cfg *transport.Config) {
		cfg.WechatPayPublicKeyID, cfg.WechatPayPublicKey = "", nil                     // platform certificates only
		cfg.APIv3Key = transport.NewSecret([]byte("0123456789abcdef0123456789abcdef")) // not the server's
	})
	if _, err := wxpay.Result(ecommerce(context.Background(), c)); err != nil {
		t.Fatalf("before the rotation: %v", err)
	}
	if _, err := srv.RotatePlatformCertificate(); err != nil {
		t.Fatal(err)
	}
	_, err := wxpay.Result(ecommerce(context.Background(), c))
	var ve *transport.VerificationError
	if !errors.As(err, &ve) || ve.Reason != transport.ReasonUnknownSerial {
		t.Fatalf("got %v; want an unknown-serial VerificationError", err)
	}
	if ve.Err == nil || !strings.Contains(err.Error(), "APIv3 key") {
		t.Errorf("got %v (cause %v); want the failed download, a wrong APIv3 key, as the cause", err, ve.Err)
	}
}

// TestBootstrapAfterAFailedDownloadSaysWhy: with only the APIv3 key, the first call's
// certificate download fails (500); a second call within the minute that downloads wait
// gets that failure as its error — not the advice to configure a key, as if none had
// been downloaded because none was asked for.
func TestBootstrapAfterAFailedDownloadSaysWhy(t *testing.T) {
	leakCheck(t)
	srv := newServer(t)
	srv.QueueFault(wxpaytest.Fault{Operation: "ListCertificates", Status: 500})
	c, _ := clientFor(t, srv, srv.URL, func(cfg *transport.Config) {
		cfg.WechatPayPublicKeyID, cfg.WechatPayPublicKey, cfg.PlatformCertificates = "", nil, nil
		cfg.APIv3Key = sharedKeys(t).APIv3Key
	})
	for i := range 2 {
		_, err := wxpay.Result(ecommerce(context.Background(), c))
		var ae *wxpay.APIError
		if !errors.As(err, &ae) || ae.StatusCode != 500 {
			t.Errorf("call %d: got %v; want the failed download's HTTP 500 as the cause", i+1, err)
		}
	}
	n := 0
	for _, r := range srv.Requests() {
		if r.Operation == "ListCertificates" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d downloads; want 1 (at most one a minute)", n)
	}
}

// mitm is a man in the middle: it sends every request to its own host and names, in
// Wechatpay-Serial, a key of its own. It knows the merchant's APIv3 key but no WeChat Pay key.
type mitm struct {
	base   http.RoundTripper
	host   string
	serial string
}

func (m *mitm) RoundTrip(req *http.Request) (*http.Response, error) {
	out := req.Clone(req.Context())
	out.URL.Host = m.host
	out.Header.Set("Wechatpay-Serial", m.serial)
	return m.base.RoundTrip(out)
}

// TestDownloadSignedOnlyByACarriedCertificateIsRefusedOnceAKeyIsTrusted: with the WeChat Pay
// public key pinned and the APIv3 key set, a host that answers under a serial of its own and
// then serves GET /v3/certificates carrying a self-signed certificate for that serial (sealed
// with the APIv3 key, signed by itself) installs no key, and its forged balance is never
// returned as verified.
func TestDownloadSignedOnlyByACarriedCertificateIsRefusedOnceAKeyIsTrusted(t *testing.T) {
	leakCheck(t)
	srv := newServer(t)
	real := sharedKeys(t)
	forger, err := wxpaytest.NewKeys()
	if err != nil {
		t.Fatal(err)
	}
	// The forger accepts the merchant's requests and knows the APIv3 key; its WeChat Pay keys are its own.
	forger.MchID, forger.CertificateSerialNo, forger.MerchantKey = real.MchID, real.CertificateSerialNo, real.MerchantKey
	forger.APIv3Key = real.APIv3Key
	evil := newServer(t, wxpaytest.WithKeys(forger))
	evil.SetECommerceBalance("1900000109", generated.AccountTypeBasic, 99999999, 0)
	u, _ := url.Parse(evil.URL)

	for name, edit := range map[string]func(*transport.Config){
		"public key pinned":            func(cfg *transport.Config) { cfg.PlatformCertificates = nil },
		"platform certificate pinned":  func(cfg *transport.Config) { cfg.WechatPayPublicKeyID, cfg.WechatPayPublicKey = "", nil },
		"public key and a certificate": func(*transport.Config) {},
	} {
		t.Run(name, func(t *testing.T) {
			httpBase := &http.Transport{}
			defer httpBase.CloseIdleConnections()
			c, logs := clientFor(t, srv, srv.URL, func(cfg *transport.Config) {
				edit(cfg)
				cfg.APIv3Key = real.APIv3Key
				cfg.Base = &mitm{base: httpBase, host: u.Host, serial: forger.PlatformSerial()}
				cfg.MaxAttempts = 1
			})
			resp, err := ecommerce(context.Background(), c)
			if _, err := wxpay.Result(resp, err); err == nil {
				t.Fatalf("a forged answer was verified: available_amount %d\n%s", resp.JSON200.AvailableAmount, logs)
			}
			var ve *transport.VerificationError
			if !errors.As(err, &ve) || ve.Reason != transport.ReasonUnknownSerial {
				t.Fatalf("got %v; want an unknown-serial VerificationError", err)
			}
			if !strings.Contains(err.Error(), "already trusted") {
				t.Errorf("got %v; want it to say the download must be signed by a key already trusted", err)
			}
		})
	}
}

// TestRotationDownloadIsSignedByTheTrustedKey: after WeChat Pay rotates its platform
// certificate, a client pinned to the public key (or to the old certificate) downloads the
// new one under a signature by the key it already trusts, and carries on.
func TestRotationDownloadIsSignedByTheTrustedKey(t *testing.T) {
	leakCheck(t)
	keys, srv := ownServer(t)
	c, _ := clientFor(t, srv, srv.URL, func(cfg *transport.Config) {
		cfg.PlatformCertificates = nil
		cfg.APIv3Key = keys.APIv3Key
	})
	newSerial, err := srv.RotatePlatformCertificate()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := ecommerce(context.Background(), c)
	if _, err := wxpay.Result(resp, err); err != nil {
		t.Fatalf("after the rotation: %v", err)
	}
	if got := resp.HTTPResponse.Header.Get("Wechatpay-Serial"); got != newSerial {
		t.Errorf("answer signed under %s, want the new certificate %s", got, newSerial)
	}
	for _, r := range srv.Requests() {
		if r.Operation == "ListCertificates" && r.Status == 200 {
			return
		}
	}
	t.Error("no certificate download")
}
