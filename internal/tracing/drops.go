package tracing

import "time"

// dropLogInterval is the least time between two "spans dropped" lines.
var dropLogInterval = 10 * time.Second

// reportDropsLocked logs, at most once per dropLogInterval, how many spans
// the pipeline lost since the last line. It runs after successful exports
// only: while the collector is away the one "instrumentation removed" line
// has said it all.
func (p *Provider) reportDropsLocked(in *instance) {
	total := in.dropped.Load()
	if total == in.reported || time.Since(in.lastLog) < dropLogInterval {
		return
	}
	p.opts.logger.Warn("tracing: spans dropped: the export queue was full or an export failed",
		"dropped", total-in.reported, "dropped_total", total, "queue_size", in.cfg.ExportQueueSize)
	in.reported, in.lastLog = total, time.Now()
}
