// Command gen writes the fixture models in testdata/models: one small
// classifier (x → MatMul → BiasAdd → Relu → MatMul → Softmax) as a frozen
// GraphDef, a text GraphDef, and a TensorFlow.js graph model whose
// weights use the converter's encodings (uint8 affine quantization,
// float16, plain float32); a small CNN of the converter's fused ops as a
// TensorFlow.js graph model; and the classifier again as a TensorFlow.js
// model whose signature names only its output. They let tests load every format and
// run a real model without ../shared, and seed the fuzz tests.
//
// Run from the repository root: go run ./testdata/gen
package main

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"log"
	"math"
	"os"
	"path/filepath"
	"regexp"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
)

const dir = "testdata/models"

var spaces = regexp.MustCompile(`:\s+`)

// weights are deterministic, varied values.
func weights(shape tensor.Shape, seed float64) *tensor.Tensor {
	v := make([]float32, shape.NumElements())
	for i := range v {
		v[i] = float32(math.Sin(seed+float64(i)*1.7) * 0.8)
	}
	return tensor.MustFromSlice(shape, v)
}

func model() *tfpb.GraphDef {
	var b graph.Builder
	f32 := tensor.Float32
	b.Placeholder("x", f32, graph.ShapeAttr{-1, 4})
	b.Const("w1", weights(tensor.Shape{4, 8}, 1))
	b.Const("b1", weights(tensor.Shape{8}, 2))
	b.Const("w2", weights(tensor.Shape{8, 3}, 3))
	b.Add("mm1", "MatMul", []string{"x", "w1"}, map[string]any{"T": f32})
	b.Add("ba1", "BiasAdd", []string{"mm1", "b1"}, map[string]any{"T": f32})
	b.Add("relu", "Relu", []string{"ba1"}, map[string]any{"T": f32})
	b.Add("mm2", "MatMul", []string{"relu", "w2"}, map[string]any{"T": f32})
	b.Add("probs", "Softmax", []string{"mm2"}, map[string]any{"T": f32})
	g := b.Graph()
	g.Versions = &tfpb.VersionDef{Producer: 1882}
	return g
}

// fusedModel is a small CNN made of the fused ops the TF.js converter
// emits, each with a fused_ops list: _FusedConv2D (BiasAdd, Relu),
// FusedDepthwiseConv2dNative (BiasAdd, Relu6), _FusedMatMul (BiasAdd).
func fusedModel() *tfpb.GraphDef {
	var b graph.Builder
	f32 := tensor.Float32
	conv := func(name, op string, ins []string, fused []string) {
		b.Add(name, op, ins, map[string]any{
			"T": f32, "strides": []int{1, 1, 1, 1}, "padding": "SAME", "data_format": "NHWC",
			"dilations": []int{1, 1, 1, 1}, "fused_ops": fused, "num_args": 1, "epsilon": float32(0),
		})
	}
	b.Placeholder("x", f32, graph.ShapeAttr{-1, 4, 4, 2})
	b.Const("cw", weights(tensor.Shape{2, 2, 2, 3}, 4))
	b.Const("cb", weights(tensor.Shape{3}, 5))
	b.Const("dw", weights(tensor.Shape{3, 3, 3, 1}, 6))
	b.Const("db", weights(tensor.Shape{3}, 7))
	b.Const("mw", weights(tensor.Shape{3, 2}, 8))
	b.Const("mb", weights(tensor.Shape{2}, 9))
	conv("conv", "_FusedConv2D", []string{"x", "cw", "cb"}, []string{"BiasAdd", "Relu"})
	conv("dwconv", "FusedDepthwiseConv2dNative", []string{"conv", "dw", "db"}, []string{"BiasAdd", "Relu6"})
	b.Add("pool", "MaxPool", []string{"dwconv"}, map[string]any{
		"T": f32, "ksize": []int{1, 4, 4, 1}, "strides": []int{1, 1, 1, 1}, "padding": "VALID", "data_format": "NHWC",
	})
	b.Add("flat", "Squeeze", []string{"pool"}, map[string]any{"T": f32, "squeeze_dims": []int{1, 2}})
	b.Add("logits", "_FusedMatMul", []string{"flat", "mw", "mb"}, map[string]any{
		"T": f32, "transpose_a": false, "transpose_b": false, "fused_ops": []string{"BiasAdd"}, "num_args": 1, "epsilon": float32(0),
	})
	b.Add("probs", "Softmax", []string{"logits"}, map[string]any{"T": f32})
	g := b.Graph()
	g.Versions = &tfpb.VersionDef{Producer: 1882}
	return g
}

func main() {
	for _, d := range []string{"mlp_tfjs", "fused_tfjs", "outputs_only_tfjs"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			log.Fatal(err)
		}
	}
	g := model()
	bin, err := proto.MarshalOptions{Deterministic: true}.Marshal(g)
	must(err)
	must(os.WriteFile(filepath.Join(dir, "mlp.pb"), bin, 0o644))
	txt, err := prototext.MarshalOptions{Multiline: true, Indent: "  "}.Marshal(g)
	must(err)
	// protobuf-go varies text-format spacing on purpose; settle it so the
	// file regenerates byte for byte.
	txt = spaces.ReplaceAll(txt, []byte(": "))
	must(os.WriteFile(filepath.Join(dir, "mlp.pbtxt"), txt, 0o644))
	must(writeTFJS(g, filepath.Join(dir, "mlp_tfjs"), nil))
	must(writeTFJS(fusedModel(), filepath.Join(dir, "fused_tfjs"), nil))
	must(writeTFJS(g, filepath.Join(dir, "outputs_only_tfjs"), outputsOnlySignature))
}

type weightSpec struct {
	Name         string         `json:"name"`
	Shape        []int          `json:"shape"`
	DType        string         `json:"dtype"`
	Quantization map[string]any `json:"quantization,omitempty"`
}

// outputsOnlySignature is a model.json signature that names the output
// and no input, as some converters write it: the input must come from the
// graph's placeholder.
var outputsOnlySignature = map[string]any{"outputs": map[string]any{
	"probs:0": map[string]any{"name": "probs:0", "dtype": "DT_FLOAT",
		"tensorShape": map[string]any{"dim": []any{map[string]any{"size": "-1"}, map[string]any{"size": "3"}}}},
}}

// writeTFJS writes the graph as a TF.js graph model: Const values move to
// one weight shard, encoded w1 as uint8 (value = min + q·scale), b1 as
// float16, w2 as float32. A non-nil signature becomes model.json's
// "signature".
func writeTFJS(g *tfpb.GraphDef, out string, signature map[string]any) error {
	topo := proto.Clone(g).(*tfpb.GraphDef)
	var shard []byte
	var specs []weightSpec
	for _, n := range topo.Node {
		if n.GetOp() != "Const" {
			continue
		}
		t, err := graph.AttrsOf(n).Tensor("value")
		if err != nil {
			return err
		}
		vals := tensor.Values[float32](t)
		spec := weightSpec{Name: n.GetName(), Shape: t.Shape(), DType: "float32"}
		switch n.GetName() {
		case "w1":
			lo, hi := vals[0], vals[0]
			for _, v := range vals {
				lo, hi = min(lo, v), max(hi, v)
			}
			scale := (hi - lo) / 255
			spec.Quantization = map[string]any{"dtype": "uint8", "min": lo, "scale": scale}
			for _, v := range vals {
				shard = append(shard, byte(math.Round(float64((v-lo)/scale))))
			}
		case "b1":
			spec.Quantization = map[string]any{"dtype": "float16"}
			for _, v := range vals {
				shard = binary.LittleEndian.AppendUint16(shard, uint16(tensor.NewF16(v)))
			}
		default:
			for _, v := range vals {
				shard = binary.LittleEndian.AppendUint32(shard, math.Float32bits(v))
			}
		}
		specs = append(specs, spec)
		// The converter keeps the Const's dtype and shape, not its data.
		p := n.Attr["value"].GetTensor()
		n.Attr["value"] = &tfpb.AttrValue{Value: &tfpb.AttrValue_Tensor{Tensor: &tfpb.TensorProto{Dtype: p.GetDtype(), TensorShape: p.GetTensorShape()}}}
	}
	topoJSON, err := protojson.Marshal(topo)
	if err != nil {
		return err
	}
	doc := map[string]any{
		"format":        "graph-model",
		"generatedBy":   "tfoffload testdata/gen",
		"convertedBy":   "tfoffload testdata/gen",
		"modelTopology": json.RawMessage(topoJSON),
		"weightsManifest": []any{map[string]any{
			"paths":   []string{"group1-shard1of1.bin"},
			"weights": specs,
		}},
	}
	if signature != nil {
		doc["signature"] = signature
	}
	// Re-indent through a generic value so the file is stable and readable.
	var generic any
	raw, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, &generic); err != nil {
		return err
	}
	pretty, err := json.MarshalIndent(generic, "", " ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "model.json"), append(pretty, '\n'), 0o644); err != nil {
		return err
	}
	fmt.Printf("wrote %s (shard %d bytes)\n", out, len(shard))
	return os.WriteFile(filepath.Join(out, "group1-shard1of1.bin"), shard, 0o644)
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
