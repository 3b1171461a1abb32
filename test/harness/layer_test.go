package harness

import (
	"archive/tar"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestWriteLayer(t *testing.T) {
	hostFile := filepath.Join(t.TempDir(), "payload")
	if err := os.WriteFile(hostFile, []byte("from the host"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		entries []layerEntry
		want    map[string]string // name -> content or link target
	}{
		{
			name:    "regular file copied from the host",
			entries: []layerEntry{{name: "pause", typ: tar.TypeReg, mode: 0o755, src: hostFile}},
			want:    map[string]string{"pause": "from the host"},
		},
		{
			name: "directory, inline file and symlink",
			entries: []layerEntry{
				{name: "etc", typ: tar.TypeDir, mode: 0o755},
				{name: "etc/passwd", typ: tar.TypeReg, mode: 0o644, body: []byte("root:x:0:0::/:/bin/sh\n")},
				{name: "bin/sh", typ: tar.TypeSymlink, mode: 0o777, linkname: "/bin/busybox"},
			},
			want: map[string]string{"etc/": "", "etc/passwd": "root:x:0:0::/:/bin/sh\n", "bin/sh": "/bin/busybox"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "layer.tar")
			if err := writeLayer(p, tc.entries); err != nil {
				t.Fatalf("writeLayer: %v", err)
			}
			got := readTar(t, p)
			if len(got) != len(tc.want) {
				t.Fatalf("layer has %v, want %v", got, tc.want)
			}
			for name, want := range tc.want {
				if got[name] != want {
					t.Errorf("%s = %q, want %q", name, got[name], want)
				}
			}
		})
	}
}

func TestWriteLayerMissingSource(t *testing.T) {
	p := filepath.Join(t.TempDir(), "layer.tar")
	err := writeLayer(p, []layerEntry{{name: "x", typ: tar.TypeReg, src: filepath.Join(t.TempDir(), "absent")}})
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("writeLayer error = %v, want one wrapping os.ErrNotExist", err)
	}
}

// TestBusyboxLayer needs Debian's busybox-static; it checks the applets
// critest and the harness's tests run are in the layer.
func TestBusyboxLayer(t *testing.T) {
	if err := isStatic(busyboxPath); err != nil {
		t.Skipf("no static busybox here (install busybox-static): %v", err)
	}
	entries, err := busyboxLayer(Tools{Busybox: busyboxPath})
	if err != nil {
		t.Fatalf("busyboxLayer: %v", err)
	}
	p := filepath.Join(t.TempDir(), "layer.tar")
	if err := writeLayer(p, entries); err != nil {
		t.Fatalf("writeLayer: %v", err)
	}
	got := readTar(t, p)
	for _, name := range []string{"bin/sh", "bin/echo", "bin/sleep", "bin/cat", "bin/ls", "usr/bin/top"} {
		if got[name] != "bin/busybox" {
			t.Errorf("%s is a hard link to %q, want bin/busybox", name, got[name])
		}
	}
	for _, name := range []string{"tmp/", "etc/passwd", "bin/busybox"} {
		if _, ok := got[name]; !ok {
			t.Errorf("layer lacks %s", name)
		}
	}
}

// readTar maps each entry of the tar file at p to its content (files) or
// link target (symlinks and hard links); directories map to "".
func readTar(t *testing.T, p string) map[string]string {
	t.Helper()
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got := map[string]string{}
	tr := tar.NewReader(f)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return got
		}
		if err != nil {
			t.Fatalf("reading %s: %v", p, err)
		}
		switch hdr.Typeflag {
		case tar.TypeSymlink, tar.TypeLink:
			got[hdr.Name] = hdr.Linkname
		case tar.TypeReg:
			b, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			if hdr.Name == "bin/busybox" {
				b = nil // too big to keep
			}
			got[hdr.Name] = string(b)
		default:
			got[hdr.Name] = ""
		}
	}
}
