package protocol

import "time"

// MaxClockSkew is how far a response's Wechatpay-Timestamp may be from now, either way.
const MaxClockSkew = 5 * time.Minute

// ProbePrefix starts the signature of WeChat Pay's signature probes, which must never verify.
const ProbePrefix = "WECHATPAY/SIGNTEST/"

// The headers a WeChat Pay answer is signed with.
const (
	HeaderTimestamp = "Wechatpay-Timestamp"
	HeaderNonce     = "Wechatpay-Nonce"
	HeaderSignature = "Wechatpay-Signature"
	HeaderSerial    = "Wechatpay-Serial"
	HeaderRequestID = "Request-ID"
)

// ResponseMessage returns the bytes a response signature covers: TIMESTAMP\nNONCE\nBODY\n.
func ResponseMessage(timestamp, nonce string, body []byte) []byte {
	return AppendResponseMessage(make([]byte, 0, len(timestamp)+len(nonce)+len(body)+3), timestamp, nonce, body)
}

// AppendResponseMessage appends ResponseMessage(timestamp, nonce, body) to msg.
func AppendResponseMessage(msg []byte, timestamp, nonce string, body []byte) []byte {
	msg = append(msg, timestamp...)
	msg = append(msg, '\n')
	msg = append(msg, nonce...)
	msg = append(msg, '\n')
	msg = append(msg, body...)
	return append(msg, '\n')
}
