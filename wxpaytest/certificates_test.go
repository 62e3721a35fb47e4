package wxpaytest

import (
	"encoding/json"
	"net/http"
	"testing"

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
	pemBytes, err := transport.DecryptAEAD(k.APIv3Key, e.Nonce, e.AssociatedData, e.Ciphertext)
	if err != nil {
		t.Fatal(err)
	}
	if cert, err := transport.LoadCertificate(pemBytes); err != nil || !cert.Equal(k.PlatformCertificate) {
		t.Fatalf("certificate: %v", err)
	}
	// Authorization is still checked.
	raw{uri: "/v3/certificates", serial: "-", auth: func(string) string { return "" }}.do(t, srv).wantError(t, http.StatusUnauthorized, "SIGN_ERROR")
}
