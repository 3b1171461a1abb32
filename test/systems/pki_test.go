package systems_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// pki is the cluster's certificate authority and the key pairs it issued,
// written as PEM files into one directory: what kubeadm makes under
// /etc/kubernetes/pki, made here by the test itself with crypto/x509.
type pki struct {
	dir    string
	caCert *x509.Certificate
	caKey  crypto.Signer
	serial int64
}

// certPair names the files of one issued certificate.
type certPair struct{ Cert, Key string }

// certRequest is what an issued certificate says: for client certificates
// the Kubernetes user (CN) and groups (O); for serving certificates the
// names and addresses it is valid for.
type certRequest struct {
	name   string // file name stem
	cn     string
	groups []string
	server bool
	dns    []string
	ips    []net.IP
}

// certLifetime covers the longest run (make cluster may stay up for days).
const certLifetime = 30 * 24 * time.Hour

// newPKI creates a CA (ECDSA P-256) in dir: ca.crt and ca.key.
func newPKI(dir string) (*pki, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating %s: %w", dir, err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generating the CA key: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "crio-trace-cluster-ca"},
		NotBefore:             now.Add(-time.Minute),
		NotAfter:              now.Add(certLifetime),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, fmt.Errorf("self-signing the CA: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	p := &pki{dir: dir, caCert: cert, caKey: key, serial: 1}
	if err := p.write("ca", der, key); err != nil {
		return nil, err
	}
	return p, nil
}

// caFile is the CA certificate's path.
func (p *pki) caFile() string { return filepath.Join(p.dir, "ca.crt") }

// caKeyFile is the CA key's path (the controller manager signs CSRs with it).
func (p *pki) caKeyFile() string { return filepath.Join(p.dir, "ca.key") }

// issue creates a key pair and a certificate for it signed by the CA, and
// writes NAME.crt and NAME.key.
func (p *pki) issue(r certRequest) (certPair, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return certPair{}, fmt.Errorf("generating the key of %s: %w", r.name, err)
	}
	p.serial++
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(p.serial),
		Subject:      pkix.Name{CommonName: r.cn, Organization: r.groups},
		NotBefore:    now.Add(-time.Minute),
		NotAfter:     now.Add(certLifetime),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		DNSNames:     r.dns,
		IPAddresses:  r.ips,
	}
	if r.server {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.caCert, key.Public(), p.caKey)
	if err != nil {
		return certPair{}, fmt.Errorf("signing %s: %w", r.name, err)
	}
	if err := p.write(r.name, der, key); err != nil {
		return certPair{}, err
	}
	return certPair{Cert: filepath.Join(p.dir, r.name+".crt"), Key: filepath.Join(p.dir, r.name+".key")}, nil
}

// serviceAccountKey writes the key pair the API server signs and verifies
// service-account tokens with (sa.key, sa.pub), and returns their paths.
func (p *pki) serviceAccountKey() (certPair, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return certPair{}, fmt.Errorf("generating the service-account key: %w", err)
	}
	pub, err := x509.MarshalPKIXPublicKey(key.Public())
	if err != nil {
		return certPair{}, err
	}
	pair := certPair{Cert: filepath.Join(p.dir, "sa.pub"), Key: filepath.Join(p.dir, "sa.key")}
	if err := writePEM(pair.Cert, "PUBLIC KEY", pub, 0o644); err != nil {
		return certPair{}, err
	}
	return pair, writeKey(pair.Key, key)
}

// write stores a certificate and its key as NAME.crt and NAME.key.
func (p *pki) write(name string, der []byte, key *ecdsa.PrivateKey) error {
	if err := writePEM(filepath.Join(p.dir, name+".crt"), "CERTIFICATE", der, 0o644); err != nil {
		return err
	}
	return writeKey(filepath.Join(p.dir, name+".key"), key)
}

func writeKey(path string, key *ecdsa.PrivateKey) error {
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return fmt.Errorf("encoding %s: %w", path, err)
	}
	return writePEM(path, "EC PRIVATE KEY", der, 0o600)
}

func writePEM(path, typ string, der []byte, mode os.FileMode) error {
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), mode); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// kubeconfig writes a kubeconfig at path for server, authenticating with
// the client certificate pair.
func (p *pki) kubeconfig(path, server, user string, pair certPair) error {
	body := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: crio-trace
  cluster:
    server: %s
    certificate-authority: %s
users:
- name: %s
  user:
    client-certificate: %s
    client-key: %s
contexts:
- name: crio-trace
  context:
    cluster: crio-trace
    user: %s
current-context: crio-trace
`, server, p.caFile(), user, pair.Cert, pair.Key, user)
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		return fmt.Errorf("writing kubeconfig %s: %w", path, err)
	}
	return nil
}
