package wxpaytest

import (
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// errorTable is openapi.yaml's x-wechatpay-errors rows, read at server start: for each
// operationId and error status, the documented codes in the spec's order, each with the
// description the server answers it with. Operation "" holds every operation's rows, the
// common ones (source "common", 公共错误码) first, for a request that matched no operation.
//
// Which situation gets which code is the server's behaviour, in Go; that the code exists for
// the operation, and its wording, come from here.
type errorTable map[string]map[int][]errorRow

type errorRow struct {
	code, description string
	current           bool   // from the operation's current page (source = x-wechatpay-updated)
	scope             string // x-wechatpay-errors scope: "withdrawal" marks a row about another API
}

// newErrorTable reads the x-wechatpay-errors rows of every operation of doc.
func newErrorTable(doc *openapi3.T) errorTable {
	t := errorTable{}
	type entry struct {
		status int
		row    errorRow
	}
	var common, others []entry
	paths := doc.Paths.Map()
	for _, path := range slices.Sorted(maps.Keys(paths)) {
		for _, op := range paths[path].Operations() {
			updated, _ := op.Extensions["x-wechatpay-updated"].(string)
			for key, ref := range op.Responses.Map() {
				status, err := strconv.Atoi(key)
				if err != nil || status < 300 || ref.Value == nil {
					continue
				}
				rows, _ := ref.Value.Extensions[extErrors].([]any)
				for _, r := range rows {
					m, _ := r.(map[string]any)
					code, _ := m["code"].(string)
					desc, _ := m["description"].(string)
					source, _ := m["source"].(string)
					scope, _ := m["scope"].(string)
					row := errorRow{code, strings.TrimSpace(desc), source == updated, scope}
					t.add(op.OperationID, status, row)
					if source == "common" {
						common = append(common, entry{status, row})
					} else {
						others = append(others, entry{status, row})
					}
				}
			}
		}
	}
	for _, e := range append(common, others...) {
		e.row.current = false
		t.add("", e.status, e.row)
	}
	return t
}

// add records a row. A code listed more than once (common table, older page, current page)
// keeps its first description, unless a later one is from the operation's current page.
func (t errorTable) add(op string, status int, row errorRow) {
	if t[op] == nil {
		t[op] = map[int][]errorRow{}
	}
	rows := t[op][status]
	for i := range rows {
		if rows[i].code == row.code {
			if row.current && !rows[i].current {
				rows[i] = row
			}
			return
		}
	}
	t[op][status] = append(rows, row)
}

// rows returns what the spec lists for an operation's status; an undocumented 5xx is
// answered like a 500.
func (t errorTable) rows(op string, status int) []errorRow {
	rows, ok := t[op][status]
	if !ok && status > 500 {
		rows = t[op][http.StatusInternalServerError]
	}
	return rows
}

// code returns the first code openapi.yaml lists for an operation's status (any operation's
// when that one lists none), skipping rows with a scope (scope: withdrawal — a row the page
// lists that is about withdrawals, not expected on a balance query); when no unscoped row
// is listed, the status text in WeChat Pay's style (404 → NOT_FOUND, 418 → I'M_A_TEAPOT).
func (t errorTable) code(op string, status int) string {
	for _, o := range []string{op, ""} {
		for _, row := range t.rows(o, status) {
			if row.scope == "" {
				return row.code
			}
		}
	}
	return strings.ToUpper(strings.ReplaceAll(http.StatusText(status), " ", "_"))
}

// message returns the description openapi.yaml gives code under an operation's status
// (else any operation's under that status, else under any status; else the HTTP status
// text), followed by " — why" when why is set.
func (t errorTable) message(op string, status int, code, why string) string {
	msg := http.StatusText(status)
	candidates := slices.Concat(t.rows(op, status), t.rows("", status))
	for _, st := range slices.Sorted(maps.Keys(t[""])) {
		candidates = append(candidates, t[""][st]...)
	}
	for _, row := range candidates {
		if row.code == code && row.description != "" {
			msg = row.description
			break
		}
	}
	if why != "" {
		msg += " — " + why
	}
	return msg
}
