// Package testutil holds the helpers the project's tests share: a
// concurrency-safe buffer for logs and child output, polling with a
// deadline instead of sleeping, the browser prerequisites of the HTML
// checks, and a runner for the crio-trace binary.
//
// It is for tests only and imports nothing of the end-to-end harness
// (test/harness), so unit tests can use it without pulling in containerd,
// registries or root-only code. The harness builds on it, not the other
// way round.
package testutil
