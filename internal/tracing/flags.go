package tracing

import (
	"flag"
	"fmt"
)

// Flag names, CRI-O's, for the three settings CRI-O has.
const (
	FlagEnableTracing = "enable-tracing"
	FlagEndpoint      = "tracing-endpoint"
	FlagSamplingRate  = "tracing-sampling-rate-per-million"
)

// Flags are the command-line flags of the three settings CRI-O has, defined
// on a component's flag.FlagSet by AddFlags: --enable-tracing,
// --tracing-endpoint and --tracing-sampling-rate-per-million. Only the
// flags given on the command line override the file (Apply), so a flag's
// default never masks a key. Pass Flags to a Loader.
//
// Guideline, porting step P3: a loader with the precedence
// (enhancements/distributed-tracing-with-opentelemetry.md).
type Flags struct {
	fs       *flag.FlagSet
	enabled  bool
	endpoint string
	rate     int
}

// AddFlags defines the tracing flags on fs. Their help names the TOML keys
// of table ("kvstore.tracing") and shows def's values, the ones the
// component runs with when nothing else sets them, so help and behaviour
// cannot drift apart.
func AddFlags(fs *flag.FlagSet, table string, def Config) *Flags {
	f := &Flags{fs: fs}
	fs.BoolVar(&f.enabled, FlagEnableTracing, def.Enabled,
		fmt.Sprintf("enable OpenTelemetry tracing ([%s] enable_tracing)", table))
	fs.StringVar(&f.endpoint, FlagEndpoint, def.Endpoint,
		fmt.Sprintf("OTLP collector `ADDRESS`, host:port or URL ([%s] tracing_endpoint)", table))
	fs.IntVar(&f.rate, FlagSamplingRate, def.SamplingRatePerMillion,
		fmt.Sprintf("share of root spans sampled, `0..1000000`; a caller's decision wins for its spans ([%s] tracing_sampling_rate_per_million)", table))
	return f
}

// Apply lays the tracing flags given on the command line over c. Call it
// after the FlagSet was parsed. A rate out of range is an error naming the
// flag.
func (f *Flags) Apply(c *Config) error {
	var err error
	f.fs.Visit(func(fl *flag.Flag) {
		switch fl.Name {
		case FlagEnableTracing:
			c.Enabled = f.enabled
		case FlagEndpoint:
			c.Endpoint = f.endpoint
		case FlagSamplingRate:
			if f.rate < 0 || f.rate > 1_000_000 {
				err = fmt.Errorf("--%s = %d is invalid: accepted an integer from 0 to 1000000", FlagSamplingRate, f.rate)
				return
			}
			c.SamplingRatePerMillion = f.rate
		}
	})
	return err
}
