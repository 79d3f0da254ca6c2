package offload

import (
	"context"
	"fmt"

	"github.com/tfoffload/tfoffload/clusters"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec"
	"google.golang.org/protobuf/proto"
)

// Runner runs a cluster's original TensorFlow nodes on the executor. It is
// the dynamic fallback when the engine cannot run a cluster, and the
// oracle that tells translation every tensor's dtype, shape and static
// value. It is safe for concurrent use.
type Runner struct {
	cl   *clusters.Cluster
	exec *tfexec.Executor
}

// NewRunner prepares the executor of a cluster's nodes.
func NewRunner(cl *clusters.Cluster) (*Runner, error) {
	exec, err := tfexec.New(cl.Subgraph())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cl.Name(), err)
	}
	if err := exec.Prepare(cl.Inputs, cl.Outputs); err != nil {
		return nil, fmt.Errorf("%s: %w", cl.Name(), err)
	}
	return &Runner{cl: cl, exec: exec}, nil
}

func (r *Runner) feeds(inputs []*tensor.Tensor) (map[string]*tensor.Tensor, error) {
	if len(inputs) != len(r.cl.Inputs) {
		return nil, fmt.Errorf("%s takes %d inputs, got %d", r.cl.Name(), len(r.cl.Inputs), len(inputs))
	}
	feeds := make(map[string]*tensor.Tensor, len(inputs))
	for i, name := range r.cl.Inputs {
		feeds[name] = inputs[i]
	}
	return feeds, nil
}

// Run computes the cluster's outputs from its inputs (in Cluster order).
func (r *Runner) Run(ctx context.Context, inputs []*tensor.Tensor) ([]*tensor.Tensor, error) {
	feeds, err := r.feeds(inputs)
	if err != nil {
		return nil, err
	}
	return r.exec.Run(ctx, feeds, r.cl.Outputs)
}

// Infer runs the cluster like Run and also returns what translation needs
// about every tensor the cluster touches (see clusters.Recorder). static
// marks the inputs whose values are compile-time constants.
func (r *Runner) Infer(ctx context.Context, inputs []*tensor.Tensor, static []bool) (map[string]clusters.TensorInfo, []*tensor.Tensor, error) {
	feeds, err := r.feeds(inputs)
	if err != nil {
		return nil, nil, err
	}
	rec := clusters.NewRecorder(r.cl, inputs, static)
	outs, err := r.exec.Run(ctx, feeds, r.cl.Outputs, tfexec.WithObserver(rec.Observe))
	if err != nil {
		return nil, nil, err
	}
	return rec.Info(), outs, nil
}

// Compiled is a cluster translated to ONNX for one input signature.
type Compiled struct {
	Model *clusters.Model
	// ONNX is the serialized model.
	ONNX []byte
	// Want holds the executor's outputs on the inputs it was compiled
	// from, for checking the model.
	Want []*tensor.Tensor
}

// Compile translates the cluster for the signature of inputs: it runs the
// cluster on the executor (Infer), translates it, and serializes the
// model.
func (r *Runner) Compile(ctx context.Context, inputs []*tensor.Tensor, static []bool) (*Compiled, error) {
	info, want, err := r.Infer(ctx, inputs, static)
	if err != nil {
		return nil, fmt.Errorf("inferring shapes: %w", err)
	}
	m, err := clusters.Translate(r.cl, info)
	if err != nil {
		return nil, err
	}
	data, err := proto.Marshal(m.Proto)
	if err != nil {
		return nil, fmt.Errorf("%s: serializing the ONNX model: %w", r.cl.Name(), err)
	}
	return &Compiled{Model: m, ONNX: data, Want: want}, nil
}
