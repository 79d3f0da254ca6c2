package ptq

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/bridge"
	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/testutil"
	"github.com/tfoffload/tfoffload/internal/testutil/enginetest"
	"github.com/tfoffload/tfoffload/quantize"
	"github.com/tfoffload/tfoffload/tensor"
)

// batchOf stacks copies of imgs (each [1, ...]) into one [n, ...] tensor.
func batchOf(t testing.TB, imgs []*tensor.Tensor, n int) *tensor.Tensor {
	t.Helper()
	one := imgs[0].Shape()
	shape := append(tensor.Shape{n}, one[1:]...)
	var raw []byte
	for i := range n {
		raw = append(raw, imgs[i%len(imgs)].Bytes()...)
	}
	out, err := tensor.FromBytes(imgs[0].DType(), shape, raw)
	require.NoError(t, err)
	return out
}

// BenchmarkQuantized runs float32 and Int8 offloaded models side by side
// at batch 1 and 8.
func BenchmarkQuantized(b *testing.B) {
	enginetest.Require(b)
	shared := testutil.SharedModels(b)
	for _, name := range []string{"nsfwjs_mobilenet_v2", "movenet-lightning"} {
		tm := testModel(b, name)
		m, err := graph.Load(filepath.Join(shared, tm.Path))
		require.NoError(b, err)
		imgs := photos(b, shared, tm)
		var calib []map[string]*tensor.Tensor
		for _, img := range imgs {
			calib = append(calib, map[string]*tensor.Tensor{tm.Input: img})
		}
		fetch := tm.Output
		if fetch == "" {
			fetch = m.Outputs()[0].Name
		}
		res, err := Quantize(context.Background(), m, Config{Mode: quantize.Int8, Method: quantize.MinMax, Calib: calib, MaxDrop: -1, Fetch: fetch})
		require.NoError(b, err)
		for _, batch := range []int{1, 8} {
			feeds := map[string]*tensor.Tensor{tm.Input: batchOf(b, imgs, batch)}
			for _, prec := range []struct {
				name string
				plan *quantize.Plan
			}{{"fp32", nil}, {"int8", res.Plan}} {
				b.Run(fmt.Sprintf("%s/batch=%d/%s", name, batch, prec.name), func(b *testing.B) {
					s, err := bridge.NewSession(m, bridge.WithOffload(true), bridge.WithDynamicFallback(false), bridge.WithOutputs(fetch), bridge.WithPrecision(prec.plan))
					require.NoError(b, err)
					defer s.Close()
					_, err = s.Run(context.Background(), feeds, []string{fetch})
					if err != nil {
						b.Skipf("batch %d: %v", batch, err)
					}
					b.ReportAllocs()
					b.ResetTimer()
					for b.Loop() {
						if _, err := s.Run(context.Background(), feeds, []string{fetch}); err != nil {
							b.Fatal(err)
						}
					}
					b.ReportMetric(float64(batch)*float64(b.N)/b.Elapsed().Seconds(), "inputs/s")
				})
			}
		}
	}
}
