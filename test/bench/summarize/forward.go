package main

func (r *reporter) forwardSection() {
	if !r.has("Forward/") {
		return
	}
	r.printf("## Forward mode in front of containerd (BenchmarkForward)\n\n")
	r.printf("| op | direct | via crio-trace, off | via crio-trace, on | added, off | added, on |\n|---|---:|---:|---:|---:|---:|\n")
	for _, op := range []string{"Version", "ListContainers", "PodStart"} {
		n := func(p string) string { return "Forward/op=" + op + "/path=" + p }
		if r.res[n("direct")] == nil {
			continue
		}
		d := r.med(n("direct"), "ns/op")
		r.printf("| %s | %s | %s | %s | %s | %s |\n", op, r.timed(n("direct"), "ns/op"), r.timed(n("crio-trace-off"), "ns/op"),
			r.timed(n("crio-trace-on"), "ns/op"), dur(r.med(n("crio-trace-off"), "ns/op")-d), dur(r.med(n("crio-trace-on"), "ns/op")-d))
	}
	r.printf("\n")
}
