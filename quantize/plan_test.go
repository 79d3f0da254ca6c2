package quantize

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func validPlan() *Plan {
	return &Plan{Format: Format, Mode: Int8, Method: Entropy, Rounding: GPTQ, Model: "model/model.json",
		Clusters: []ClusterPlan{{ID: 0, Ranges: []Range{{Tensor: "a", Min: -1, Max: 1}, {Tensor: "b", Min: 0, Max: 6}},
			Weights: []LayerWeights{{Layer: "conv", Delta: []byte{1, 2}}, {Layer: "fc", Delta: []byte{3}}}}, {ID: 2}},
		Reverted: []string{"conv"}}
}

func TestPlanRoundTrip(t *testing.T) {
	p := validPlan()
	data, err := p.Marshal()
	require.NoError(t, err)
	back, err := ParsePlan(data)
	require.NoError(t, err)
	assert.Equal(t, p, back)
	again, err := back.Marshal()
	require.NoError(t, err)
	assert.Equal(t, data, again)
	assert.Equal(t, &p.Clusters[1], p.Cluster(2))
	assert.Nil(t, p.Cluster(1))
}

func TestParsePlanRefuses(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(p *Plan)
	}{
		{"format", func(p *Plan) { p.Format = "tfoffload-quantized/9" }},
		{"mode", func(p *Plan) { p.Mode = "int4" }},
		{"method", func(p *Plan) { p.Method = "median" }},
		{"calibration for fp16", func(p *Plan) { p.Mode = FP16 }},
		{"model outside", func(p *Plan) { p.Model = "../x.pb" }},
		{"absolute model", func(p *Plan) { p.Model = "/etc/x.pb" }},
		{"cluster order", func(p *Plan) { p.Clusters[1].ID = 0 }},
		{"negative cluster", func(p *Plan) { p.Clusters[0].ID = -1 }},
		{"range order", func(p *Plan) { p.Clusters[0].Ranges[1].Tensor = "a" }},
		{"empty tensor", func(p *Plan) { p.Clusters[0].Ranges[0].Tensor = "" }},
		{"inverted range", func(p *Plan) { p.Clusters[0].Ranges[0].Min = 2 }},
		{"reverted twice", func(p *Plan) { p.Reverted = []string{"a", "a"} }},
		{"rounding", func(p *Plan) { p.Rounding = "stochastic" }},
		{"weights without gptq", func(p *Plan) { p.Rounding = Nearest }},
		{"weights order", func(p *Plan) { p.Clusters[0].Weights[1].Layer = "conv" }},
		{"empty weights", func(p *Plan) { p.Clusters[0].Weights[0].Delta = nil }},
		{"rounding for fp16", func(p *Plan) { p.Mode, p.Method, p.Clusters = FP16, "", nil }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := validPlan()
			tc.edit(p)
			_, err := p.Marshal()
			assert.ErrorIs(t, err, ErrPlan)
		})
	}
	for name, data := range map[string]string{
		"not json":      "{",
		"unknown field": `{"format":"tfoffload-quantized/1","mode":"fp16","extra":1}`,
		"trailing":      `{"format":"tfoffload-quantized/1","mode":"fp16"} {}`,
		"nan":           `{"format":"tfoffload-quantized/1","mode":"int8","clusters":[{"id":0,"ranges":[{"tensor":"a","min":NaN,"max":1}]}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ParsePlan([]byte(data))
			assert.ErrorIs(t, err, ErrPlan)
		})
	}
}

func FuzzParsePlan(f *testing.F) {
	data, err := validPlan().Marshal()
	require.NoError(f, err)
	f.Add(data)
	f.Add([]byte(`{"format":"tfoffload-quantized/1","mode":"fp16","model":"model/m.pb"}`))
	f.Add([]byte(`{"format":"tfoffload-quantized/1","mode":"int8","clusters":[{"id":0,"ranges":[{"tensor":"a","min":-1e38,"max":1e38}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParsePlan(data)
		if err != nil {
			require.ErrorIs(t, err, ErrPlan)
			return
		}
		// A plan that parses marshals, and parses back to the same
		// bytes.
		out, err := p.Marshal()
		require.NoError(t, err)
		back, err := ParsePlan(out)
		require.NoError(t, err)
		again, err := back.Marshal()
		require.NoError(t, err)
		require.Equal(t, out, again)
	})
}

func TestWriteAndOpen(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	require.NoError(t, os.MkdirAll(src, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(src, "model.json"), []byte(`{"weightsManifest":[{"paths":["group1-shard1of1.bin"]}]}`), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(src, "group1-shard1of1.bin"), []byte{1, 2, 3}, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(src, "unrelated.txt"), []byte("x"), 0o644))

	out := filepath.Join(dir, "q")
	p := validPlan()
	p.Model = ""
	require.NoError(t, Write(out, Output{Plan: p, Model: filepath.Join(src, "model.json"), ONNX: map[string][]byte{"cluster_0.onnx": {9}}}))
	assert.True(t, IsQuantized(out))
	got, model, err := Open(out)
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(out, "model", "model.json"), model)
	assert.Equal(t, "model/model.json", got.Model)
	assert.FileExists(t, filepath.Join(out, "model", "group1-shard1of1.bin"))
	assert.NoFileExists(t, filepath.Join(out, "model", "unrelated.txt"))
	assert.FileExists(t, filepath.Join(out, "onnx", "cluster_0.onnx"))

	t.Run("exists", func(t *testing.T) {
		err := Write(out, Output{Plan: p, Model: filepath.Join(src, "model.json")})
		assert.ErrorIs(t, err, ErrExists)
	})
	t.Run("nothing half written", func(t *testing.T) {
		bad := filepath.Join(dir, "bad")
		err := Write(bad, Output{Plan: p, Model: filepath.Join(src, "missing.pb")})
		require.Error(t, err)
		entries, err := os.ReadDir(dir)
		require.NoError(t, err)
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		assert.ElementsMatch(t, []string{"src", "q"}, names, "no output and no temporary folder left")
	})
	t.Run("shard outside", func(t *testing.T) {
		require.NoError(t, os.WriteFile(filepath.Join(src, "evil.json"), []byte(`{"weightsManifest":[{"paths":["../x.bin"]}]}`), 0o644))
		err := Write(filepath.Join(dir, "evil"), Output{Plan: p, Model: filepath.Join(src, "evil.json")})
		require.Error(t, err)
		assert.NoDirExists(t, filepath.Join(dir, "evil"))
	})
	t.Run("bad manifest", func(t *testing.T) {
		bad := filepath.Join(dir, "badmanifest")
		require.NoError(t, os.MkdirAll(bad, 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(bad, ManifestName), []byte(`{"format":"x"}`), 0o644))
		_, _, err := Open(bad)
		assert.ErrorIs(t, err, ErrPlan)
	})
}
