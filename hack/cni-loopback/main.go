// Command cni-loopback is a CNI plugin that creates nothing. On ADD it reports
// an interface named after CNI_IFNAME inside the pod's network namespace with
// the address 127.0.0.1/8; DEL, CHECK and GC succeed without doing anything.
//
// containerd's CRI plugin insists on an IP for eth0 in the CNI result before
// it lets a pod with its own network namespace start. On a test machine that
// must not gain private-range addresses or bridges, reporting the loopback
// address satisfies that check while leaving the host untouched. test/harness
// installs this binary under its own name and as "loopback" (the plugin
// containerd calls for the pod's lo).
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
)

// supportedVersions lists the CNI spec versions whose result format this
// plugin writes; the format is the same for all of them.
var supportedVersions = []string{"0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"}

// netConf is the part of the network configuration on stdin the plugin reads.
type netConf struct {
	CNIVersion string `json:"cniVersion"`
}

type iface struct {
	Name    string `json:"name"`
	Sandbox string `json:"sandbox,omitempty"`
}

type ipConfig struct {
	Address   string `json:"address"`
	Interface *int   `json:"interface,omitempty"`
	Version   string `json:"version,omitempty"`
}

type result struct {
	CNIVersion string     `json:"cniVersion"`
	Interfaces []iface    `json:"interfaces"`
	IPs        []ipConfig `json:"ips"`
}

type cniError struct {
	CNIVersion string `json:"cniVersion"`
	Code       int    `json:"code"`
	Msg        string `json:"msg"`
}

func main() {
	if err := run(os.Getenv, os.Stdin, os.Stdout); err != nil {
		// The CNI spec wants errors as JSON on stdout and a non-zero exit.
		_ = json.NewEncoder(os.Stdout).Encode(cniError{CNIVersion: "1.0.0", Code: 999, Msg: err.Error()})
		os.Exit(1)
	}
}

func run(getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	switch cmd := getenv("CNI_COMMAND"); cmd {
	case "VERSION":
		return json.NewEncoder(stdout).Encode(map[string]any{
			"cniVersion":        "1.0.0",
			"supportedVersions": supportedVersions,
		})
	case "ADD":
		return add(getenv, stdin, stdout)
	case "DEL", "CHECK", "GC", "STATUS":
		return nil
	default:
		return fmt.Errorf("unknown CNI_COMMAND %q", cmd)
	}
}

func add(getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	var conf netConf
	if err := json.NewDecoder(stdin).Decode(&conf); err != nil {
		return fmt.Errorf("reading network configuration: %w", err)
	}
	if conf.CNIVersion == "" {
		conf.CNIVersion = "1.0.0"
	}
	name := getenv("CNI_IFNAME")
	if name == "" {
		return fmt.Errorf("CNI_IFNAME is empty")
	}
	zero := 0
	ip := ipConfig{Address: "127.0.0.1/8", Interface: &zero}
	if conf.CNIVersion < "0.4" { // 0.3.x results name the IP family.
		ip.Version = "4"
	}
	return json.NewEncoder(stdout).Encode(result{
		CNIVersion: conf.CNIVersion,
		Interfaces: []iface{{Name: name, Sandbox: getenv("CNI_NETNS")}},
		IPs:        []ipConfig{ip},
	})
}
