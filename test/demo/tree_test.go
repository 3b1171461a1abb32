package demo_test

import (
	"strings"
	"unicode/utf8"
)

// node is one span line of the terminal waterfall the demo prints.
type node struct {
	service, name string
	depth         int
	failed        bool
	parent        *node
	children      []*node
}

// services the demo's traces hold; a waterfall line starts with one.
var knownServices = []string{"kubelet", "crio-trace"}

// parseTrees reads every span line of the waterfalls in out and returns
// their roots. The layout is the waterfall package's: the service in the
// first column, then the tree guides, three runes per level ("│  ", "├─ ",
// "└─ ", "   "), then "✗ " for a failed span and the span name.
func parseTrees(out string) []*node {
	var roots, stack []*node
	col := -1 // where the SPAN column starts, from the header of each waterfall
	for line := range strings.SplitSeq(out, "\n") {
		if strings.HasPrefix(line, "SERVICE ") {
			col = strings.Index(line, "SPAN")
			continue
		}
		svc := ""
		for _, s := range knownServices {
			if strings.HasPrefix(line, s+" ") {
				svc = s
			}
		}
		if svc == "" || col < len(svc) || len(line) <= col {
			continue
		}
		rest := line[col:]
		// Guides plus name run up to the START column ("  +").
		head, _, ok := strings.Cut(rest, " +")
		if !ok {
			continue
		}
		body := strings.TrimLeft(head, "│├└─ ")
		depth := (utf8.RuneCountInString(head) - utf8.RuneCountInString(body)) / 3
		n := &node{service: svc, depth: depth}
		body = strings.TrimSpace(body)
		if after, found := strings.CutPrefix(body, "✗ "); found {
			n.failed, body = true, after
		}
		n.name = body
		for len(stack) > 0 && stack[len(stack)-1].depth >= depth {
			stack = stack[:len(stack)-1]
		}
		if len(stack) == 0 {
			roots = append(roots, n)
		} else {
			n.parent = stack[len(stack)-1]
			n.parent.children = append(n.parent.children, n)
		}
		stack = append(stack, n)
	}
	return roots
}

// walk calls fn for every node under roots, parents first.
func walk(roots []*node, fn func(*node)) {
	for _, r := range roots {
		fn(r)
		walk(r.children, fn)
	}
}

// find returns the nodes of service and name whose parent has parentService
// and parentName ("" for roots).
func find(roots []*node, service, name, parentService, parentName string) []*node {
	var out []*node
	walk(roots, func(n *node) {
		if n.service != service || n.name != name {
			return
		}
		if parentName == "" && n.parent == nil ||
			n.parent != nil && n.parent.service == parentService && n.parent.name == parentName {
			out = append(out, n)
		}
	})
	return out
}
