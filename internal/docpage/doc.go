// Package docpage extracts the facts of a WeChat Pay APIv3 documentation page saved
// as plain text: method and path, hosts, update date, rate limit, request
// parameters, response fields and error-table rows.
//
// Two layouts are understood: the current one (请求参数 / 应答参数 / 错误码 blocks
// with "name 必填|选填 type(len)" lines) and the older Markdown one (tables with
// 变量 / 类型 / 必填 columns). Parsing is a pure function of the text; it never
// panics, skips line-numbered code samples, folds full-width punctuation and
// ignores unknown sections with a warning.
package docpage
