package conformance_test

import (
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/wxpay-oapi/wxpay"
	"github.com/wxpay-oapi/wxpay/spec/conformance"
)

// TestSpecWorkedExample keeps openapi.yaml's worked example (info.description, "Protocol")
// and the bal_account_no example equal to the vectors they are taken from.
func TestSpecWorkedExample(t *testing.T) {
	v, err := conformance.Load()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(wxpay.Spec())
	if err != nil {
		t.Fatal(err)
	}
	text := doc.Info.Description
	r, a, o := v.Requests[1], v.Answers[0], v.OAEP[0]
	for what, want := range map[string]string{
		"the request's Authorization":  r.Authorization,
		"the request's signature":      r.Signature,
		"the answer's signature":       a.Headers["Wechatpay-Signature"],
		"the answer's body":            a.Body,
		"the encrypted bal_account_no": o.Ciphertext,
		"the APIv3 key":                v.AEAD[0].Key,
		"the AES-GCM nonce":            v.AEAD[0].Nonce,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("openapi.yaml info.description: the worked example lacks %s %q (from vectors.json): update it", what, want)
		}
	}
	p := doc.Paths.Value("/v3/aggracct-bc/wb-channel/account/balance").Get.Parameters.GetByInAndName("query", "bal_account_no")
	if p == nil || p.Example != o.Ciphertext {
		t.Errorf("openapi.yaml: bal_account_no's example must be vectors.json rsa_oaep_decryption[0].ciphertext")
	}
	for _, bad := range []string{"the path plus `?` and the query"} {
		if strings.Contains(string(wxpay.Spec()), bad) {
			t.Errorf("openapi.yaml still says %q: a request without a query has no '?'", bad)
		}
	}
}
