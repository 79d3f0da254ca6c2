package clusters

import (
	"slices"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
)

// BiasAdd, the fused batch norms, LRN and the softmaxes. Batch norm and
// LRN work channels-first, as ONNX wants: NHWC tensors are taken in the
// NCHW layout and the results stay NCHW. An NHWC BiasAdd and the softmaxes
// work on a value in whatever layout it is stored.
func init() {
	register(Entry{DTypes: numericTypes, Translate: func(c *Ctx) error { return c.biasAdd() }}, "BiasAdd", "BiasAddV1")

	// TensorFlow computes half and bfloat16 batch norms in float, with
	// float statistics (U); so does the translation.
	register(Entry{DTypes: []tensor.DType{tensor.Float32}, Check: batchNormCheck,
		Translate: func(c *Ctx) error { return c.batchNorm(false) }}, "FusedBatchNorm")
	register(Entry{DTypes: []tensor.DType{tensor.Float32, tensor.Float16, tensor.BFloat16}, Check: batchNormCheck,
		Translate: func(c *Ctx) error { return c.batchNorm(false) }}, "FusedBatchNormV2", "FusedBatchNormV3")
	register(Entry{DTypes: []tensor.DType{tensor.Float32, tensor.Float16, tensor.BFloat16}, Check: batchNormExCheck,
		Translate: func(c *Ctx) error { return c.batchNorm(true) }}, "_FusedBatchNormEx")

	register(Entry{DTypes: []tensor.DType{tensor.Float32, tensor.Float16, tensor.BFloat16}, Translate: func(c *Ctx) error { return c.lrn() }}, "LRN")

	soft := kernelTypes{native: []tensor.DType{tensor.Float32, tensor.Float64}}
	register(Entry{DTypes: soft.dtypes(), Translate: func(c *Ctx) error { return c.softmax("Softmax", soft) }}, "Softmax")
	register(Entry{DTypes: soft.dtypes(), Translate: func(c *Ctx) error { return c.softmax("LogSoftmax", soft) }}, "LogSoftmax")
}

// biasAdd adds a 1-D bias along the channel axis: the last one for NHWC
// (plain broadcasting, in whatever layout the value has), axis 1 for NCHW.
func (c *Ctx) biasAdd() error {
	if !c.isNCHW() {
		return c.Elementwise("Add", nil)
	}
	rank := c.In(0).Rank()
	if rank < 2 {
		return c.Fail("NCHW BiasAdd on rank %d", rank)
	}
	x, err := c.Input(0)
	if err != nil {
		return err
	}
	b, err := c.Input(1)
	if err != nil {
		return err
	}
	axes := make([]int, rank-2)
	for k := range axes {
		axes[k] = k + 1
	}
	if len(axes) > 0 {
		ax, err := c.Int64s(axes...)
		if err != nil {
			return err
		}
		if b, err = c.Op("Unsqueeze", []string{b, ax}, nil); err != nil {
			return err
		}
	}
	out, err := c.Op("Add", []string{x, b}, nil)
	c.SetOutput(0, out)
	return err
}

func batchNormCheck(_ *tfpb.NodeDef, a graph.Attrs) error {
	training, err := a.Bool("is_training", true)
	if err != nil {
		return err
	}
	if training {
		return untranslatable("is_training=true")
	}
	u, err := a.Type("U", tensor.Float32)
	if err != nil {
		return err
	}
	if u != tensor.Float32 {
		return untranslatable("U=%v", u)
	}
	df, err := a.String("data_format", "NHWC")
	if err != nil {
		return err
	}
	if !slices.Contains([]string{"NHWC", "NCHW", "NDHWC", "NCDHW"}, df) {
		return untranslatable("data_format %s", df)
	}
	return nil
}

func batchNormExCheck(n *tfpb.NodeDef, a graph.Attrs) error {
	if err := batchNormCheck(n, a); err != nil {
		return err
	}
	sides, err := a.Int("num_side_inputs", 0)
	if err != nil {
		return err
	}
	if sides < 0 || sides > 1 {
		return untranslatable("num_side_inputs=%d", sides)
	}
	mode, err := a.String("activation_mode", "Identity")
	if err != nil {
		return err
	}
	if !slices.Contains([]string{"Identity", "Relu", "Relu6", "Elu", "LeakyRelu"}, mode) {
		return untranslatable("activation_mode %s", mode)
	}
	return nil
}

// batchNorm translates the fused batch norms in inference mode as
// BatchNormalization in float, channels-first (NHWC and NDHWC inputs are
// taken permuted). _FusedBatchNormEx then adds its side input and applies
// its activation, both in float as TensorFlow does. Outputs 1 and 2 are
// the given mean and variance; the reserve-space outputs are not
// translated, so a cluster that uses them fails to translate.
func (c *Ctx) batchNorm(ex bool) error {
	rank := c.In(0).Rank()
	if rank != 4 && rank != 5 {
		return c.Fail("input of rank %d", rank)
	}
	df, err := c.Attrs.String("data_format", "NHWC")
	if err != nil {
		return err
	}
	var perm []int
	if df == "NHWC" || df == "NDHWC" {
		perm = append([]int{0, rank - 1}, identityPerm(rank - 1)[1:]...)
	}
	eps, err := c.Attrs.Float("epsilon", 1e-4)
	if err != nil {
		return err
	}
	dt := c.In(0).DType
	x, err := c.InputAs(0, perm)
	if err != nil {
		return err
	}
	if x, err = c.cast(x, dt, tensor.Float32); err != nil {
		return err
	}
	ins := []string{x}
	for i := 1; i < 5; i++ {
		name, err := c.Input(i)
		if err != nil {
			return err
		}
		ins = append(ins, name)
	}
	out, err := c.Op("BatchNormalization", ins, map[string]any{"epsilon": eps})
	if err != nil {
		return err
	}
	if ex {
		if out, err = c.batchNormEx(out, perm, dt); err != nil {
			return err
		}
	}
	if out, err = c.cast(out, tensor.Float32, dt); err != nil {
		return err
	}
	c.SetOutputValue(0, Value{Name: out, Perm: perm})
	for i := 1; i <= 2; i++ {
		v, err := c.Raw(i + 2)
		if err != nil {
			return err
		}
		c.SetOutputValue(i, v)
	}
	return nil
}

// batchNormEx adds _FusedBatchNormEx's side input and applies its
// activation to the float result y, stored as perm.
func (c *Ctx) batchNormEx(y string, perm []int, dt tensor.DType) (string, error) {
	sides, err := c.Attrs.Int("num_side_inputs", 0)
	if err != nil {
		return "", err
	}
	f := &formula{c: c, dt: tensor.Float32}
	if sides == 1 {
		side, err := c.InputAs(5, perm)
		if err != nil {
			return "", err
		}
		if side, err = c.cast(side, dt, tensor.Float32); err != nil {
			return "", err
		}
		y = f.op("Add", nil, y, side)
	}
	mode, err := c.Attrs.String("activation_mode", "Identity")
	if err != nil {
		return "", err
	}
	switch mode {
	case "Relu", "Elu":
		y = f.op(mode, nil, y)
	case "Relu6":
		y = f.op("Clip", nil, y, f.scalar(0), f.scalar(6))
	case "LeakyRelu":
		alpha, err := c.Attrs.Float("leakyrelu_alpha", 0.2)
		if err != nil {
			return "", err
		}
		y = f.op("LeakyRelu", map[string]any{"alpha": alpha}, y)
	}
	return y, f.err
}

// lrn translates LRN over the channels of a 4-D NHWC tensor. ONNX sums
// the squares over size = 2·depth_radius+1 channels centred on each, like
// TensorFlow, but divides alpha by size: the alpha it gets is TensorFlow's
// times size.
func (c *Ctx) lrn() error {
	if c.In(0).Rank() != 4 {
		return c.Fail("input of rank %d", c.In(0).Rank())
	}
	r, err := c.Attrs.Int("depth_radius", 5)
	if err != nil {
		return err
	}
	bias, err := c.Attrs.Float("bias", 1)
	if err != nil {
		return err
	}
	alpha, err := c.Attrs.Float("alpha", 1)
	if err != nil {
		return err
	}
	beta, err := c.Attrs.Float("beta", 0.5)
	if err != nil {
		return err
	}
	size := 2*r + 1
	x, err := c.InputAs(0, NCHW)
	if err != nil {
		return err
	}
	dt := c.In(0).DType
	if x, err = c.cast(x, dt, tensor.Float32); err != nil {
		return err
	}
	out, err := c.Op("LRN", []string{x}, map[string]any{"size": size, "alpha": float32(float64(alpha) * float64(size)), "beta": beta, "bias": bias})
	if err != nil {
		return err
	}
	if out, err = c.cast(out, tensor.Float32, dt); err != nil {
		return err
	}
	c.SetOutputValue(0, Value{Name: out, Perm: NCHW})
	return nil
}

// softmax translates Softmax and LogSoftmax over the last TF axis.
func (c *Ctx) softmax(op string, k kernelTypes) error {
	rank := c.In(0).Rank()
	if rank < 1 {
		return c.Fail("input of rank %d", rank)
	}
	x, ct, err := c.computeIn(0, k)
	if err != nil {
		return err
	}
	out, err := c.Op(op, []string{x.Name}, map[string]any{"axis": axisIn(-1, rank, x.Perm)})
	if err != nil {
		return err
	}
	if out, err = c.cast(out, ct, c.In(0).DType); err != nil {
		return err
	}
	c.SetOutputValue(0, Value{Name: out, Perm: x.Perm})
	return nil
}
