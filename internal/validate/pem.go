package validate

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// pemBlocks decodes s as a sequence of PEM blocks separated only by
// whitespace. Unlike a bare pem.Decode loop it rejects text before, between
// and after blocks. Errors never quote the input, which may be a key.
func pemBlocks(s string) ([]*pem.Block, error) {
	rest := []byte(s)
	var blocks []*pem.Block
	for {
		trimmed := bytes.TrimLeft(rest, " \t\r\n")
		if len(trimmed) == 0 {
			break
		}
		n := len(blocks) + 1
		if !bytes.HasPrefix(trimmed, []byte("-----BEGIN ")) {
			if n == 1 {
				return nil, errors.New("the value must start with a PEM block (\"-----BEGIN ...-----\"); found other text")
			}
			return nil, fmt.Errorf("found text that is not a PEM block after block %d; only whitespace may separate PEM blocks", n-1)
		}
		// pem.Decode skips malformed blocks and any text before the next
		// BEGIN line, so decode exactly one BEGIN...END segment at a time.
		seg := trimmed
		if end := bytes.Index(trimmed, []byte("\n-----END ")); end >= 0 {
			if nl := bytes.IndexByte(trimmed[end+1:], '\n'); nl >= 0 {
				seg = trimmed[:end+1+nl+1]
			}
		}
		block, after := pem.Decode(seg)
		if block == nil || bytes.Count(seg, []byte("-----BEGIN ")) != 1 || len(bytes.TrimSpace(after)) != 0 {
			return nil, fmt.Errorf("PEM block %d is malformed (check the BEGIN/END lines match and the base64 body is intact)", n)
		}
		rest = trimmed[len(seg):]
		blocks = append(blocks, block)
	}
	if len(blocks) == 0 {
		return nil, errors.New("the value contains no PEM block (\"-----BEGIN ...-----\")")
	}
	return blocks, nil
}

// CheckPEM checks that s contains at least one PEM block and nothing but
// PEM blocks and whitespace.
func CheckPEM(s string) error {
	_, err := pemBlocks(s)
	return err
}

// CheckPEMCertificates checks that s is one or more PEM "CERTIFICATE" blocks
// (and whitespace) that each parse as an X.509 certificate.
func CheckPEMCertificates(s string) error {
	blocks, err := pemBlocks(s)
	if err != nil {
		return err
	}
	for i, b := range blocks {
		if b.Type != "CERTIFICATE" {
			return fmt.Errorf("PEM block %d has type %q; only CERTIFICATE blocks are allowed here", i+1, b.Type)
		}
		if _, err := x509.ParseCertificate(b.Bytes); err != nil {
			return fmt.Errorf("PEM block %d is not a valid X.509 certificate: %v", i+1, err)
		}
	}
	return nil
}

// PEM validates PEM-encoded data (see CheckPEM).
func PEM() validator.String {
	return stringValidator{
		description: "must contain one or more PEM blocks and nothing else but whitespace",
		markdown:    "must contain one or more PEM blocks (`-----BEGIN ...-----`) and nothing else but whitespace",
		summary:     "Invalid PEM data",
		check:       CheckPEM,
	}
}

// PEMCertificates validates a PEM certificate bundle (see CheckPEMCertificates).
func PEMCertificates() validator.String {
	return stringValidator{
		description: "must contain one or more PEM CERTIFICATE blocks that parse as X.509 certificates, and nothing else but whitespace",
		markdown:    "must contain one or more PEM `CERTIFICATE` blocks that parse as X.509 certificates, and nothing else but whitespace",
		summary:     "Invalid PEM certificates",
		check:       CheckPEMCertificates,
	}
}
