package server

import "github.com/crio-trace/crio-trace/server/samplingrules"

// DefaultSamplingRules returns crio-trace's default sampling rules for CRI
// calls (samplingrules.Default): PullImage always starts a trace, what
// kubelet polls never does.
func DefaultSamplingRules() []string { return samplingrules.Default() }
