package wxpaytest

import (
	"sync"

	"github.com/wxpay-oapi/wxpay/generated"
)

// The docs' example data, loaded unless WithoutDemoData is given.
const (
	DemoSubMchID     = "1900000109"                                                       // the sub-merchant of 查询二级商户账户实时余额's example
	DemoChannelMchID = "1900016681"                                                       // the target merchant of 查询渠道额度's example
	DemoBalAccountNo = "8609cb22e1774a50a930e414cc71eca06121bcd266335cda230d24a7886a8d9f" // the balance account of 查询渠道额度's example
)

type ecommerceBalance struct{ available, pending int64 }

type channelBalance struct {
	balance            int64
	inTransitReduction bool
}

// channelKey is a balance account of a target merchant: 查询渠道额度 asks for the quota of
// balance account bal_account_no (额度台账号) of merchant mchid (目标商户号).
type channelKey struct{ mchid, balAccountNo string }

// state is the fake's data: balances by sub-merchant and account type, and by target
// merchant and balance account.
type state struct {
	mu        sync.Mutex
	ecommerce map[string]map[generated.AccountType]ecommerceBalance
	channel   map[channelKey]channelBalance
}

// newState returns empty state, or with demo the docs' example data: the example balance
// account under the example's target merchant and under ownMchID, the calling merchant.
func newState(demo bool, ownMchID string) *state {
	st := &state{
		ecommerce: make(map[string]map[generated.AccountType]ecommerceBalance),
		channel:   make(map[channelKey]channelBalance),
	}
	if demo {
		st.setECommerce(DemoSubMchID, generated.AccountTypeBasic, 10000, 1)
		st.setChannel(DemoChannelMchID, DemoBalAccountNo, 1, false)
		if ownMchID != "" {
			st.setChannel(ownMchID, DemoBalAccountNo, 1, false)
		}
	}
	return st
}

func (st *state) setECommerce(sub string, t generated.AccountType, available, pending int64) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.ecommerce[sub] == nil {
		st.ecommerce[sub] = make(map[generated.AccountType]ecommerceBalance)
	}
	st.ecommerce[sub][t] = ecommerceBalance{available, pending}
}

// getECommerce returns a balance, whether the sub-merchant is known, and whether it has that account.
func (st *state) getECommerce(sub string, t generated.AccountType) (b ecommerceBalance, known, opened bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	accounts, known := st.ecommerce[sub]
	b, opened = accounts[t]
	return b, known, opened
}

func (st *state) setChannel(mchid, no string, balance int64, inTransit bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.channel[channelKey{mchid, no}] = channelBalance{balance, inTransit}
}

func (st *state) getChannel(mchid, no string) (channelBalance, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	b, ok := st.channel[channelKey{mchid, no}]
	return b, ok
}

// SetECommerceBalance sets (and opens) one account of a sub-merchant: a sub-merchant with no
// account is unknown (403 NO_AUTH), an account type never set is not opened (400 INVALID_REQUEST).
func (s *Server) SetECommerceBalance(subMchID string, accountType generated.AccountType, available, pending int64) {
	s.state.setECommerce(subMchID, accountType, available, pending)
}

// SetAccountBalance sets the channel quota of balance account balAccountNo (its plaintext
// number) of target merchant mchID, as 查询渠道额度 answers it for that mchid and
// bal_account_no; the same account number under another mchid is another account.
func (s *Server) SetAccountBalance(mchID, balAccountNo string, balance int64, inTransitReduction bool) {
	s.state.setChannel(mchID, balAccountNo, balance, inTransitReduction)
}
