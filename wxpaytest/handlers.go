package wxpaytest

import (
	"context"

	"github.com/wxpay-oapi/wxpay/generated"
	"github.com/wxpay-oapi/wxpay/generated/server"
)

// handlers answers the operations of openapi.yaml from the server's state. By the time they
// run, the request is authenticated, valid against the spec, and its encrypted fields are
// plaintext; the answer is then checked against the spec and signed.
type handlers struct {
	st   *state
	keys *Keys
}

var _ server.StrictServerInterface = (*handlers)(nil)

func errorBody(code, message string) server.Error { return server.Error{Code: code, Message: message} }

// QueryAccountBalance answers 查询渠道额度 from SetAccountBalance.
func (h *handlers) QueryAccountBalance(_ context.Context, req server.QueryAccountBalanceRequestObject) (server.QueryAccountBalanceResponseObject, error) {
	b, ok := h.st.getChannel(req.Params.BalAccountNo)
	if !ok {
		return server.QueryAccountBalance400JSONResponse{CommonBadRequestJSONResponse: server.CommonBadRequestJSONResponse{
			Body: errorBody("PARAM_ERROR", "额度台账号不存在 — bal_account_no is not a balance account of this merchant"),
		}}, nil
	}
	return server.QueryAccountBalance200JSONResponse{Body: server.AccountBalance{
		Balance: &b.balance, InTransitReductionExist: &b.inTransitReduction,
	}}, nil
}

// QueryECommerceBalance answers 查询二级商户账户实时余额 from SetECommerceBalance.
func (h *handlers) QueryECommerceBalance(_ context.Context, req server.QueryECommerceBalanceRequestObject) (server.QueryECommerceBalanceResponseObject, error) {
	t := server.AccountType(generated.AccountTypeBasic)
	if req.Params.AccountType != nil {
		t = *req.Params.AccountType
	}
	b, known, opened := h.st.getECommerce(req.SubMchid, generated.AccountType(t))
	switch {
	case !known:
		return server.QueryECommerceBalance403JSONResponse{Body: errorBody("NO_AUTH", "你无权查询该商户余额")}, nil
	case !opened:
		return server.QueryECommerceBalance400JSONResponse{Body: errorBody("INVALID_REQUEST", "输入账户类型未开通")}, nil
	}
	return server.QueryECommerceBalance200JSONResponse{Body: server.ECommerceBalance{
		SubMchid: req.SubMchid, AvailableAmount: b.available, PendingAmount: &b.pending, AccountType: &t,
	}}, nil
}
