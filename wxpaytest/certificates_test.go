package wxpaytest

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/wxpay-oapi/wxpay/generated"
	"github.com/wxpay-oapi/wxpay/protocol"
	"github.com/wxpay-oapi/wxpay/transport"
)

// GET /v3/certificates needs no Wechatpay-Serial (openapi.yaml secures it with Authorization
// alone) and lists the platform certificate encrypted with the APIv3 key.
func TestListCertificates(t *testing.T) {
	srv := newTestServer(t)
	k := srv.Keys()
	a := raw{uri: "/v3/certificates", serial: "-"}.do(t, srv)
	if a.status != http.StatusOK {
		t.Fatalf("%d %s", a.status, a.body)
	}
	var list struct {
		Data []struct {
			SerialNo           string `json:"serial_no"`
			EncryptCertificate struct {
				Algorithm, Nonce, Ciphertext string
				AssociatedData               string `json:"associated_data"`
			} `json:"encrypt_certificate"`
		} `json:"data"`
	}
	if err := json.Unmarshal(a.body, &list); err != nil || len(list.Data) != 1 || list.Data[0].SerialNo != k.PlatformSerial() {
		t.Fatalf("list %s: %v", a.body, err)
	}
	e := list.Data[0].EncryptCertificate
	pemBytes, err := protocol.DecryptAEAD(k.APIv3Key.Bytes(), e.Nonce, e.AssociatedData, e.Ciphertext)
	if err != nil {
		t.Fatal(err)
	}
	if cert, err := transport.LoadCertificate(pemBytes); err != nil || !cert.Equal(k.PlatformCertificate) {
		t.Fatalf("certificate: %v", err)
	}
	// Authorization is still checked.
	raw{uri: "/v3/certificates", serial: "-", auth: func(string) string { return "" }}.do(t, srv).wantError(t, http.StatusUnauthorized, "SIGN_ERROR")
}

// A client that knows only its APIv3 key bootstraps from GET /v3/certificates: the answer is
// signed with the platform key, which the transport finds among the certificates it carries.
func TestTransportBootstrapsFromCertificates(t *testing.T) {
	srv := newTestServer(t)
	cfg := srv.TransportConfig()
	cfg.WechatPayPublicKeyID, cfg.WechatPayPublicKey, cfg.PlatformCertificates = "", nil, nil
	cfg.APIv3Key = srv.Keys().APIv3Key
	base := &http.Transport{}
	t.Cleanup(base.CloseIdleConnections)
	cfg.Base = base
	tr, err := transport.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tr.Close() })
	c, err := generated.NewClientWithResponses(srv.URL, generated.WithHTTPClient(&http.Client{Transport: tr}))
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.QueryECommerceBalanceWithResponse(context.Background(), DemoSubMchID, nil)
	if err != nil || r.JSON200 == nil {
		t.Fatalf("err = %v", err)
	}
	var ops []string
	for _, rq := range srv.Requests() {
		ops = append(ops, rq.Operation+" signed by "+rq.SignedWith)
	}
	if len(ops) != 2 || ops[0] != "ListCertificates signed by "+srv.Keys().PlatformSerial() ||
		ops[1] != "QueryECommerceBalance signed by "+srv.Keys().PlatformSerial() {
		t.Errorf("requests: %v", ops)
	}
}
