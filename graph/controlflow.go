package graph

import (
	"fmt"

	"github.com/tfoffload/tfoffload/internal/tfpb"
)

// Control-flow op types of TensorFlow 1 graphs (tf.cond and tf.while_loop
// lowered to dataflow), with their reference-typed twins.
var controlFlowOps = map[string]string{
	"Switch": "Switch", "RefSwitch": "Switch",
	"Merge": "Merge", "RefMerge": "Merge",
	"Enter": "Enter", "RefEnter": "Enter",
	"Exit": "Exit", "RefExit": "Exit",
	"NextIteration": "NextIteration", "RefNextIteration": "NextIteration",
	"LoopCond": "LoopCond",
}

// ControlFlowKind returns the canonical control-flow op ("Switch", "Merge",
// "Enter", "Exit", "NextIteration", "LoopCond") for op, or "" for any other
// op.
func ControlFlowKind(op string) string { return controlFlowOps[op] }

// functionalOps are TensorFlow 2's functional control flow and function
// calls, which run functions of the graph's library.
var functionalOps = map[string]string{
	"If": "If", "StatelessIf": "If",
	"While": "While", "StatelessWhile": "While",
	"Case": "Case", "StatelessCase": "Case",
	"PartitionedCall": "Call", "StatefulPartitionedCall": "Call",
}

// FunctionalKind returns the kind of a functional control-flow or call op
// ("If", "While", "Case" or "Call"), or "" for any other op. A node whose
// op names a function of the graph's library is a call as well; that
// depends on the library, so FunctionalKind does not report it.
func FunctionalKind(op string) string { return functionalOps[op] }

// FrameInfo is the static loop structure of a graph: which while-loop frame
// each node runs in. The root frame is "". Frame names are the Enter nodes'
// frame_name attributes, which TensorFlow makes unique per loop.
type FrameInfo struct {
	// Frame maps node name to the frame the node runs in.
	Frame map[string]string
	// Parent maps each loop frame to the frame its Enter nodes sit in.
	Parent map[string]string
	// Enters counts the Enter nodes that feed each loop frame.
	Enters map[string]int
}

// InLoop reports whether the named node runs inside a while loop.
func (f *FrameInfo) InLoop(node string) bool { return f.Frame[node] != "" }

// Frames computes the frame of every node: an Enter's outputs live in the
// frame its frame_name attribute names, an Exit's outputs in the parent of
// its own frame, and every other node in the frame of its inputs (nodes
// without inputs in the root frame). A node whose inputs come from
// different frames, or an Exit in the root frame, is an error naming it.
func Frames(g *tfpb.GraphDef) (*FrameInfo, error) {
	order, err := TopoSort(g)
	if err != nil {
		return nil, err
	}
	info := &FrameInfo{Frame: map[string]string{}, Parent: map[string]string{}, Enters: map[string]int{}}
	// outFrame is the frame a node's outputs are delivered into.
	outFrame := map[string]string{}
	for _, n := range order {
		frame, set := "", false
		for _, in := range n.GetInput() {
			t, err := ParseTensorName(in)
			if err != nil {
				return nil, err
			}
			src, ok := outFrame[t.Node]
			if !ok {
				continue // a loop back-edge, not yet visited
			}
			if set && src != frame {
				return nil, fmt.Errorf("graph: node %q (%s) has inputs from loop frames %q and %q", n.GetName(), n.GetOp(), frame, src)
			}
			frame, set = src, true
		}
		info.Frame[n.GetName()] = frame
		out := frame
		switch ControlFlowKind(n.GetOp()) {
		case "Enter":
			child, err := AttrsOf(n).String("frame_name", "")
			if err != nil {
				return nil, err
			}
			if child == "" {
				return nil, fmt.Errorf("graph: Enter node %q has no frame_name", n.GetName())
			}
			if p, seen := info.Parent[child]; seen && p != frame {
				return nil, fmt.Errorf("graph: loop frame %q is entered from frames %q and %q", child, p, frame)
			}
			info.Parent[child] = frame
			info.Enters[child]++
			out = child
		case "Exit":
			if frame == "" {
				return nil, fmt.Errorf("graph: Exit node %q is not inside a loop", n.GetName())
			}
			out = info.Parent[frame]
		}
		outFrame[n.GetName()] = out
	}
	return info, nil
}
