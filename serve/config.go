package serve

import (
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"google.golang.org/protobuf/encoding/prototext"

	"github.com/tfoffload/tfoffload/bridge"
	"github.com/tfoffload/tfoffload/internal/envconfig"
	"github.com/tfoffload/tfoffload/internal/servingpb"
)

// ErrConfig marks a configuration the server refuses: a malformed model
// config or batching parameters file, a missing model name or base path,
// or two models with one name.
var ErrConfig = errors.New("serve: bad configuration")

// VersionPolicy says which numbered versions under a model's base path
// are served, as TensorFlow Serving's model_version_policy.
type VersionPolicy struct {
	// Latest serves the Latest newest versions; 0 with Specific and All
	// unset means 1, TensorFlow Serving's default.
	Latest int
	// All serves every version.
	All bool
	// Specific serves exactly these versions.
	Specific []int64
}

// ModelConfig is one model the server serves.
type ModelConfig struct {
	// Name is the model's name in requests (/v1/models/NAME).
	Name string
	// BasePath holds the versions as numbered subdirectories (BasePath/1,
	// BasePath/2, ...), each a model bridge.LoadSession opens (SavedModel
	// directory, frozen .pb, .pbtxt or TF.js model.json, the latter two as
	// the only file of that kind in the version directory).
	BasePath string
	// Policy selects the versions served.
	Policy VersionPolicy
	// Labels map version labels ("stable", "canary") to versions.
	Labels map[string]int64
}

// BatchingConfig turns on dynamic batching, with TensorFlow Serving's
// parameters.
type BatchingConfig struct {
	// MaxBatchSize is the most rows (dimension 0) one merged run holds.
	MaxBatchSize int
	// BatchTimeout is how long a batch waits for more requests after its
	// first one arrived.
	BatchTimeout time.Duration
	// MaxEnqueuedBatches bounds the queue: at most MaxEnqueuedBatches ×
	// MaxBatchSize rows wait; a request beyond that is refused with
	// ResourceExhausted (HTTP 503).
	MaxEnqueuedBatches int
	// NumBatchThreads is how many batches of one signature run at once.
	NumBatchThreads int
	// AllowedBatchSizes, increasing and ending at MaxBatchSize, are the
	// sizes merged runs take: a batch is padded (with copies of its first
	// row, cut off the outputs) up to the smallest allowed size that holds
	// it, so the model sees few distinct shapes (ONNX Runtime compiles one
	// session per input shape and keeps 16 per cluster by default). Empty
	// means every size up to MaxBatchSize when that is at most 16, else 16
	// sizes evenly spaced (1, then multiples of ⌈MaxBatchSize/15⌉, then
	// MaxBatchSize), which pads a batch by fewer rows than the step.
	// TensorFlow Serving instead runs every size unpadded unless
	// allowed_batch_sizes is set.
	AllowedBatchSizes []int
}

// maxDefaultBatchSizes is how many sizes the default AllowedBatchSizes
// holds at most: the compiled sessions a cluster keeps by default.
const maxDefaultBatchSizes = envconfig.DefaultCacheSize

// batchSizes returns the allowed batch sizes, defaulted.
func (b BatchingConfig) batchSizes() []int {
	if len(b.AllowedBatchSizes) > 0 {
		return b.AllowedBatchSizes
	}
	step := 1
	if b.MaxBatchSize > maxDefaultBatchSizes {
		step = (b.MaxBatchSize + maxDefaultBatchSizes - 2) / (maxDefaultBatchSizes - 1)
	}
	if b.MaxBatchSize <= 1 {
		return []int{1}
	}
	out := []int{1}
	for n := step; n < b.MaxBatchSize; n += step {
		if n > 1 {
			out = append(out, n)
		}
	}
	return append(out, b.MaxBatchSize)
}

func (b BatchingConfig) validate() error {
	if b.MaxBatchSize < 1 || b.MaxEnqueuedBatches < 1 || b.NumBatchThreads < 1 || b.BatchTimeout < 0 {
		return fmt.Errorf("%w: batching parameters must be positive: max_batch_size %d, max_enqueued_batches %d, num_batch_threads %d, batch_timeout_micros %d",
			ErrConfig, b.MaxBatchSize, b.MaxEnqueuedBatches, b.NumBatchThreads, b.BatchTimeout.Microseconds())
	}
	if n := len(b.AllowedBatchSizes); n > 0 {
		if b.AllowedBatchSizes[n-1] != b.MaxBatchSize {
			return fmt.Errorf("%w: allowed_batch_sizes must end with max_batch_size %d, got %v", ErrConfig, b.MaxBatchSize, b.AllowedBatchSizes)
		}
		for i, v := range b.AllowedBatchSizes {
			if v < 1 || (i > 0 && v <= b.AllowedBatchSizes[i-1]) {
				return fmt.Errorf("%w: allowed_batch_sizes must be positive and increasing, got %v", ErrConfig, b.AllowedBatchSizes)
			}
		}
	}
	return nil
}

// DefaultBatching returns TensorFlow Serving's defaults for the batching
// parameters it documents.
func DefaultBatching() BatchingConfig {
	return BatchingConfig{MaxBatchSize: 32, BatchTimeout: time.Millisecond, MaxEnqueuedBatches: 100, NumBatchThreads: 2}
}

// Config configures a Server. Zero values mean TensorFlow Serving's
// defaults where it has one.
type Config struct {
	// Models to serve; at least one.
	Models []ModelConfig
	// Batching, when non-nil, merges concurrent requests (off by default,
	// as in TensorFlow Serving).
	Batching *BatchingConfig
	// PollInterval is how often the base paths are scanned for new and
	// removed versions (--file_system_poll_wait_seconds); 0 scans only at
	// start.
	PollInterval time.Duration
	// MaxBodyBytes limits a REST request body and a gRPC message (default
	// 64 MiB).
	MaxBodyBytes int64
	// RequestTimeout limits one request's time (0: no limit beyond the
	// client's own deadline).
	RequestTimeout time.Duration
	// SessionOptions are passed to every bridge.LoadSession.
	SessionOptions []bridge.Option
	// Logger receives structured logs (default: slog.Default()).
	Logger *slog.Logger
}

const defaultMaxBody = 64 << 20

func (c *Config) validate() error {
	if len(c.Models) == 0 {
		return fmt.Errorf("%w: no model to serve (set --model_name and --model_base_path, or --model_config_file)", ErrConfig)
	}
	seen := map[string]bool{}
	for _, m := range c.Models {
		if m.Name == "" || m.BasePath == "" {
			return fmt.Errorf("%w: model %q needs both a name and a base path", ErrConfig, m.Name)
		}
		if seen[m.Name] {
			return fmt.Errorf("%w: model %s configured twice", ErrConfig, m.Name)
		}
		seen[m.Name] = true
		if m.Policy.Latest < 0 {
			return fmt.Errorf("%w: model %s: latest num_versions %d is negative", ErrConfig, m.Name, m.Policy.Latest)
		}
	}
	if b := c.Batching; b != nil {
		if err := b.validate(); err != nil {
			return err
		}
	}
	if c.MaxBodyBytes < 0 || c.RequestTimeout < 0 || c.PollInterval < 0 {
		return fmt.Errorf("%w: limits and the poll interval must not be negative", ErrConfig)
	}
	return nil
}

// ParseModelConfig parses a --model_config_file: TensorFlow Serving's
// ModelServerConfig in protobuf text format (model_config_list { config {
// name base_path model_platform model_version_policy version_labels } }).
func ParseModelConfig(text []byte) ([]ModelConfig, error) {
	var pb servingpb.ModelServerConfig
	if err := prototext.Unmarshal(text, &pb); err != nil {
		return nil, fmt.Errorf("%w: model config: %w", ErrConfig, err)
	}
	var out []ModelConfig
	for _, c := range pb.GetModelConfigList().GetConfig() {
		if p := c.GetModelPlatform(); p != "" && p != "tensorflow" {
			return nil, fmt.Errorf("%w: model config: model %s: platform %q (only \"tensorflow\" is served)", ErrConfig, c.GetName(), p)
		}
		m := ModelConfig{Name: c.GetName(), BasePath: c.GetBasePath()}
		switch p := c.GetModelVersionPolicy(); {
		case p.GetAll() != nil:
			m.Policy.All = true
		case p.GetSpecific() != nil:
			m.Policy.Specific = slices.Clone(p.GetSpecific().GetVersions())
			if len(m.Policy.Specific) == 0 {
				return nil, fmt.Errorf("%w: model config: model %s: specific policy lists no version", ErrConfig, m.Name)
			}
		case p.GetLatest() != nil:
			m.Policy.Latest = int(p.GetLatest().GetNumVersions())
		}
		if len(c.GetVersionLabels()) > 0 {
			m.Labels = map[string]int64{}
			for k, v := range c.GetVersionLabels() {
				m.Labels[k] = v
			}
		}
		out = append(out, m)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: model config lists no model", ErrConfig)
	}
	return out, nil
}

// ParseBatchingParameters parses a --batching_parameters_file
// (TensorFlow Serving's BatchingParameters in text format, e.g.
// "max_batch_size { value: 32 }"); unset fields keep DefaultBatching's
// values.
func ParseBatchingParameters(text []byte) (BatchingConfig, error) {
	var pb servingpb.BatchingParameters
	if err := prototext.Unmarshal(text, &pb); err != nil {
		return BatchingConfig{}, fmt.Errorf("%w: batching parameters: %w", ErrConfig, err)
	}
	b := DefaultBatching()
	if v := pb.GetMaxBatchSize(); v != nil {
		b.MaxBatchSize = int(min(max(v.GetValue(), -1), 1<<30))
	}
	if v := pb.GetBatchTimeoutMicros(); v != nil {
		b.BatchTimeout = time.Duration(min(max(v.GetValue(), -1), int64(time.Hour/time.Microsecond))) * time.Microsecond
	}
	if v := pb.GetMaxEnqueuedBatches(); v != nil {
		b.MaxEnqueuedBatches = int(min(max(v.GetValue(), -1), 1<<30))
	}
	if v := pb.GetNumBatchThreads(); v != nil {
		b.NumBatchThreads = int(min(max(v.GetValue(), -1), 1<<12))
	}
	for _, v := range pb.GetAllowedBatchSizes() {
		b.AllowedBatchSizes = append(b.AllowedBatchSizes, int(min(max(v, -1), 1<<30)))
	}
	if err := b.validate(); err != nil {
		return BatchingConfig{}, err
	}
	return b, nil
}
