// Package harness starts a real container runtime for end-to-end tests: a
// loopback image registry holding locally built pause and busybox images, a
// containerd with its own root, state, socket and configuration in a
// temporary directory, and the cri-tools binaries (crictl, critest) to drive
// it.
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
// Entry points: Start does everything; RequireRoot, FindTools,
// StartRegistry, StartContainerd and RunCritest are the steps, for tests
// that need only some of them or put a server of their own in front of
// containerd. Crictl runs crictl against any endpoint. StartWith and
// StartContainerdWith take ContainerdOptions: another containerd binary
// (an upstream build with tracing plugins) and extra config.toml tables.
// Containerd.Stop and Containerd.Restart take containerd away and bring it
// back on the same socket, with its pods, as a runtime restart does.
//
// A typical test:
//
//	env := harness.Start(t)
//	rt, im := env.Containerd.Dial(t) // CRI clients; or use env.Containerd.Endpoint()
//	// env.BusyboxImage, harness.PauseImage and harness.CritestBusyboxImage pull.
//
// Roots live in $TMPDIR/crio-trace-ctd-* and are locked while in use; a
// root left by a test binary that was killed (go test -timeout) is swept,
// with its processes, mounts and shim sockets, by the next StartContainerd.
package harness
