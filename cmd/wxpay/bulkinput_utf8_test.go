package main

import (
	"strings"
	"testing"
)

// A row whose ID holds a byte that is not UTF-8, or a multi-byte character, is a bad row
// naming the character it holds, not a panic or a cut character.
func TestBulkInputNonASCIIID(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ input, bad string }{
		{"19000001\xff\n", `holds "\xff"`},
		{"\xc3\n", `holds "\xc3"`},
		{"1900中01\n", `holds "中"`},
	} {
		rows, err := readRows(t, tc.input, ecommerceLayout)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1 || !strings.Contains(rows[0].bad, tc.bad) {
			t.Errorf("%q: rows %+v; want one bad row with %s", tc.input, rows, tc.bad)
		}
	}
}
