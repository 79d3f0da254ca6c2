package backends

import (
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/tfoffload/tfoffload/internal/testutil/enginetest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/engine"
)

func TestLookup(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" for unknown
	}{
		{"CPU", "CPU"},
		{"cpu", "CPU"},
		{" Gpu ", "GPU"},
		{"cuda", "GPU"},
		{"CUDA", "GPU"},
		{"TensorRT", "TENSORRT"},
		{"openvino", "OPENVINO"},
		{"openvino_npu", "OPENVINO_NPU"},
		{"DirectML", "DIRECTML"},
		{"coreml", "COREML"},
		{"tpu", ""},
		{"", ""},
		{"OPENVINO-GPU", ""},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			s, ok := lookup(tc.in)
			assert.Equal(t, tc.want != "", ok)
			assert.Equal(t, tc.want, s.name)
		})
	}
}

func TestTable(t *testing.T) {
	names := make([]string, len(table))
	for i, s := range table {
		names[i] = s.name
		assert.NotEmpty(t, s.description, s.name)
		assert.NotEmpty(t, s.providers, s.name)
	}
	assert.IsIncreasing(t, names, "the table must stay sorted by name")
	for name, device := range map[string]string{"OPENVINO_CPU": "CPU", "OPENVINO_GPU": "GPU", "OPENVINO_NPU": "NPU"} {
		s, ok := lookup(name)
		require.True(t, ok, name)
		assert.Equal(t, []engine.Provider{{Name: openvinoEP, Options: map[string]string{"device_type": device}}}, s.providers)
	}
	s, _ := lookup("OPENVINO")
	assert.Empty(t, s.providers[0].Options, "plain OPENVINO leaves the device to OpenVINO")
}

func TestProbe(t *testing.T) {
	all := []string{engine.CPUProvider, cudaEP, tensorrtEP, openvinoEP, dmlEP, coremlEP}
	tests := []struct {
		name      string
		available func() ([]string, error)
		try       func([]engine.Provider) error
		want      map[string]string // backend -> reason prefix; absent: usable
	}{
		{
			name:      "no library",
			available: func() ([]string, error) { return nil, errors.New("library not found\nsecond line") },
			want: map[string]string{
				"CPU": "ONNX Runtime is not available: library not found", "GPU": "ONNX Runtime is not available",
				"TENSORRT": "ONNX Runtime is not available", "OPENVINO": "ONNX Runtime is not available",
				"OPENVINO_CPU": "ONNX Runtime is not available", "OPENVINO_GPU": "ONNX Runtime is not available",
				"OPENVINO_NPU": "ONNX Runtime is not available", "DIRECTML": "ONNX Runtime is not available",
				"COREML": "ONNX Runtime is not available",
			},
		},
		{
			name:      "listed but broken",
			available: func() ([]string, error) { return []string{tensorrtEP, cudaEP, engine.CPUProvider}, nil },
			try: func(ps []engine.Provider) error {
				if ps[0].Name == engine.CPUProvider {
					return nil
				}
				return &engine.Error{Op: "append provider", Code: engine.CodeFail, Msg: "Failed to load shared library\ndetails"}
			},
			want: map[string]string{
				"GPU":          "listed, but a session cannot use it: Failed to load shared library",
				"TENSORRT":     "listed, but a session cannot use it: Failed to load shared library",
				"OPENVINO":     "this ONNX Runtime build has no OpenVINOExecutionProvider (it has CPUExecutionProvider, CUDAExecutionProvider, TensorrtExecutionProvider)",
				"OPENVINO_CPU": "this ONNX Runtime build has no OpenVINOExecutionProvider",
				"OPENVINO_GPU": "this ONNX Runtime build has no OpenVINOExecutionProvider",
				"OPENVINO_NPU": "this ONNX Runtime build has no OpenVINOExecutionProvider",
				"DIRECTML":     "this ONNX Runtime build has no DmlExecutionProvider",
				"COREML":       "this ONNX Runtime build has no CoreMLExecutionProvider",
			},
		},
		{
			name:      "OpenVINO without an NPU",
			available: func() ([]string, error) { return all, nil },
			try: func(ps []engine.Provider) error {
				if ps[0].Options["device_type"] == "NPU" {
					return errors.New("[OpenVINO-EP] Specified device NPU is not available")
				}
				return nil
			},
			want: map[string]string{"OPENVINO_NPU": "listed, but a session cannot use it: [OpenVINO-EP] Specified device NPU is not available"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := probe(tc.available, tc.try)
			require.Len(t, got, len(table))
			for _, s := range table {
				reason := got[s.name]
				want, unusable := tc.want[s.name]
				if !unusable {
					assert.Empty(t, reason, s.name)
					continue
				}
				assert.True(t, strings.HasPrefix(reason, want), "%s: reason %q, want prefix %q", s.name, reason, want)
				assert.NotContains(t, reason, "\n", "%s: reasons are one line", s.name)
			}
		})
	}
}

func TestList(t *testing.T) {
	enginetest.Require(t)
	infos := List()
	require.Len(t, infos, len(table))
	var names []string
	for _, info := range infos {
		names = append(names, info.Name)
		assert.NotEmpty(t, info.Providers, info.Name)
		assert.NotEmpty(t, info.Description, info.Name)
		if info.Usable {
			assert.Empty(t, info.Reason, info.Name)
		} else {
			assert.NotEmpty(t, info.Reason, info.Name)
			assert.NotContains(t, info.Reason, "\n", info.Name)
		}
	}
	assert.IsIncreasing(t, names)
	cpu := infos[1]
	require.Equal(t, "CPU", cpu.Name)
	assert.True(t, cpu.Usable, "CPU must always be usable: %s", cpu.Reason)
	gpu := infos[3]
	require.Equal(t, "GPU", gpu.Name)
	assert.Equal(t, []string{"CUDA"}, gpu.Aliases)

	// Callers get copies.
	infos[3].Aliases[0] = "changed"
	assert.Equal(t, []string{"CUDA"}, List()[3].Aliases)
}

func TestGet(t *testing.T) {
	enginetest.Require(t)
	t.Run("cpu", func(t *testing.T) {
		b, err := Get("cpu")
		require.NoError(t, err)
		assert.Equal(t, "CPU", b.Name())
		assert.Equal(t, []engine.Provider{{Name: engine.CPUProvider}}, b.Providers())

		base := engine.SessionOptions{IntraOpThreads: 3, Providers: []engine.Provider{{Name: "Other"}}}
		opts := b.SessionOptions(base)
		assert.Equal(t, 3, opts.IntraOpThreads)
		assert.Equal(t, b.Providers(), opts.Providers)
		assert.Equal(t, "Other", base.Providers[0].Name, "SessionOptions must not modify its argument")
	})
	t.Run("unknown", func(t *testing.T) {
		_, err := Get("tpu")
		require.ErrorIs(t, err, ErrUnknownBackend)
		assert.ErrorContains(t, err, `"tpu"`)
		assert.ErrorContains(t, err, "usable backends: CPU")
	})
	t.Run("every known name", func(t *testing.T) {
		for _, info := range List() {
			for _, name := range append([]string{info.Name, strings.ToLower(info.Name)}, info.Aliases...) {
				b, err := Get(name)
				if info.Usable {
					require.NoError(t, err, name)
					assert.Equal(t, info.Name, b.Name())
					continue
				}
				require.ErrorIs(t, err, ErrUnavailable, name)
				assert.ErrorContains(t, err, info.Name)
				assert.ErrorContains(t, err, info.Reason)
			}
		}
	})
	t.Run("providers are copies", func(t *testing.T) {
		b, err := Get("CPU")
		require.NoError(t, err)
		ps := b.Providers()
		ps[0].Name = "changed"
		assert.Equal(t, engine.CPUProvider, b.Providers()[0].Name)
	})
}

func TestInfoJSON(t *testing.T) {
	b, err := json.Marshal(Info{Name: "GPU", Aliases: []string{"CUDA"}, Description: "d",
		Providers: []string{cudaEP}, Reason: "r"})
	require.NoError(t, err)
	assert.JSONEq(t, `{"name":"GPU","aliases":["CUDA"],"description":"d","providers":["CUDAExecutionProvider"],"usable":false,"reason":"r"}`, string(b))
}

func TestConcurrentUse(t *testing.T) {
	enginetest.Require(t)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			assert.Len(t, List(), len(table))
			_, err := Get("CPU")
			assert.NoError(t, err)
		})
	}
	wg.Wait()
}

func TestProbeModelRuns(t *testing.T) {
	enginetest.Require(t)
	assert.NoError(t, tryProviders([]engine.Provider{{Name: engine.CPUProvider}}))
	assert.Error(t, tryProviders([]engine.Provider{{Name: dmlEP}}))
}
