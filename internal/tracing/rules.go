package tracing

import (
	"fmt"
	"strconv"
	"strings"
)

// Rule is one parsed sampling rule: roots whose span name matches Pattern
// are sampled with probability PerMillion/1e6.
type Rule struct {
	// Pattern matches span names; '*' stands for any run of characters.
	Pattern string
	// PerMillion is the rate applied to matching roots: 0 is never,
	// 1000000 always.
	PerMillion int
}

// ParseRule parses "GLOB=DECISION", where DECISION is "always", "never" or
// a rate per million from 0 to 1000000. For example
// "runtime.v1.RuntimeService/ListContainers=never" or "*/CreateContainer=100000".
func ParseRule(s string) (Rule, error) {
	pattern, decision, ok := strings.Cut(s, "=")
	pattern, decision = strings.TrimSpace(pattern), strings.TrimSpace(decision)
	if !ok || pattern == "" {
		return Rule{}, fmt.Errorf("sampling rule %q: want GLOB=always|never|<per million>", s)
	}
	switch decision {
	case "always":
		return Rule{Pattern: pattern, PerMillion: 1_000_000}, nil
	case "never":
		return Rule{Pattern: pattern, PerMillion: 0}, nil
	}
	n, err := strconv.Atoi(decision)
	if err != nil || n < 0 || n > 1_000_000 {
		return Rule{}, fmt.Errorf("sampling rule %q: decision %q is not always, never or 0..1000000", s, decision)
	}
	return Rule{Pattern: pattern, PerMillion: n}, nil
}

// Match reports whether name matches the rule's pattern.
func (r Rule) Match(name string) bool { return globMatch(r.Pattern, name) }

// globMatch matches name against pattern, where '*' matches any run of
// characters (including '/') and everything else matches itself.
func globMatch(pattern, name string) bool {
	// Iterative matching with single-star backtracking: linear in practice,
	// no recursion, no allocation.
	p, n := 0, 0
	star, mark := -1, 0
	for n < len(name) {
		switch {
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, n
			p++
		case p < len(pattern) && pattern[p] == name[n]:
			p++
			n++
		case star >= 0:
			p = star + 1
			mark++
			n = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}
