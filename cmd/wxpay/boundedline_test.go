package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A bulk input line over maxBulkLine is a bad row, and the rows after it are read as usual.
func TestBulkInputLongLine(t *testing.T) {
	t.Parallel()
	input := "1900000109\n" + strings.Repeat("9", maxBulkLine+10) + "\n1900000110"
	rows, err := readRows(t, input, ecommerceLayout)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[0].bad != "" || !strings.Contains(rows[1].bad, "line over 64 KiB") || rows[1].line != 2 ||
		rows[2].bad != "" || rows[2].line != 3 || rows[2].values["sub_mchid"] != "1900000110" {
		t.Fatalf("rows %+v", rows)
	}
}

// A --resume file with a line over maxResumeLine is refused, not read whole.
func TestResumeLongLine(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "out.jsonl")
	body := `{"line":1,"sub_mchid":"1900000109","result":"ok"}` + "\n" + strings.Repeat("x", maxResumeLine+10) + "\n"
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := readResume(path, formatJSONL); err == nil || !strings.Contains(err.Error(), "line 2 is longer than") {
		t.Fatalf("readResume: %v", err)
	}
}

// A CSV record over maxBulkLine — here a quoted field never closed — is refused with its
// line, not read to the end of the input.
func TestBulkInputLongCSVRecord(t *testing.T) {
	t.Parallel()
	input := "sub_mchid,note\n1900000109,a\n1900000110,\"" + strings.Repeat("x\n", maxBulkLine) + "1900000111,c\n"
	rows, err := readRows(t, input, ecommerceLayout)
	if err == nil || !strings.Contains(err.Error(), "line 3: a CSV record over 64 KiB") {
		t.Fatalf("rows %+v, error %v", rows, err)
	}
	if len(rows) != 1 || rows[0].values["sub_mchid"] != "1900000109" {
		t.Errorf("rows before it: %+v", rows)
	}
}
