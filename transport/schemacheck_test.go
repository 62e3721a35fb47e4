package transport

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/wxpay-oapi/wxpay/generated"
)

// schemaPair is one 2xx answer's schema of openapi.yaml: as kin-openapi reads it, and compiled.
type schemaPair struct {
	name     string
	kin      *openapi3.Schema
	compiled *jsonSchema
}

func schemaPairs(t testing.TB) []schemaPair {
	ops, err := sharedOperations()
	if err != nil {
		t.Fatal(err)
	}
	var pairs []schemaPair
	for _, op := range ops.list {
		for status, c := range op.okSchemas {
			mt := op.route.Operation.Responses.Status(status).Value.Content.Get("application/json")
			pairs = append(pairs, schemaPair{op.id + " " + strconv.Itoa(status), mt.Schema.Value, c})
		}
	}
	if len(pairs) < 3 {
		t.Fatalf("%d response schemas, want every operation's", len(pairs))
	}
	return pairs
}

// kinAccepts is the check the compiled one replaced: decode into map[string]any, then VisitJSON.
func kinAccepts(s *openapi3.Schema, body []byte) bool {
	var v any
	return json.Unmarshal(body, &v) == nil && s.VisitJSON(v) == nil
}

var schemaBodies = []string{
	`{"sub_mchid":"1900000109","available_amount":10000,"pending_amount":1,"account_type":"BASIC"}`,
	`{"sub_mchid":"1900000109","available_amount":10000}`,
	` { "sub_mchid" : "19\u00300000109" , "available_amount" : -5 , "extra" : [1, {"a": null}, "x"] } `,
	`{"in_transit_reduction_exist":false,"balance":1}`,
	`{}`,
	`{"data":[]}`,
	`{"data":[{"serial_no":"5157F09EFDC096DE15EBE81A47057A7232F1B8E1","effective_time":"2018-06-08T10:34:56+08:00","expire_time":"2023-06-08T10:34:56+08:00","encrypt_certificate":{"algorithm":"AEAD_AES_256_GCM","nonce":"61f9c719728a","associated_data":"certificate","ciphertext":"sAG7"}}]}`,
	// Refused by both.
	`{"sub_mchid":"1900000109","pending_amount":1}`,
	`{"sub_mchid":"1900000109","available_amount":"lots"}`,
	`{"sub_mchid":1900000109,"available_amount":1}`,
	`{"sub_mchid":"1900000109","available_amount":1.5}`,
	`{"sub_mchid":"1900000109","available_amount":1,"account_type":"GOLD"}`,
	`{"sub_mchid":"` + strings.Repeat("9", 33) + `","available_amount":1}`,
	`{"sub_mchid":null,"available_amount":1}`,
	`{"sub_mchid":"1900000109","available_amount":1,"x":1e400}`,
	`{"balance":true}`,
	`{"in_transit_reduction_exist":"no"}`,
	`{"data":[{"serial_no":"5157","effective_time":"yesterday","expire_time":"2023-06-08T10:34:56+08:00","encrypt_certificate":{"algorithm":"AEAD_AES_256_GCM","nonce":"n","associated_data":"c","ciphertext":"x"}}]}`,
	`{"data":[{"serial_no":"5157","effective_time":"2018-06-08T10:34:56+08:00","expire_time":"2023-06-08T10:34:56+08:00","encrypt_certificate":{"algorithm":"ROT13","nonce":"n","associated_data":"c","ciphertext":"x"}}]}`,
	`{"data":{}}`,
	`[]`, `"x"`, `1`, `null`, `<html>`, `{"sub_mchid":"1900000109",}`, ``,
	// Refused by the compiled check only: what a map hides.
	`{"sub_mchid":"1900000109","available_amount":1,"Available_Amount":99}`,
	`{"sub_mchid":"1900000109","available_amount":1,"available_amount":99}`,
	`{"sub_mchid":"1900000109","available_amount":1e2}`,
	`{"sub_mchid":"1900000109","available_amount":9223372036854775808}`,
}

// The compiled check never accepts an answer the kin-openapi check refused, and accepts
// every answer both should.
func TestCompiledSchemaNoLaxerThanKinOpenAPI(t *testing.T) {
	for _, p := range schemaPairs(t) {
		for _, body := range schemaBodies {
			kin, ours := kinAccepts(p.kin, []byte(body)), p.compiled.check([]byte(body))
			if ours == nil && !kin {
				t.Errorf("%s: the compiled check accepts %s, which kin-openapi refuses", p.name, body)
			}
		}
	}
	valid := map[string]string{
		"QueryECommerceBalance 200": schemaBodies[0], "QueryAccountBalance 200": schemaBodies[3], "ListCertificates 200": schemaBodies[6],
	}
	for _, p := range schemaPairs(t) {
		if body, ok := valid[p.name]; ok {
			if err := p.compiled.check([]byte(body)); err != nil {
				t.Errorf("%s: %s refused: %v", p.name, body, err)
			}
			delete(valid, p.name)
		}
	}
	if len(valid) != 0 {
		t.Errorf("no schema for %v", valid)
	}
}

// A property given again under another case passed the map-based check (an unknown
// property) while encoding/json delivered its value: what was checked was not what was
// delivered. The compiled check refuses it, and a property given twice.
func TestCompiledSchemaRefusesAmbiguousProperties(t *testing.T) {
	body := []byte(`{"sub_mchid":"1900000109","available_amount":1,"Available_Amount":-99}`)
	var delivered generated.ECommerceBalance
	if err := json.Unmarshal(body, &delivered); err != nil || delivered.AvailableAmount != -99 {
		t.Fatalf("encoding/json delivered %d (%v); the premise of this test changed", delivered.AvailableAmount, err)
	}
	ops, _ := sharedOperations()
	s := ops.byID("QueryECommerceBalance").okSchemas[200]
	for _, b := range []string{string(body), `{"sub_mchid":"1900000109","available_amount":1,"available_amount":-99}`} {
		err := s.check([]byte(b))
		if err == nil || !strings.Contains(err.Error(), "available_amount") {
			t.Errorf("%s: got %v, want it refused naming available_amount", b, err)
		}
	}
	if err := s.check([]byte(`{"sub_mchid":"1900000109","available_amount":"x"}`)); err == nil || err.Error() != "available_amount: value must be an integer, not a string" {
		t.Errorf("error %q does not name the property and the reason", err)
	}
}

// FuzzCompiledSchema: on any body, the compiled check never panics and never accepts what
// kin-openapi refuses.
func FuzzCompiledSchema(f *testing.F) {
	for _, b := range schemaBodies {
		f.Add([]byte(b))
	}
	pairs := schemaPairs(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, p := range pairs {
			if p.compiled.check(body) == nil && !kinAccepts(p.kin, body) {
				t.Errorf("%s: the compiled check accepts %q, which kin-openapi refuses", p.name, body)
			}
		}
	})
}

func TestCompileSchemaRefusesUnimplementedKeywords(t *testing.T) {
	for _, s := range []*openapi3.Schema{
		{Type: &openapi3.Types{"string"}, Pattern: "^[0-9]+$"},
		{Type: &openapi3.Types{"integer"}, Min: new(float64)},
		{AnyOf: openapi3.SchemaRefs{{Value: &openapi3.Schema{}}}},
		{Type: &openapi3.Types{"object"}, Properties: openapi3.Schemas{"a": {Value: &openapi3.Schema{Type: &openapi3.Types{"string"}, Pattern: "x"}}}},
	} {
		if _, err := compileSchema(s); err == nil {
			t.Errorf("compileSchema accepted %+v", s)
		}
	}
}

// A property name the schema does not declare still names the place of a failure, escaped
// and cut like other unverified text: no raw line break, no rune cut in half.
func TestSchemaErrorPathIsEscaped(t *testing.T) {
	s := &jsonSchema{typ: "object"}
	for _, key := range []string{"evil\nkey", strings.Repeat("你", 30)} {
		body, _ := json.Marshal(key)
		err := s.check([]byte(`{` + string(body) + `: 1e999}`))
		if err == nil {
			t.Fatalf("%q: 1e999 was accepted", key)
		}
		msg := err.Error()
		if strings.ContainsAny(msg, "\n\uFFFD") || !utf8.ValidString(msg) || len(msg) > MaxEchoedText+len("…: number out of range") {
			t.Errorf("%q: error %q", key, msg)
		}
	}
}
