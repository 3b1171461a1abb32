// Package waterfall renders one trace, as received by package otlpreceiver,
// the way trace viewers such as Jaeger draw it: a tree of spans, children
// under their parent in start order, each with a bar placed on the trace's
// time line.
//
// [Text] writes it for a terminal, with ANSI colour only when asked (the
// caller checks for a TTY). [HTML] writes a self-contained page — inline CSS,
// no script, no external assets — that opens in any browser without a
// network. [CheckInBrowser] opens such a page in headless Chromium and checks
// it, for tests.
//
// Both renderings keep every span: a span whose parent is not in the set
// (kubelet's span was not exported, or the collector dropped it) is drawn as
// a root and labelled as such, never left out. Text and HTML keep no state
// and are safe for concurrent use.
package waterfall
