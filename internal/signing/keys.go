package signing

import (
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
)

// Key sizes accepted from PEM. Fediverse actors use 2048-bit keys (a few
// 4096); 1024-bit keys still exist on old servers and in the draft-cavage
// test vectors, so they are read, but nothing smaller (Go's crypto/rsa
// refuses them too). The upper bound keeps verification cost bounded.
const (
	MinKeyBits = 1024
	MaxKeyBits = 16384
)

// ParsePrivateKeyPEM reads an RSA private key from PEM: PKCS#8
// ("PRIVATE KEY", what Assay stores) or PKCS#1 ("RSA PRIVATE KEY").
// Encrypted PEM and non-RSA keys are refused. Signing needs 2048 bits or
// more; see SignPOST.
func ParsePrivateKeyPEM(pemText string) (crypto.PrivateKey, error) {
	block, err := decodePEM(pemText)
	if err != nil {
		return nil, err
	}
	var key *rsa.PrivateKey
	switch block.Type {
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("signing: PKCS#8 private key: %w", err)
		}
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("signing: private key is %T, not RSA", k)
		}
		key = rk
	case "RSA PRIVATE KEY":
		k, err := x509.ParsePKCS1PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("signing: PKCS#1 private key: %w", err)
		}
		key = k
	default:
		return nil, fmt.Errorf("signing: PEM block %q is not a private key (want PRIVATE KEY or RSA PRIVATE KEY)", block.Type)
	}
	if err := checkBits(key.N.BitLen()); err != nil {
		return nil, err
	}
	return key, nil
}

// ParsePublicKeyPEM reads an RSA public key from PEM, as found in an actor's
// publicKeyPem: PKIX ("PUBLIC KEY", what Mastodon and GoToSocial publish) or
// PKCS#1 ("RSA PUBLIC KEY"). Non-RSA keys, keys under 1024 bits and keys over
// 16384 bits are refused with an error; 1024–2047-bit keys are accepted
// for old servers, 2048+ is the norm.
func ParsePublicKeyPEM(pemText string) (crypto.PublicKey, error) {
	block, err := decodePEM(pemText)
	if err != nil {
		return nil, err
	}
	var key *rsa.PublicKey
	switch block.Type {
	case "PUBLIC KEY":
		k, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("signing: PKIX public key: %w", err)
		}
		rk, ok := k.(*rsa.PublicKey)
		if !ok {
			return nil, fmt.Errorf("signing: public key is %T, not RSA", k)
		}
		key = rk
	case "RSA PUBLIC KEY":
		k, err := x509.ParsePKCS1PublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("signing: PKCS#1 public key: %w", err)
		}
		key = k
	default:
		return nil, fmt.Errorf("signing: PEM block %q is not a public key (want PUBLIC KEY or RSA PUBLIC KEY)", block.Type)
	}
	if err := checkBits(key.N.BitLen()); err != nil {
		return nil, err
	}
	return key, nil
}

func decodePEM(pemText string) (*pem.Block, error) {
	block, _ := pem.Decode([]byte(strings.TrimSpace(pemText)))
	if block == nil {
		return nil, errors.New("signing: no PEM block found")
	}
	if _, ok := block.Headers["Proc-Type"]; ok {
		return nil, errors.New("signing: encrypted PEM keys are not supported")
	}
	return block, nil
}

func checkBits(bits int) error {
	switch {
	case bits < MinKeyBits:
		return fmt.Errorf("signing: RSA key of %d bits is too small (minimum %d)", bits, MinKeyBits)
	case bits > MaxKeyBits:
		return fmt.Errorf("signing: RSA key of %d bits is too large (maximum %d)", bits, MaxKeyBits)
	}
	return nil
}
