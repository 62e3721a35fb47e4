package wxpay

import (
	"fmt"
	"net/http"

	"github.com/wxpay-oapi/wxpay/generated"
	"github.com/wxpay-oapi/wxpay/transport"
)

// Client is the generated client wired to the transport.Transport that signs its requests
// and verifies its answers: the one value business code carries, both to call the API and
// to encrypt sensitive fields with the key the next request will name.
type Client struct {
	*generated.ClientWithResponses                      // the operations, e.g. QueryECommerceBalanceWithResponse
	Transport                      *transport.Transport // signs, verifies, encrypts (Encrypt), retries
}

// NewClient builds a transport.Transport from cfg and a generated client that sends
// through it to baseURL ("" means openapi.yaml's first server, https://api.mch.weixin.qq.com).
// Call Close when done if cfg.APIv3Key is set, to stop the certificate refresh.
func NewClient(baseURL string, cfg transport.Config) (*Client, error) {
	if baseURL == "" {
		var err error
		if baseURL, err = defaultBaseURL(); err != nil {
			return nil, err
		}
	}
	tr, err := transport.New(cfg)
	if err != nil {
		return nil, err
	}
	c, err := NewClientWithTransport(baseURL, tr)
	if err != nil {
		tr.Close()
		return nil, err
	}
	return c, nil
}

// NewClientWithTransport is NewClient for a Transport built already, e.g. wxpaytest's
// Server.Transport.
func NewClientWithTransport(baseURL string, tr *transport.Transport) (*Client, error) {
	gc, err := generated.NewClientWithResponses(baseURL, generated.WithHTTPClient(&http.Client{Transport: tr}))
	if err != nil {
		return nil, fmt.Errorf("wxpay: base URL %q: %w", baseURL, err)
	}
	return &Client{ClientWithResponses: gc, Transport: tr}, nil
}

// Encrypt seals a sensitive field (one marked x-wechatpay-encrypted in openapi.yaml, such as
// bal_account_no) for the next request; see transport.Transport.Encrypt.
func (c *Client) Encrypt(plaintext string) (string, error) { return c.Transport.Encrypt(plaintext) }

// Close stops the transport's background certificate refresh, if any.
func (c *Client) Close() error { return c.Transport.Close() }
