//go:build boringcrypto

package pkcs1

import "crypto/boring"

// boringCrypto: this build's crypto/rsa runs in BoringCrypto, so verification stays there.
var boringCrypto = boring.Enabled()
