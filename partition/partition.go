package partition

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tfoffload/tfoffload/clusters"
	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/opdefs"
)

// Options steer a partition. The zero value uses the translator table,
// disables nothing and applies the default minimum cluster size.
type Options struct {
	// MinNontrivialNodes, when set, replaces the default minimum cluster
	// size outright (it may be below 6).
	MinNontrivialNodes *int
	// MinSource says where MinNontrivialNodes came from, for the plan
	// ("TFOFFLOAD_MIN_NONTRIVIAL_NODES", "option").
	MinSource string
	// MaxClusters keeps only the largest clusters; 0 keeps all.
	MaxClusters int
	// DisabledOps are op types never offloaded.
	DisabledOps []string
	// Outputs are tensors that must stay visible after encapsulation
	// (the model's outputs): they become cluster outputs.
	Outputs []string
	// OutputGroups are sets of outputs fetched together, such as a model's
	// signatures. A cluster never joins nodes needed by different sets of
	// groups: a run that fetches one group must not have to feed another
	// group's inputs to compute a cluster. Empty means one group.
	OutputGroups [][]string
	// Supported and StaticInputs replace the translator table's answers;
	// tests use them to partition graphs of fake ops.
	Supported    func(*tfpb.NodeDef) (bool, string)
	StaticInputs func(*tfpb.NodeDef) []int
}

// ReasonKind classifies why a node stays on the fallback executor.
type ReasonKind string

// The reasons a node is not offloaded.
const (
	ReasonInput       ReasonKind = "graph input"
	ReasonUnsupported ReasonKind = "unsupported"
	ReasonDisabled    ReasonKind = "disabled by the user"
	ReasonControlFlow ReasonKind = "control flow"
	ReasonLoop        ReasonKind = "inside a while loop"
	ReasonTooSmall    ReasonKind = "cluster too small"
	ReasonMaxClusters ReasonKind = "beyond TFOFFLOAD_MAX_CLUSTERS"
)

// Reason is why one node stays on the fallback.
type Reason struct {
	Kind   ReasonKind `json:"kind"`
	Detail string     `json:"detail"`
}

func (r Reason) String() string {
	if r.Detail == "" {
		return string(r.Kind)
	}
	return string(r.Kind) + ": " + r.Detail
}

// Fallback is a node left on the executor, with the reason.
type Fallback struct {
	Node   string `json:"node"`
	Op     string `json:"op"`
	Reason Reason `json:"reason"`
}

// Refusal is a merge of two candidate clusters that was not made.
type Refusal struct {
	From, To string // nodes at the two ends of the edge
	Why      string
}

// Plan is the result of partitioning: the clusters, and for every other
// node why it stays on the fallback.
type Plan struct {
	Graph    *tfpb.GraphDef
	Clusters []*clusters.Cluster
	// Fallback lists every node not in a cluster, in graph order.
	Fallback []Fallback
	// MinNontrivialNodes is the minimum cluster size applied, and
	// MinSource where it came from ("default formula" and so on).
	MinNontrivialNodes int
	MinSource          string
	// Refusals are the merges refused while growing clusters.
	Refusals []Refusal
	// ClusterOf maps node name to cluster id; fallback nodes are absent.
	ClusterOf map[string]int
	phases    []string
}

// NonTrivial counts the graph's non-trivial nodes and how many of them are
// offloaded.
func (p *Plan) NonTrivial() (offloaded, total int) {
	for _, n := range p.Graph.GetNode() {
		if opdefs.IsTrivial(n.GetOp()) {
			continue
		}
		total++
		if _, ok := p.ClusterOf[n.GetName()]; ok {
			offloaded++
		}
	}
	return offloaded, total
}

// Partition splits g into clusters to offload and nodes for the fallback.
// It runs as named phases — mark, grow, drop-small, max-clusters,
// assign-ids, boundaries — each checking that the previous one ran.
func Partition(g *tfpb.GraphDef, opts Options) (*Plan, error) {
	st, err := newState(g, opts)
	if err != nil {
		return nil, err
	}
	for _, ph := range phases {
		if err := st.run(ph); err != nil {
			return nil, err
		}
	}
	return st.plan, nil
}

type phase struct {
	name  string
	after string
	fn    func(*state) error
}

var phases = []phase{
	{"mark", "", (*state).mark},
	{"grow", "mark", (*state).grow},
	{"drop-small", "grow", (*state).dropSmall},
	{"max-clusters", "drop-small", (*state).maxClusters},
	{"assign-ids", "max-clusters", (*state).assignIDs},
	{"boundaries", "assign-ids", (*state).boundaries},
}

func (s *state) run(ph phase) (err error) {
	if ph.after != "" && !slices.Contains(s.plan.phases, ph.after) {
		return fmt.Errorf("partition: phase %s needs %s to run first", ph.name, ph.after)
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("partition: phase %s: %v", ph.name, r)
		}
	}()
	if err := ph.fn(s); err != nil {
		return fmt.Errorf("partition: phase %s: %w", ph.name, err)
	}
	s.plan.phases = append(s.plan.phases, ph.name)
	return nil
}

// state is the work in progress of one Partition call.
type state struct {
	opts  Options
	g     *tfpb.GraphDef
	ix    *graph.Index
	order []int // node positions in topological order
	topo  []int // position → index in order
	plan  *Plan

	candidate []bool
	reason    []Reason
	deadness  []string // deadness predicate per node
	groups    []string // which output groups need each node ("" for all, or none)
	cyc       *cycles
	owner     []int // node position → representative cycles node
	members   map[int][]int
	final     map[int][]int // surviving clusters after drop phases
}

func newState(g *tfpb.GraphDef, opts Options) (*state, error) {
	ix, err := graph.NewIndex(g)
	if err != nil {
		return nil, err
	}
	sorted, err := graph.TopoSort(g)
	if err != nil {
		return nil, err
	}
	if opts.Supported == nil {
		opts.Supported = clusters.Supported
	}
	if opts.StaticInputs == nil {
		opts.StaticInputs = opdefs.StaticInputs
	}
	s := &state{opts: opts, g: g, ix: ix, plan: &Plan{Graph: g, ClusterOf: map[string]int{}}}
	s.topo = make([]int, len(g.GetNode()))
	for i, n := range sorted {
		p := ix.Position(n.GetName())
		s.order = append(s.order, p)
		s.topo[p] = i
	}
	return s, nil
}

// mark decides which nodes may be offloaded at all.
func (s *state) mark() error {
	nodes := s.g.GetNode()
	frames, err := graph.Frames(s.g)
	if err != nil {
		return err
	}
	s.deadness = deadnessPredicates(s.g, s.ix, s.order)
	if s.groups, err = outputGroups(s.g, s.ix, s.opts.OutputGroups); err != nil {
		return err
	}
	disabled := map[string]bool{}
	for _, op := range s.opts.DisabledOps {
		disabled[op] = true
	}
	// Calls into the library stay on the executor: offloading function
	// bodies is left for later (freezing inlines the plain calls).
	library := map[string]bool{}
	for _, f := range s.g.GetLibrary().GetFunction() {
		library[f.GetSignature().GetName()] = true
	}
	s.candidate = make([]bool, len(nodes))
	s.reason = make([]Reason, len(nodes))
	for i, n := range nodes {
		op := n.GetOp()
		switch {
		case op == "Placeholder" || op == "PlaceholderV2":
			s.reason[i] = Reason{Kind: ReasonInput}
		case graph.ControlFlowKind(op) != "" || graph.FunctionalKind(op) != "":
			s.reason[i] = Reason{Kind: ReasonControlFlow, Detail: op}
		case library[op]:
			s.reason[i] = Reason{Kind: ReasonControlFlow, Detail: "call of function " + op}
		case frames.InLoop(n.GetName()):
			s.reason[i] = Reason{Kind: ReasonLoop, Detail: frames.Frame[n.GetName()]}
		case disabled[op]:
			s.reason[i] = Reason{Kind: ReasonDisabled, Detail: op}
		default:
			if ok, why := s.opts.Supported(n); !ok {
				s.reason[i] = Reason{Kind: ReasonUnsupported, Detail: why}
				continue
			}
			s.candidate[i] = true
		}
	}
	return nil
}

// grow contracts edges between candidates while the cluster graph stays
// acyclic, until nothing changes, then checks that one more pass would
// change nothing.
func (s *state) grow() error {
	nodes := s.g.GetNode()
	s.cyc = newCycles(len(nodes))
	s.owner = make([]int, len(nodes))
	s.members = map[int][]int{}
	for i := range nodes {
		s.owner[i] = i
		if s.candidate[i] {
			s.members[i] = []int{i}
		}
	}
	for _, i := range s.order {
		for _, in := range s.ix.Inputs(i) {
			p := s.ix.Position(in.Node)
			if graph.IsBackEdgeSource(nodes[p].GetOp()) {
				continue
			}
			if !s.cyc.insertEdge(p, i) {
				return fmt.Errorf("graph has a cycle through %q and %q", nodes[p].GetName(), nodes[i].GetName())
			}
		}
	}
	// A producer of an input that must be static can never share its
	// consumer's cluster unless its value is static itself: a path through
	// a node that never joins a cluster makes the merge a cycle.
	static := s.staticDerivable()
	for _, i := range s.order {
		if !s.candidate[i] {
			continue
		}
		data := dataInputs(s.ix.Inputs(i))
		for _, k := range s.opts.StaticInputs(nodes[i]) {
			if k >= len(data) {
				continue
			}
			p := s.ix.Position(data[k].Node)
			if static[data[k].Node] {
				continue
			}
			fake := s.cyc.addNode()
			s.cyc.insertEdge(p, fake)
			s.cyc.insertEdge(fake, i)
		}
	}
	s.plan.Refusals = s.contractAll(true)
	if again := s.contractAll(false); again != nil {
		return fmt.Errorf("a second pass still merged clusters (%s -> %s)", again[0].From, again[0].To)
	}
	return nil
}

// contractAll sweeps all data edges between candidates until no merge
// happens. With record false it reports the first merge it makes (used to
// check idempotence); with record true it returns the refusals.
func (s *state) contractAll(record bool) []Refusal {
	nodes := s.g.GetNode()
	var refused []Refusal
	for changed := true; changed; {
		changed = false
		refused = refused[:0]
		for _, i := range s.order {
			if !s.candidate[i] {
				continue
			}
			for _, in := range s.ix.Inputs(i) {
				if in.Control {
					continue
				}
				p := s.ix.Position(in.Node)
				if !s.candidate[p] {
					continue
				}
				a, b := s.find(p), s.find(i)
				if a == b {
					continue
				}
				if s.deadness[p] != s.deadness[i] {
					refused = append(refused, Refusal{From: nodes[p].GetName(), To: nodes[i].GetName(), Why: "different deadness predicates"})
					continue
				}
				if s.groups[p] != s.groups[i] {
					refused = append(refused, Refusal{From: nodes[p].GetName(), To: nodes[i].GetName(), Why: "needed by different output groups (signatures)"})
					continue
				}
				if !s.cyc.contractEdge(a, b) {
					refused = append(refused, Refusal{From: nodes[p].GetName(), To: nodes[i].GetName(), Why: "would create a cycle or take a non-constant static input"})
					continue
				}
				if !record {
					return []Refusal{{From: nodes[p].GetName(), To: nodes[i].GetName()}}
				}
				s.members[a] = append(s.members[a], s.members[b]...)
				delete(s.members, b)
				for _, m := range s.members[a] {
					s.owner[m] = a
				}
				changed = true
			}
		}
	}
	if !record {
		return nil
	}
	return slices.Clone(refused)
}

// find returns the cycles-graph node representing node i's cluster.
func (s *state) find(i int) int { return s.owner[i] }

// minimum returns the minimum cluster size and its source.
func (s *state) minimum(sizes []int) (int, string) {
	if s.opts.MinNontrivialNodes != nil {
		src := s.opts.MinSource
		if src == "" {
			src = "option"
		}
		return *s.opts.MinNontrivialNodes, src
	}
	return DefaultMinimum(sizes), "default formula"
}

// DefaultMinimum is OpenVINO-TensorFlow's rule for the minimum cluster
// size, given the non-trivial sizes of the clusters found: with M nodes
// clustered in C clusters, the largest of Max, start from M/32; double it
// if M/C < Max/32, else divide it by 4 if it is below 2·M/C; never below 6.
func DefaultMinimum(sizes []int) int {
	m, c, largest := 0, len(sizes), 0
	for _, n := range sizes {
		m += n
		largest = max(largest, n)
	}
	if c == 0 {
		return 6
	}
	minimum := m / 32
	if m/c < largest/32 {
		minimum *= 2
	} else if minimum < 2*(m/c) {
		minimum /= 4
	}
	return max(minimum, 6)
}

func (s *state) nonTrivial(members []int) int {
	n := 0
	for _, m := range members {
		if !opdefs.IsTrivial(s.g.Node[m].GetOp()) {
			n++
		}
	}
	return n
}

// dropSmall returns clusters below the minimum size to the fallback.
func (s *state) dropSmall() error {
	reps := make([]int, 0, len(s.members))
	for r := range s.members {
		reps = append(reps, r)
	}
	slices.Sort(reps)
	sizes := make([]int, len(reps))
	for k, r := range reps {
		sizes[k] = s.nonTrivial(s.members[r])
	}
	minimum, src := s.minimum(sizes)
	s.plan.MinNontrivialNodes, s.plan.MinSource = minimum, src
	s.final = map[int][]int{}
	for k, r := range reps {
		if sizes[k] >= minimum && sizes[k] > 0 {
			s.final[r] = s.members[r]
			continue
		}
		for _, m := range s.members[r] {
			s.reason[m] = Reason{Kind: ReasonTooSmall, Detail: fmt.Sprintf("its cluster has %d non-trivial node(s), the minimum is %d", sizes[k], minimum)}
		}
	}
	return nil
}

// maxClusters keeps the largest clusters when a maximum is set.
func (s *state) maxClusters() error {
	if s.opts.MaxClusters <= 0 || len(s.final) <= s.opts.MaxClusters {
		return nil
	}
	reps := make([]int, 0, len(s.final))
	for r := range s.final {
		reps = append(reps, r)
	}
	slices.SortFunc(reps, func(a, b int) int {
		if d := s.nonTrivial(s.final[b]) - s.nonTrivial(s.final[a]); d != 0 {
			return d
		}
		return s.firstTopo(s.final[a]) - s.firstTopo(s.final[b])
	})
	for _, r := range reps[s.opts.MaxClusters:] {
		for _, m := range s.final[r] {
			s.reason[m] = Reason{Kind: ReasonMaxClusters, Detail: fmt.Sprintf("only the %d largest clusters are kept", s.opts.MaxClusters)}
		}
		delete(s.final, r)
	}
	return nil
}

func (s *state) firstTopo(members []int) int {
	first := len(s.topo)
	for _, m := range members {
		first = min(first, s.topo[m])
	}
	return first
}

// assignIDs numbers the surviving clusters by the topological position of
// their first node, and lists their members in topological order.
func (s *state) assignIDs() error {
	reps := make([]int, 0, len(s.final))
	for r := range s.final {
		reps = append(reps, r)
	}
	slices.SortFunc(reps, func(a, b int) int { return s.firstTopo(s.final[a]) - s.firstTopo(s.final[b]) })
	for id, r := range reps {
		members := slices.Clone(s.final[r])
		slices.SortFunc(members, func(a, b int) int { return s.topo[a] - s.topo[b] })
		c := &clusters.Cluster{ID: id}
		for _, m := range members {
			n := s.g.Node[m]
			c.Nodes = append(c.Nodes, n)
			s.plan.ClusterOf[n.GetName()] = id
		}
		s.plan.Clusters = append(s.plan.Clusters, c)
	}
	for i, n := range s.g.GetNode() {
		if _, ok := s.plan.ClusterOf[n.GetName()]; !ok {
			r := s.reason[i]
			if r.Kind == "" {
				r = Reason{Kind: ReasonTooSmall, Detail: "no cluster formed around it"}
			}
			s.plan.Fallback = append(s.plan.Fallback, Fallback{Node: n.GetName(), Op: n.GetOp(), Reason: r})
		}
	}
	return nil
}

// boundaries lists each cluster's input and output tensors.
func (s *state) boundaries() error {
	for _, o := range s.opts.Outputs {
		if _, err := graph.ParseTensorName(o); err != nil {
			return err
		}
	}
	outSet := make([]map[string]bool, len(s.plan.Clusters))
	inSet := make([]map[string]bool, len(s.plan.Clusters))
	for id := range s.plan.Clusters {
		outSet[id], inSet[id] = map[string]bool{}, map[string]bool{}
	}
	addOut := func(id int, t string) {
		if !outSet[id][t] {
			outSet[id][t] = true
			s.plan.Clusters[id].Outputs = append(s.plan.Clusters[id].Outputs, t)
		}
	}
	for _, i := range s.order {
		n := s.g.Node[i]
		myID, mine := s.plan.ClusterOf[n.GetName()]
		for _, in := range s.ix.Inputs(i) {
			if in.Control {
				continue
			}
			t := in.Canonical()
			srcID, srcIn := s.plan.ClusterOf[in.Node]
			if mine && (!srcIn || srcID != myID) && !inSet[myID][t] {
				inSet[myID][t] = true
				s.plan.Clusters[myID].Inputs = append(s.plan.Clusters[myID].Inputs, t)
			}
			if srcIn && (!mine || srcID != myID) {
				addOut(srcID, t)
			}
		}
	}
	for _, o := range s.opts.Outputs {
		t := graph.MustParseTensorName(o)
		if id, ok := s.plan.ClusterOf[t.Node]; ok {
			addOut(id, t.Canonical())
		}
	}
	return nil
}

func dataInputs(ins []graph.TensorName) []graph.TensorName {
	out := make([]graph.TensorName, 0, len(ins))
	for _, in := range ins {
		if !in.Control {
			out = append(out, in)
		}
	}
	return out
}

// String renders the plan as the text `tfoffload partition` prints.
func (p *Plan) String() string {
	var b strings.Builder
	off, total := p.NonTrivial()
	pct := 0.0
	if total > 0 {
		pct = 100 * float64(off) / float64(total)
	}
	fmt.Fprintf(&b, "%d cluster(s); %d of %d non-trivial nodes offloaded (%.1f%%); MIN_NONTRIVIAL_NODES=%d (%s)\n",
		len(p.Clusters), off, total, pct, p.MinNontrivialNodes, p.MinSource)
	for _, c := range p.Clusters {
		counts := c.OpCounts()
		ops := make([]string, 0, len(counts))
		for op, n := range counts {
			ops = append(ops, fmt.Sprintf("%s×%d", op, n))
		}
		slices.Sort(ops)
		fmt.Fprintf(&b, "cluster %d: %d nodes (%d non-trivial), %d inputs, %d outputs: %s\n",
			c.ID, len(c.Nodes), c.NonTrivial(), len(c.Inputs), len(c.Outputs), strings.Join(ops, " "))
	}
	for _, f := range p.Fallback {
		fmt.Fprintf(&b, "fallback %s (%s): %s\n", f.Node, f.Op, f.Reason)
	}
	return b.String()
}
