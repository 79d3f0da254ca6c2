package parsing

import (
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// newParseExample prepares ParseExample: serialized [batch], names,
// Nsparse sparse keys and Ndense dense keys (string scalars), Ndense dense
// defaults.
func newParseExample(n *kernel.Node) (kernel.Kernel, error) {
	a, err := readAttrs(n, false)
	if err != nil {
		return nil, err
	}
	nSparse, err := count(n, "Nsparse")
	if err != nil {
		return nil, err
	}
	nDense, err := count(n, "Ndense")
	if err != nil {
		return nil, err
	}
	if nSparse != len(a.sparse) {
		return nil, n.AttrError("Nsparse", kernel.Invalid("len(sparse_keys) != len(sparse_types)"))
	}
	if nDense != len(a.dense) {
		return nil, n.AttrError("Ndense", kernel.Invalid("len(dense_keys) != len(dense_types)"))
	}
	if err := checkInputCount(n, 2+nSparse+2*nDense); err != nil {
		return nil, err
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if err := kernel.CheckInputs(in, 2+nSparse+2*nDense); err != nil {
			return nil, err
		}
		serialized, names := in[0], in[1]
		if err := checkSerialized(serialized, names, true); err != nil {
			return nil, err
		}
		sparseKeys, err := scalarKeys("sparse_keys", in[2:2+nSparse])
		if err != nil {
			return nil, err
		}
		denseKeys, err := scalarKeys("dense_keys", in[2+nSparse:2+nSparse+nDense])
		if err != nil {
			return nil, err
		}
		c, err := newConfig(a, denseKeys, sparseKeys, nil, in[2+nSparse+nDense:])
		if err != nil {
			return nil, err
		}
		r, err := parseBatch(c, tensor.Values[string](serialized), tensor.Values[string](names))
		if err != nil {
			return nil, err
		}
		return r.outputs(false), nil
	}, nil
}

// newParseExampleV2 prepares ParseExampleV2: serialized (a scalar or a
// vector), names, the sparse, dense and ragged keys as string vectors, and
// the dense defaults.
func newParseExampleV2(n *kernel.Node) (kernel.Kernel, error) {
	a, err := readAttrs(n, true)
	if err != nil {
		return nil, err
	}
	numSparse, err := count(n, "num_sparse")
	if err != nil {
		return nil, err
	}
	if numSparse != len(a.sparse) {
		return nil, n.AttrError("num_sparse", kernel.Invalid("len(sparse_keys) != len(sparse_types)"))
	}
	if err := checkInputCount(n, 5+len(a.dense)); err != nil {
		return nil, err
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if err := kernel.CheckInputs(in, 5+len(a.dense)); err != nil {
			return nil, err
		}
		serialized, names := in[0], in[1]
		if err := checkSerialized(serialized, names, false); err != nil {
			return nil, err
		}
		var keys [3][]string
		for i, name := range []string{"sparse_keys", "dense_keys", "ragged_keys"} {
			if keys[i], err = keyList(name, in[2+i]); err != nil {
				return nil, err
			}
		}
		sparseKeys, denseKeys, raggedKeys := keys[0], keys[1], keys[2]
		switch {
		case len(denseKeys) != len(a.dense):
			return nil, kernel.Invalid("Expected len(dense_keys) == len(dense_types) but got: %d vs. %d", len(denseKeys), len(a.dense))
		case len(sparseKeys) != len(a.sparse):
			return nil, kernel.Invalid("Expected len(sparse_keys) == num_sparse but got: %d vs. %d", len(sparseKeys), len(a.sparse))
		case len(raggedKeys) != len(a.ragged):
			return nil, kernel.Invalid("Expected len(ragged_keys) == len(ragged_value_types) but got: %d vs. %d", len(raggedKeys), len(a.ragged))
		}
		c, err := newConfig(a, denseKeys, sparseKeys, raggedKeys, in[5:])
		if err != nil {
			return nil, err
		}
		var r *result
		if serialized.Rank() == 1 {
			r, err = parseBatch(c, tensor.Values[string](serialized), tensor.Values[string](names))
		} else {
			r, err = parseSingle(c, tensor.Values[string](serialized)[0])
		}
		if err != nil {
			return nil, err
		}
		return r.outputs(true), nil
	}, nil
}

// newParseSingleExample prepares ParseSingleExample: a scalar serialized
// Example and the dense defaults, its keys given as attributes.
func newParseSingleExample(n *kernel.Node) (kernel.Kernel, error) {
	a, err := readAttrs(n, false)
	if err != nil {
		return nil, err
	}
	numSparse, err := count(n, "num_sparse")
	if err != nil {
		return nil, err
	}
	sparseKeys, err := n.Attrs.Strings("sparse_keys", nil)
	if err != nil {
		return nil, n.AttrError("sparse_keys", err)
	}
	denseKeys, err := n.Attrs.Strings("dense_keys", nil)
	if err != nil {
		return nil, n.AttrError("dense_keys", err)
	}
	if numSparse != len(sparseKeys) || numSparse != len(a.sparse) {
		return nil, n.AttrError("num_sparse", kernel.Invalid("num_sparse (%d) must match the size of sparse_keys (%d) and sparse_types (%d)", numSparse, len(sparseKeys), len(a.sparse)))
	}
	if len(denseKeys) != len(a.dense) {
		return nil, n.AttrError("dense_keys", kernel.Invalid("len(dense_keys) != len(dense_types)"))
	}
	index, err := newIndex(denseKeys, sparseKeys, nil)
	if err != nil {
		return nil, err
	}
	if err := checkInputCount(n, 1+len(a.dense)); err != nil {
		return nil, err
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if err := kernel.CheckInputs(in, 1+len(a.dense)); err != nil {
			return nil, err
		}
		serialized := in[0]
		if serialized.DType() != tensor.String {
			return nil, kernel.Invalid("serialized must be a string tensor, got %v", serialized.DType())
		}
		if serialized.Rank() != 0 {
			return nil, kernel.Invalid("Expected serialized to be a scalar, got shape: %s", shapeString(serialized.Shape()))
		}
		if err := a.checkDefaults(in[1:]); err != nil {
			return nil, err
		}
		c := &config{attrs: a, denseKeys: denseKeys, sparseKeys: sparseKeys, defaults: in[1:], index: index}
		r, err := parseSingle(c, tensor.Values[string](serialized)[0])
		if err != nil {
			return nil, err
		}
		return r.outputs(false), nil
	}, nil
}

// newConfig checks the dense defaults and indexes the keys of one parse.
func newConfig(a attrs, denseKeys, sparseKeys, raggedKeys []string, defaults []*tensor.Tensor) (*config, error) {
	if err := a.checkDefaults(defaults); err != nil {
		return nil, err
	}
	index, err := newIndex(denseKeys, sparseKeys, raggedKeys)
	if err != nil {
		return nil, err
	}
	return &config{attrs: a, denseKeys: denseKeys, sparseKeys: sparseKeys, raggedKeys: raggedKeys,
		defaults: defaults, index: index}, nil
}

// checkSerialized checks the serialized and names inputs: string tensors,
// serialized a vector (vectorOnly, ParseExample) or a scalar or vector
// (ParseExampleV2), names empty or shaped like serialized.
func checkSerialized(serialized, names *tensor.Tensor, vectorOnly bool) error {
	if serialized.DType() != tensor.String || names.DType() != tensor.String {
		return kernel.Invalid("serialized and names must be string tensors, got %v and %v", serialized.DType(), names.DType())
	}
	if vectorOnly && serialized.Rank() != 1 {
		return kernel.Invalid("Expected serialized to be a vector, got shape: %s", shapeString(serialized.Shape()))
	}
	if serialized.Rank() > 1 {
		return kernel.Invalid("Expected serialized to be a scalar or vector, got shape: %s", shapeString(serialized.Shape()))
	}
	if names.NumElements() > 0 && !names.Shape().Equal(serialized.Shape()) {
		return kernel.Invalid("Expected names have the same shape as serialized: name.shape=%s, serialized.shape=%s", shapeString(names.Shape()), shapeString(serialized.Shape()))
	}
	return nil
}

// checkInputCount checks that the node has the data inputs its attributes
// declare.
func checkInputCount(n *kernel.Node, want int) error {
	if n.NumInputs != want {
		return kernel.Invalid("%d inputs, its attributes declare %d", n.NumInputs, want)
	}
	return nil
}
