package signing

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"math/big"
	"strings"
	"testing"
)

func pemOf(typ string, der []byte) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}))
}

func TestParseKeysPEM(t *testing.T) {
	key, _ := testKeys(t)
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	pkix, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{
		"PKCS#8":                    pemOf("PRIVATE KEY", pkcs8),
		"PKCS#1":                    pemOf("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(key)),
		"PKCS#8 with outer spacing": "\n  " + pemOf("PRIVATE KEY", pkcs8) + "\n\n",
	} {
		got, err := ParsePrivateKeyPEM(text)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !key.Equal(got) {
			t.Fatalf("%s: different key", name)
		}
	}
	for name, text := range map[string]string{
		"PKIX":   pemOf("PUBLIC KEY", pkix),
		"PKCS#1": pemOf("RSA PUBLIC KEY", x509.MarshalPKCS1PublicKey(&key.PublicKey)),
		// As it arrives in actor JSON, "\n" already decoded; CRLF from some servers.
		"CRLF": strings.ReplaceAll(pemOf("PUBLIC KEY", pkix), "\n", "\r\n"),
	} {
		got, err := ParsePublicKeyPEM(text)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !key.PublicKey.Equal(got) {
			t.Fatalf("%s: different key", name)
		}
	}
}

func TestParseKeysPEMRefusals(t *testing.T) {
	key, _ := testKeys(t)
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecPriv, _ := x509.MarshalPKCS8PrivateKey(ec)
	ecPub, _ := x509.MarshalPKIXPublicKey(&ec.PublicKey)

	// Keys Go will not generate: build the public halves by hand.
	odd := func(bits int) *big.Int {
		n, _ := rand.Prime(rand.Reader, bits)
		return n
	}
	small, _ := x509.MarshalPKIXPublicKey(&rsa.PublicKey{N: odd(512), E: 65537})
	huge, _ := x509.MarshalPKIXPublicKey(&rsa.PublicKey{N: new(big.Int).Lsh(big.NewInt(1), 16400), E: 65537})
	pkcs1 := x509.MarshalPKCS1PrivateKey(key)
	encrypted := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Headers: map[string]string{"Proc-Type": "4,ENCRYPTED", "DEK-Info": "AES-128-CBC,00"}, Bytes: pkcs1}))

	for name, text := range map[string]string{
		"empty":            "",
		"not PEM":          "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA",
		"certificate type": pemOf("CERTIFICATE", []byte{1, 2, 3}),
		"garbage DER":      pemOf("PUBLIC KEY", []byte{1, 2, 3}),
		"EC public key":    pemOf("PUBLIC KEY", ecPub),
		"512-bit key":      pemOf("PUBLIC KEY", small),
		"16401-bit key":    pemOf("PUBLIC KEY", huge),
		"a private key":    pemOf("RSA PRIVATE KEY", pkcs1),
	} {
		if _, err := ParsePublicKeyPEM(text); err == nil {
			t.Errorf("public %s: accepted", name)
		}
	}
	for name, text := range map[string]string{
		"empty":          "",
		"EC private key": pemOf("PRIVATE KEY", ecPriv),
		"encrypted":      encrypted,
		"garbage DER":    pemOf("RSA PRIVATE KEY", []byte{1, 2, 3}),
		"a public key":   pemOf("PUBLIC KEY", ecPub),
	} {
		if _, err := ParsePrivateKeyPEM(text); err == nil {
			t.Errorf("private %s: accepted", name)
		}
	}
}
