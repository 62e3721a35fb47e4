package transport_test

import (
	"context"
	"errors"
	"testing"

	"github.com/wxpay-oapi/wxpay"
	"github.com/wxpay-oapi/wxpay/generated"
	"github.com/wxpay-oapi/wxpay/transport"
)

// wantNotThisAnswer fails t unless err is a *VerificationError with ReasonNotThisAnswer
// naming field.
func wantNotThisAnswer(t *testing.T, err error, field string) {
	t.Helper()
	var ve *transport.VerificationError
	if !errors.As(err, &ve) || ve.Reason != transport.ReasonNotThisAnswer || ve.Field != field {
		t.Fatalf("err = %v, want a *VerificationError %q with Field %q", err, transport.ReasonNotThisAnswer, field)
	}
	t.Log(err)
}

// TestSignedBodiesThatAnswerSomethingElse: the status line is not signed and a signature
// does not cover the request, so a genuinely signed body can be replayed or relabelled by
// anyone in the middle. Each of these passed every check and reached the caller as data.
func TestSignedBodiesThatAnswerSomethingElse(t *testing.T) {
	ctx := context.Background()
	channel := func(t *testing.T, body string) error {
		f := newFakeWechatPay(t)
		f.set(func(f *fakeWechatPay) { f.body = body })
		c, tr := newClient(t, f)
		ct, err := tr.Encrypt("8609cb22e1774a50a930e414cc71eca06121bcd266335cda230d24a7886a8d9f")
		if err != nil {
			t.Fatal(err)
		}
		_, err = wxpay.Result(c.QueryAccountBalanceWithResponse(ctx, &generated.QueryAccountBalanceParams{MchID: "1900016681", BalAccountNo: ct}))
		return err
	}
	t.Run("a signed 400 PARAM_ERROR body relabelled 200", func(t *testing.T) {
		wantNotThisAnswer(t, channel(t, `{"code":"PARAM_ERROR","message":"参数错误"}`), "")
	})
	t.Run("a QueryECommerceBalance answer for QueryAccountBalance", func(t *testing.T) {
		wantNotThisAnswer(t, channel(t, `{"sub_mchid":"1900000109","available_amount":10000,"pending_amount":1,"account_type":"BASIC"}`), "")
	})
	t.Run("an empty object for QueryAccountBalance", func(t *testing.T) {
		wantNotThisAnswer(t, channel(t, `{}`), "")
	})

	ecommerce := func(t *testing.T, body, subMchID string, at *generated.AccountType) error {
		f := newFakeWechatPay(t)
		if body != "" {
			f.set(func(f *fakeWechatPay) { f.body = body })
		}
		c, _ := newClient(t, f)
		_, err := wxpay.Result(c.QueryECommerceBalanceWithResponse(ctx, subMchID, &generated.QueryECommerceBalanceParams{AccountType: at}))
		return err
	}
	fees, basic := generated.AccountTypeFees, generated.AccountTypeBasic
	t.Run("the answer for sub_mchid 1900000109 to a request about 1900000110", func(t *testing.T) {
		wantNotThisAnswer(t, ecommerce(t, `{"sub_mchid":"1900000109","available_amount":10000,"account_type":"BASIC"}`, "1900000110", nil), "sub_mchid")
	})
	t.Run("a BASIC answer to a request for FEES", func(t *testing.T) {
		wantNotThisAnswer(t, ecommerce(t, `{"sub_mchid":"1900000109","available_amount":10000,"account_type":"BASIC"}`, "1900000109", &fees), "account_type")
	})
	t.Run("an answer naming no account_type to a request for FEES", func(t *testing.T) {
		wantNotThisAnswer(t, ecommerce(t, `{"sub_mchid":"1900000109","available_amount":10000}`, "1900000109", &fees), "account_type")
	})
	t.Run("a signed 400 body relabelled 200", func(t *testing.T) {
		wantNotThisAnswer(t, ecommerce(t, `{"code":"INVALID_REQUEST","message":"输入账户类型未开通"}`, "1900000109", &basic), "")
	})
	t.Run("still accepted: the matching answer, and any account_type when the request named none", func(t *testing.T) {
		if err := ecommerce(t, "", "1900000109", &fees); err != nil {
			t.Error(err)
		}
		if err := ecommerce(t, `{"sub_mchid":"1900000109","available_amount":1,"account_type":"DEPOSIT"}`, "1900000109", nil); err != nil {
			t.Error(err)
		}
	})
}
