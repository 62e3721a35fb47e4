//go:build !boringcrypto

package pkcs1

const boringCrypto = false
