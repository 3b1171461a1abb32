package systems_test

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/crio-trace/crio-trace/test/harness"
)

// Node paths and addresses the kind recipe names, which the cluster test
// replaces with its own: the collector's well-known port and the sockets
// under /run.
const (
	recipeCollector  = "127.0.0.1:4317"
	recipeContainerd = "unix:///run/containerd/containerd.sock"
	recipeRunDir     = "/run/crio-trace"
	// Node paths of the units kind mounts.
	crioTraceUnit     = "/etc/systemd/system/crio-trace.service"
	kubeletDropInDir  = "/etc/systemd/system/kubelet.service.d"
	containerdDropIns = "/etc/systemd/system/containerd.service.d"
)

// nodeLayout says where this run puts what the recipe names on a kind node.
type nodeLayout struct {
	// Collector is the collector's OTLP gRPC host:port.
	Collector string
	// Containerd is the harness containerd's CRI endpoint (unix://...).
	Containerd string
	// RunDir stands for /run/crio-trace (systemd's RuntimeDirectory).
	RunDir string
	// Dir receives the rendered files.
	Dir string
}

// leftoverNodePath finds absolute paths of a node's system directories in
// rendered text: anything there would touch this machine.
var leftoverNodePath = regexp.MustCompile(`(?:^|[\s"'=:/])(/(?:run|etc|var|usr|opt|srv)/[^\s"',]*)`)

// loopbackAddr finds 127.0.0.1:PORT in rendered text.
var loopbackAddr = regexp.MustCompile(`127\.0\.0\.1:(\d+)`)

// render replaces the recipe's node addresses and paths in text with the
// run's, and fails when the result still names a node system path or a
// loopback port other than the collector's: the recipe then says something
// this run would have to guess, or that would reach outside the run.
func (l nodeLayout) render(name, text string) (string, error) {
	out := strings.NewReplacer(
		recipeContainerd, l.Containerd,
		recipeCollector, l.Collector,
		recipeRunDir, l.RunDir,
	).Replace(text)
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue // comments configure nothing
		}
		if m := leftoverNodePath.FindStringSubmatch(line); m != nil {
			return "", fmt.Errorf("%s names node path %q, which the cluster test does not map (it maps %s, %s)", name, m[1], recipeContainerd, recipeRunDir)
		}
		for _, m := range loopbackAddr.FindAllString(line, -1) {
			if m != l.Collector {
				return "", fmt.Errorf("%s names %s; the only loopback address the recipe may name is the collector's %s", name, m, recipeCollector)
			}
		}
	}
	return out, nil
}

// renderFile renders the repository file src into l.Dir and returns the
// rendered file's path.
func (l nodeLayout) renderFile(src string) (string, error) {
	data, err := os.ReadFile(src)
	if err != nil {
		return "", err
	}
	out, err := l.render(filepath.Base(src), string(data))
	if err != nil {
		return "", err
	}
	dst := filepath.Join(l.Dir, filepath.Base(src))
	return dst, os.WriteFile(dst, []byte(out), 0o644)
}

// crioTraceCommand returns the recipe's crio-trace.service ExecStart with
// the program replaced by binary (a build of ./cmd/crio-trace, as up.sh
// builds it) and every mounted file rendered. It also checks what the
// command relies on: the unit stops crio-trace with SIGTERM (what the test
// sends), and a kubelet drop-in orders kubelet after this unit.
func (r kindRecipe) crioTraceCommand(l nodeLayout, binary string) ([]string, error) {
	u, err := r.nodeUnit(crioTraceUnit)
	if err != nil {
		return nil, err
	}
	if sig, _ := u.Get("Service", "KillSignal"); sig != "" && sig != "SIGTERM" {
		return nil, fmt.Errorf("%s: KillSignal=%s; the cluster test stops crio-trace with SIGTERM", crioTraceUnit, sig)
	}
	if dir, _ := u.Get("Service", "RuntimeDirectory"); dir != filepath.Base(recipeRunDir) {
		return nil, fmt.Errorf("%s: RuntimeDirectory=%q, want %q (the directory of the CRI socket)", crioTraceUnit, dir, filepath.Base(recipeRunDir))
	}
	if err := os.MkdirAll(l.RunDir, 0o755); err != nil {
		return nil, err
	}
	argv := u.Command("Service", "ExecStart")
	if len(argv) == 0 {
		return nil, fmt.Errorf("%s: no ExecStart", crioTraceUnit)
	}
	prog, err := r.nodeFile(argv[0])
	if err != nil {
		return nil, fmt.Errorf("%s ExecStart: %w", crioTraceUnit, err)
	}
	if want := filepath.Join(r.root, "bin", "crio-trace"); prog != want {
		return nil, fmt.Errorf("%s runs %s, mounted from %s; want bin/crio-trace (what up.sh builds)", crioTraceUnit, argv[0], prog)
	}
	out := []string{binary}
	for _, a := range argv[1:] {
		if !strings.HasPrefix(a, "/") {
			out = append(out, a)
			continue
		}
		src, err := r.nodeFile(a)
		if err != nil {
			return nil, fmt.Errorf("%s ExecStart: %w", crioTraceUnit, err)
		}
		dst, err := l.renderFile(src)
		if err != nil {
			return nil, err
		}
		out = append(out, dst)
	}
	return out, r.checkKubeletOrdering()
}

// checkKubeletOrdering: some kubelet drop-in wants and orders kubelet
// after crio-trace.service, so the CRI socket exists when kubelet starts.
func (r kindRecipe) checkKubeletOrdering() error {
	unit := filepath.Base(crioTraceUnit)
	for _, p := range r.nodeUnitsUnder(kubeletDropInDir) {
		u, err := r.nodeUnit(p)
		if err != nil {
			return err
		}
		after, _ := u.Get("Unit", "After")
		wants, _ := u.Get("Unit", "Wants")
		if slices.Contains(strings.Fields(after), unit) && slices.Contains(strings.Fields(wants), unit) {
			return nil
		}
	}
	return fmt.Errorf("no kubelet drop-in under %s has Wants= and After=%s", kubeletDropInDir, unit)
}

// containerdTracing translates the OpenTelemetry variables of the
// recipe's containerd drop-ins into containerd 1.6's tracing plugin
// settings. kind's node image runs containerd 2.x, which reads these
// variables; the harness runs containerd v1.6.20, which reads its settings
// from config.toml. Every variable must translate: an unknown name or value
// fails here rather than being dropped. One thing does not translate
// exactly: containerd 1.6 samples by trace-id ratio only, never
// parent-based, so a parent-based sampler becomes ratio 1 — every span the
// recipe keeps (those whose caller sampled) and also containerd's own root
// spans, which the recipe would thin out; the returned note says so.
func (r kindRecipe) containerdTracing(l nodeLayout) (harness.TracingSettings, string, error) {
	env := map[string]string{}
	for _, p := range r.nodeUnitsUnder(containerdDropIns) {
		u, err := r.nodeUnit(p)
		if err != nil {
			return harness.TracingSettings{}, "", err
		}
		for k, v := range u.Environment() {
			env[k] = v
		}
	}
	if len(env) == 0 {
		return harness.TracingSettings{}, "", fmt.Errorf("no containerd drop-in under %s sets Environment=: %w", containerdDropIns, errNoUnit)
	}
	s := harness.TracingSettings{ServiceName: "containerd", SamplingRatio: 1}
	sampler, ratio := "parentbased_always_on", ""
	keys := make([]string, 0, len(env))
	for k := range env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := env[k]
		switch k {
		case "OTEL_EXPORTER_OTLP_ENDPOINT":
			u, err := url.Parse(v)
			if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
				return s, "", fmt.Errorf("%s=%q: want http://HOST:PORT or https://HOST:PORT", k, v)
			}
			host, err := l.render(k, u.Host)
			if err != nil {
				return s, "", err
			}
			s.Endpoint, s.Insecure = host, u.Scheme == "http"
		case "OTEL_EXPORTER_OTLP_PROTOCOL":
			if v != "grpc" && v != "http/protobuf" {
				return s, "", fmt.Errorf("%s=%q: containerd takes grpc or http/protobuf", k, v)
			}
			s.Protocol = v
		case "OTEL_SERVICE_NAME":
			s.ServiceName = v
		case "OTEL_TRACES_SAMPLER":
			sampler = v
		case "OTEL_TRACES_SAMPLER_ARG":
			ratio = v
		default:
			return s, "", fmt.Errorf("containerd drop-in sets %s, which the cluster test cannot translate for containerd 1.6", k)
		}
	}
	var note string
	ratioArg := func() (float64, error) {
		f, err := strconv.ParseFloat(ratio, 64)
		if err != nil || f < 0 || f > 1 {
			return 0, fmt.Errorf("OTEL_TRACES_SAMPLER_ARG=%q: want a ratio from 0 to 1", ratio)
		}
		return f, nil
	}
	switch sampler {
	case "always_on":
	case "always_off":
		s.SamplingRatio = 0
	case "traceidratio":
		f, err := ratioArg()
		if err != nil {
			return s, "", err
		}
		s.SamplingRatio = f
	case "parentbased_always_on", "parentbased_always_off", "parentbased_traceidratio":
		if sampler == "parentbased_traceidratio" {
			if _, err := ratioArg(); err != nil {
				return s, "", err
			}
		}
		note = fmt.Sprintf("OTEL_TRACES_SAMPLER=%s: containerd 1.6 cannot sample parent-based (its sampler is TraceIDRatioBased only); "+
			"sampling_ratio 1 keeps every span the recipe keeps, and also containerd's own root spans", sampler)
	default:
		return s, "", fmt.Errorf("OTEL_TRACES_SAMPLER=%q: the cluster test translates always_on, always_off, traceidratio and their parentbased_ forms", sampler)
	}
	if s.Endpoint == "" || s.Protocol == "" {
		return s, "", fmt.Errorf("containerd drop-ins must set OTEL_EXPORTER_OTLP_ENDPOINT and OTEL_EXPORTER_OTLP_PROTOCOL (got %v)", keys)
	}
	return s, note, nil
}

// kubeletDropIn renders the recipe's KubeletConfiguration patch as a
// kubelet --config-dir drop-in in dir and checks it points kubelet at the
// socket kubeadm is told about (criSocket).
func (r kindRecipe) kubeletDropIn(l nodeLayout, dir string) error {
	patch, err := l.render("KubeletConfiguration patch", r.kubeletPatch)
	if err != nil {
		return err
	}
	socket, err := l.render("criSocket", r.criSocket)
	if err != nil {
		return err
	}
	if !strings.Contains(patch, "containerRuntimeEndpoint: "+socket) {
		return fmt.Errorf("the KubeletConfiguration patch does not set containerRuntimeEndpoint to criSocket %s", r.criSocket)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	// kubelet reads *.conf files of --config-dir in name order.
	return os.WriteFile(filepath.Join(dir, "50-kind-recipe.conf"), []byte(patch), 0o644)
}

// flags turns extraArgs into --key=value flags, sorted, each value
// rendered; values that are absolute paths are first resolved with file
// (the API server's pod → node → repository) and rendered into l.Dir.
func (l nodeLayout) flags(what string, args map[string]string, file func(string) (string, error)) ([]string, error) {
	var out []string
	for k, v := range args {
		if strings.HasPrefix(v, "/") {
			src, err := file(v)
			if err != nil {
				return nil, fmt.Errorf("%s --%s: %w", what, k, err)
			}
			if v, err = l.renderFile(src); err != nil {
				return nil, err
			}
		} else {
			var err error
			if v, err = l.render(what+" --"+k, v); err != nil {
				return nil, err
			}
		}
		out = append(out, "--"+k+"="+v)
	}
	sort.Strings(out)
	return out, nil
}
