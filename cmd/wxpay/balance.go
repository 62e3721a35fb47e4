package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/wxpay-oapi/wxpay"
	"github.com/wxpay-oapi/wxpay/generated"
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
func runECommerceBalance(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv env) error {
	types := specAccountTypes()
	fs := newFlagSet("ecommerce-balance", "--sub-mchid ID [--account-type "+strings.Join(types, "|")+"] [-o json|table]",
		"Query the real-time balance of an e-commerce sub-merchant (查询二级商户账户实时余额),\n"+
			"as its platform merchant (平台商户). Amounts are in fen (分); -o table also shows yuan.\n\n"+credentialsHelp)
	subMchID := fs.String("sub-mchid", "", "sub-merchant `ID` (二级商户号), required")
	accountType := fs.String("account-type", "", "`account` to query: "+orList(types)+" (omitted: WeChat Pay's default); with --sub-mchids also a comma list, or all")
	bf := addBulkFlags(fs, "sub-mchids", "bulk: query every sub-merchant listed in this `file` (- for stdin): one ID per line, or a CSV with a sub_mchid column")
	q := addQueryFlags(fs)
	if err := fs.parse(args, stdout); err != nil {
		return err
	}
	if bf.set() {
		if strings.TrimSpace(*subMchID) != "" {
			return usagef("--sub-mchid and --sub-mchids: give one sub-merchant or a file of them, not both")
		}
		return runBulkECommerce(ctx, q, bf, *accountType, stdin, stdout, stderr, getenv)
	}
	if err := bf.checkSingle(fs, "sub-mchids"); err != nil {
		return err
	}
	if err := q.check(); err != nil {
		return err
	}
	if strings.TrimSpace(*subMchID) == "" {
		return usagef("--sub-mchid is required: the sub-merchant ID (二级商户号) to query")
	}
	params := &generated.QueryECommerceBalanceParams{}
	if *accountType != "" {
		at := generated.AccountType(strings.ToUpper(strings.TrimSpace(*accountType)))
		if !at.Valid() {
			return usagef("--account-type %q: expected %s", *accountType, orList(types))
		}
		params.AccountType = &at
	}
	client, err := newClient(q.creds, q.timeout, getenv, stderr)
	if err != nil {
		return err
	}
	defer client.Close()
	ctx, cancel := context.WithTimeout(ctx, q.timeout)
	defer cancel()
	resp, err := client.QueryECommerceBalanceWithResponse(ctx, strings.TrimSpace(*subMchID), params)
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
func runChannelBalance(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv env) error {
	fs := newFlagSet("channel-balance", "--target-mchid ID --bal-account-no PLAINTEXT [-o json|table]",
		"Query the channel quota of a balance account (查询渠道额度) of the merchant\n"+
			"--target-mchid, as the merchant --caller-mchid (WXPAY_MCHID). The balance account\n"+
			"number (额度台账号) is encrypted with the WeChat Pay public key before it is sent, and\n"+
			"is never printed; pass --bal-account-no - to read it from stdin instead of the\n"+
			"command line (and so keep it out of shell history).\n\n"+credentialsHelp)
	mchid := fs.String("target-mchid", "", "`ID` of the merchant whose quota to query (微信支付商户号), required; the caller is --caller-mchid")
	balAccountNo := fs.String("bal-account-no", "", "balance account number (额度台账号) in `plaintext`, or - to read it from stdin; required")
	bf := addBulkFlags(fs, "from", "bulk: query every balance account in this CSV `file` (- for stdin), whose header names the columns mchid and bal_account_no (plaintext)")
	q := addQueryFlags(fs)
	if err := fs.parse(args, stdout); err != nil {
		return err
	}
	if bf.set() {
		if strings.TrimSpace(*mchid) != "" || strings.TrimSpace(*balAccountNo) != "" {
			return usagef("--from: the file gives mchid and bal_account_no per row; drop --target-mchid and --bal-account-no")
		}
		return runBulkChannel(ctx, q, bf, stdin, stdout, stderr, getenv)
	}
	if err := bf.checkSingle(fs, "from"); err != nil {
		return err
	}
	if err := q.check(); err != nil {
		return err
	}
	if strings.TrimSpace(*mchid) == "" {
		return usagef("--target-mchid is required: the merchant whose quota to query (微信支付商户号); it may be the caller, --caller-mchid (%s)", envMchID)
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
		return usagef("--bal-account-no is required: the balance account number (额度台账号), in plaintext")
	}
	client, err := newClient(q.creds, q.timeout, getenv, stderr)
	if err != nil {
		return err
	}
	defer client.Close()
	ctx, cancel := context.WithTimeout(ctx, q.timeout)
	defer cancel()
	if err := bootstrap(ctx, client); err != nil {
		return err
	}
	ciphertext, err := client.Encrypt(plaintext)
	if err != nil {
		// Encrypt's errors give sizes, never the plaintext.
		return usagef("--bal-account-no: %s", strings.TrimPrefix(err.Error(), "transport: "))
	}
	resp, err := client.QueryAccountBalanceWithResponse(ctx, &generated.QueryAccountBalanceParams{
		MchID:        strings.TrimSpace(*mchid),
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

// newClient loads the settings and builds the client: the generated client over the
// signing transport. Each attempt gets half the query's timeout, so a hanging primary host
// still leaves time to fail over to the backup. The caller closes it (it may be refreshing
// downloaded platform certificates).
func newClient(creds credentialFlags, timeout time.Duration, getenv env, stderr io.Writer) (*cliClient, error) {
	cc, err := creds.load(getenv)
	if err != nil {
		return nil, err
	}
	warnMockKeys(stderr, cc.keyFile, cc.baseURL)
	cc.transport.AttemptTimeout = timeout / 2
	c, err := wxpay.NewClient(cc.baseURL, cc.transport)
	if err != nil {
		return nil, err
	}
	t := cc.transport
	return &cliClient{Client: c, downloadOnly: !t.APIv3Key.IsZero() && t.WechatPayPublicKey == nil && len(t.PlatformCertificates) == 0}, nil
}

// cliClient is a wxpay.Client that knows whether it starts without any WeChat Pay key.
type cliClient struct {
	*wxpay.Client
	downloadOnly bool // only the APIv3 key: no key to encrypt with before the first download
}

// bootstrap makes sure the client holds a WeChat Pay key to encrypt with. With only the
// APIv3 key configured it has none until it has downloaded the platform certificates: the
// first answer, naming a serial it does not know, makes the transport download them from the
// host that answered (the --base-url one), and verifies that answer with them.
func bootstrap(ctx context.Context, client *cliClient) error {
	if !client.downloadOnly {
		return nil
	}
	_, err := wxpay.Result(client.ListCertificatesWithResponse(ctx))
	return err
}

// warnMockKeys warns on stderr when the merchant key is a test key written by 'wxpay mock'
// (its directory holds mock's .env) and the requests go somewhere other than loopback: most
// likely WXPAY_BASE_URL was not set, and the test keys are about to reach WeChat Pay.
func warnMockKeys(stderr io.Writer, keyFile, baseURL string) {
	if keyFile == "" || !isMockDir(filepath.Dir(keyFile)) {
		return
	}
	if u, err := url.Parse(baseURL); err == nil && isLoopback(u.Hostname()) {
		return
	}
	fmt.Fprintf(stderr, "wxpay: warning: %s is a test key written by 'wxpay mock', but the request goes to %s, not to a mock on loopback: "+
		"set %s to the mock's URL (its .env has it)\n", envPrivateKeyFile, baseURL, envBaseURL)
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
