package systems_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"text/template"
	"time"
)

// Names of the cluster test's objects (namespace default).
const (
	deployName  = "traced"
	privatePod  = "private-pull"
	noSecretPod = "no-secret"
	pullSecret  = "registry-creds"
)

// workloadManifest is what the test applies with kubectl: a pull secret
// for the registry that wants credentials, a Deployment of two replicas
// from the open registry, a pod pulling from the private registry with the
// secret, and one pulling from it without (it must fail to pull).
var workloadManifest = template.Must(template.New("workload").Parse(`apiVersion: v1
kind: Secret
metadata:
  name: ` + pullSecret + `
type: kubernetes.io/dockerconfigjson
data:
  .dockerconfigjson: {{.DockerConfig}}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ` + deployName + `
spec:
  replicas: 2
  selector:
    matchLabels: {app: ` + deployName + `}
  template:
    metadata:
      labels: {app: ` + deployName + `}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - name: sleeper
          image: {{.Image}}
          imagePullPolicy: IfNotPresent
          command: ["sleep", "3600"]
---
apiVersion: v1
kind: Pod
metadata:
  name: ` + privatePod + `
spec:
  terminationGracePeriodSeconds: 1
  imagePullSecrets:
    - name: ` + pullSecret + `
  containers:
    - name: sleeper
      image: {{.PrivateImage}}
      imagePullPolicy: Always
      command: ["sleep", "3600"]
---
apiVersion: v1
kind: Pod
metadata:
  name: ` + noSecretPod + `
spec:
  terminationGracePeriodSeconds: 1
  containers:
    - name: sleeper
      image: {{.PrivateImage}}
      imagePullPolicy: Always
      command: ["sleep", "3600"]
`))

// workload is what runWorkload started.
type workload struct {
	// pods are the running pods: the Deployment's two and privatePod.
	pods []podInfo
	// secrets are the forms the pull secret takes: the password, the
	// base64 user:password of the docker config, the base64 config.
	secrets []string
	// applied is when kubectl apply started.
	applied time.Time
}

// renderWorkload returns the manifest and the secret's forms.
func (c *cluster) renderWorkload() (string, []string, error) {
	a := c.authRegistry
	auth := base64.StdEncoding.EncodeToString([]byte(a.user + ":" + a.password))
	cfg, err := json.Marshal(map[string]any{"auths": map[string]any{a.addr: map[string]string{
		"username": a.user, "password": a.password, "auth": auth}}})
	if err != nil {
		return "", nil, err
	}
	dockerConfig := base64.StdEncoding.EncodeToString(cfg)
	var b strings.Builder
	err = workloadManifest.Execute(&b, map[string]string{
		"DockerConfig": dockerConfig, "Image": c.image(), "PrivateImage": a.addr + busyboxRef,
	})
	return b.String(), []string{a.password, auth, dockerConfig}, err
}

// runWorkload applies the manifest and waits until the Deployment's two
// pods and privatePod run and noSecretPod fails to pull.
func (c *cluster) runWorkload(t *testing.T) workload {
	t.Helper()
	ctx := t.Context()
	manifest, secrets, err := c.renderWorkload()
	if err != nil {
		t.Fatal(err)
	}
	w := workload{secrets: secrets, applied: time.Now()}
	if out, err := c.cp.kubectl(ctx, manifest, "apply", "-f", "-"); err != nil {
		t.Fatal(err)
	} else {
		t.Logf("kubectl apply:\n%s", strings.TrimSpace(out))
	}
	var last []podInfo
	err = waitFor(ctx, c.kubelet.Process, "the Deployment's 2 pods and "+privatePod+" Running", 3*time.Minute, 250*time.Millisecond, func() (bool, error) {
		all, err := c.cp.pods(ctx, "default", "")
		if err != nil {
			return false, err
		}
		last = all
		var running []podInfo
		for _, p := range all {
			if p.Phase == "Running" && (p.Name == privatePod || strings.HasPrefix(p.Name, deployName+"-")) {
				running = append(running, p)
			}
		}
		if len(running) == 3 {
			w.pods = running
			return true, nil
		}
		return false, fmt.Errorf("%d of 3 running", len(running))
	})
	if err != nil {
		t.Fatalf("%v; pods: %+v", err, last)
	}
	t.Logf("running %s after kubectl apply: %+v", time.Since(w.applied).Round(time.Millisecond), w.pods)

	// Without the secret the registry refuses the pull.
	err = waitFor(ctx, c.kubelet.Process, noSecretPod+" failing to pull", 2*time.Minute, 250*time.Millisecond, func() (bool, error) {
		p, found, err := c.cp.pod(ctx, "default", noSecretPod)
		if err != nil || !found {
			return false, err
		}
		if p.Phase == "Running" {
			return false, fmt.Errorf("%s runs: the registry let it pull without credentials", noSecretPod)
		}
		return slices.Contains([]string{"ErrImagePull", "ImagePullBackOff"}, p.Waiting), fmt.Errorf("%s is %s/%s", noSecretPod, p.Phase, p.Waiting)
	})
	if err != nil {
		t.Error(err)
	}
	t.Logf("registry with credentials: %d requests allowed, %d refused", c.authRegistry.allowed.Load(), c.authRegistry.refused.Load())
	if c.authRegistry.allowed.Load() == 0 {
		t.Errorf("no request reached the private registry with the right credentials, yet %s runs", privatePod)
	}
	if err := c.rememberAll(ctx); err != nil {
		t.Errorf("listing containerd's pods for the cgroup sweep: %v", err)
	}
	return w
}
