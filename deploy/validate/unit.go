package validate

import "github.com/crio-trace/crio-trace/internal/systemdunit"

// Unit is a parsed systemd unit file or drop-in (see systemdunit.Unit).
type Unit = systemdunit.Unit

// ParseUnit parses a unit file or drop-in with systemdunit.Parse.
func ParseUnit(data []byte) (Unit, error) { return systemdunit.Parse(data) }
