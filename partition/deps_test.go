package partition

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDependencies: asking what can be offloaded (partition, and clusters
// under it) links neither the executor nor ONNX Runtime nor the offload
// runtime.
func TestDependencies(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH")
	}
	for _, pkg := range []string{"github.com/tfoffload/tfoffload/partition", "github.com/tfoffload/tfoffload/clusters"} {
		out, err := exec.Command(goTool, "list", "-deps", pkg).Output()
		require.NoError(t, err, "go list -deps %s", pkg)
		for _, dep := range strings.Fields(string(out)) {
			for _, banned := range []string{"/tfexec", "/engine", "/offload"} {
				assert.False(t, strings.HasPrefix(dep, "github.com/tfoffload/tfoffload"+banned), "%s depends on %s", pkg, dep)
			}
		}
	}
}
