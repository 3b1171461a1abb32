package main

import (
	"fmt"
	"strings"
	"time"
)

// scenario is one story the demo can tell.
type scenario struct {
	// name is the --scenario value.
	name string
	// summary is the one-line description shown by --help and in the header.
	summary string
	// tracing tells whether crio-trace runs with tracing enabled.
	tracing bool
	// failSidecar gives the sidecar the command ["false"], which the embedded
	// runtime fails at StartContainer.
	failSidecar bool
	// pullLatency is the simulated pull time of every image, and
	// slowImageLatency that of the app image when slowImage is set. Both
	// apply to the embedded runtime only.
	pullLatency      time.Duration
	slowImage        bool
	slowImageLatency time.Duration
	// simulated reports whether the scenario only makes sense with the
	// embedded runtime (its effect is simulated there).
	simulated bool
}

// Scenario names, as --scenario accepts them.
const (
	scenarioPodStart         = "pod-start"
	scenarioSlowImagePull    = "slow-image-pull"
	scenarioFailingContainer = "failing-container"
	scenarioTracingOff       = "tracing-off"
)

// defaultPullLatency makes each pull of the embedded runtime take a little
// time, as a cached pull does, so the waterfall has something to show.
const defaultPullLatency = 40 * time.Millisecond

// slowPullLatency is the simulated download time of the app image in the
// slow-image-pull scenario.
const slowPullLatency = 1500 * time.Millisecond

// scenarios lists every scenario in the order --help shows them.
var scenarios = []scenario{
	{
		name:        scenarioPodStart,
		summary:     "kubelet starts a two-container pod and tears it down; every CRI call traced end to end",
		tracing:     true,
		pullLatency: defaultPullLatency,
	},
	{
		name:             scenarioSlowImagePull,
		summary:          "the app image takes ~1.5s to pull; the waterfall shows where pod start-up time went",
		tracing:          true,
		pullLatency:      defaultPullLatency,
		slowImage:        true,
		slowImageLatency: slowPullLatency,
		simulated:        true,
	},
	{
		name:        scenarioFailingContainer,
		summary:     `the sidecar's command is ["false"]; the error shows on the StartContainer span that failed`,
		tracing:     true,
		pullLatency: defaultPullLatency,
		failSidecar: true,
	},
	{
		name:        scenarioTracingOff,
		summary:     "crio-trace runs with tracing disabled: kubelet's spans remain, the runtime is a black box",
		tracing:     false,
		pullLatency: defaultPullLatency,
	},
}

// scenarioNames returns the accepted --scenario values.
func scenarioNames() []string {
	names := make([]string, len(scenarios))
	for i, s := range scenarios {
		names[i] = s.name
	}
	return names
}

// lookupScenario returns the scenario called name.
func lookupScenario(name string) (scenario, error) {
	for _, s := range scenarios {
		if s.name == name {
			return s, nil
		}
	}
	return scenario{}, fmt.Errorf("--scenario %q is not a scenario: accepted %s", name, strings.Join(scenarioNames(), ", "))
}
