package main

func (r *reporter) overloadSection() {
	if !r.has("Overload/") {
		return
	}
	r.printf("## Collector too slow to keep up (BenchmarkOverload, 8 clients, Version)\n\n")
	r.printf("| collector | p50 | p99 | server CPU/op | spans lost | counted by Provider.Dropped |\n|---|---:|---:|---:|---:|---:|\n")
	for _, c := range []string{"fast", "slow"} {
		n := "Overload/collector=" + c
		if r.res[n] == nil {
			continue
		}
		r.printf("| %s | %s | %s | %s | %.1f%% | %s |\n", c, r.timed(n, "p50-ns"), r.timed(n, "p99-ns"),
			r.timed(n, "server-cpu-ns/op"), r.med(n, "lost-%"), num(r.med(n, "kit-dropped")))
	}
	r.printf("\n")
}

func (r *reporter) exportSection() {
	if !r.has("Export/") {
		return
	}
	r.printf("## Export path alone (BenchmarkExport)\n\n")
	r.printf("| offered spans/s | exported spans/s | lost | counted by Provider.Dropped |\n|---:|---:|---:|---:|\n")
	for _, rate := range []string{"5000", "20000", "50000", "100000", "150000", "200000", "max"} {
		n := "Export/rate=" + rate
		if r.res[n] == nil {
			continue
		}
		offered := rate
		if rate == "max" {
			offered = "unpaced: " + num(r.med(n, "offered-spans/s"))
		}
		r.printf("| %s | %s | %.1f%% | %s |\n", offered, num(r.med(n, "exported-spans/s")), r.med(n, "lost-%"), num(r.med(n, "kit-dropped")))
	}
	r.printf("\n")
}

func (r *reporter) heapSection() {
	n := "HeapCollectorDown"
	if r.res[n] == nil {
		return
	}
	r.printf("## Heap with the collector down (BenchmarkHeapCollectorDown)\n\n")
	r.printf("| calls | live heap at 10%% | live heap at end | growth per call |\n|---:|---:|---:|---:|\n")
	r.printf("| %s | %s B | %s B | %.2f B |\n\n", num(r.med(n, unitIterations)), num(r.med(n, "heap-start-B")),
		num(r.med(n, "heap-end-B")), r.med(n, "heap-growth-B/op"))
}
