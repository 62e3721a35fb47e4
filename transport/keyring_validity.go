package transport

import (
	"fmt"
	"time"
)

// outOfDate returns the configured key that serial names when it is not valid at now (a
// platform certificate that expired, or is not valid yet), so an answer under it can say
// so instead of calling the serial unknown. Configured keys never change, so no lock.
func (k *keyring) outOfDate(serial string, now time.Time) (verifyKey, bool) {
	key, ok := k.configured[serial]
	return key, ok && !key.validAt(now)
}

// outOfDateError turns ve, an unknown-serial failure, into ReasonExpiredKey when the serial
// names a configured key that is not valid at now.
func (k *keyring) outOfDateError(ve *VerificationError, now time.Time) {
	key, ok := k.outOfDate(ve.Serial, now)
	if !ok {
		return
	}
	ve.Reason = ReasonExpiredKey
	if now.After(key.notAfter) {
		ve.Detail = fmt.Sprintf("configured platform certificate %s expired at %s: configure its successor (or set Config.APIv3Key to download it)",
			key.serial, key.notAfter.UTC().Format(time.RFC3339))
	} else {
		ve.Detail = fmt.Sprintf("configured platform certificate %s is valid only from %s", key.serial, key.notBefore.UTC().Format(time.RFC3339))
	}
}
