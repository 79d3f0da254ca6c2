package checkpoint

import (
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
)

// ObjectGraphKey is the key under which TF2 checkpoints store their
// TrackableObjectGraph, serialized in a string scalar.
const ObjectGraphKey = "_CHECKPOINTABLE_OBJECT_GRAPH"

// ObjectValue links a value saved by an object of a TF2 checkpoint's
// object graph to the key that stores it.
type ObjectValue struct {
	// Path is the object's path from the root object, its edges' local
	// names joined by "/": "layer_with_weights-1/kernel". An optimizer
	// slot's path is its variable's path, "/.OPTIMIZER_SLOT/", the
	// optimizer's path and the slot name, as in TensorFlow's keys.
	Path string
	// Name is the attribute's name, "VARIABLE_VALUE" for a variable.
	Name string
	// FullName is the name the value had in the graph that saved it
	// ("dense_1/kernel" for a Keras layer's kernel), empty when not
	// recorded.
	FullName string
	// Key is the checkpoint key of the value.
	Key string
}

// ObjectGraph reads and decodes the TrackableObjectGraph of a TF2
// checkpoint. A TF1 checkpoint has none: the error wraps [ErrNotFound].
func (r *Reader) ObjectGraph() (*tfpb.TrackableObjectGraph, error) {
	t, err := r.Tensor(ObjectGraphKey)
	if err != nil {
		return nil, err
	}
	fail := func(format string, args ...any) error {
		return &Error{File: r.indexPath, Key: ObjectGraphKey, Err: fmt.Errorf(format, args...)}
	}
	if t.DType() != tensor.String || t.NumElements() != 1 {
		return nil, fail("%w: object graph is a %v%v tensor, not a string scalar", ErrCorrupt, t.DType(), t.Shape())
	}
	g := &tfpb.TrackableObjectGraph{}
	if err := proto.Unmarshal([]byte(tensor.Values[string](t)[0]), g); err != nil {
		return nil, fail("%w: object graph: %v", ErrCorrupt, err)
	}
	for i, n := range g.GetNodes() {
		for _, c := range n.GetChildren() {
			if c.GetNodeId() < 0 || int(c.GetNodeId()) >= len(g.GetNodes()) {
				return nil, fail("%w: object graph node %d has a child %q with node id %d of %d", ErrCorrupt, i, c.GetLocalName(), c.GetNodeId(), len(g.GetNodes()))
			}
		}
		for _, s := range n.GetSlotVariables() {
			for _, id := range []int32{s.GetOriginalVariableNodeId(), s.GetSlotVariableNodeId()} {
				if id < 0 || int(id) >= len(g.GetNodes()) {
					return nil, fail("%w: object graph node %d has slot %q with node id %d of %d", ErrCorrupt, i, s.GetSlotName(), id, len(g.GetNodes()))
				}
			}
		}
	}
	return g, nil
}

// ObjectValues lists the values of a TF2 checkpoint's objects with their
// checkpoint keys, in breadth-first order of the object graph from its
// root (node 0) and, within an object, in attribute order. Objects reached
// by several paths get the first, shortest one, as TensorFlow's own
// object-path listing does. A TF1 checkpoint has no object graph: the
// error wraps [ErrNotFound].
func (r *Reader) ObjectValues() ([]ObjectValue, error) {
	g, err := r.ObjectGraph()
	if err != nil {
		return nil, err
	}
	nodes := g.GetNodes()
	paths, order := objectPaths(nodes)
	var out []ObjectValue
	for _, id := range order {
		for _, a := range nodes[id].GetAttributes() {
			out = append(out, ObjectValue{Path: paths[id], Name: a.GetName(), FullName: a.GetFullName(), Key: a.GetCheckpointKey()})
		}
	}
	return out, nil
}

// objectPaths returns the path of every object reachable from the root —
// through children breadth first, then through optimizer slots — and the
// objects in that order.
func objectPaths(nodes []*tfpb.TrackableObjectGraph_TrackableObject) (map[int32]string, []int32) {
	if len(nodes) == 0 {
		return nil, nil
	}
	order := bfsOrder(nodes)
	paths := map[int32]string{0: ""}
	for _, id := range order {
		for _, c := range nodes[id].GetChildren() {
			if _, seen := paths[c.GetNodeId()]; !seen {
				paths[c.GetNodeId()] = join(paths[id], c.GetLocalName())
			}
		}
	}
	// Slot variables hang off their optimizer, keyed by their variable.
	for _, id := range order {
		for _, s := range nodes[id].GetSlotVariables() {
			v, ok := paths[s.GetOriginalVariableNodeId()]
			if _, seen := paths[s.GetSlotVariableNodeId()]; ok && !seen {
				paths[s.GetSlotVariableNodeId()] = join(join(v, ".OPTIMIZER_SLOT"), join(paths[id], s.GetSlotName()))
				order = append(order, s.GetSlotVariableNodeId())
			}
		}
	}
	return paths, order
}

// bfsOrder lists the nodes reachable from node 0 through children, breadth
// first, each once.
func bfsOrder(nodes []*tfpb.TrackableObjectGraph_TrackableObject) []int32 {
	if len(nodes) == 0 {
		return nil
	}
	seen := map[int32]bool{0: true}
	queue := []int32{0}
	for i := 0; i < len(queue); i++ {
		for _, c := range nodes[queue[i]].GetChildren() {
			if !seen[c.GetNodeId()] {
				seen[c.GetNodeId()] = true
				queue = append(queue, c.GetNodeId())
			}
		}
	}
	return queue
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + "/" + b
}
