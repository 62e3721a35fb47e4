package transport_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/wxpay-oapi/wxpay"
	"github.com/wxpay-oapi/wxpay/generated"
	"github.com/wxpay-oapi/wxpay/transport"
)

// TestWhatIsCheckedIsWhatIsDelivered: signed bodies whose value the schema check and the
// caller's decoding would read differently are refused as *VerificationError, never data
// and never a bare encoding/json error (issue 11, item 6).
func TestWhatIsCheckedIsWhatIsDelivered(t *testing.T) {
	for name, body := range map[string]string{
		"a property again under another case": `{"sub_mchid":"1900000109","available_amount":1,"Available_Amount":777}`,
		"a property twice":                    `{"sub_mchid":"1900000109","available_amount":1,"available_amount":777}`,
		"2^63 for an int64":                   `{"sub_mchid":"1900000109","available_amount":9223372036854775808}`,
		"1.0 for an int64":                    `{"sub_mchid":"1900000109","available_amount":1.0}`,
		"1e3 for an int64":                    `{"sub_mchid":"1900000109","available_amount":1e3}`,
	} {
		t.Run(name, func(t *testing.T) {
			f := newFakeWechatPay(t)
			f.set(func(f *fakeWechatPay) { f.body = body })
			c, _ := newClient(t, f)
			bal, err := wxpay.Result(c.QueryECommerceBalanceWithResponse(context.Background(), "1900000109", nil))
			var ve *transport.VerificationError
			if !errors.As(err, &ve) || ve.Reason != transport.ReasonSchema {
				t.Fatalf("got %+v, %v; want a *VerificationError %q", bal, err, transport.ReasonSchema)
			}
			t.Log(err)
		})
	}
}

// TestAnswerUnderAnOutOfDateConfiguredCertificate: an answer naming a configured platform
// certificate that has expired (or is not valid yet) says so; it said "unknown serial …
// configure this key", though the key was configured.
func TestAnswerUnderAnOutOfDateConfiguredCertificate(t *testing.T) {
	k := theKeys(t)
	now := time.Now()
	for name, cert := range map[string]struct {
		from, to time.Time
		says     string
	}{
		"expired":       {now.Add(-48 * time.Hour), now.Add(-time.Hour), "expired at"},
		"not yet valid": {now.Add(time.Hour), now.Add(48 * time.Hour), "valid only from"},
	} {
		t.Run(name, func(t *testing.T) {
			pc := selfSigned(t, k.wechat, 0xE1, cert.from, cert.to)
			serial := transport.CertificateSerial(pc)
			f := newFakeWechatPay(t)
			f.set(func(f *fakeWechatPay) {
				f.tamper = func(h http.Header, b []byte) []byte { h.Set("Wechatpay-Serial", serial); return b }
			})
			cfg := identity(t, false)
			cfg.PlatformCertificates = append(cfg.PlatformCertificates, pc)
			tr, err := transport.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			c, _ := generated.NewClientWithResponses(f.URL, generated.WithHTTPClient(&http.Client{Transport: tr}))
			_, err = wxpay.Result(c.QueryECommerceBalanceWithResponse(context.Background(), "1900000109", nil))
			var ve *transport.VerificationError
			if !errors.As(err, &ve) || ve.Reason != transport.ReasonExpiredKey || !strings.Contains(err.Error(), cert.says) || !strings.Contains(err.Error(), serial) {
				t.Fatalf("err = %v; want a *VerificationError %q saying %q of %s", err, transport.ReasonExpiredKey, cert.says, serial)
			}
			t.Log(err)
		})
	}
}
