package embedded

import (
	"context"
	"sync"
	"time"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// Identity of the embedded runtime, as Version reports it.
const (
	// RuntimeName is the runtime_name reported by Version.
	RuntimeName = "crio-trace"
	// RuntimeVersion is the runtime_version reported by Version.
	RuntimeVersion = "0.1.0"
	// apiVersion is the version of the CRI API the runtime serves.
	apiVersion = "v1"
	// kubeAPIVersion is the version field of VersionResponse: the version of
	// the kubelet runtime API, "0.1.0" for every CRI runtime.
	kubeAPIVersion = "0.1.0"
)

// DefaultRootDir is the directory the runtime reports as its image and
// container filesystem when Options.RootDir is empty. Nothing is written
// there.
const DefaultRootDir = "/var/lib/crio-trace"

// Options configures a Runtime. The zero value is valid: no pull latency,
// the real clock and DefaultRootDir.
type Options struct {
	// PullLatency is the simulated time every PullImage takes (0 = none), so
	// traces show where pod start-up time goes. The wait honours the
	// request's context.
	PullLatency time.Duration
	// ImageLatency overrides PullLatency per image. Keys are image
	// references; they are normalized as PullImage normalizes its input, so
	// "busybox" and "docker.io/library/busybox:latest" are the same key.
	ImageLatency map[string]time.Duration
	// Now is the clock for every timestamp; nil means time.Now.
	Now func() time.Time
	// RootDir is reported as the mount point of the image and container
	// filesystems in ImageFsInfo; empty means DefaultRootDir. The runtime
	// never writes to it.
	RootDir string
}

// Runtime is the embedded CRI runtime: an in-memory state machine for pod
// sandboxes, containers and images that runs no processes. It implements
// runtimeapi.RuntimeServiceServer and runtimeapi.ImageServiceServer. All
// methods are safe for concurrent use. Create it with New and end it with
// Close.
type Runtime struct {
	runtimeapi.UnimplementedRuntimeServiceServer
	runtimeapi.UnimplementedImageServiceServer

	now          func() time.Time
	rootDir      string
	pullLatency  time.Duration
	imageLatency map[string]time.Duration

	mu             sync.RWMutex
	sandboxes      map[string]*sandbox   // by id
	containers     map[string]*container // by id
	images         map[string]*image     // by id
	sandboxNames   map[string]string     // unique name -> sandbox id
	containerNames map[string]string     // unique name -> container id

	events    *broker
	closeOnce sync.Once
	done      chan struct{}
}

// Compile-time checks that Runtime serves both CRI services.
var (
	_ runtimeapi.RuntimeServiceServer = (*Runtime)(nil)
	_ runtimeapi.ImageServiceServer   = (*Runtime)(nil)
)

// New returns an empty Runtime configured by opts.
func New(opts Options) *Runtime {
	r := &Runtime{
		now:            opts.Now,
		rootDir:        opts.RootDir,
		pullLatency:    opts.PullLatency,
		imageLatency:   make(map[string]time.Duration, len(opts.ImageLatency)),
		sandboxes:      make(map[string]*sandbox),
		containers:     make(map[string]*container),
		images:         make(map[string]*image),
		sandboxNames:   make(map[string]string),
		containerNames: make(map[string]string),
		events:         newBroker(),
		done:           make(chan struct{}),
	}
	if r.now == nil {
		r.now = time.Now
	}
	if r.rootDir == "" {
		r.rootDir = DefaultRootDir
	}
	for ref, d := range opts.ImageLatency {
		r.imageLatency[normalizeKey(ref)] = d
	}
	return r
}

// Close ends every open GetContainerEvents stream and makes new ones end at
// once. Other RPCs keep working. Close is idempotent.
func (r *Runtime) Close() {
	r.closeOnce.Do(func() { close(r.done) })
}

// nowNano returns the current time in Unix nanoseconds, the unit of every
// CRI timestamp.
func (r *Runtime) nowNano() int64 {
	return r.now().UnixNano()
}

// Version reports the runtime's name and versions; every field is set, as
// kubelet requires.
func (r *Runtime) Version(context.Context, *runtimeapi.VersionRequest) (*runtimeapi.VersionResponse, error) {
	return &runtimeapi.VersionResponse{
		Version:           kubeAPIVersion,
		RuntimeName:       RuntimeName,
		RuntimeVersion:    RuntimeVersion,
		RuntimeApiVersion: apiVersion,
	}, nil
}
