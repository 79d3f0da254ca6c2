// Package partition decides which nodes of a TensorFlow graph to offload
// and groups them into clusters, explaining every decision.
//
// # Phases
//
// [Partition] runs named phases, each checking that its predecessor ran:
//
//   - mark: a node is a candidate if the translator table supports it
//     (package clusters decides, nobody else), the user has not disabled its
//     op, and it is not control flow (TensorFlow 1's Switch, Merge and
//     loop ops, TensorFlow 2's If, While, Case and function calls), not
//     inside a while loop and not a graph input. Every other node gets its
//     [Reason]. The functions that functional ops and calls run are not
//     partitioned: they run on the executor whole.
//   - grow: every candidate starts as its own cluster in a graph that stays
//     acyclic (Pearce–Kelly incremental topological order, as XLA's
//     GraphCycles). Data edges between candidates with the same deadness
//     predicate are contracted while the cluster graph stays acyclic, until
//     nothing changes; a second sweep must merge nothing. A producer of an
//     input that must be static (opdefs.StaticInputs: a Transpose
//     permutation, a Concat axis) is kept out of its consumer's cluster, by
//     a path through a node that never clusters, unless its value is static
//     itself (opdefs.Analyze: constants, shapes and what is computed from
//     them only).
//   - drop-small: clusters with fewer non-trivial nodes than the minimum go
//     back to the fallback. The default minimum follows
//     OpenVINO-TensorFlow's formula ([DefaultMinimum]);
//     TFOFFLOAD_MIN_NONTRIVIAL_NODES or an explicit option replaces it.
//   - max-clusters: optionally keep only the largest clusters.
//   - assign-ids: ids go last, by the topological position of each
//     cluster's first node, so the same graph always gets the same ids.
//   - boundaries: each cluster's input and output tensors.
//
// Tests assert which nodes share a cluster, not ids.
package partition
