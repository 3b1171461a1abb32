package tracing

import (
	"fmt"
	"sync/atomic"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// ruleSampler decides root spans: the first rule whose pattern matches the
// span name wins, otherwise the configured rate. It is wrapped in
// sdktrace.ParentBased, so it never sees a span whose parent (kubelet's)
// already decided. Rules and rate are swapped atomically on reload, without
// rebuilding the provider.
type ruleSampler struct {
	cur atomic.Pointer[ruleSet]
}

type ruleSet struct {
	rules    []Rule
	samplers []sdktrace.Sampler // one per rule, same order
	fallback sdktrace.Sampler
	desc     string
}

var _ sdktrace.Sampler = (*ruleSampler)(nil)

// set installs c's rules and rate; spans started afterwards use them.
func (s *ruleSampler) set(c Config) {
	s.cur.Store(newRuleSet(c.SamplingRules, c.SamplingRatePerMillion))
}

// newRuleSet compiles rules and rate. Rules were validated already.
func newRuleSet(rules []string, ratePerMillion int) *ruleSet {
	rs := &ruleSet{fallback: perMillion(ratePerMillion)}
	for _, s := range rules {
		r, err := ParseRule(s)
		if err != nil {
			continue
		}
		rs.rules = append(rs.rules, r)
		rs.samplers = append(rs.samplers, perMillion(r.PerMillion))
	}
	rs.desc = fmt.Sprintf("RuleSampler{rules=%d,rate_per_million=%d}", len(rs.rules), ratePerMillion)
	return rs
}

func perMillion(n int) sdktrace.Sampler {
	switch {
	case n <= 0:
		return sdktrace.NeverSample()
	case n >= 1_000_000:
		return sdktrace.AlwaysSample()
	}
	return sdktrace.TraceIDRatioBased(float64(n) / 1e6)
}

func (s *ruleSampler) ShouldSample(p sdktrace.SamplingParameters) sdktrace.SamplingResult {
	rs := s.cur.Load()
	for i := range rs.rules {
		if rs.rules[i].Match(p.Name) {
			return rs.samplers[i].ShouldSample(p)
		}
	}
	return rs.fallback.ShouldSample(p)
}

func (s *ruleSampler) Description() string { return s.cur.Load().desc }

// NewSampler returns the sampler the kit installs: parent-based, so a
// sampled parent is always followed and an unsampled one never, and for
// root spans the first matching rule of rules, else ratePerMillion. Invalid
// rules are skipped (Config.Validate reports them).
//
// Guideline step 8: sampling is parent-based (enhancements/distributed-tracing-with-opentelemetry.md).
func NewSampler(rules []string, ratePerMillion int) sdktrace.Sampler {
	rs := &ruleSampler{}
	rs.cur.Store(newRuleSet(rules, ratePerMillion))
	return sdktrace.ParentBased(rs)
}
