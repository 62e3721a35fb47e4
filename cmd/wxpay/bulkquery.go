package main

import (
	"context"
	"errors"
	"io"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/wxpay-oapi/wxpay"
	"github.com/wxpay-oapi/wxpay/generated"
	"github.com/wxpay-oapi/wxpay/transport"
)

// The inputs of the two bulk commands: --sub-mchids (also read by "wxpay mock
// --sub-merchants", under its own flag name) and --from.
var (
	ecommerceLayout = bulkLayout{flag: "--sub-mchids", operation: generated.OpQueryECommerceBalance, columns: []string{"sub_mchid"}, bare: true}
	channelLayout   = bulkLayout{flag: "--from", operation: generated.OpQueryAccountBalance, columns: []string{"mchid", "bal_account_no"}, secret: "bal_account_no"}
)

// maxInterruptGrace bounds how long the calls in flight may go on after an interrupt
// (never longer than --timeout): long enough for most to be written, short enough that
// Ctrl-C is felt.
const maxInterruptGrace = 5 * time.Second

// maxConcurrency bounds --concurrency: more calls in flight than this only queue.
const maxConcurrency = 512

// bulkSetup checks the flags every bulk run shares and returns a run with them filled in.
func bulkSetup(command string, layout bulkLayout, q *queryFlags, bf *bulkFlags) (*bulkRun, error) {
	format, err := bulkFormat(q)
	if err != nil {
		return nil, err
	}
	if bf.concurrency < 1 || bf.concurrency > maxConcurrency {
		return nil, usagef("--concurrency %d: expected 1 to %d", bf.concurrency, maxConcurrency)
	}
	if bf.resume && bf.out == "" {
		return nil, usagef("--resume needs --out FILE: the file to complete")
	}
	if bf.resume && format == formatTable {
		return nil, usagef("--resume reads the --out file back: use -o jsonl or -o csv")
	}
	return &bulkRun{
		command:  command,
		layout:   layout,
		input:    strings.TrimSpace(*bf.input),
		format:   format,
		flags:    bf,
		timeout:  q.timeout,
		grace:    min(q.timeout, maxInterruptGrace),
		interval: progressInterval,
		throttle: newThrottle(bf.concurrency),
	}, nil
}

// parseAccountTypes reads a bulk --account-type: "" (WeChat Pay's default), one type, a
// comma list, or all: the enum of openapi.yaml.
func parseAccountTypes(value string) ([]string, error) {
	value = strings.TrimSpace(value)
	if value == "" {
		return nil, nil
	}
	types := specAccountTypes()
	if strings.EqualFold(value, "all") {
		return types, nil
	}
	var out []string
	for _, v := range strings.Split(value, ",") {
		v = strings.ToUpper(strings.TrimSpace(v))
		if !slices.Contains(types, v) {
			return nil, usagef("--account-type %s: expected %s, a comma list of them, or all", quoteBounded(v), orList(types))
		}
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out, nil
}

// runBulkECommerce is "wxpay ecommerce-balance --sub-mchids FILE".
func runBulkECommerce(ctx context.Context, q *queryFlags, bf *bulkFlags, accountType string, stdin io.Reader, stdout, stderr io.Writer, getenv env) error {
	b, err := bulkSetup("ecommerce-balance", ecommerceLayout, q, bf)
	if err != nil {
		return err
	}
	if b.accountTypes, err = parseAccountTypes(accountType); err != nil {
		return err
	}
	b.amountName = "available_amount"
	client, err := newBulkClient(q, getenv, stderr, bf.concurrency, b.throttle)
	if err != nil {
		return err
	}
	defer client.Close()
	b.query = b.queryECommerce(client.Client)
	return b.run(ctx, stdin, stdout, stderr)
}

// queryECommerce returns the query of an e-commerce bulk run through client: the job's
// account type (WeChat Pay's default when none), and the type answered when none was asked.
func (b *bulkRun) queryECommerce(client *wxpay.Client) func(context.Context, bulkJob) *bulkRecord {
	return func(ctx context.Context, job bulkJob) *bulkRecord {
		rec := b.identity(job)
		params := &generated.QueryECommerceBalanceParams{}
		if job.accountType != "" {
			at := generated.AccountType(job.accountType)
			params.AccountType = &at
		}
		bal, err := wxpay.Result(client.QueryECommerceBalanceWithResponse(ctx, rec.SubMchID, params))
		if err != nil {
			setOutcome(rec, err)
			return rec
		}
		rec.Result = resultOK
		available := bal.AvailableAmount
		rec.AvailableAmount, rec.PendingAmount = &available, bal.PendingAmount
		if rec.AccountType == "" && bal.AccountType != nil {
			rec.AccountType = string(*bal.AccountType)
		}
		return rec
	}
}

// runBulkChannel is "wxpay channel-balance --from FILE": each row's bal_account_no is
// encrypted for its own request and never written anywhere.
func runBulkChannel(ctx context.Context, q *queryFlags, bf *bulkFlags, stdin io.Reader, stdout, stderr io.Writer, getenv env) error {
	layout := channelLayout
	b, err := bulkSetup("channel-balance", layout, q, bf)
	if err != nil {
		return err
	}
	b.amountName = "balance"
	doc, err := specDoc()
	if err != nil {
		return err
	}
	client, err := newBulkClient(q, getenv, stderr, bf.concurrency, b.throttle)
	if err != nil {
		return err
	}
	defer client.Close()
	if client.downloadOnly {
		bctx, cancel := context.WithTimeout(ctx, q.timeout)
		err := bootstrap(bctx, client)
		cancel()
		if err != nil {
			return err
		}
	}
	b.query = func(ctx context.Context, job bulkJob) *bulkRecord {
		rec := b.identity(job)
		ciphertext, err := client.Encrypt(job.row.values["bal_account_no"])
		if err == nil {
			if problem := checkParam(doc, layout.operation, "bal_account_no", ciphertext); problem != "" {
				err = errors.New("encrypted bal_account_no breaks openapi.yaml")
			}
		}
		if err != nil {
			// Encrypt's errors give sizes, never the plaintext.
			rec.Result, rec.Reason = resultInvalid, "bal_account_no: "+strings.TrimPrefix(err.Error(), "transport: ")
			return rec
		}
		bal, err := wxpay.Result(client.QueryAccountBalanceWithResponse(ctx, &generated.QueryAccountBalanceParams{
			MchID: rec.MchID, BalAccountNo: ciphertext,
		}))
		if err != nil {
			setOutcome(rec, err)
			return rec
		}
		rec.Result, rec.Balance, rec.InTransitReductionExist = resultOK, bal.Balance, bal.InTransitReductionExist
		return rec
	}
	return b.run(ctx, stdin, stdout, stderr)
}

// setOutcome words a failed call in rec: WeChat Pay's error, the verification that
// failed, the request openapi.yaml refused, or no answer. Text from the answer is
// unverified: it is bounded and stripped of control characters.
func setOutcome(rec *bulkRecord, err error) {
	var (
		ae  *transport.APIError
		ve  *transport.VerificationError
		ie  *transport.InputError
		ure *url.Error
	)
	switch {
	case errors.As(err, &ae):
		rec.Result, rec.Status = resultAPIError, ae.StatusCode
		rec.Code, rec.Message = printable(ae.Code, 64), printable(ae.Message, 256)
		rec.RequestID = printable(ae.RequestID, 128)
	case errors.As(err, &ve):
		rec.Result, rec.Reason, rec.RequestID = resultUnverified, string(ve.Reason), printable(ve.RequestID, 128)
	case errors.As(err, &ie):
		rec.Result, rec.Reason = resultInvalid, printable(ie.Parameter+": "+ie.Reason, 256)
	case errors.Is(err, context.DeadlineExceeded):
		rec.Result, rec.Reason = resultNoAnswer, "no verified answer within --timeout"
	case errors.As(err, &ure):
		rec.Result, rec.Reason = resultNoAnswer, printable(noAnswerMessage(ure), 256)
	default:
		rec.Result, rec.Reason = resultError, printable(strings.TrimPrefix(err.Error(), "transport: "), 256)
	}
}
