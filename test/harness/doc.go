// Package harness starts a real container runtime for end-to-end tests: a
// loopback image registry holding locally built pause and busybox images, a
// containerd or a CRI-O with its own root, state, socket and configuration
// in a temporary directory, and the cri-tools binaries (crictl, critest) to
// drive it.
//
// Nothing reaches the internet. The tools are built once by
// hack/install-e2e-deps.sh into $HOME/.cache/crio-trace (or $CRIO_TRACE_CACHE)
// and the images are cached there as OCI layouts, so a second run starts in
// seconds. Every process, mount and directory a harness function creates is
// removed by the t.Cleanup it registers; processes are stopped by the pid the
// harness started, never by name.
//
// The harness needs root (containerd mounts overlayfs and runs runc). Tests
// call RequireRoot first; it fails loudly unless CRIO_TRACE_E2E=skip asks to
// skip. With CRIO_TRACE_E2E=install, FindTools runs the installer itself when
// a tool is missing.
//
// CRI-O v1.34.0 is built from its module source by hack/install-crio.sh
// (with pinns and hack/runc-oom, the runc wrapper that raises the infra
// container's oom_score_adj to what root here may set). StartWithCrio and
// StartCrio run it with everything under one temporary directory, cgroupfs,
// conmon in the pod's cgroup, host port mapping off (no iptables here) and a
// registries.conf routing registry.k8s.io and gcr.io to the loopback
// registry. Its cleanup also removes what CRI-O writes outside that
// directory — the cgroups and libcni results of this run's pods (their ids
// are read from CRI-O's log), and the blob info cache under
// /var/lib/containers if it was not there before and no other harness
// runtime is running. Env.Runtime and the Runtime interface let a test run
// the same checks against either runtime. With a signature policy set (the
// harness sets a permissive one: there is no /etc/containers/policy.json
// here), CRI-O refuses a CreateContainer whose ImageSpec lacks
// user_specified_image; kubelet and crictl set it, and so must tests.
//
// Entry points: Start does everything; RequireRoot, FindTools,
// StartRegistry, StartContainerd and RunCritest are the steps, for tests
// that need only some of them or put a server of their own in front of
// containerd. Crictl runs crictl against any endpoint. StartWith and
// StartContainerdWith take ContainerdOptions: another containerd binary
// (an upstream build with tracing plugins) and extra config.toml tables.
// Containerd.Stop and Containerd.Restart take containerd away and bring it
// back on the same socket, with its pods, as a runtime restart does; Crio
// has the same, and ConfigDir for drop-ins a SIGHUP makes it re-read.
// UpstreamContainerd finds the containerd build with tracing plugins,
// and TracingConfig and TracingConfigRatio switch its tracing on.
//
// A typical test:
//
//	env := harness.Start(t) // or harness.StartWithCrio(t, harness.CrioOptions{})
//	rt, im := env.Runtime.Dial(t) // CRI clients; or use env.Runtime.Endpoint()
//	// env.BusyboxImage, harness.PauseImage and harness.CritestBusyboxImage pull.
//
// Roots live in $TMPDIR/crio-trace-ctd-* and $TMPDIR/crio-trace-crio-* and
// are locked while in use; a root left by a test binary that was killed (go
// test -timeout) is swept, with its processes, mounts, shim sockets, cgroups
// and CNI results, by the next StartContainerd or StartCrio.
package harness
