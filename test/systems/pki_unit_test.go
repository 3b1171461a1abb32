package systems_test

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestPKI: what newPKI issues verifies against its CA for the use it was
// made for, names the user and groups the API server reads, and keeps keys
// private to root.
func TestPKI(t *testing.T) {
	p, err := newPKI(filepath.Join(t.TempDir(), "pki"))
	if err != nil {
		t.Fatal(err)
	}
	serving, err := p.issue(certRequest{name: "srv", cn: "kube-apiserver", server: true, ips: []net.IP{net.IPv4(127, 0, 0, 1)}, dns: []string{"localhost"}})
	if err != nil {
		t.Fatal(err)
	}
	client, err := p.issue(certRequest{name: "node", cn: "system:node:127.0.0.1", groups: []string{"system:nodes"}})
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(p.caCert)
	tests := []struct {
		name   string
		pair   certPair
		usage  x509.ExtKeyUsage
		host   string
		wantOK bool
	}{
		{"serving cert for 127.0.0.1", serving, x509.ExtKeyUsageServerAuth, "127.0.0.1", true},
		{"serving cert for localhost", serving, x509.ExtKeyUsageServerAuth, "localhost", true},
		{"serving cert for another name", serving, x509.ExtKeyUsageServerAuth, "example.org", false},
		{"serving cert as a client", serving, x509.ExtKeyUsageClientAuth, "", false},
		{"client cert as a client", client, x509.ExtKeyUsageClientAuth, "", true},
		{"client cert as a server", client, x509.ExtKeyUsageServerAuth, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pair, err := tls.LoadX509KeyPair(tc.pair.Cert, tc.pair.Key)
			if err != nil {
				t.Fatalf("the key does not match the certificate: %v", err)
			}
			_, err = pair.Leaf.Verify(x509.VerifyOptions{Roots: pool, DNSName: tc.host, KeyUsages: []x509.ExtKeyUsage{tc.usage}})
			if (err == nil) != tc.wantOK {
				t.Errorf("Verify() = %v, want ok=%t", err, tc.wantOK)
			}
		})
	}
	leaf := mustLeaf(t, client.Cert)
	if leaf.Subject.CommonName != "system:node:127.0.0.1" || !slices.Equal(leaf.Subject.Organization, []string{"system:nodes"}) {
		t.Errorf("client subject = %v, want CN system:node:127.0.0.1, O system:nodes", leaf.Subject)
	}
	sa, err := p.serviceAccountKey()
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{client.Key, serving.Key, sa.Key, p.caKeyFile()} {
		fi, err := os.Stat(key)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", key, fi.Mode().Perm())
		}
	}
	if b, _ := os.ReadFile(sa.Cert); !strings.Contains(string(b), "PUBLIC KEY") {
		t.Errorf("%s is not a PEM public key", sa.Cert)
	}
	kc := filepath.Join(t.TempDir(), "kubeconfig")
	if err := p.kubeconfig(kc, "https://127.0.0.1:1", "node", client); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(kc); !strings.Contains(string(b), "client-certificate: "+client.Cert) || !strings.Contains(string(b), "certificate-authority: "+p.caFile()) {
		t.Errorf("kubeconfig does not name the client certificate and the CA:\n%s", b)
	}
}

func mustLeaf(t *testing.T, path string) *x509.Certificate {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(b)
	if block == nil {
		t.Fatalf("%s holds no PEM block", path)
	}
	c, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
