// Package enhancements holds crio-trace's living guideline,
// distributed-tracing-with-opentelemetry.md, and the tests that keep it
// and the other documents honest: every Go snippet in the guideline must
// match, byte for byte, a region of compiled source marked
// "// guideline:begin NAME" … "// guideline:end NAME"; every repository path
// it names must exist; every configuration key it mentions must appear in
// `crio-trace config`; and every span name, attribute key and event name
// that the README, the guideline or docs/*.md mention must be one the daemon
// really emits, as seen by an OTLP receiver while a pod's life runs through
// it (docs_telemetry_test.go). The package has no code of its own.
package enhancements
