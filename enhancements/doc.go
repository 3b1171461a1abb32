// Package enhancements holds crio-trace's living guideline,
// distributed-tracing-with-opentelemetry.md, and the test that keeps it
// honest: every Go snippet in the guideline must match, byte for byte, a
// region of compiled source marked "// guideline:begin NAME" …
// "// guideline:end NAME"; every repository path it names must exist; and
// every configuration key it mentions must appear in `crio-trace config`.
// The package has no code of its own; see guideline_test.go.
package enhancements
