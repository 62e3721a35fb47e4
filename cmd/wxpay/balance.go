package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/wxpay-oapi/wxpay"
	"github.com/wxpay-oapi/wxpay/generated"
	"github.com/wxpay-oapi/wxpay/transport"
)

const credentialsHelp = `Credentials come from the flags below, from --env-file (such as the .env that
'wxpay mock' writes), or from the environment, in that order: WXPAY_MCHID,
WXPAY_CERT_SERIAL_NO, WXPAY_PRIVATE_KEY_FILE, one way to verify answers (WXPAY_PUBLIC_KEY_ID
and WXPAY_PUBLIC_KEY_FILE; or WXPAY_PLATFORM_CERT_FILE; or WXPAY_APIV3_KEY or
WXPAY_APIV3_KEY_FILE to download the platform certificates), and WXPAY_BASE_URL. Every
request is signed, and the answer's signature is verified before anything is printed.

Output: the verified answer as JSON on stdout (exit 0). A WeChat Pay error is a JSON
object {status, code, message, detail, request_id} on stderr (exit 1); an answer that
fails verification exits 1; a mistake in flags or settings exits 2.`

// runECommerceBalance is "wxpay ecommerce-balance": QueryECommerceBalance.
func runECommerceBalance(ctx context.Context, args []string, _ io.Reader, stdout, _ io.Writer, getenv env) error {
	types := specAccountTypes()
	fs := newFlagSet("ecommerce-balance", "--sub-mchid ID [--account-type "+strings.Join(types, "|")+"] [-o json|table]",
		"Query the real-time balance of an e-commerce sub-merchant (查询二级商户账户实时余额),\n"+
			"as its platform merchant (平台商户). Amounts are in fen (分); -o table also shows yuan.\n\n"+credentialsHelp)
	subMchid := fs.String("sub-mchid", "", "sub-merchant `ID` (二级商户号), required")
	accountType := fs.String("account-type", "", "`account` to query: "+orList(types)+" (omitted: WeChat Pay's default)")
	q := addQueryFlags(fs)
	if err := fs.parse(args, stdout); err != nil {
		return err
	}
	if err := q.check(); err != nil {
		return err
	}
	if strings.TrimSpace(*subMchid) == "" {
		return usagef("ecommerce-balance: --sub-mchid is required: the sub-merchant ID (二级商户号) to query")
	}
	params := &generated.QueryECommerceBalanceParams{}
	if *accountType != "" {
		at := generated.AccountType(strings.ToUpper(strings.TrimSpace(*accountType)))
		if !at.Valid() {
			return usagef("--account-type %q: expected %s", *accountType, orList(types))
		}
		params.AccountType = &at
	}
	client, _, err := newClient(q.creds, q.timeout, getenv)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, q.timeout)
	defer cancel()
	resp, err := client.QueryECommerceBalanceWithResponse(ctx, strings.TrimSpace(*subMchid), params)
	bal, err := wxpay.Result(resp, err)
	if err != nil {
		return err
	}
	if q.format == formatTable {
		return writeRows(stdout, eCommerceRows(bal))
	}
	return writeJSON(stdout, resp.Body)
}

// runChannelBalance is "wxpay channel-balance": QueryAccountBalance, with bal_account_no
// encrypted here, so its plaintext never leaves the machine.
func runChannelBalance(ctx context.Context, args []string, stdin io.Reader, stdout, _ io.Writer, getenv env) error {
	fs := newFlagSet("channel-balance", "--mchid ID --bal-account-no PLAINTEXT [-o json|table]",
		"Query the channel quota of a balance account (查询渠道额度). The balance account\n"+
			"number (额度台账号) is encrypted with the WeChat Pay public key before it is sent, and\n"+
			"is never printed; pass --bal-account-no - to read it from stdin instead of the\n"+
			"command line (and so keep it out of shell history).\n\n"+credentialsHelp)
	mchid := fs.String("mchid", "", "`ID` of the merchant whose quota to query (微信支付商户号), required")
	balAccountNo := fs.String("bal-account-no", "", "balance account number (额度台账号) in `plaintext`, or - to read it from stdin; required")
	q := addQueryFlags(fs)
	if err := fs.parse(args, stdout); err != nil {
		return err
	}
	if err := q.check(); err != nil {
		return err
	}
	if strings.TrimSpace(*mchid) == "" {
		return usagef("channel-balance: --mchid is required: the merchant ID (微信支付商户号) to query")
	}
	plaintext := strings.TrimSpace(*balAccountNo)
	if plaintext == "-" {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && line == "" {
			return usagef("--bal-account-no -: nothing to read on stdin")
		}
		plaintext = strings.TrimSpace(line)
	}
	if plaintext == "" {
		return usagef("channel-balance: --bal-account-no is required: the balance account number (额度台账号), in plaintext")
	}
	client, tr, err := newClient(q.creds, q.timeout, getenv)
	if err != nil {
		return err
	}
	ciphertext, err := tr.Encrypt(plaintext)
	if err != nil {
		// Encrypt's errors give sizes, never the plaintext.
		return usagef("--bal-account-no: %s", strings.TrimPrefix(err.Error(), "transport: "))
	}
	ctx, cancel := context.WithTimeout(ctx, q.timeout)
	defer cancel()
	resp, err := client.QueryAccountBalanceWithResponse(ctx, &generated.QueryAccountBalanceParams{
		Mchid:        strings.TrimSpace(*mchid),
		BalAccountNo: ciphertext,
	})
	bal, err := wxpay.Result(resp, err)
	if err != nil {
		return err
	}
	if q.format == formatTable {
		return writeRows(stdout, accountRows(bal))
	}
	return writeJSON(stdout, resp.Body)
}

// newClient loads the settings and builds the signing transport and the generated client.
// Each attempt gets half the query's timeout, so a hanging primary host still leaves time
// to fail over to the backup.
func newClient(creds credentialFlags, timeout time.Duration, getenv env) (*generated.ClientWithResponses, *transport.Transport, error) {
	cc, err := creds.load(getenv)
	if err != nil {
		return nil, nil, err
	}
	cc.transport.AttemptTimeout = timeout / 2
	tr, err := transport.New(cc.transport)
	if err != nil {
		return nil, nil, err
	}
	client, err := generated.NewClientWithResponses(cc.baseURL, generated.WithHTTPClient(&http.Client{Transport: tr}))
	if err != nil {
		return nil, nil, fmt.Errorf("building the client for %s: %w", cc.baseURL, err)
	}
	return client, tr, nil
}

// specAccountTypes lists the account types the embedded openapi.yaml allows (accountTypes).
func specAccountTypes() []string {
	doc, err := specDoc()
	if err != nil {
		return nil
	}
	return accountTypes(doc)
}

// accountTypes lists the values doc allows for QueryECommerceBalance's account_type, in
// the spec's order: the CLI's help and checks follow openapi.yaml.
func accountTypes(doc *openapi3.T) []string {
	var out []string
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			if op.OperationID != "QueryECommerceBalance" {
				continue
			}
			p := op.Parameters.GetByInAndName(openapi3.ParameterInQuery, "account_type")
			if p == nil || p.Schema == nil || p.Schema.Value == nil {
				continue
			}
			for _, v := range p.Schema.Value.Enum {
				out = append(out, fmt.Sprint(v))
			}
		}
	}
	return out
}

// orList joins values as "A, B or C".
func orList(values []string) string {
	if len(values) < 2 {
		return strings.Join(values, "")
	}
	return strings.Join(values[:len(values)-1], ", ") + " or " + values[len(values)-1]
}
