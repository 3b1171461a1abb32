package bench

import (
	"testing"
)

// TestServerIndex checks the instrument BenchmarkScale and BenchmarkChurn
// read in the server's process: the attribute index counts the pods and
// containers kubelet's client created there, and drops back to zero once
// they are removed, so a bounded index the benchmarks report is the
// server's, not a reading that is always zero.
func TestServerIndex(t *testing.T) {
	for _, name := range scaleStacks {
		t.Run(name, func(t *testing.T) {
			s := stackByName(t, name)
			st := s.start(t)
			k := st.connect(t, s.sampled)
			ctx := quiet(t.Context())
			if sb, c := st.index(t); sb != 0 || c != 0 {
				t.Fatalf("a new server's index holds %d sandboxes and %d containers, want none", sb, c)
			}
			const pods = 7
			if err := populate(ctx, k, pods); err != nil {
				t.Fatal(err)
			}
			if sb, c := st.index(t); sb != pods || c != pods {
				t.Fatalf("after %d pods of one container the index holds %d sandboxes and %d containers", pods, sb, c)
			}
			if err := churnPod(ctx, k, 1); err != nil {
				t.Fatal(err)
			}
			if sb, c := st.index(t); sb != pods || c != pods {
				t.Fatalf("a pod created and removed left the index at %d sandboxes and %d containers, want %d of each", sb, c, pods)
			}
		})
	}
}
