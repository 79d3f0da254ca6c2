package sysmem

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCgroupLimits(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  []Limit
	}{
		{
			name: "v2 own limit and a lower ancestor",
			files: map[string]string{
				"proc/self/cgroup": "0::/user.slice/app.scope\n",
				"sys/fs/cgroup/user.slice/app.scope/memory.max": "8589934592\n",
				"sys/fs/cgroup/user.slice/memory.max":           "4294967296\n",
				"sys/fs/cgroup/memory.max":                      "max\n",
			},
			want: []Limit{{8 << 30, "cgroup v2 memory.max"}, {4 << 30, "cgroup v2 memory.max"}},
		},
		{
			name: "v2 in a container: the process's path is not under the mount",
			files: map[string]string{
				"proc/self/cgroup":         "0::/kubepods/pod1/ctr\n",
				"sys/fs/cgroup/memory.max": "1073741824",
			},
			want: []Limit{{1 << 30, "cgroup v2 memory.max"}},
		},
		{
			name: "v1 with the unlimited sentinel and a real limit",
			files: map[string]string{
				"proc/self/cgroup": "9:name=systemd:/\n4:cpu,memory:/docker/abc\n0::/\n",
				"sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes": "536870912\n",
				"sys/fs/cgroup/memory/memory.limit_in_bytes":            "9223372036854771712\n",
			},
			want: []Limit{{512 << 20, "cgroup v1 memory.limit_in_bytes"}},
		},
		{
			name:  "no cgroup file",
			files: map[string]string{},
		},
		{
			name: "garbage is ignored",
			files: map[string]string{
				"proc/self/cgroup":         "nonsense\n0::/\n",
				"sys/fs/cgroup/memory.max": "lots",
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			for name, content := range tc.files {
				p := filepath.Join(root, name)
				require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
				require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
			}
			assert.Equal(t, tc.want, cgroupLimits(root, readCgroupFile))
		})
	}
}

func TestLowest(t *testing.T) {
	phys := Limit{16 << 30, "physical memory"}
	assert.Equal(t, phys, lowest(phys, nil, []Limit{{0, "zero"}, {32 << 30, "higher"}}))
	assert.Equal(t, Limit{1 << 30, "RLIMIT_DATA"}, lowest(phys, []Limit{{2 << 30, "cgroup"}}, []Limit{{1 << 30, "RLIMIT_DATA"}}))
}

func TestAvailable(t *testing.T) {
	l := Available()
	assert.Positive(t, l.Bytes)
	assert.NotEmpty(t, l.Source)
	assert.LessOrEqual(t, l.Bytes, physical().Bytes)
}
