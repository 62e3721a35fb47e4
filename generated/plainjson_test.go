package generated

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// decodePlainJSON (typedef.tmpl) must decode exactly what json.Unmarshal decodes whenever it
// accepts a text, and leave its value alone when it does not (then unmarshalJSON is
// json.Unmarshal itself).
type plainDecoder[T any] interface {
	*T
	decodePlainJSON([]byte) bool
}

func samePlain[T any, P plainDecoder[T]](t *testing.T, data []byte) (accepted bool) {
	t.Helper()
	var fast, slow, zero T
	accepted = P(&fast).decodePlainJSON(data)
	err := json.Unmarshal(data, &slow)
	switch {
	case accepted && err != nil:
		t.Fatalf("%T: decodePlainJSON accepted %q, json.Unmarshal refuses it: %v", fast, data, err)
	case accepted && !reflect.DeepEqual(fast, slow):
		t.Fatalf("%T of %q:\n plain %+v\n  json %+v", fast, data, fast, slow)
	case !accepted && !reflect.DeepEqual(fast, zero):
		t.Fatalf("%T: decodePlainJSON refused %q but changed its value to %+v", fast, data, fast)
	}
	var viaHelper T
	if herr := unmarshalJSON(data, &viaHelper); (herr == nil) != (err == nil) || (err == nil && !reflect.DeepEqual(viaHelper, slow)) ||
		(err != nil && herr.Error() != err.Error()) {
		t.Fatalf("%T: unmarshalJSON(%q) = %+v, %v; json.Unmarshal = %+v, %v", viaHelper, data, viaHelper, herr, slow, err)
	}
	return accepted
}

var plainSeeds = []string{
	`{"sub_mchid":"1900000109","available_amount":10000,"pending_amount":1,"account_type":"BASIC"}`,
	` { "sub_mchid" : "1900000109" ,` + "\n\t\r" + `"available_amount":0,"pending_amount":-0,"account_type":"FEES"}  `,
	`{"in_transit_reduction_exist":false,"balance":1}`,
	`{"in_transit_reduction_exist":true,"balance":-9223372036854775808}`,
	`{"balance":9223372036854775807}`, `{"balance":9223372036854775808}`, `{"balance":-9223372036854775809}`,
	`{"balance":12345678901234567890}`, `{"balance":01}`, `{"balance":-}`, `{"balance":1.0}`, `{"balance":1e3}`,
	`{"balance":1E3}`, `{"balance":-1.5}`, `{"balance":null}`, `{"balance":"1"}`, `{"balance":true}`,
	`{"in_transit_reduction_exist":tru}`, `{"in_transit_reduction_exist":truex}`, `{"in_transit_reduction_exist":null}`,
	`{}`, ` {} `, `{`, `}`, ``, `null`, `[]`, `{"balance":1}x`, `{"balance":1}{}`, `{"balance":1,}`, `{,"balance":1}`,
	`{"balance" 1}`, `{"balance":1 "in_transit_reduction_exist":true}`, `{"balance":1,"balance":2}`,
	`{"Balance":1}`, `{"BALANCE":1}`, `{"unknown":1}`, `{"balance":{}}`, `{"balance":[1]}`,
	`{"sub_mchid":"19\"00"}`, `{"sub_mchid":"19\u0030"}`, `{"sub_mchid":"\\"}`, `{"sub_mchid":"二级"}`,
	`{"sub_mchid":"a` + "\x7f" + `"}`, `{"sub_mchid":"a` + "\x01" + `"}`, `{"sub_mchid":"a` + "\xff" + `"}`,
	`{"sub_mchid":""}`, `{"sub_mchid":"` + strings.Repeat("9", 4096) + `"}`, `{"account_type":"NOT_AN_ENUM"}`,
	`{"sub_mchid":1900000109}`, `{"available_amount":"10000"}`, `{"pending_amount":null,"available_amount":5}`,
	`{"sub_mchid":"1900000109","sub_mchid":"1900000109"}`, `{"sub_mchid":"x","Sub_Mchid":"y"}`, `{"":1}`,
	"{\"balance\":1}\x00", "\xef\xbb\xbf{\"balance\":1}", `{"balance":1}` + "\v",
}

func TestPlainJSONIsJSONUnmarshal(t *testing.T) {
	for _, s := range plainSeeds {
		samePlain[ECommerceBalance](t, []byte(s))
		samePlain[AccountBalance](t, []byte(s))
	}
	// The answers WeChat Pay sends take the plain path.
	for _, s := range []string{plainSeeds[0], plainSeeds[1]} {
		if !samePlain[ECommerceBalance](t, []byte(s)) {
			t.Errorf("ECommerceBalance %q: plain path not taken", s)
		}
	}
	for _, s := range []string{plainSeeds[2], plainSeeds[3], plainSeeds[4]} {
		if !samePlain[AccountBalance](t, []byte(s)) {
			t.Errorf("AccountBalance %q: plain path not taken", s)
		}
	}
}

func FuzzPlainJSONIsJSONUnmarshal(f *testing.F) {
	for _, s := range plainSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		samePlain[ECommerceBalance](t, data)
		samePlain[AccountBalance](t, data)
	})
}
