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
		DumpDir: "/tmp/x", CacheSize: "4",
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
		LogPlacement: "yes please", DisabledOps: "Conv2D;MatMul",
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
	for _, n := range []string{Backend, Disable, DisabledOps, MinNontrivialNodes, MaxClusters, DynamicFallback, LogPlacement, DumpDir, CacheSize} {
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
