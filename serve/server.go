package serve

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/multierr"
	"google.golang.org/grpc"

	"github.com/tfoffload/tfoffload/internal/servingpb"
)

// Server serves models over TensorFlow Serving's REST and gRPC APIs. New
// loads the models; Handler and RegisterGRPC attach it to servers the
// caller owns, or Serve runs its own on two listeners; Shutdown stops it
// gracefully. Its methods are safe for concurrent use.
type Server struct {
	cfg     Config
	log     *slog.Logger
	mgr     *manager
	metrics *metrics

	ready    atomic.Bool
	stopPoll context.CancelFunc
	pollDone chan struct{}

	mu       sync.Mutex
	httpSrv  *http.Server
	grpcSrv  *grpc.Server
	shutOnce sync.Once
	shutErr  error
}

// New validates cfg, loads every model's versions (a model none of whose
// versions loads is an error, as TensorFlow Serving refuses to start
// without it) and, when cfg.PollInterval is set, starts watching the base
// paths for new and removed versions.
func New(cfg Config) (*Server, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = defaultMaxBody
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	s := &Server{cfg: cfg, log: log, metrics: newMetrics(), pollDone: make(chan struct{})}
	s.mgr = newManager(&s.cfg, log, s.metrics)
	ctx, cancel := context.WithCancel(context.Background())
	s.stopPoll = cancel
	s.mgr.pollAll(ctx)
	for _, name := range s.mgr.names {
		if !s.mgr.models[name].ready() {
			cancel()
			s.mgr.closeAll()
			st, _ := s.mgr.models[name].status(-1)
			detail := "no numbered version directory"
			if len(st) > 0 && st[0].GetStatus().GetErrorMessage() != "" {
				detail = st[0].GetStatus().GetErrorMessage()
			}
			return nil, fmt.Errorf("serve: model %s under %s: no version could be loaded: %s", name, s.mgr.models[name].cfg.BasePath, detail)
		}
	}
	go s.poll(ctx)
	s.ready.Store(true)
	return s, nil
}

// poll rescans the base paths every PollInterval until ctx ends.
func (s *Server) poll(ctx context.Context) {
	defer close(s.pollDone)
	if s.cfg.PollInterval <= 0 {
		return
	}
	t := time.NewTicker(s.cfg.PollInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.mgr.pollAll(ctx)
		}
	}
}

// Poll rescans every model's base path now (what the poll interval does
// periodically): new versions load, versions the policy no longer wants
// unload once their requests finish.
func (s *Server) Poll() { s.mgr.pollAll(context.Background()) }

// observe runs one request's work under the request time limit and
// records its outcome in the metrics and, for failures, the log.
func (s *Server) observe(ctx context.Context, model, method string, fn func(context.Context) error) error {
	label := s.mgr.metricLabel(model)
	if s.cfg.RequestTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.cfg.RequestTimeout)
		defer cancel()
	}
	start := time.Now()
	err := fn(ctx)
	if err != nil {
		if _, ok := errors.AsType[*StatusError](err); !ok {
			err = runError(model, err)
		}
	}
	code := servingpb.ErrorCode(errorCode(err))
	s.metrics.request(label, method, code.String(), time.Since(start))
	if err != nil {
		s.log.Debug("request failed", "model", model, "method", method, "code", code.String(), "err", err)
	}
	return err
}

// Ready reports whether the server accepts requests: not shutting down,
// and every model has a version available.
func (s *Server) Ready() bool {
	if !s.ready.Load() {
		return false
	}
	for _, name := range s.mgr.names {
		if !s.mgr.models[name].ready() {
			return false
		}
	}
	return true
}

// Serve answers gRPC on grpcLis and REST on restLis (either may be nil)
// until Shutdown; it returns nil after a Shutdown and the first serving
// error otherwise.
func (s *Server) Serve(grpcLis, restLis net.Listener) error {
	s.mu.Lock()
	if !s.ready.Load() {
		s.mu.Unlock()
		return fmt.Errorf("serve: %w: the server was shut down", ErrUnavailable)
	}
	var errs = make(chan error, 2)
	n := 0
	if restLis != nil {
		s.httpSrv = &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelWarn)}
		srv := s.httpSrv
		n++
		go func() { errs <- srv.Serve(restLis) }()
		s.log.Info("REST API listening", "addr", restLis.Addr().String())
	}
	if grpcLis != nil {
		s.grpcSrv = grpc.NewServer(s.GRPCOptions()...)
		s.RegisterGRPC(s.grpcSrv)
		srv := s.grpcSrv
		n++
		go func() { errs <- srv.Serve(grpcLis) }()
		s.log.Info("gRPC API listening", "addr", grpcLis.Addr().String())
	}
	s.mu.Unlock()
	var first error
	for range n {
		if err := <-errs; err != nil && !errors.Is(err, http.ErrServerClosed) && !errors.Is(err, grpc.ErrServerStopped) && first == nil {
			first = err
			go func() { _ = s.Shutdown(context.Background()) }()
		}
	}
	return first
}

// GRPCOptions are the grpc.ServerOptions a caller building its own
// grpc.Server for RegisterGRPC should pass: the message size limit, and
// the codec that lets a malformed request be answered InvalidArgument
// (without it, grpc-go answers Internal).
func (s *Server) GRPCOptions() []grpc.ServerOption {
	return []grpc.ServerOption{grpc.MaxRecvMsgSize(int(min(s.cfg.MaxBodyBytes, 1<<31-1))), grpc.MaxSendMsgSize(1<<31 - 1),
		grpc.ForceServerCodec(serverCodec{})}
}

// Shutdown stops the server gracefully: readiness turns false, the
// servers stop accepting, requests in flight finish (or ctx ends, which
// closes the remaining connections), then the poller stops and every
// version is closed. It is idempotent.
func (s *Server) Shutdown(ctx context.Context) error {
	s.shutOnce.Do(func() {
		s.ready.Store(false)
		s.mu.Lock()
		httpSrv, grpcSrv := s.httpSrv, s.grpcSrv
		s.mu.Unlock()
		var err error
		var wg sync.WaitGroup
		if httpSrv != nil {
			wg.Go(func() {
				if e := httpSrv.Shutdown(ctx); e != nil {
					err = multierr.Append(err, fmt.Errorf("serve: REST shutdown: %w", e))
					_ = httpSrv.Close()
				}
			})
		}
		if grpcSrv != nil {
			done := make(chan struct{})
			go func() { grpcSrv.GracefulStop(); close(done) }()
			select {
			case <-done:
			case <-ctx.Done():
				grpcSrv.Stop()
				<-done
			}
		}
		wg.Wait()
		s.stopPoll()
		<-s.pollDone
		s.mgr.closeAll()
		s.shutErr = err
		s.log.Info("server stopped")
	})
	return s.shutErr
}

// LoadModelConfigFile reads a --model_config_file (see ParseModelConfig).
func LoadModelConfigFile(path string) ([]ModelConfig, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: --model_config_file: %w", ErrConfig, err)
	}
	return ParseModelConfig(b)
}

// LoadBatchingParametersFile reads a --batching_parameters_file (see
// ParseBatchingParameters).
func LoadBatchingParametersFile(path string) (BatchingConfig, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return BatchingConfig{}, fmt.Errorf("%w: --batching_parameters_file: %w", ErrConfig, err)
	}
	return ParseBatchingParameters(b)
}
