package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	tests := []struct {
		name      string
		env       map[string]string
		stdin     string
		wantErr   string
		wantOut   string // substring of stdout; "" means stdout must be empty
		wantIP    string
		wantIface string
	}{
		{
			name:    "version lists 1.0.0",
			env:     map[string]string{"CNI_COMMAND": "VERSION"},
			wantOut: `"1.0.0"`,
		},
		{
			name:      "add reports eth0 with the loopback address",
			env:       map[string]string{"CNI_COMMAND": "ADD", "CNI_IFNAME": "eth0", "CNI_NETNS": "/var/run/netns/cni-1"},
			stdin:     `{"cniVersion": "1.0.0", "name": "n", "type": "crio-trace-loopback"}`,
			wantOut:   `"cniVersion":"1.0.0"`,
			wantIP:    "127.0.0.1/8",
			wantIface: "eth0",
		},
		{
			name:      "add with a 0.3.1 config names the IP version",
			env:       map[string]string{"CNI_COMMAND": "ADD", "CNI_IFNAME": "lo", "CNI_NETNS": "/proc/1/ns/net"},
			stdin:     `{"cniVersion": "0.3.1", "name": "n", "type": "loopback"}`,
			wantOut:   `"version":"4"`,
			wantIP:    "127.0.0.1/8",
			wantIface: "lo",
		},
		{
			name: "del does nothing",
			env:  map[string]string{"CNI_COMMAND": "DEL", "CNI_IFNAME": "eth0"},
		},
		{
			name:    "add without an interface name fails",
			env:     map[string]string{"CNI_COMMAND": "ADD"},
			stdin:   `{"cniVersion": "1.0.0"}`,
			wantErr: "CNI_IFNAME is empty",
		},
		{
			name:    "add with a broken config fails",
			env:     map[string]string{"CNI_COMMAND": "ADD", "CNI_IFNAME": "eth0"},
			stdin:   `{`,
			wantErr: "reading network configuration",
		},
		{
			name:    "unknown command fails",
			env:     map[string]string{"CNI_COMMAND": "FROB"},
			wantErr: `unknown CNI_COMMAND "FROB"`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			err := run(func(k string) string { return tc.env[k] }, strings.NewReader(tc.stdin), &out)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("run() error = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("run() error = %v", err)
			}
			if tc.wantOut == "" && out.Len() != 0 {
				t.Fatalf("stdout = %q, want nothing", out.String())
			}
			if !strings.Contains(out.String(), tc.wantOut) {
				t.Fatalf("stdout = %q, want it to contain %q", out.String(), tc.wantOut)
			}
			if tc.wantIP == "" {
				return
			}
			var res result
			if err := json.Unmarshal(out.Bytes(), &res); err != nil {
				t.Fatalf("decoding result: %v", err)
			}
			if len(res.IPs) != 1 || res.IPs[0].Address != tc.wantIP || res.IPs[0].Interface == nil || *res.IPs[0].Interface != 0 {
				t.Errorf("ips = %+v, want one %s on interface 0", res.IPs, tc.wantIP)
			}
			if len(res.Interfaces) != 1 || res.Interfaces[0].Name != tc.wantIface || res.Interfaces[0].Sandbox != tc.env["CNI_NETNS"] {
				t.Errorf("interfaces = %+v, want %s in sandbox %s", res.Interfaces, tc.wantIface, tc.env["CNI_NETNS"])
			}
		})
	}
}
