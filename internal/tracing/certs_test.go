package tracing

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// testPKI is a CA with certificates made for one test, written as PEM
// files where the config's tracing_tls_* keys can name them.
type testPKI struct {
	dir    string
	ca     *x509.Certificate
	caKey  *ecdsa.PrivateKey
	CAFile string
	serial int64
}

func newTestPKI(t *testing.T) *testPKI {
	t.Helper()
	p := &testPKI{dir: t.TempDir()}
	p.ca, p.caKey = p.issue(t, nil, nil, &x509.Certificate{
		Subject:               pkix.Name{CommonName: "crio-trace test CA"},
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}, time.Hour)
	p.CAFile = p.write(t, "ca.pem", "CERTIFICATE", p.ca.Raw)
	return p
}

// issue signs tmpl with parent (self-signed when parent is nil), valid from
// an hour ago for validFor (negative: expired).
func (p *testPKI) issue(t *testing.T, parent *x509.Certificate, parentKey *ecdsa.PrivateKey, tmpl *x509.Certificate, validFor time.Duration) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	p.serial++
	tmpl.SerialNumber = big.NewInt(p.serial)
	tmpl.NotBefore = time.Now().Add(-2 * time.Hour)
	tmpl.NotAfter = time.Now().Add(validFor)
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert, key
}

func (p *testPKI) write(t *testing.T, name, kind string, der []byte) string {
	t.Helper()
	path := filepath.Join(p.dir, name)
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// serverTLS returns a server configuration for 127.0.0.1, valid for
// validFor; with clientCA set the server requires a client certificate
// signed by it.
func (p *testPKI) serverTLS(t *testing.T, validFor time.Duration, clientCA *testPKI) *tls.Config {
	t.Helper()
	cert, key := p.issue(t, p.ca, p.caKey, &x509.Certificate{
		Subject:     pkix.Name{CommonName: "collector"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}, validFor)
	cfg := &tls.Config{
		MinVersion:   tls.VersionTLS12,
		Certificates: []tls.Certificate{{Certificate: [][]byte{cert.Raw}, PrivateKey: key, Leaf: cert}},
	}
	if clientCA != nil {
		pool := x509.NewCertPool()
		pool.AddCert(clientCA.ca)
		cfg.ClientCAs, cfg.ClientAuth = pool, tls.RequireAndVerifyClientCert
	}
	return cfg
}

// clientFiles issues a client certificate and returns its PEM cert and key
// files, for tracing_tls_cert_file and tracing_tls_key_file.
func (p *testPKI) clientFiles(t *testing.T) (certFile, keyFile string) {
	t.Helper()
	cert, key := p.issue(t, p.ca, p.caKey, &x509.Certificate{
		Subject:     pkix.Name{CommonName: "crio-trace"},
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}, time.Hour)
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	p.serial++
	return p.write(t, "client.pem", "CERTIFICATE", cert.Raw), p.write(t, "client-key.pem", "EC PRIVATE KEY", der)
}
