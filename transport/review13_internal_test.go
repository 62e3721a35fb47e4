package transport

// Adversarial review of issue 13: the JSON walkers run on an answer json.Valid accepted
// once (validJSON), without checking the syntax again. Whatever valid JSON a signed answer
// carries, the response checks answer without a panic, and a string the walker views in
// place (unsafeString) is never changed after it was handed out.

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

var review13Bodies = []string{
	`{}`, `[]`, `null`, `true`, `0`, `-0`, `1e400`, `-1e400`, `""`, `"x"`, ` {} `, "\t\r\n{}\n",
	`{"sub_mchid":"1900000109","available_amount":1,"pending_amount":0,"account_type":"BASIC"}`,
	`{"sub_mchid":"1900000109","sub_mchid":"1900000109","available_amount":1,"pending_amount":0,"account_type":"BASIC"}`,
	`{"SUB_MCHID":"1900000109","available_amount":1,"pending_amount":0,"account_type":"BASIC"}`,
	`{"sub_mchid":"19000001\u0030\u0039","available_amount":1,"pending_amount":0,"account_type":"BASIC"}`,
	`{"sub_mchid":"1900000109\"","available_amount":1,"pending_amount":0,"account_type":"BASIC"}`,
	`{"sub_mchid":"\\","available_amount":1e2,"pending_amount":1.0,"account_type":"BASIC"}`,
	`{"sub_mchid":"1900000109","available_amount":9223372036854775808,"pending_amount":0,"account_type":"BASIC"}`,
	`{"sub_mchid":"1900000109","available_amount":-9223372036854775808,"pending_amount":0,"account_type":"BASIC"}`,
	`{"sub_mchid":"1900000109","available_amount":1,"pending_amount":0,"account_type":"BASIC","x":[[[[{"a":[1,{"b":null}]}]]]]}`,
	`{"sub_mchid":"1900000109","available_amount":1,"pending_amount":0,"account_type":"BASIC","\ud800":"\udc00"}`,
	"{\"sub_mchid\":\"19000\xff\xfe0109\",\"available_amount\":1,\"pending_amount\":0,\"account_type\":\"BASIC\"}",
	"{\"\xff\":1}",
	`{"code":"SYSTEM_ERROR","message":"x"}`, `{"code":1,"message":2}`, `{"code":"\"","message":"\\"}`,
	`{"balance":1,"in_transit_reduction_exist":false}`, `{"balance":"1","in_transit_reduction_exist":"false"}`,
	`{"certificates":[],"data":[{"serial_no":"x","encrypt_certificate":{}}]}`, `{"data":[{}]}`, `{"data":null}`,
	`{"a" : 1 , "b" : [ 1 , 2 ] , "c" : { } }`,
	`{"sub_mchid":"` + strings.Repeat(`\u00e9`, 300) + `","available_amount":1,"pending_amount":0,"account_type":"BASIC"}`,
	`{"` + strings.Repeat("k", 5000) + `":1}`,
	strings.Repeat("[", 9990) + strings.Repeat("]", 9990),
	`{"x":` + strings.Repeat(`{"x":`, 5000) + `1` + strings.Repeat("}", 5001),
}

func review13CheckAnswer(t *testing.T, ops *operations, body []byte) {
	t.Helper()
	if !json.Valid(body) {
		return
	}
	for _, op := range ops.list {
		for status := range op.okSchemas {
			resp := &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {"application/json"}}}
			v, err := op.checkResponse(resp, body)
			if err != nil {
				continue
			}
			c := &call{op: op}
			for i := range op.params {
				c.vals[i], c.given[i] = "1900000109", true
			}
			_ = c.checkEcho(status, v)
		}
	}
}

func TestReview13WalkersOnValidJSON(t *testing.T) {
	ops, err := sharedOperations()
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range review13Bodies {
		if !json.Valid([]byte(b)) {
			t.Fatalf("not a valid seed: %.80s", b)
		}
		review13CheckAnswer(t, ops, []byte(b))
	}
}

func FuzzReview13WalkersOnValidJSON(f *testing.F) {
	ops, err := sharedOperations()
	if err != nil {
		f.Fatal(err)
	}
	for _, b := range review13Bodies {
		f.Add([]byte(b))
	}
	f.Fuzz(func(t *testing.T, body []byte) { review13CheckAnswer(t, ops, body) })
}

// An error naming a key of the answer (a view into the answer's bytes) keeps its text
// while signing and verifying run on the pooled message buffers many times over.
func TestReview13ErrorTextOutlivesPooledBuffers(t *testing.T) {
	ops, err := sharedOperations()
	if err != nil {
		t.Fatal(err)
	}
	op := ops.byID("QueryECommerceBalance")
	body := []byte(`{"sub_mchid":"1900000109","available_amount":"not a number","pending_amount":0,"account_type":"BASIC"}`)
	_, cerr := op.checkResponse(&http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}}}, body)
	if cerr == nil {
		t.Fatal("no schema error")
	}
	text := cerr.Error()
	for range 1000 {
		bp := getBuffer()
		b := append(*bp, strings.Repeat("Z", 2000)...)
		putBuffer(bp, b)
	}
	if cerr.Error() != text || !strings.Contains(text, "available_amount") {
		t.Fatalf("the error's text changed: %q, was %q", cerr.Error(), text)
	}
}
