// Package config loads crio-trace's TOML configuration file, laid out as
// CRI-O lays out crio.conf: [crio.api] for the socket, [crio.runtime] for
// the backend and logging, [crio.tracing] for tracing with CRI-O's own key
// names. It also renders the commented default file that `crio-trace config`
// prints. Compare cri-o/cri-o pkg/config/config.go and
// pkg/config/template.go.
package config
