package auth

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
)

// loadPublicKey reads the first usable PEM block of path: a PKIX "PUBLIC KEY", a PKCS#1
// "RSA PUBLIC KEY" or a "CERTIFICATE". Private keys are refused rather than silently used, so
// a signing key never has to live on the realtime server.
func loadPublicKey(path string) (any, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: public_key_file: %w", ErrConfig, err)
	}
	for rest := data; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return nil, fmt.Errorf("%w: public_key_file %q holds no PEM public key or certificate", ErrConfig, path)
		}
		key, err := parsePEMBlock(block)
		if err != nil {
			return nil, fmt.Errorf("%w: public_key_file %q: %w", ErrConfig, path, err)
		}
		if key != nil {
			return key, nil
		}
	}
}

// parsePEMBlock returns the public key of a block, nil for blocks of other types.
func parsePEMBlock(block *pem.Block) (any, error) {
	var key any
	var err error
	switch block.Type {
	case "PUBLIC KEY":
		key, err = x509.ParsePKIXPublicKey(block.Bytes)
	case "RSA PUBLIC KEY":
		key, err = x509.ParsePKCS1PublicKey(block.Bytes)
	case "CERTIFICATE":
		var cert *x509.Certificate
		if cert, err = x509.ParseCertificate(block.Bytes); err == nil {
			key = cert.PublicKey
		}
	case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY":
		return nil, fmt.Errorf("holds a private key; give the public key instead")
	default:
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	switch key.(type) {
	case *rsa.PublicKey, *ecdsa.PublicKey, ed25519.PublicKey:
		return key, nil
	}
	return nil, fmt.Errorf("unsupported public key type %T", key)
}
