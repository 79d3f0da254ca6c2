# Conveniences over the scripts; the scripts are the source of truth.
.PHONY: demo test build vet fuzz generate bench clean

demo:            ## fetch a model from npm and run it offloaded (README main job)
	./scripts/demo.sh

test:            ## install test dependencies, vet, test (README test command)
	./scripts/test.sh

build:           ## build the tfoffload command into ./bin
	go build -o bin/tfoffload ./cmd/tfoffload

vet:
	go vet ./...

FUZZTIME ?= 60s
fuzz:            ## run every fuzz target for FUZZTIME each
	go test ./tensor -run XXX -fuzz FuzzReadNPY -fuzztime $(FUZZTIME)
	go test ./graph -run XXX -fuzz FuzzParseGraphDef -fuzztime $(FUZZTIME) -fuzzminimizetime 5s
	go test ./graph -run XXX -fuzz FuzzParseTFJS -fuzztime $(FUZZTIME) -fuzzminimizetime 5s
	go test ./checkpoint -run XXX -fuzz FuzzReadIndex -fuzztime $(FUZZTIME) -fuzzminimizetime 5s
	go test ./checkpoint -run XXX -fuzz FuzzReadTensor -fuzztime $(FUZZTIME) -fuzzminimizetime 5s
	go test ./freeze -run XXX -fuzz FuzzFreeze -fuzztime $(FUZZTIME) -fuzzminimizetime 5s

generate:        ## regenerate the protobuf Go code (needs protoc 3.21)
	go generate ./internal/tfpb ./internal/onnxpb

bench:           ## benchmarks of the engine and kernels
	go test -run XXX -bench . -benchmem ./engine ./tfexec/kernels/conv ./bridge

clean:
	rm -rf bin
