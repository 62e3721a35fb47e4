package transport

import (
	"encoding/json"
	"fmt"
	"log/slog"
)

// String describes the Transport by its merchant identity, without any key material.
func (t *Transport) String() string {
	if t == nil {
		return "<nil>"
	}
	return fmt.Sprintf("transport.Transport{MchID:%q CertificateSerialNo:%q certificate_download:%t}", t.mchID, t.serialNo, t.certs != nil)
}

// GoString is String: a Transport has no Go-syntax form that would not show its keys.
func (t *Transport) GoString() string { return t.String() }

// Format prints the Transport as String does for every verb, including %+v and %#v: fmt's
// default would walk its fields.
func (t *Transport) Format(f fmt.State, verb rune) {
	if verb == 'q' {
		_, _ = fmt.Fprintf(f, "%q", t.String())
		return
	}
	_, _ = f.Write([]byte(t.String()))
}

// LogValue logs the Transport's merchant identity, without any key material.
func (t *Transport) LogValue() slog.Value {
	if t == nil {
		return slog.StringValue("<nil>")
	}
	return slog.GroupValue(
		slog.String("mchid", t.mchID),
		slog.String("cert_serial_no", t.serialNo),
		slog.Bool("certificate_download", t.certs != nil),
	)
}

// MarshalJSON encodes the Transport as LogValue logs it.
func (t *Transport) MarshalJSON() ([]byte, error) {
	if t == nil {
		return []byte("null"), nil
	}
	return json.Marshal(struct {
		MchID               string `json:"mchid"`
		CertSerialNo        string `json:"cert_serial_no"`
		CertificateDownload bool   `json:"certificate_download"`
	}{t.mchID, t.serialNo, t.certs != nil})
}
