package systems_test

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync/atomic"
	"testing"
	"time"
)

// authRegistry is a registry that wants credentials: a reverse proxy on
// 127.0.0.1 in front of the harness's registry (crane serves no auth),
// answering 401 with a Basic challenge, as a private registry does, unless
// the request carries user and password. containerd answers the challenge
// with the credentials kubelet passes in PullImage's AuthConfig, which
// kubelet takes from the pod's imagePullSecrets.
type authRegistry struct {
	addr, user, password string
	// allowed and refused count requests with and without the right
	// credentials.
	allowed, refused *atomic.Int64
}

// startAuthRegistry serves the proxy until t ends. The password is random
// per run, so a check for it in logs and spans cannot match by chance.
func startAuthRegistry(t *testing.T, upstream string) authRegistry {
	t.Helper()
	secret := make([]byte, 16)
	if _, err := rand.Read(secret); err != nil {
		t.Fatal(err)
	}
	r := authRegistry{user: "puller", password: hex.EncodeToString(secret), allowed: new(atomic.Int64), refused: new(atomic.Int64)}
	proxy := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "http", Host: upstream})
	handler := http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		user, pass, ok := req.BasicAuth()
		if !ok || subtle.ConstantTimeCompare([]byte(user), []byte(r.user)) != 1 ||
			subtle.ConstantTimeCompare([]byte(pass), []byte(r.password)) != 1 {
			r.refused.Add(1)
			w.Header().Set("WWW-Authenticate", `Basic realm="crio-trace-systems"`)
			w.Header().Set("Docker-Distribution-API-Version", "registry/2.0")
			http.Error(w, `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`, http.StatusUnauthorized)
			return
		}
		r.allowed.Add(1)
		req.Header.Del("Authorization")
		proxy.ServeHTTP(w, req)
	})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listening for the auth registry: %v", err)
	}
	r.addr = l.Addr().String()
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	t.Cleanup(func() {
		srv.Close()
		if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("auth registry: %v", err)
		}
	})
	return r
}
