package systems_test

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/crio-trace/crio-trace/test/harness"
)

// Cluster addresses. Nothing here is configured on the machine: the API
// server, etcd, the controller manager and the scheduler listen on
// 127.0.0.1 only, and no kube-proxy runs, so the service range is only
// numbers the API server hands out. It is a slice of loopback so that a
// ClusterIP someone dialled would still stay on the machine.
const (
	serviceCIDR = "127.100.0.0/16"
	// clusterNodeName is kubelet's --hostname-override. An IP there is
	// the one way to give a node a loopback address: kubelet uses it as
	// the node's InternalIP unvalidated, while --node-ip refuses loopback
	// (pkg/kubelet/nodestatus/setters.go, NodeAddress; validateNodeIP in
	// pkg/kubelet/kubelet_node_status.go).
	clusterNodeName = "127.0.0.1"
)

// controlPlane is a running etcd, API server, controller manager and
// scheduler, with the certificates and kubeconfigs of the cluster.
type controlPlane struct {
	pki    *pki
	dir    string
	server string // https://127.0.0.1:PORT
	// Kubeconfigs: admin (system:masters) and the node's kubelet.
	admin, kubeletKubeconfig string
	// admin's certificate, for the test's own requests.
	adminCert certPair
	// kubeletClient is the node's client certificate (system:nodes).
	kubeletClient certPair
	procs         map[string]*harness.Process
	st            systemTools
	adminClient   *http.Client // made on first use by adminHTTP
}

// startControlPlane brings up etcd and the three control-plane programs
// with tracing as the kind recipe configures it (rendered by l), and waits
// until each is ready.
func startControlPlane(t *testing.T, st systemTools, r kindRecipe, l nodeLayout) *controlPlane {
	t.Helper()
	dir := t.TempDir()
	p, err := newPKI(filepath.Join(dir, "pki"))
	if err != nil {
		t.Fatal(err)
	}
	cp := &controlPlane{pki: p, dir: dir, procs: map[string]*harness.Process{}, st: st}
	certs := cp.issueAll(t)
	// The front-proxy CA, as kubeadm makes it: the API server names it in
	// extension-apiserver-authentication, which the controller manager and
	// the scheduler read (and complain about when it is missing).
	fp, err := newPKI(filepath.Join(dir, "front-proxy"))
	if err != nil {
		t.Fatal(err)
	}
	proxyClient, err := fp.issue(certRequest{name: "front-proxy-client", cn: "front-proxy-client"})
	if err != nil {
		t.Fatal(err)
	}
	cp.adminCert, cp.kubeletClient = certs["admin"], certs["kubelet"]
	env := []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=" + dir}

	etcdClient, etcdPeer := loopback(freePort(t)), loopback(freePort(t))
	etcdArgs := []string{"--name=node", "--data-dir=" + filepath.Join(dir, "etcd"),
		"--listen-client-urls=http://" + etcdClient, "--advertise-client-urls=http://" + etcdClient,
		"--listen-peer-urls=http://" + etcdPeer, "--initial-advertise-peer-urls=http://" + etcdPeer,
		"--initial-cluster=node=http://" + etcdPeer, "--log-level=warn"}
	etcdArgs = append(etcdArgs, mustFlags(t, l, "etcd", r.etcdArgs, r.nodeFile)...)
	cp.run(t, env, "etcd", st.Etcd, etcdArgs, plainGet("http://"+etcdClient+"/health"))

	apiPort := freePort(t)
	cp.server = fmt.Sprintf("https://127.0.0.1:%d", apiPort)
	apiArgs := []string{
		"--advertise-address=127.0.0.1", "--bind-address=127.0.0.1", fmt.Sprintf("--secure-port=%d", apiPort),
		"--etcd-servers=http://" + etcdClient,
		"--tls-cert-file=" + certs["apiserver"].Cert, "--tls-private-key-file=" + certs["apiserver"].Key,
		"--client-ca-file=" + p.caFile(),
		"--service-account-issuer=" + cp.server, "--service-account-key-file=" + certs["sa"].Cert,
		"--service-account-signing-key-file=" + certs["sa"].Key,
		"--service-cluster-ip-range=" + serviceCIDR,
		"--authorization-mode=Node,RBAC", "--enable-admission-plugins=NodeRestriction", // as kubeadm sets them
		"--kubelet-client-certificate=" + certs["apiserver-kubelet-client"].Cert,
		"--kubelet-client-key=" + certs["apiserver-kubelet-client"].Key,
		// Endpoints may not hold loopback addresses (ValidateEndpointIP in
		// pkg/apis/core/validation/validation.go), so the kubernetes
		// Service keeps no endpoints rather than failing every 10 s.
		"--endpoint-reconciler-type=none",
		"--requestheader-client-ca-file=" + fp.caFile(), "--requestheader-allowed-names=front-proxy-client",
		"--requestheader-username-headers=X-Remote-User", "--requestheader-group-headers=X-Remote-Group",
		"--requestheader-extra-headers-prefix=X-Remote-Extra-",
		"--proxy-client-cert-file=" + proxyClient.Cert, "--proxy-client-key-file=" + proxyClient.Key,
		"--profiling=false", "--v=1",
	}
	apiArgs = append(apiArgs, mustFlags(t, l, "kube-apiserver", r.apiServerArgs, r.apiServerFile)...)
	cp.run(t, env, "kube-apiserver", st.KubeAPIServer, apiArgs, cp.get("/readyz"))

	kubeconfigs := map[string]string{}
	for _, name := range []string{"admin", "kube-controller-manager", "kube-scheduler", "kubelet"} {
		path := filepath.Join(dir, name+".kubeconfig")
		if err := p.kubeconfig(path, cp.server, name, certs[name]); err != nil {
			t.Fatal(err)
		}
		kubeconfigs[name] = path
	}
	cp.admin, cp.kubeletKubeconfig = kubeconfigs["admin"], kubeconfigs["kubelet"]

	kcmPort := freePort(t)
	cp.run(t, env, "kube-controller-manager", st.KubeControllerManager, []string{
		"--kubeconfig=" + kubeconfigs["kube-controller-manager"],
		"--authentication-kubeconfig=" + kubeconfigs["kube-controller-manager"],
		"--authorization-kubeconfig=" + kubeconfigs["kube-controller-manager"],
		"--bind-address=127.0.0.1", fmt.Sprintf("--secure-port=%d", kcmPort),
		"--tls-cert-file=" + certs["kube-controller-manager-serving"].Cert,
		"--tls-private-key-file=" + certs["kube-controller-manager-serving"].Key,
		"--service-account-private-key-file=" + certs["sa"].Key, "--root-ca-file=" + p.caFile(),
		"--use-service-account-credentials=true",
		"--cluster-signing-cert-file=" + p.caFile(), "--cluster-signing-key-file=" + p.caKeyFile(),
		"--allocate-node-cidrs=false", "--service-cluster-ip-range=" + serviceCIDR,
		"--leader-elect=false", "--profiling=false", "--v=1",
	}, cp.healthz(kcmPort))

	schedPort := freePort(t)
	cp.run(t, env, "kube-scheduler", st.KubeScheduler, []string{
		"--kubeconfig=" + kubeconfigs["kube-scheduler"],
		"--authentication-kubeconfig=" + kubeconfigs["kube-scheduler"],
		"--authorization-kubeconfig=" + kubeconfigs["kube-scheduler"],
		"--bind-address=127.0.0.1", fmt.Sprintf("--secure-port=%d", schedPort),
		"--tls-cert-file=" + certs["kube-scheduler-serving"].Cert,
		"--tls-private-key-file=" + certs["kube-scheduler-serving"].Key,
		"--leader-elect=false", "--profiling=false", "--v=1",
	}, cp.healthz(schedPort))
	return cp
}

// issueAll makes every certificate and key of the cluster.
func (cp *controlPlane) issueAll(t *testing.T) map[string]certPair {
	t.Helper()
	lo := []net.IP{net.IPv4(127, 0, 0, 1)}
	// The first address of the service range is the kubernetes Service's.
	svc := net.IPv4(127, 100, 0, 1)
	reqs := []certRequest{
		{name: "apiserver", cn: "kube-apiserver", server: true, ips: append(lo, svc),
			dns: []string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"}},
		{name: "kube-controller-manager-serving", cn: "kube-controller-manager", server: true, ips: lo, dns: []string{"localhost"}},
		{name: "kube-scheduler-serving", cn: "kube-scheduler", server: true, ips: lo, dns: []string{"localhost"}},
		{name: "admin", cn: "crio-trace-admin", groups: []string{"system:masters"}},
		{name: "kube-controller-manager", cn: "system:kube-controller-manager"},
		{name: "kube-scheduler", cn: "system:kube-scheduler"},
		{name: "kubelet", cn: "system:node:" + clusterNodeName, groups: []string{"system:nodes"}},
		{name: "apiserver-kubelet-client", cn: "kube-apiserver-kubelet-client", groups: []string{"system:masters"}},
	}
	out := map[string]certPair{}
	for _, r := range reqs {
		pair, err := cp.pki.issue(r)
		if err != nil {
			t.Fatal(err)
		}
		out[r.name] = pair
	}
	sa, err := cp.pki.serviceAccountKey()
	if err != nil {
		t.Fatal(err)
	}
	out["sa"] = sa
	return out
}

// run starts one control-plane program and waits until ready answers.
func (cp *controlPlane) run(t *testing.T, env []string, name, bin string, args []string, ready func() (bool, error)) {
	t.Helper()
	p := start(t, name, filepath.Join(cp.dir, name+".log"), env, append([]string{bin}, args...)...)
	cp.procs[name] = p
	if err := waitFor(t.Context(), p, name+" ready", 3*time.Minute, 200*time.Millisecond, ready); err != nil {
		t.Fatal(err)
	}
}

// logs lists the log files of the control plane's programs.
func (cp *controlPlane) logs() []string {
	var out []string
	for _, p := range cp.procs {
		out = append(out, p.LogPath())
	}
	slices.Sort(out)
	return out
}

// client is an HTTP client of the API server authenticating with pair.
func (cp *controlPlane) client(pair certPair) (*http.Client, error) {
	cert, err := tls.LoadX509KeyPair(pair.Cert, pair.Key)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(cp.pki.caCert)
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool, Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
	}}, nil
}

// adminHTTP is the admin's HTTP client of the API server, made once.
func (cp *controlPlane) adminHTTP() (*http.Client, error) {
	if cp.adminClient == nil {
		c, err := cp.client(cp.adminCert)
		if err != nil {
			return nil, err
		}
		cp.adminClient = c
	}
	return cp.adminClient, nil
}

// get is a condition: GET path on the API server as admin answers 200.
func (cp *controlPlane) get(path string) func() (bool, error) {
	return func() (bool, error) {
		c, err := cp.adminHTTP()
		if err != nil {
			return false, err
		}
		resp, err := c.Get(cp.server + path)
		if err != nil {
			return false, err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return false, fmt.Errorf("GET %s: %s", path, resp.Status)
		}
		return true, nil
	}
}

// healthz is a condition: a program's /healthz on 127.0.0.1:port answers
// 200 over TLS signed by the cluster's CA.
func (cp *controlPlane) healthz(port int) func() (bool, error) {
	pool := x509.NewCertPool()
	pool.AddCert(cp.pki.caCert)
	c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	return func() (bool, error) {
		resp, err := c.Get(fmt.Sprintf("https://127.0.0.1:%d/healthz", port))
		if err != nil {
			return false, err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return false, fmt.Errorf("/healthz: %s", resp.Status)
		}
		return true, nil
	}
}

// plainGet is a condition: GET url answers 200 (etcd's /health).
func plainGet(url string) func() (bool, error) {
	c := &http.Client{Timeout: 5 * time.Second}
	return func() (bool, error) {
		resp, err := c.Get(url)
		if err != nil {
			return false, err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return false, fmt.Errorf("GET %s: %s", url, resp.Status)
		}
		return true, nil
	}
}

// mustFlags renders extraArgs of the recipe into flags or fails t.
func mustFlags(t *testing.T, l nodeLayout, what string, args map[string]string, file func(string) (string, error)) []string {
	t.Helper()
	f, err := l.flags(what, args, file)
	if err != nil {
		t.Fatalf("the kind recipe's %s flags: %v", what, err)
	}
	return f
}
