package freeze

import (
	"slices"

	"google.golang.org/protobuf/proto"

	"github.com/tfoffload/tfoffload/internal/tfpb"
)

// selectImplementations picks the CPU body wherever a library offers
// interchangeable implementations of one API, as grappler's
// implementation selector does for Keras LSTM and GRU layers: functions
// that share an "api_implements" attribute and argument types are
// alternatives, and "api_preferred_device" says which device each is for.
// It returns the library with every call to a non-CPU alternative
// redirected to the CPU one, and that redirection map (nil when there is
// nothing to redirect; the library is then lib itself).
func selectImplementations(lib *tfpb.FunctionDefLibrary) (*tfpb.FunctionDefLibrary, map[string]string) {
	type alt struct {
		fd     *tfpb.FunctionDef
		device string
	}
	groups := map[string][]alt{}
	var keys []string
	for _, fd := range lib.GetFunction() {
		impl := string(fd.GetAttr()["api_implements"].GetS())
		if impl == "" {
			continue
		}
		key := impl + "\x00" + argTypesKey(fd.GetSignature())
		if groups[key] == nil {
			keys = append(keys, key)
		}
		groups[key] = append(groups[key], alt{fd, string(fd.GetAttr()["api_preferred_device"].GetS())})
	}
	impls := map[string]string{}
	for _, k := range keys {
		var cpu []string
		for _, a := range groups[k] {
			if a.device == "CPU" {
				cpu = append(cpu, a.fd.GetSignature().GetName())
			}
		}
		if len(cpu) != 1 {
			continue // none, or ambiguous: leave the calls as they are
		}
		for _, a := range groups[k] {
			if a.device != "CPU" && a.device != "" {
				impls[a.fd.GetSignature().GetName()] = cpu[0]
			}
		}
	}
	if len(impls) == 0 {
		return lib, nil
	}
	out := &tfpb.FunctionDefLibrary{Gradient: lib.GetGradient(), RegisteredGradients: lib.GetRegisteredGradients()}
	for _, fd := range lib.GetFunction() {
		if nodes, changed := renamedCopies(fd.GetNodeDef(), impls); changed {
			c := &tfpb.FunctionDef{Signature: fd.GetSignature(), Attr: fd.GetAttr(), ArgAttr: fd.GetArgAttr(),
				ResourceArgUniqueId: fd.GetResourceArgUniqueId(), NodeDef: nodes, Ret: fd.GetRet(), ControlRet: fd.GetControlRet()}
			fd = c
		}
		out.Function = append(out.Function, fd)
	}
	return out, impls
}

// argTypesKey describes a signature's argument types, so that only
// functions callable the same way count as alternatives.
func argTypesKey(sig *tfpb.OpDef) string {
	var b []byte
	for _, args := range [][]*tfpb.OpDef_ArgDef{sig.GetInputArg(), {nil}, sig.GetOutputArg()} {
		for _, a := range args {
			if a == nil {
				b = append(b, '|')
				continue
			}
			b = append(b, byte(a.GetType()), ',')
			b = append(b, a.GetTypeAttr()+","+a.GetNumberAttr()+","+a.GetTypeListAttr()+";"...)
		}
	}
	return string(b)
}

// renamedCopies returns nodes with function references renamed by impls,
// copying only the nodes that change.
func renamedCopies(nodes []*tfpb.NodeDef, impls map[string]string) ([]*tfpb.NodeDef, bool) {
	var out []*tfpb.NodeDef
	for i, n := range nodes {
		if !refersTo(n, impls) {
			continue
		}
		if out == nil {
			out = slices.Clone(nodes)
		}
		c := proto.CloneOf(n)
		renameFunctions([]*tfpb.NodeDef{c}, impls)
		out[i] = c
	}
	if out == nil {
		return nodes, false
	}
	return out, true
}

func refersTo(n *tfpb.NodeDef, impls map[string]string) bool {
	if _, ok := impls[n.GetOp()]; ok {
		return true
	}
	for _, v := range n.GetAttr() {
		for _, fn := range append(slices.Clone(v.GetList().GetFunc()), v.GetFunc()) {
			if _, ok := impls[fn.GetName()]; ok && fn != nil {
				return true
			}
		}
	}
	return false
}

// renameFunctions redirects, in place, the function references of nodes
// (direct calls and function attributes) by impls.
func renameFunctions(nodes []*tfpb.NodeDef, impls map[string]string) {
	if len(impls) == 0 {
		return
	}
	for _, n := range nodes {
		if to, ok := impls[n.GetOp()]; ok {
			n.Op = to
		}
		for _, v := range n.GetAttr() {
			fns := v.GetList().GetFunc()
			if fn := v.GetFunc(); fn != nil {
				fns = append(slices.Clone(fns), fn)
			}
			for _, fn := range fns {
				if to, ok := impls[fn.GetName()]; ok {
					fn.Name = to
				}
			}
		}
	}
}
