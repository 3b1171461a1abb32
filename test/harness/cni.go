package harness

import (
	"fmt"
	"os"
	"path/filepath"
)

// cniNetwork is the name and plugin type of the harness's pod network.
const cniNetwork = "crio-trace-loopback"

// setupCNI gives containerd a CNI bin dir holding hack/cni-loopback (under
// its own name, and as "loopback", the plugin containerd calls for the pod's
// lo) and a conf dir with one network using it. The plugin reports
// 127.0.0.1/8 for eth0 and creates nothing, so pods with their own network
// namespace start without touching the host's network.
func setupCNI(root string, tools Tools) (binDir, confDir string, err error) {
	binDir = filepath.Join(root, "cni", "bin")
	confDir = filepath.Join(root, "cni", "net.d")
	for _, d := range []string{binDir, confDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return "", "", fmt.Errorf("creating CNI directory: %w", err)
		}
	}
	for _, name := range []string{cniNetwork, "loopback"} {
		if err := os.Symlink(tools.CNILoopback, filepath.Join(binDir, name)); err != nil {
			return "", "", fmt.Errorf("installing CNI plugin %q: %w", name, err)
		}
	}
	conf := fmt.Sprintf(`{"cniVersion": "1.0.0", "name": %q, "plugins": [{"type": %q}]}`+"\n", cniNetwork, cniNetwork)
	if err := os.WriteFile(filepath.Join(confDir, "10-"+cniNetwork+".conflist"), []byte(conf), 0o644); err != nil {
		return "", "", fmt.Errorf("writing CNI config: %w", err)
	}
	return binDir, confDir, nil
}
