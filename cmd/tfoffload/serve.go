package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/tfoffload/tfoffload/bridge"
	"github.com/tfoffload/tfoffload/engine"
	"github.com/tfoffload/tfoffload/serve"
)

const serveLong = `Serve answers TensorFlow Serving's REST and gRPC APIs for one model
(--model_name, --model_base_path) or several (--model_config_file, TensorFlow
Serving's ModelServerConfig text format), with no TensorFlow: the models run
on tfoffload, offloaded to ONNX Runtime where possible. Clients written for
TensorFlow Serving work unchanged.

The base path holds versions as numbered directories (BASE/1, BASE/2), each
a SavedModel, a TF.js model or one frozen graph file; the newest is served
(a config file can set a version policy and labels). Every
--file_system_poll_wait_seconds the base paths are scanned: a new version
loads and replaces the old one, which is unloaded once its requests
finish; a version that fails to load is logged and never replaces a
working one.

The flags mean what TensorFlow Serving's do: --port is the gRPC port
(tensorflow.serving.PredictionService and ModelService) and --rest_api_port
the REST port (POST /v1/models/NAME:predict, :classify, :regress; GET
/v1/models/NAME and .../metadata); unlike TensorFlow Serving, whose REST
API is off unless --rest_api_port is set, REST is on by default at 8501 (the
port TensorFlow Serving's Docker image uses); 0 turns either off. The REST
port also serves /metrics (Prometheus), /healthz and /readyz.

--enable_batching merges concurrent requests (TensorFlow Serving's defaults,
or --batching_parameters_file: max_batch_size, batch_timeout_micros,
max_enqueued_batches, num_batch_threads); a full queue answers
RESOURCE_EXHAUSTED (HTTP 503). On a CPU, merging rarely raises
throughput: a merged run costs at least as much per image as single runs
(see the README); if you batch there, use num_batch_threads = cores and
--tensorflow_intra_op_parallelism 1, so that the batches run side by side.

--tensorflow_intra_op_parallelism N gives every model session a pool of
N threads for the work inside one op, instead of the process-wide pool
(one thread per core) that concurrent requests share;
--tensorflow_inter_op_parallelism N lets a session run N independent ops
at once.

A model's ReadFile nodes read only inside its version's folder, so a
client cannot have a model return other files; --allow_read DIR
(repeatable) lets them read inside DIR too.

SIGTERM or SIGINT stops the server gracefully: it stops accepting, finishes
the requests in flight (for at most --shutdown_timeout) and exits 0.
Logs are structured (log/slog) on standard error.`

type serveOptions struct {
	modelName, modelBasePath, modelConfigFile string
	port, restPort                            int
	host                                      string
	batching                                  bool
	batchingFile                              string
	pollSeconds                               int
	restTimeoutMs                             int
	maxRequestBytes                           int64
	shutdownTimeout                           time.Duration
	logJSON                                   bool
	allowRead                                 []string
	intraOp, interOp                          int
}

func newServeCmd() *cobra.Command {
	var o serveOptions
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve models over TensorFlow Serving's REST and gRPC APIs",
		Long:  serveLong,
		Example: `  tfoffload serve --model_name half_plus_two --model_base_path /models/half_plus_two
  curl -d '{"instances": [1.0, 2.0, 5.0]}' localhost:8501/v1/models/half_plus_two:predict
  tfoffload serve --model_config_file models.config --enable_batching --batching_parameters_file batching.config`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usagef(cmd, "serve takes flags only, got argument %q (the model is --model_base_path)", args[0])
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := o.config(cmd)
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGTERM, os.Interrupt)
			defer stop()
			return serveModels(ctx, cfg, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.modelName, "model_name", "default", "name of the model in requests")
	f.StringVar(&o.modelBasePath, "model_base_path", "", "directory holding the model's numbered versions")
	f.StringVar(&o.modelConfigFile, "model_config_file", "", "ModelServerConfig text file listing several models (excludes --model_base_path)")
	f.IntVar(&o.port, "port", 8500, "gRPC port (0: no gRPC)")
	f.IntVar(&o.restPort, "rest_api_port", 8501, "REST port (0: no REST)")
	f.StringVar(&o.host, "host", "0.0.0.0", "address to listen on (tfoffload's addition)")
	f.BoolVar(&o.batching, "enable_batching", false, "merge concurrent requests into batches")
	f.StringVar(&o.batchingFile, "batching_parameters_file", "", "BatchingParameters text file (implies --enable_batching)")
	f.IntVar(&o.pollSeconds, "file_system_poll_wait_seconds", 1, "seconds between scans of the base paths for versions (0: only at start)")
	f.IntVar(&o.restTimeoutMs, "rest_api_timeout_in_ms", 30000, "time limit of one request, REST and gRPC (0: none)")
	f.Int64Var(&o.maxRequestBytes, "max_request_bytes", 64<<20, "largest REST body or gRPC message accepted (tfoffload's addition)")
	f.DurationVar(&o.shutdownTimeout, "shutdown_timeout", 30*time.Second, "how long SIGTERM waits for requests in flight (tfoffload's addition)")
	f.BoolVar(&o.logJSON, "log_json", false, "write logs as JSON lines instead of text (tfoffload's addition)")
	f.IntVar(&o.intraOp, "tensorflow_intra_op_parallelism", 0, "threads one model run uses inside an op (0: a process-wide pool, one thread per core)")
	f.IntVar(&o.interOp, "tensorflow_inter_op_parallelism", 0, "threads one model run uses for independent ops (0: ONNX Runtime's choice)")
	f.StringArrayVar(&o.allowRead, "allow_read", nil, "directory the models' ReadFile nodes may read besides each version's folder (repeatable; tfoffload's addition)")
	return cmd
}

// config checks the flags and builds the server's configuration.
func (o serveOptions) config(cmd *cobra.Command) (serve.Config, error) {
	var cfg serve.Config
	switch {
	case o.modelConfigFile != "" && cmd.Flags().Changed("model_base_path"):
		return cfg, usagef(cmd, "--model_config_file and --model_base_path exclude each other")
	case o.modelConfigFile == "" && o.modelBasePath == "":
		return cfg, usagef(cmd, "serve needs --model_base_path or --model_config_file")
	case o.port < 0 || o.port > 65535 || o.restPort < 0 || o.restPort > 65535:
		return cfg, usagef(cmd, "--port and --rest_api_port must be 0..65535")
	case o.port == 0 && o.restPort == 0:
		return cfg, usagef(cmd, "--port and --rest_api_port are both 0: nothing to serve on")
	case o.port != 0 && o.port == o.restPort:
		return cfg, usagef(cmd, "--port and --rest_api_port must differ")
	case o.pollSeconds < 0 || o.restTimeoutMs < 0 || o.maxRequestBytes <= 0 || o.shutdownTimeout < 0:
		return cfg, usagef(cmd, "--file_system_poll_wait_seconds, --rest_api_timeout_in_ms and --shutdown_timeout must not be negative, --max_request_bytes must be positive")
	case o.intraOp < 0 || o.interOp < 0:
		return cfg, usagef(cmd, "--tensorflow_intra_op_parallelism and --tensorflow_inter_op_parallelism must not be negative")
	}
	if o.modelConfigFile != "" {
		models, err := serve.LoadModelConfigFile(o.modelConfigFile)
		if err != nil {
			return cfg, err
		}
		cfg.Models = models
	} else {
		cfg.Models = []serve.ModelConfig{{Name: o.modelName, BasePath: o.modelBasePath}}
	}
	if o.batching || o.batchingFile != "" {
		b := serve.DefaultBatching()
		if o.batchingFile != "" {
			var err error
			if b, err = serve.LoadBatchingParametersFile(o.batchingFile); err != nil {
				return cfg, err
			}
		}
		cfg.Batching = &b
	}
	cfg.PollInterval = time.Duration(o.pollSeconds) * time.Second
	cfg.RequestTimeout = time.Duration(o.restTimeoutMs) * time.Millisecond
	cfg.MaxBodyBytes = o.maxRequestBytes
	cfg.SessionOptions = append(cfg.SessionOptions, bridge.WithFileAccess(o.allowRead...))
	if o.intraOp > 0 || o.interOp > 0 {
		cfg.SessionOptions = append(cfg.SessionOptions, bridge.WithEngineOptions(engine.SessionOptions{IntraOpThreads: o.intraOp, InterOpThreads: o.interOp}))
	}
	var h slog.Handler = slog.NewTextHandler(cmd.ErrOrStderr(), nil)
	if o.logJSON {
		h = slog.NewJSONHandler(cmd.ErrOrStderr(), nil)
	}
	cfg.Logger = slog.New(h)
	return cfg, nil
}

// serveModels runs the server until ctx ends (a signal), then shuts it
// down gracefully.
func serveModels(ctx context.Context, cfg serve.Config, o serveOptions) error {
	srv, err := serve.New(cfg)
	if err != nil {
		return err
	}
	var grpcLis, restLis net.Listener
	closeAll := func() {
		for _, l := range []net.Listener{grpcLis, restLis} {
			if l != nil {
				_ = l.Close()
			}
		}
	}
	if o.port != 0 {
		if grpcLis, err = net.Listen("tcp", net.JoinHostPort(o.host, strconv.Itoa(o.port))); err != nil {
			return errors.Join(fmt.Errorf("--port: %w", err), srv.Shutdown(context.Background()))
		}
	}
	if o.restPort != 0 {
		if restLis, err = net.Listen("tcp", net.JoinHostPort(o.host, strconv.Itoa(o.restPort))); err != nil {
			closeAll()
			return errors.Join(fmt.Errorf("--rest_api_port: %w", err), srv.Shutdown(context.Background()))
		}
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(grpcLis, restLis) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	cfg.Logger.Info("signal received; finishing requests in flight", "timeout", o.shutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), o.shutdownTimeout)
	defer cancel()
	return errors.Join(srv.Shutdown(sctx), <-done)
}
