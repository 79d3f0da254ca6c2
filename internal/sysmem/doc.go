// Package sysmem says how much memory this process may use, so that
// tfoffload's memory budgets (see tensor.MaxTensorBytes) default to
// something that fits the machine: its physical memory, lowered by the
// cgroup memory limit of the process (cgroup v2 memory.max or v1
// memory.limit_in_bytes, its own or an ancestor's, whichever is lowest)
// and by the RLIMIT_AS and RLIMIT_DATA resource limits where they are
// lower still.
package sysmem
