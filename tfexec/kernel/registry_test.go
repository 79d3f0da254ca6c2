package kernel

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/tensor"
)

func noKernel(*Node) (Kernel, error) { return nil, nil }

func TestRegisterNormalizesRows(t *testing.T) {
	Register(
		Def{Op: "RegistryTestB", DTypes: []tensor.DType{tensor.Int64, tensor.Float32}, New: noKernel},
		Def{Op: "RegistryTestA", DTypes: []tensor.DType{tensor.Bool}, TypeAttr: "dtype", New: noKernel},
		Def{Op: "RegistryTestC", New: noKernel},
	)
	var got []Def
	for _, d := range Defs() {
		if d.Op == "RegistryTestA" || d.Op == "RegistryTestB" || d.Op == "RegistryTestC" {
			got = append(got, d)
		}
	}
	require.Len(t, got, 3)
	assert.Equal(t, "RegistryTestA", got[0].Op, "sorted by op")
	assert.Equal(t, "dtype", got[0].TypeAttr)
	assert.Equal(t, []tensor.DType{tensor.Float32, tensor.Int64}, got[1].DTypes, "sorted dtypes")
	assert.Equal(t, "T", got[1].TypeAttr, "default type attribute")
	assert.Nil(t, got[2].DTypes)
	assert.Empty(t, got[2].TypeAttr, "no type attribute without dtypes")

	got[1].DTypes[0] = tensor.String
	i := slices.IndexFunc(Defs(), func(d Def) bool { return d.Op == "RegistryTestB" })
	assert.Equal(t, tensor.Float32, Defs()[i].DTypes[0], "Defs returns copies")

	f, ok := Lookup("RegistryTestB")
	assert.True(t, ok)
	assert.NotNil(t, f)
	_, ok = Lookup("RegistryTestMissing")
	assert.False(t, ok)
	assert.Contains(t, Ops(), "RegistryTestC")
}

func TestRegisterRefusesBadRows(t *testing.T) {
	Register(Def{Op: "RegistryTestDup", New: noKernel})
	tests := []struct {
		name string
		def  Def
	}{
		{"duplicate op", Def{Op: "RegistryTestDup", New: noKernel}},
		{"no op", Def{New: noKernel}},
		{"no factory", Def{Op: "RegistryTestNoFactory"}},
		{"type attribute without dtypes", Def{Op: "RegistryTestNoTypes", TypeAttr: "dtype", New: noKernel}},
		{"repeated dtype", Def{Op: "RegistryTestRepeated", DTypes: []tensor.DType{tensor.Int32, tensor.Int32}, New: noKernel}},
		{"invalid dtype", Def{Op: "RegistryTestInvalid", DTypes: []tensor.DType{tensor.Invalid}, New: noKernel}},
		{"empty dtypes", Def{Op: "RegistryTestEmpty", DTypes: []tensor.DType{}, New: noKernel}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Panics(t, func() { Register(tc.def) })
			if tc.def.Op != "RegistryTestDup" {
				_, ok := Lookup(tc.def.Op)
				assert.False(t, ok, "a refused row is not registered")
			}
		})
	}
}

func TestTypeSets(t *testing.T) {
	assert.Len(t, FloatTypes(), 4)
	assert.Len(t, IntegerTypes(), 8)
	assert.Len(t, RealTypes(), 12)
	assert.Len(t, NumberTypes(), 14)
	assert.Len(t, FixedSizeTypes(), 15)
	assert.ElementsMatch(t, tensor.AllDTypes(), append(append(FixedSizeTypes(), QuantizedTypes()...), tensor.String, tensor.Resource, tensor.Variant))
	for _, dt := range FixedSizeTypes() {
		assert.True(t, dt.FixedSize(), "%v", dt)
	}
	a := RealTypes()
	_ = append(a[:1], tensor.String)
	assert.NotContains(t, RealTypes(), tensor.String, "each call returns a new slice")
}
