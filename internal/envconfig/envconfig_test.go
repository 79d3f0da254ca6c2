package envconfig

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func lookup(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestDefaults(t *testing.T) {
	c, err := LoadFrom(lookup(nil))
	require.NoError(t, err)
	assert.Equal(t, Config{DynamicFallback: true, CacheSize: DefaultCacheSize}, c)
}

func TestParse(t *testing.T) {
	c, err := LoadFrom(lookup(map[string]string{
		Backend: "gpu", Disable: "true", DisabledOps: " MatMul, Conv2D,,MatMul ",
		MinNontrivialNodes: "3", MaxClusters: "2", DynamicFallback: "0", LogPlacement: "1",
		DumpDir: "/tmp/x", CacheSize: "4", MaxTensorBytes: "4GiB", MaxRunBytes: " 1000000 ",
	}))
	require.NoError(t, err)
	assert.Equal(t, "GPU", c.Backend)
	assert.True(t, c.Disable)
	assert.Equal(t, []string{"Conv2D", "MatMul"}, c.DisabledOps)
	require.NotNil(t, c.MinNontrivialNodes)
	assert.Equal(t, 3, *c.MinNontrivialNodes)
	assert.Equal(t, 2, c.MaxClusters)
	assert.False(t, c.DynamicFallback)
	assert.True(t, c.LogPlacement)
	assert.Equal(t, "/tmp/x", c.DumpDir)
	assert.Equal(t, 4, c.CacheSize)
	assert.Equal(t, Memory{MaxTensorBytes: 4 << 30, MaxRunBytes: 1e6}, c.Memory)
}

func TestEmptyMeansUnset(t *testing.T) {
	c, err := LoadFrom(lookup(map[string]string{MinNontrivialNodes: " ", DynamicFallback: ""}))
	require.NoError(t, err)
	assert.Nil(t, c.MinNontrivialNodes)
	assert.True(t, c.DynamicFallback)
}

func TestStrictErrorsNameTheVariable(t *testing.T) {
	for name, val := range map[string]string{
		Disable: "maybe", MinNontrivialNodes: "six", MaxClusters: "-1", CacheSize: "0", DynamicFallback: "2",
		LogPlacement: "yes please", DisabledOps: "Conv2D;MatMul", MaxTensorBytes: "4 gigs", MaxRunBytes: "-1",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := LoadFrom(lookup(map[string]string{name: val}))
			require.Error(t, err)
			assert.Contains(t, err.Error(), name)
			assert.Contains(t, err.Error(), val)
		})
	}
}

func TestVarsDocumentEveryConstant(t *testing.T) {
	names := map[string]bool{}
	for _, v := range Vars() {
		assert.NotEmpty(t, v.Help, v.Name)
		names[v.Name] = true
	}
	for _, n := range []string{Backend, Disable, DisabledOps, MinNontrivialNodes, MaxClusters, DynamicFallback, LogPlacement, DumpDir, CacheSize,
		MaxTensorBytes, MaxRunBytes} {
		assert.True(t, names[n], n)
	}
}

func TestDisabledOpsSyntax(t *testing.T) {
	for _, v := range []string{"Conv2D MatMul", "conv2d", "Conv2D,mat-mul", "2D"} {
		t.Run(v, func(t *testing.T) {
			_, err := LoadFrom(lookup(map[string]string{DisabledOps: v}))
			require.Error(t, err)
			assert.Contains(t, err.Error(), DisabledOps)
			assert.Contains(t, err.Error(), "is not an op type name")
		})
	}
	c, err := LoadFrom(lookup(map[string]string{DisabledOps: "_FusedConv2D,NoSuchOp,Conv2DBackpropInput"}))
	require.NoError(t, err, "well-formed names are accepted; whether they are ops is checked where the list is applied")
	assert.Equal(t, []string{"Conv2DBackpropInput", "NoSuchOp", "_FusedConv2D"}, c.DisabledOps)
}

func TestParseBytes(t *testing.T) {
	for in, want := range map[string]int64{
		"1": 1, "1048576": 1 << 20, "4GiB": 4 << 30, "4 gib": 4 << 30, "512MiB": 512 << 20, "3KiB": 3 << 10,
		"2TiB": 2 << 40, "5KB": 5000, "5 MB": 5e6, "7GB": 7e9, "1TB": 1e12, "10B": 10, " 8 GiB ": 8 << 30,
		"9223372036854775807": 1<<63 - 1, "8388607TiB": 8388607 << 40,
	} {
		got, err := ParseBytes(in)
		if assert.NoError(t, err, in) {
			assert.Equal(t, want, got, in)
		}
	}
	for _, in := range []string{"", "0", "-1", "+5", "1.5GiB", "GiB", "4 gigs", "0x10", "4PiB4", "8388608TiB", "9223372036854775808", "4 G"} {
		_, err := ParseBytes(in)
		assert.Error(t, err, in)
	}
}

func TestLoadMemoryReadsOnlyItsVariables(t *testing.T) {
	t.Setenv(CacheSize, "not a number")
	t.Setenv(MaxTensorBytes, "2MiB")
	m, err := LoadMemory()
	require.NoError(t, err)
	assert.Equal(t, Memory{MaxTensorBytes: 2 << 20}, m)
	t.Setenv(MaxRunBytes, "lots")
	_, err = LoadMemory()
	assert.ErrorContains(t, err, MaxRunBytes)
}
