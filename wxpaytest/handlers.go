package wxpaytest

import (
	"context"
	"net/http"

	"github.com/wxpay-oapi/wxpay/generated"
	"github.com/wxpay-oapi/wxpay/generated/server"
)

// handlers answers the operations of openapi.yaml from the server's state. By the time they
// run, the request is authenticated, valid against the spec, and its encrypted fields are
// plaintext; the answer is then checked against the spec and signed.
type handlers struct {
	st       *state
	keys     *Keys
	errs     errorTable    // the codes' descriptions, from openapi.yaml
	defaults paramDefaults // what an omitted parameter means, from openapi.yaml
}

var _ server.StrictServerInterface = (*handlers)(nil)

// QueryAccountBalance answers 查询渠道额度 from SetAccountBalance.
func (h *handlers) QueryAccountBalance(_ context.Context, req server.QueryAccountBalanceRequestObject) (server.QueryAccountBalanceResponseObject, error) {
	b, ok := h.st.getChannel(req.Params.MchID, req.Params.BalAccountNo)
	if !ok {
		return server.QueryAccountBalance400JSONResponse{CommonBadRequestJSONResponse: server.CommonBadRequestJSONResponse{
			Body: h.errorBody("QueryAccountBalance", http.StatusBadRequest, "PARAM_ERROR", "bal_account_no is not a balance account of merchant mchid"),
		}}, nil
	}
	return server.QueryAccountBalance200JSONResponse{Body: server.AccountBalance{
		Balance: &b.balance, InTransitReductionExist: &b.inTransitReduction,
	}}, nil
}

// QueryECommerceBalance answers 查询二级商户账户实时余额 from SetECommerceBalance.
func (h *handlers) QueryECommerceBalance(_ context.Context, req server.QueryECommerceBalanceRequestObject) (server.QueryECommerceBalanceResponseObject, error) {
	// Omitted: openapi.yaml's x-wechatpay-default (BASIC; an inference, no page states it).
	t := server.AccountType(h.defaults["QueryECommerceBalance"]["account_type"])
	if req.Params.AccountType != nil {
		t = *req.Params.AccountType
	}
	b, known, opened := h.st.getECommerce(req.SubMchID, generated.AccountType(t))
	switch {
	case !known:
		return server.QueryECommerceBalance403JSONResponse{Body: h.errorBody("QueryECommerceBalance", http.StatusForbidden, "NO_AUTH", "")}, nil
	case !opened:
		return server.QueryECommerceBalance400JSONResponse{Body: h.errorBody("QueryECommerceBalance", http.StatusBadRequest, "INVALID_REQUEST", "")}, nil
	}
	return server.QueryECommerceBalance200JSONResponse{Body: server.ECommerceBalance{
		SubMchID: req.SubMchID, AvailableAmount: b.available, PendingAmount: &b.pending, AccountType: &t,
	}}, nil
}

// errorBody is a WeChat Pay error with the description openapi.yaml gives code for the
// operation and status, then why.
func (h *handlers) errorBody(op string, status int, code, why string) server.WechatPayError {
	return server.WechatPayError{Code: code, Message: h.errs.message(op, status, code, why)}
}
