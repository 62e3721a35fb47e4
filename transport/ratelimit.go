package transport

import (
	"context"
	"fmt"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/wxpay-oapi/wxpay/protocol"
)

// RateLimit is a client-side limit: at most QPS requests per second for each value of the
// keyed parameter, with bursts of at most Burst. A QPS of 0 or less disables the limit.
type RateLimit struct {
	QPS   float64 // requests per second for each key; 0 or less disables the limit
	Burst int     // the most requests sent at once; 0 means 1
}

// Limiter waits until a request may be sent. Key names the operation and the keyed
// parameter's value (e.g. "QueryAccountBalance mchid=1900016681"); limit is that
// operation's RateLimit. Wait returns an error when ctx ends first, or when ctx's deadline
// cannot be met. A fleet of instances shares one budget by implementing Limiter over a
// shared store: module github.com/wxpay-oapi/wxpay/redislimit does so on Redis.
type Limiter interface {
	Wait(ctx context.Context, key string, limit RateLimit) error
}

// rateRule is an operation's limit and the parameter that keys it, read from openapi.yaml.
type rateRule struct {
	limit RateLimit
	param string // the parameter whose value keys the limit; "" for one bucket per operation
	in    string // where param is: "path", else "query"
	index int    // param's index in the operation's params (resolve)
}

// rateRuleOf reads an operation's x-wechatpay-rate-limit; the default burst is a tenth of
// the rate, so a burst never spends a whole second's budget at once.
func rateRuleOf(op *openapi3.Operation) (*rateRule, error) {
	raw, ok := op.Extensions[protocol.ExtRateLimit].(map[string]any)
	if !ok {
		return nil, nil
	}
	qps, ok := raw["qps"].(float64)
	if !ok || qps <= 0 {
		return nil, fmt.Errorf("transport: %s of %s: qps must be a positive number", protocol.ExtRateLimit, op.OperationID)
	}
	r := &rateRule{limit: RateLimit{QPS: qps, Burst: max(1, int(qps/10))}}
	r.param, _ = raw["key"].(string)
	r.in, _ = raw["in"].(string)
	if r.in != openapi3.ParameterInPath {
		r.in = openapi3.ParameterInQuery
	}
	return r, nil
}

// resolve finds, once per process, the parameter of o that keys r; a key naming no
// parameter of the operation is an error in openapi.yaml.
func (r *rateRule) resolve(o *operation) error {
	if r == nil || r.param == "" {
		return nil
	}
	if r.index = o.paramIndex(r.in, r.param); r.index < 0 {
		return fmt.Errorf("transport: %s of %s: key %q is not a %s parameter of the operation", protocol.ExtRateLimit, o.id, r.param, r.in)
	}
	return nil
}

// key returns the limiter key for a call: the operation and the keyed parameter's value.
func (r *rateRule) key(c *call) string {
	if r.param == "" {
		return c.op.id
	}
	return c.op.id + " " + r.param + "=" + c.vals[r.index]
}
