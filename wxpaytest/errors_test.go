package wxpaytest

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/wxpay-oapi/wxpay/generated/server"
)

// specErrors reads openapi.yaml's x-wechatpay-errors rows, independently of the server:
// operationId → status → code → the descriptions listed for it. Rows with a scope
// (scope: withdrawal, about another API) are left out: the fake answers them only when a
// Fault names their Code.
func specErrors(t *testing.T) map[string]map[int]map[string][]string {
	t.Helper()
	doc, err := server.GetSpec()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[int]map[string][]string{}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			byStatus := map[int]map[string][]string{}
			for key, ref := range op.Responses.Map() {
				status, err := strconv.Atoi(key)
				if err != nil || status < 300 {
					continue
				}
				byStatus[status] = map[string][]string{}
				rows, _ := ref.Value.Extensions[extErrors].([]any)
				for _, row := range rows {
					m, _ := row.(map[string]any)
					code, _ := m["code"].(string)
					desc, _ := m["description"].(string)
					if scope, _ := m["scope"].(string); scope != "" {
						continue
					}
					byStatus[status][code] = append(byStatus[status][code], desc)
				}
			}
			out[op.OperationID] = byStatus
		}
	}
	return out
}

// Every error the fake answers for an operation — from its own checks, its handlers and a
// Fault with no Code — has a (status, code) that openapi.yaml lists for that operation, and
// a message that starts with the description listed for it: the codes and their wording
// come from the spec, never from Go.
func TestErrorsComeFromSpec(t *testing.T) {
	spec := specErrors(t)
	srv := newTestServer(t)
	k := srv.Keys()
	const channelPath = "/v3/aggracct-bc/wb-channel/account/balance"
	badSig := func(a string) string { return strings.Replace(a, `signature="`, `signature="AAAA`, 1) }
	valid := map[string]raw{
		"QueryECommerceBalance": {uri: ecomPath + DemoSubMchID},
		"QueryAccountBalance":   {uri: channelURI(t, k, k.PublicKeyID, "1900016681", DemoBalAccountNo)},
		"ListCertificates":      {uri: "/v3/certificates", serial: "-"},
	}
	situations := []struct {
		name, op string
		rq       raw
	}{
		{"bad signature", "QueryECommerceBalance", raw{uri: ecomPath + DemoSubMchID, auth: badSig}},
		{"bad signature", "QueryAccountBalance", raw{uri: valid["QueryAccountBalance"].uri, auth: badSig}},
		{"bad signature", "ListCertificates", raw{uri: "/v3/certificates", serial: "-", auth: badSig}},
		{"no Wechatpay-Serial", "QueryAccountBalance", raw{uri: valid["QueryAccountBalance"].uri, serial: "-"}},
		{"unknown Wechatpay-Serial", "QueryAccountBalance", raw{uri: valid["QueryAccountBalance"].uri, serial: "PUB_KEY_ID_0000"}},
		{"account_type not in the enum", "QueryECommerceBalance", raw{uri: ecomPath + DemoSubMchID + "?account_type=GOLD"}},
		{"mchid missing", "QueryAccountBalance", raw{uri: channelPath + "?bal_account_no=abc"}},
		{"bal_account_no not encrypted", "QueryAccountBalance", raw{uri: channelPath + "?mchid=1900016681&bal_account_no=abc"}},
		{"unknown sub-merchant", "QueryECommerceBalance", raw{uri: ecomPath + "1900000999"}},
		{"account type not opened", "QueryECommerceBalance", raw{uri: ecomPath + DemoSubMchID + "?account_type=FEES"}},
		{"unknown balance account", "QueryAccountBalance", raw{uri: channelURI(t, k, k.PublicKeyID, "1900016681", "no-such-account")}},
	}
	// A Fault with a Status and no Code, for every error status the spec lists for the operation.
	for op, byStatus := range spec {
		for status := range byStatus {
			situations = append(situations, struct {
				name, op string
				rq       raw
			}{"Fault{Status: " + strconv.Itoa(status) + "}", op, valid[op]})
		}
	}
	for _, s := range situations {
		t.Run(s.op+"/"+s.name, func(t *testing.T) {
			if strings.HasPrefix(s.name, "Fault") {
				status, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(s.name, "Fault{Status: "), "}"))
				srv.QueueFault(Fault{Operation: s.op, Status: status})
				defer srv.ClearFaults()
			}
			a := s.rq.do(t, srv)
			if rows, ok := spec[s.op][a.status]; ok && len(rows) == 0 && strings.HasPrefix(s.name, "Fault") {
				// Only scoped rows for this status (404: ORDER_NOT_EXISTS, withdrawals):
				// the status text in WeChat Pay's style, as for a status the spec never lists.
				if want := strings.ToUpper(strings.ReplaceAll(http.StatusText(a.status), " ", "_")); a.err.Code != want || a.err.Message != http.StatusText(a.status) {
					t.Fatalf("answered %d %s %q; %s lists only scoped rows for %d, want %s", a.status, a.err.Code, a.err.Message, s.op, a.status, want)
				}
				return
			}
			descs, listed := spec[s.op][a.status][a.err.Code]
			if a.status < 300 || !listed {
				t.Fatalf("answered %d %s, which openapi.yaml does not list for %s (%s)", a.status, a.err.Code, s.op, a.body)
			}
			for _, d := range descs {
				if strings.HasPrefix(a.err.Message, d) {
					return
				}
			}
			t.Errorf("message %q starts with none of the descriptions openapi.yaml lists for %s %d %s: %q", a.err.Message, s.op, a.status, a.err.Code, descs)
		})
	}
}
