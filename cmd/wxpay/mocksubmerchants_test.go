package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMockSubMerchants(t *testing.T) {
	t.Parallel()
	ids := filepath.Join(t.TempDir(), "ids.txt")
	if err := os.WriteFile(ids, []byte("# three sub-merchants and a bad row\n1900200001\n1900200002\nbad/row\n1900200003\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env, _ := startMock(t, "--sub-merchants", ids)
	run := func() []bulkRecord {
		r := runCLI(t, env, "ecommerce-balance", "--sub-mchids", ids, "--quiet")
		if r.code != exitFailure || !strings.Contains(r.stderr, "3 ok, 1 failed (invalid: 1)") {
			t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
		}
		return jsonRecords(t, r.stdout)
	}
	first := run()
	for _, rec := range first {
		if rec.Result == resultOK && (rec.AccountType != "BASIC" || rec.AvailableAmount == nil) {
			t.Errorf("record %+v", rec)
		}
	}
	if r := runCLI(t, nil, "mock", "--addr", "127.0.0.1:0", "--sub-merchants", filepath.Join(t.TempDir(), "missing")); r.code != exitUsage || !strings.Contains(r.stderr, "--sub-merchants") {
		t.Errorf("missing file: exit %d, stderr:\n%s", r.code, r.stderr)
	}
}
