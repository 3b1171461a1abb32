// Package demo tests the one-command demo, cmd/crio-trace-demo, as a user
// runs it: the binary is built once, run for every scenario, and its output,
// its HTML waterfall (in headless Chromium too) and its exit status are
// checked.
package demo
