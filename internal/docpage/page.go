package docpage

// Layout names the way a documentation page is written.
type Layout string

// The page layouts Parse understands.
const (
	// LayoutCurrent is the current layout: 请求参数 / 应答参数 / 错误码 blocks.
	LayoutCurrent Layout = "current"
	// LayoutMarkdown is the older Markdown layout: tables with 变量 / 类型 / 必填.
	LayoutMarkdown Layout = "markdown"
)

// Page holds the facts extracted from one documentation page.
type Page struct {
	// Source names the file the page was read from; Parse leaves it empty.
	Source string `json:"source,omitempty"`
	// Layout is the layout the page was recognised as.
	Layout Layout `json:"layout"`
	// Title is the page's title (the API's Chinese name).
	Title string `json:"title,omitempty"`
	// Updated is the page's update date (更新时间 or front-matter date) as YYYY-MM-DD.
	Updated string `json:"updated,omitempty"`
	// Method is the HTTP method in upper case.
	Method string `json:"method,omitempty"`
	// Path is the request path, with {name} templates, without host or query.
	Path string `json:"path,omitempty"`
	// Hosts are the request hosts as scheme://host.
	Hosts []string `json:"hosts,omitempty"`
	// Merchants are the kinds of merchant that may call the API (支持商户 / 适用对象).
	Merchants []string `json:"merchants,omitempty"`
	// RateLimit is the page's 接口限频, when it states one.
	RateLimit *RateLimit `json:"rate_limit,omitempty"`
	// Params are the request parameters, header ones included.
	Params []Field `json:"params,omitempty"`
	// Response are the fields of the successful (2xx) answer.
	Response []Field `json:"response,omitempty"`
	// Errors are the rows of the page's error tables.
	Errors []ErrorRow `json:"errors,omitempty"`
	// Warnings describe what the parser skipped or could not understand.
	Warnings []string `json:"warnings,omitempty"`
}

// RateLimit is a page's 接口限频 statement.
type RateLimit struct {
	// QPS is the number of queries per second allowed.
	QPS int `json:"qps"`
	// Description is the statement as written.
	Description string `json:"description"`
}

// Field is a request parameter or a response field.
type Field struct {
	// Name is the parameter or field name.
	Name string `json:"name"`
	// In is the parameter location (header, path, query, body); empty for response fields.
	In string `json:"in,omitempty"`
	// Required reports 必填 (true) or 选填 (false).
	Required bool `json:"required"`
	// Type is the OpenAPI type the page's type maps to (string, integer, boolean, number, object, array).
	Type string `json:"type"`
	// RawType is the type as written on the page, e.g. string(32) or int64.
	RawType string `json:"raw_type"`
	// MaxLength is the maximum length from type(N), 0 when not stated.
	MaxLength int `json:"max_length,omitempty"`
	// Encrypted reports the 【加密】 marker.
	Encrypted bool `json:"encrypted,omitempty"`
	// Enum lists the 可选取值 / 枚举值 values in page order.
	Enum []EnumValue `json:"enum,omitempty"`
	// Description is the field's description text, lines joined by spaces.
	Description string `json:"description,omitempty"`
}

// EnumValue is one allowed value of a field and its meaning.
type EnumValue struct {
	// Value is the literal value, e.g. BASIC.
	Value string `json:"value"`
	// Meaning is the page's explanation of the value, e.g. 基本账户.
	Meaning string `json:"meaning,omitempty"`
}

// ErrorRow is one row of an error table.
type ErrorRow struct {
	// Status is the HTTP status code.
	Status int `json:"status"`
	// Code is the error code, e.g. PARAM_ERROR.
	Code string `json:"code"`
	// Description is the 描述 column.
	Description string `json:"description,omitempty"`
	// Solution is the 解决方案 column.
	Solution string `json:"solution,omitempty"`
	// Common reports a row from the 公共错误码 table.
	Common bool `json:"common,omitempty"`
}
