//go:build tools

// Package jaeger pins the Jaeger binary that hack/systems/build-tools.sh
// builds for the systems test; it holds no code of its own.
package jaeger

import _ "github.com/jaegertracing/jaeger/cmd/jaeger"
