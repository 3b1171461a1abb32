// Package systemdunit reads the systemd unit files and drop-ins the project
// ships for kind nodes (deploy/kind): deploy/validate checks them, and the
// cluster systems test runs what they say (ExecStart, Environment=, the
// ordering of kubelet after crio-trace). It parses the INI dialect of
// systemd.syntax(7) and nothing more: no specifiers, no escapes beyond
// double quotes.
package systemdunit
